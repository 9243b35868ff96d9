"""OffsiteBackupCopy: the Azure Blob Storage copy of the logical dumps, outside AWS.

A resource group, a StorageV2 account (HTTPS only, TLS 1.2, no anonymous blob access, no shared-key access,
geo-redundant in prod), one private container, blob versioning with blob and container soft delete, a
lifecycle `ManagementPolicy` with the same tiers as S3, and a `CanNotDelete` lock in prod.

The copy job (a GitHub Actions workflow) signs in as a user-assigned managed identity through a federated
credential for one repository and environment: no secret exists anywhere. The identity gets a custom role on
the one container that can read and write blobs but not delete them (or their versions), and has no
control-plane right on the container: the built-in "Storage Blob Data Contributor" includes the data action
`blobs/delete` and the control-plane action `containers/delete`, and a role-assignment (ABAC) condition can
only restrict data actions.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
from pulumi_azure_native import authorization, managedidentity, resources, storage

from components.aws.github_oidc import environment_subject
from components.backup_storage.config import BackupStorageConfig
from components.base import ChildTransform, PlatformComponent
from components.naming import AZURE_RESOURCE_GROUP, physical_name
from components.stack import StackConfig

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
AZURE_TOKEN_AUDIENCE = "api://AzureADTokenExchange"
_BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
# What the copy job may do on its container: read (to skip dumps already copied), write and create blobs.
COPY_WRITER_DATA_ACTIONS = [f"{_BLOBS}/read", f"{_BLOBS}/write", f"{_BLOBS}/add/action"]
COPY_WRITER_ACTIONS = ["Microsoft.Storage/storageAccounts/blobServices/containers/read"]
# Stable namespace for the GUID names of role definitions and assignments: the same inputs always give the
# same GUID, so a re-run never replaces them.
GUID_NAMESPACE = uuid.UUID("6b3f3c1e-6f43-4d0e-9f0a-2d1b8f6b5a10")


def stable_guid(*parts: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, "/".join(parts)))


def storage_account_name(name_prefix: str) -> str:
    """3-24 lowercase letters and digits, globally unique: the prefix's letters and digits plus a hash."""
    head = re.sub(r"[^a-z0-9]", "", name_prefix.lower())[:14]
    digest = hashlib.sha256(f"{name_prefix}\x00backups".encode()).hexdigest()[:8]
    return f"{head}bk{digest}"


def management_policy_rules(config: BackupStorageConfig) -> list[dict[str, Any]]:
    """The S3 tiers, mirrored: per prefix (which begins with the container's name), the base blob and its
    previous versions are deleted at the tier's retention, and tiered to Cool/Cold where that pays."""
    rules = []
    for name, tier in config.tiers().items():
        base_blob: dict[str, Any] = {"delete": {"days_after_modification_greater_than": tier.retention_days}}
        if tier.azure_tier is not None:
            base_blob[f"tier_to_{tier.azure_tier.lower()}"] = {
                "days_after_modification_greater_than": tier.azure_tier_days
            }
        rules.append({
            "name": f"{name}-dumps",
            "enabled": True,
            "type": "Lifecycle",
            "definition": {
                "filters": {"blob_types": ["blockBlob"], "prefix_match": [f"{config.azure_container_name}/{name}/"]},
                "actions": {
                    "base_blob": base_blob,
                    "version": {"delete": {"days_after_creation_greater_than": tier.retention_days}},
                },
            },
        })
    return rules


@dataclass(frozen=True, kw_only=True)
class OffsiteBackupCopyArgs:
    config: BackupStorageConfig
    name_prefix: str
    #: The copy job's GitHub environment (`backup-copy-<stack>` by default): the federated credential's subject.
    copy_environment: str
    tags: dict[str, str]

    @classmethod
    def from_stack(cls, stack: StackConfig) -> OffsiteBackupCopyArgs:
        return cls(
            config=stack.backup_storage,
            name_prefix=stack.name_prefix,
            copy_environment=stack.backup_storage.copy_environment(stack.stack),
            tags=stack.tags("backup-storage-offsite"),
        )


class OffsiteBackupCopyTransforms(TypedDict, total=False):
    """The children of `OffsiteBackupCopy` a transform may adjust."""

    resource_group: ChildTransform
    storage_account: ChildTransform
    blob_service: ChildTransform
    container: ChildTransform
    management_policy: ChildTransform
    lock: ChildTransform
    identity: ChildTransform
    federated_credential: ChildTransform
    role_definition: ChildTransform
    role_assignment: ChildTransform


