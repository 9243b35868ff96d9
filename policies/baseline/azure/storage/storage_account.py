"""Azure storage accounts (`azure-native:storage:StorageAccount`) for the off-site backup copy.

Resource checks on the account's own inputs (HTTPS only, TLS 1.2, no anonymous blob access, no shared-key
authorization), and stack joins to the resources the account's blob settings live on: `BlobServiceProperties`
(versioning, blob and container soft delete) and `ManagementPolicy` (lifecycle). A resource belongs to an
account when its `accountName` has a property dependency on the account (`account_name=account.name`) or a
literal equal to the account's known `accountName`.

Defaults (azure-native 3, API 2024-01-01): `enableHttpsTrafficOnly` true, `minimumTlsVersion` TLS1_0 when
absent, `allowSharedKeyAccess` null means true; `allowBlobPublicAccess` is required to be explicit here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity

from ...common import (
    UNKNOWN,
    Family,
    StackIndex,
    as_bool,
    as_list,
    as_number,
    as_str,
    each_of,
    get,
    known,
    resource_policy,
    stack_policy,
)
from ...factories import flag_policy, protected_policy
from ...refs import ckv, platform

STORAGE_ACCOUNT: Final = "azure-native:storage:StorageAccount"
BLOB_SERVICE: Final = "azure-native:storage:BlobServiceProperties"
MANAGEMENT_POLICY: Final = "azure-native:storage:ManagementPolicy"
TLS_1_2_OR_LATER: Final = frozenset({"TLS1_2", "TLS1_3"})
_DOCS = "https://learn.microsoft.com/en-us/azure/storage"
_about = Family("azure-storage-account", ("azure", "storage")).about



def attached(index: StackIndex, account: PolicyResource, type_: str) -> list[PolicyResource]:
    return [r for r in index.of_type(type_) if index.depends_on(r, "accountName", account, "accountName", "name")]


def _minimum_tls(args: ResourceValidationArgs) -> Iterator[str]:
    version = known(as_str(get(args.props, "minimumTlsVersion")), "minimumTlsVersion")
    if version not in TLS_1_2_OR_LATER:
        shown = "absent (Azure then accepts TLS 1.0)" if version is None else repr(version)
        yield f"minimumTlsVersion is {shown}: clients may connect with TLS 1.0 or 1.1."


def _enabled(value: object) -> bool:
    return as_bool(value, default=False) is not False  # unknown counts as set


def _soft_delete_and_versioning(index: StackIndex, account: PolicyResource) -> str | None:
    services = attached(index, account, BLOB_SERVICE)
    if not services:
        return "no BlobServiceProperties names this account: blob versioning and soft delete are off."
    missing: list[str] = []
    for service in services:
        missing = []
        if not _enabled(get(service.props, "isVersioningEnabled")):
            missing.append("isVersioningEnabled")
        for policy in ("deleteRetentionPolicy", "containerDeleteRetentionPolicy"):
            days = as_number(get(service.props, policy, "days"))
            if not _enabled(get(service.props, policy, "enabled")) or not (
                days is UNKNOWN or (isinstance(days, float) and days >= 1)
            ):
                missing.append(f"{policy} (enabled, days >= 1)")
        if not missing:
            return None
    return f"its BlobServiceProperties leave {', '.join(missing)} off: a deleted or overwritten blob is gone."


def _lifecycle(index: StackIndex, account: PolicyResource) -> str | None:
    for policy in attached(index, account, MANAGEMENT_POLICY):
        rules = as_list(get(policy.props, "policy", "rules"))
        if rules is UNKNOWN:
            return None
        if any(_enabled(get(rule, "enabled")) for rule in rules or []):
            return None
    return "no ManagementPolicy with an enabled rule names this account: backups are kept (and billed) forever."


RESOURCE_TYPE = STORAGE_ACCOUNT
"""The resource type this module's policies are about."""

