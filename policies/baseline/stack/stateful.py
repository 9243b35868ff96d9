"""Stateful resources: `protect`ed in prod, with their provider's deletion guard where one exists.

`STATEFUL` is the one table: a new stateful type is one row (its deletion guard, or None with the reason, and the
inputs that name the KMS key encrypting it). A KMS key is stateful when a stateful resource of the stack refers
to it through one of those inputs (property dependency or literal ARN/id): losing the key loses the data.

How a policy sees `protect`: pulumi_policy 1.21 `PolicyResource.opts.protect` (from the engine's
`AnalyzerResourceOptions.protect`). `retain_on_delete` is not in the Analyzer protocol, so it cannot be checked.

Policy config: `requireProtect` / `requireDeletionGuard` (booleans, default true). Preview stacks are disposable
by design (their components do not protect); their config sets both false, so the policy stays enabled (advisory)
and reports nothing there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy import PolicyConfigSchema, PolicyResource, Severity, StackValidationArgs

from ..common import (
    KMS_KEY,
    MISSING,
    RDS_INSTANCE,
    SERVERLESS_CACHE,
    UNKNOWN,
    About,
    StackIndex,
    as_bool,
    get,
    stack_policy,
)
from ..refs import ckv, platform

STACK: Final = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Guard:
    """The provider-level deletion guard: `prop` must be `required` (absent means `default`)."""

    prop: str
    required: bool
    default: bool
    meaning: str


@dataclass(frozen=True)
class Stateful:
    what: str
    guard: Guard | None
    no_guard: str = ""  # why there is none (when guard is None)
    key_props: tuple[str, ...] = ()


STATEFUL: Final[dict[str, Stateful]] = {
    RDS_INSTANCE: Stateful(
        "database", Guard("deletionProtection", True, False, "RDS refuses to delete the instance"),
        key_props=("kmsKeyId",),
    ),
    "aws:rds/cluster:Cluster": Stateful(
        "database cluster", Guard("deletionProtection", True, False, "RDS refuses to delete the cluster"),
        key_props=("kmsKeyId",),
    ),
    SERVERLESS_CACHE: Stateful(
        "cache", None, "ElastiCache Serverless has no deletion protection setting (aws_elasticache_serverless_cache)",
        key_props=("kmsKeyId",),
    ),
    "aws:s3/bucket:Bucket": Stateful(
        "backup bucket", Guard("forceDestroy", False, False, "S3 refuses to delete a bucket that still holds objects"),
    ),
    "aws:backup/vault:Vault": Stateful(
        "backup vault",
        Guard("forceDestroy", False, False, "AWS Backup refuses to delete a vault that holds recovery points"),
        key_props=("kmsKeyArn",),
    ),
    "azure-native:storage:StorageAccount": Stateful(
        "Azure storage account", None,
        "azure-native has no deletion-protection input on the account; Azure's guard is a separate CanNotDelete "
        "management lock (azure-native:authorization:ManagementLockAtResourceLevel)",
    ),
    KMS_KEY: Stateful(
        "KMS key", None,
        "KMS has no deletion guard: deletionWindowInDays (7-30) only delays the deletion `pulumi destroy` schedules",
    ),
    "cloudflare:index/zone:Zone": Stateful(
        "Cloudflare zone", None,
        "Cloudflare has no deletion guard on a zone: deleting it deletes its DNS records, settings and rulesets, and "
        "a new zone gets new name servers to delegate again (a zone hold only stops another account adding it)",
    ),
}
"""Pulumi type -> what it holds, its deletion guard and the inputs naming its KMS key. One row per stateful type."""

# Resources that do not hold data themselves but name the key that encrypts a stateful resource's data.
KEY_USERS: Final[dict[str, tuple[str, ...]]] = {
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ("rules",),
}

_SCHEMA = PolicyConfigSchema(
    properties={
        "requireProtect": {"type": "boolean", "default": True},
        "requireDeletionGuard": {"type": "boolean", "default": True},
    }
)


def _config_flag(config: Any, key: str) -> bool:
    value = as_bool(get(config, key), default=True)
    return value if isinstance(value, bool) else True


def stateful_keys(index: StackIndex) -> dict[str, list[PolicyResource]]:
    """KMS key URN -> the stateful resources (or key users) whose key inputs refer to it."""
    users: dict[str, list[PolicyResource]] = {}
    consumers = {t: s.key_props for t, s in STATEFUL.items() if s.key_props} | KEY_USERS
    keys = index.of_type(KMS_KEY)
    for type_, props in consumers.items():
        for resource in index.of_type(type_):
            for key in keys:
                if any(index.depends_on(resource, p, key, "arn", "keyId", "id") for p in props):
                    users.setdefault(key.urn, []).append(resource)
    return users


def _check(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    config = args.get_config()
    require_protect = _config_flag(config, "requireProtect")
    require_guard = _config_flag(config, "requireDeletionGuard")
    index = StackIndex(args.resources)
    key_users = stateful_keys(index)
    for resource in index.resources:
        row = STATEFUL.get(resource.resource_type)
        if row is None:
            continue
        if resource.resource_type == KMS_KEY and resource.urn not in key_users:
            continue  # a key that encrypts no stateful data (e.g. a log group's) may come and go
        if require_protect and not bool(getattr(resource.opts, "protect", False)):
            yield (
                f"{resource.name}: the {row.what} is not `protect`ed: `pulumi destroy` or a replacement deletes it "
                "(and its data) without a second step.",
                resource.urn,
            )
        guard = row.guard
        if require_guard and guard is not None:
            value = get(resource.props, guard.prop)
            if value is UNKNOWN:
                continue  # set from another resource's output: judged at `up`
            flag = as_bool(value, default=guard.default)
            if flag is not guard.required:
                shown = f"absent (default {str(guard.default).lower()})" if value is MISSING else str(flag).lower()
                yield (
                    f"{resource.name}: {guard.prop} is {shown}; set it to {str(guard.required).lower()} so that "
                    f"{guard.meaning}.",
                    resource.urn,
                )


RESOURCE_TYPE = STACK
"""Stack-wide: every resource of the stack (the catalog lists the stack's type)."""

POLICIES = [
    stack_policy(
        About(
            name="stack-require-protect-stateful-resources",
            description="Every stateful resource (database, cache, backup bucket and vault, Azure storage account, "
            "Cloudflare zone, the KMS keys encrypting them) must be `protect`ed and have its provider's deletion "
            "guard (RDS deletionProtection; S3 / AWS Backup forceDestroy false) in prod.",
            refs=(platform("data-loss baseline"), ckv("CKV_AWS_293")),
            control="stateful resources and their keys: protect in prod, provider deletion guards",
            severity=Severity.HIGH,
            remediation="Pass `opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True)` and set the "
            "deletion guard (`deletion_protection=True`; `force_destroy=False`).",
            tags=("stack", "data-loss", "prod-only"),
            url="https://www.pulumi.com/docs/iac/concepts/options/protect/",
        ),
        _check,
        config_schema=_SCHEMA,
    ),
]