class OffsiteBackupCopy(PlatformComponent):
    """Azure Blob Storage for the off-site copy, and the copy job's federated identity."""

    Transforms = OffsiteBackupCopyTransforms

    container_url: pulumi.Output[str]
    storage_account_name: pulumi.Output[str]
    container_name: pulumi.Output[str]
    identity_client_id: pulumi.Output[str]
    tenant_id: pulumi.Output[str]
    subscription_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: OffsiteBackupCopyArgs,
        *,
        transform: OffsiteBackupCopyTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:data:OffsiteBackupCopy", name, transform=transform, opts=opts)
        config, tags = args.config, args.tags
        location, protect = config.azure_location, config.protect
        account_name = config.azure_storage_account_name or storage_account_name(args.name_prefix)
        container_name = config.azure_container_name

        # Deleting the group deletes the account: it is protected like the account.
        group = self.child("resource_group", resources.ResourceGroup, f"{name}-group", {
            "resource_group_name": physical_name(args.name_prefix, "backups", AZURE_RESOURCE_GROUP),
            "location": location,
            "tags": tags,
        }, protect=protect)
        account = self.child("storage_account", storage.StorageAccount, f"{name}-account", {
            "account_name": account_name,
            "resource_group_name": group.name,
            "location": location,
            "kind": "StorageV2",
            "sku": {"name": config.azure_replication},
            "access_tier": "Hot",
            "enable_https_traffic_only": True,
            "minimum_tls_version": "TLS1_2",
            "allow_blob_public_access": False,
            # Entra ID only: no account keys, no SAS signed with them (CKV2_AZURE_40).
            "allow_shared_key_access": False,
            "default_to_o_auth_authentication": True,
            "allow_cross_tenant_replication": False,
            "encryption": {
                "key_source": "Microsoft.Storage",
                "require_infrastructure_encryption": True,  # only at creation
                "services": {"blob": {"enabled": True, "key_type": "Account"}},
            },
            "tags": tags,
        }, protect=protect)
        blob_service = self.child("blob_service", storage.BlobServiceProperties, f"{name}-blob-service", {
            "account_name": account.name,
            "resource_group_name": group.name,
            "blob_services_name": "default",
            "is_versioning_enabled": True,
            "delete_retention_policy": {"enabled": True, "days": config.azure_soft_delete_days},
            "container_delete_retention_policy": {"enabled": True, "days": config.azure_soft_delete_days},
        })
        container = self.child("container", storage.BlobContainer, f"{name}-container", {
            "account_name": account.name,
            "resource_group_name": group.name,
            "container_name": container_name,
            "public_access": "None",
        }, protect=protect, depends_on=[blob_service])
        self.child("management_policy", storage.ManagementPolicy, f"{name}-lifecycle", {
            "account_name": account.name,
            "resource_group_name": group.name,
            "management_policy_name": "default",  # the only name Azure accepts
            "policy": {"rules": management_policy_rules(config)},
        }, depends_on=[blob_service])
        if protect:
            self.child("lock", authorization.ManagementLockByScope, f"{name}-account-lock", {
                "scope": account.id,
                "level": "CanNotDelete",
                "lock_name": "backups-can-not-delete",
                "notes": "Off-site copy of the database dumps: remove this lock by hand before deleting.",
            })

        identity = self.child("identity", managedidentity.UserAssignedIdentity, f"{name}-copy-identity", {
            "resource_name_": physical_name(args.name_prefix, "backup-offsite-copy", AZURE_RESOURCE_GROUP),
            "resource_group_name": group.name,
            "location": location,
            "tags": tags,
        })
        # One credential. More on one identity must be created one after another (parallel creates get 409
        # Conflict): chain each with depends_on on the previous one.
        self.child("federated_credential", managedidentity.FederatedIdentityCredential, f"{name}-github", {
            "resource_name_": identity.name,  # the SDK's spelling: resource_name is the Pulumi name
            "resource_group_name": group.name,
            "federated_identity_credential_resource_name": f"github-{args.copy_environment}",
            "issuer": GITHUB_ISSUER,
            "subject": environment_subject(config.github_repository, args.copy_environment),
            "audiences": [AZURE_TOKEN_AUDIENCE],
        })
        role = self.child("role_definition", authorization.RoleDefinition, f"{name}-copy-writer-role", {
            "role_definition_id": stable_guid(args.name_prefix, account_name, "copy-writer-role"),
            # Custom role names are unique per tenant: the (globally unique) account name keeps them apart.
            "role_name": f"{args.name_prefix} backup copy writer ({account_name})",
            "description": "Read and write blobs of the off-site backup container; no delete of blobs, versions "
            "or containers.",
            "scope": group.id,
            "assignable_scopes": [group.id],
            "permissions": [{"actions": COPY_WRITER_ACTIONS, "data_actions": COPY_WRITER_DATA_ACTIONS}],
        })
        self.child("role_assignment", authorization.RoleAssignment, f"{name}-copy-writer", {
            "role_assignment_name": stable_guid(args.name_prefix, account_name, container_name, "copy-writer"),
            "scope": container.id,
            "role_definition_id": role.id,
            "principal_id": identity.principal_id,
            "principal_type": "ServicePrincipal",
            "description": "The GitHub Actions off-site copy job writes dumps; it cannot delete them.",
        })

        self.storage_account_name = account.name
        self.container_name = pulumi.Output.from_input(container_name)
        self.container_url = account.primary_endpoints.apply(
            lambda endpoints: f"{endpoints.blob.rstrip('/')}/{container_name}" if endpoints and endpoints.blob else None
        )
        self.identity_client_id = identity.client_id
        self.tenant_id = identity.tenant_id
        # /subscriptions/<id>/resourceGroups/<name>
        self.subscription_id = group.id.apply(lambda i: i.split("/")[2] if i and i.count("/") >= 2 else None)
        self.register_outputs({
            "container_url": self.container_url,
            "storage_account_name": self.storage_account_name,
            "container_name": self.container_name,
            "identity_client_id": self.identity_client_id,
            "tenant_id": self.tenant_id,
            "subscription_id": self.subscription_id,
        })