POLICIES = [
    flag_policy(
        _about(
            "require-https-only",
            description="Storage accounts must accept HTTPS only.",
            refs=(ckv("CKV_AZURE_3"),),
            control="HTTPS only",
            severity=Severity.HIGH,
            remediation="Set `enable_https_traffic_only=True`.",
            tags=("encryption-in-transit",),
            url=f"{_DOCS}/common/storage-require-secure-transfer",
        ),
        STORAGE_ACCOUNT, "enableHttpsTrafficOnly", required=True, default=True,
        consequence="blobs can be read and written over plain HTTP",
    ),
    resource_policy(
        _about(
            "configure-minimum-tls",
            description="Storage accounts must require TLS 1.2 or later.",
            refs=(ckv("CKV_AZURE_44"),),
            control="minimum TLS 1.2",
            severity=Severity.HIGH,
            remediation='Set `minimum_tls_version="TLS1_2"`.',
            tags=("encryption-in-transit",),
            url=f"{_DOCS}/common/transport-layer-security-configure-minimum-version",
        ),
        (STORAGE_ACCOUNT,),
        _minimum_tls,
    ),
    flag_policy(
        _about(
            "disallow-blob-public-access",
            description="Storage accounts must explicitly disallow anonymous (public) blob access.",
            refs=(ckv("CKV_AZURE_190"), ckv("CKV2_AZURE_47")),
            control="no anonymous blob access; containers private",
            severity=Severity.CRITICAL,
            remediation="Set `allow_blob_public_access=False`.",
            url=f"{_DOCS}/blobs/anonymous-read-access-prevent",
        ),
        STORAGE_ACCOUNT, "allowBlobPublicAccess", required=False, default=True,
        consequence="a container can be made readable by anyone",
    ),
    flag_policy(
        _about(
            "disallow-shared-key-access",
            description="Storage accounts must disable shared-key authorization (Entra ID only).",
            refs=(ckv("CKV2_AZURE_40"), ckv("CKV2_AZURE_41")),
            control="shared-key authorization disabled (identity-based access only)",
            severity=Severity.HIGH,
            remediation="Set `allow_shared_key_access=False`.",
            url=f"{_DOCS}/common/shared-key-authorization-prevent",
        ),
        STORAGE_ACCOUNT, "allowSharedKeyAccess", required=False, default=True,
        consequence="anyone with an account key (or a SAS signed with it) has full access",
    ),
    stack_policy(
        _about(
            "enable-blob-soft-delete-and-versioning",
            description="Storage accounts must have blob versioning and blob and container soft delete on.",
            refs=(ckv("CKV2_AZURE_38"),),
            control="blob soft delete and versioning",
            severity=Severity.MEDIUM,
            remediation="Declare `storage.BlobServiceProperties(account_name=account.name, "
            'blob_services_name="default", is_versioning_enabled=True, delete_retention_policy={"enabled": True, '
            '"days": 30}, container_delete_retention_policy={"enabled": True, "days": 30})`.',
            tags=("data-loss",),
            url=f"{_DOCS}/blobs/soft-delete-blob-overview",
        ),
        each_of(STORAGE_ACCOUNT, _soft_delete_and_versioning),
    ),
    stack_policy(
        _about(
            "configure-lifecycle-management",
            description="Storage accounts for backups must have a lifecycle management policy with an enabled rule.",
            refs=(platform("seed backup baseline"),),
            control="lifecycle management policy present for backup containers",
            severity=Severity.LOW,
            remediation="Declare `storage.ManagementPolicy(account_name=account.name, "
            'management_policy_name="default", policy={...})` with a rule per backup prefix.',
            tags=("cost",),
            url=f"{_DOCS}/blobs/lifecycle-management-overview",
        ),
        each_of(STORAGE_ACCOUNT, _lifecycle),
    ),
    protected_policy(
        _about(
            "require-protect",
            description="Storage accounts must carry the `protect` resource option (prod).",
            refs=(platform("data-loss baseline"),),
            control="every stateful resource (storage account) is protected in prod",
            severity=Severity.HIGH,
            remediation="Pass `opts=pulumi.ResourceOptions(protect=True)` (and add a CanNotDelete lock).",
            tags=("data-loss", "prod-only"),
            url="https://www.pulumi.com/docs/iac/concepts/options/protect/",
        ),
        STORAGE_ACCOUNT, "storage account and every blob in it",
    ),
]
