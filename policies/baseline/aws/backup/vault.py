"""AWS Backup vaults (`aws:backup/vault:Vault`). Absent inputs: `kmsKeyArn` none (AWS Backup's own key for the
resources it fully manages), `forceDestroy` false.

A vault is locked when an `aws:backup/vaultLockConfiguration:VaultLockConfiguration` of the stack names it in
`backupVaultName` (a property dependency on the vault, or its known name).
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from ...common import (
    BACKUP_VAULT,
    BACKUP_VAULT_LOCK,
    Family,
    StackIndex,
    as_str,
    get,
    is_set,
    resource_policy,
    stack_policy,
)
from ...factories import protected_policy
from ...refs import ckv, fsbp, platform

_about = Family("aws-backup-vault", ("aws", "backup", "backup-vault")).about


def _cmk(args: ResourceValidationArgs) -> Iterator[str]:
    key = get(args.props, "kmsKeyArn")
    if not is_set(key):
        yield "kmsKeyArn is not set: recovery points are encrypted with an AWS-managed key, not a customer-managed one."
        return
    text = as_str(key)
    if isinstance(text, str) and "alias/aws/" in text:
        yield "kmsKeyArn names an AWS-managed key alias; use a customer-managed KMS key."


def _every_vault_locked(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    locks = index.of_type(BACKUP_VAULT_LOCK)
    for vault in index.of_type(BACKUP_VAULT):
        if not any(index.depends_on(lock, "backupVaultName", vault, "name") for lock in locks):
            yield (
                f"{vault.name}: no vault lock names this vault, so any principal allowed backup:DeleteRecoveryPoint "
                "(an administrator, a compromised deploy role) can delete its recovery points before their retention "
                "ends.",
                vault.urn,
            )


RESOURCE_TYPE = BACKUP_VAULT
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        _about(
            "configure-customer-managed-key",
            description="AWS Backup vaults must encrypt recovery points with a customer-managed KMS key.",
            refs=(ckv("CKV_AWS_166"), fsbp("Backup.1")),
            control="backup vault encrypted with a customer-managed KMS key",
            severity=Severity.HIGH,
            remediation="Set `kms_key_arn` to the ARN of an `aws.kms.Key` of this stack (rotation on, protected, "
            "retain_on_delete).",
            tags=("encryption", "kms"),
        ),
        (BACKUP_VAULT,),
        _cmk,
    ),
    stack_policy(
        _about(
            "require-vault-lock",
            description="Every AWS Backup vault must have a vault lock (compliance or governance mode) in prod.",
            refs=(platform("data-loss baseline"),),
            control="backup vaults are locked against early deletion of recovery points",
            severity=Severity.HIGH,
            remediation="Add an `aws.backup.VaultLockConfiguration` naming the vault (`platform:backup.vault_lock`; "
            "the DatabaseBackup component locks both vaults), with min/max retention covering the plan's rules.",
            tags=("data-loss", "prod-only"),
            url="https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html",
        ),
        _every_vault_locked,
    ),
    protected_policy(
        _about(
            "require-protect",
            description="AWS Backup vaults must be `protect`ed Pulumi resources (prod).",
            refs=(platform("data-loss baseline"),),
            control="every stateful resource is protected in prod",
            severity=Severity.HIGH,
            remediation="Pass `opts=pulumi.ResourceOptions(protect=True)` for prod stacks.",
            tags=("data-loss", "prod-only"),
            url="https://www.pulumi.com/docs/iac/concepts/options/protect/",
        ),
        BACKUP_VAULT, "vault and its recovery points",
    ),
]
