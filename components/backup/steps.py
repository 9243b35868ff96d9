"""The backup concern's manual steps: running the backup checker once, and checking the vault lock before its grace
period ends.

The backup checker (components/backup/checker.py) reports a tier that makes no recovery point; what only a real run
shows is that its calls work as Step Functions makes them. The step starts it with a probe (one test message to the
alert topic, through its own role) and says how to read its result, then again once the first daily backup exists.

A compliance-mode lock can be changed or removed for `changeable_for_days` after it is created; from its
`LockDate` on, nobody (not the account root) can remove it, shorten retention, delete a recovery point before it
expires or delete a vault that holds one. The step says how to read that date for both vaults. A governance-mode
lock stays removable by principals allowed `backup:DeleteBackupVaultLockConfiguration`: there is no deadline,
but the step still says what it locks. No lock (preview's default), no step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.backup.checker import RULE_NAME_MISSING
from components.naming import BACKUP_VAULT, physical_name
from components.steps import ManualStep

if TYPE_CHECKING:
    from components.stack import StackConfig


def backup_vaults(config: StackConfig) -> list[tuple[str, str]]:
    """(vault name, region) of each vault, named as the component names them: the main one and the copy."""
    vaults = [(physical_name(config.name_prefix, "backup", BACKUP_VAULT), config.aws_region)]
    if config.backup.copy_region is not None:
        vaults.append((physical_name(config.name_prefix, "backup-copy", BACKUP_VAULT), config.backup.copy_region))
    return vaults


def checker_step(config: StackConfig) -> ManualStep:
    """Start the backup checker with a probe, read its result; again after the first daily backup."""
    region, vault = config.aws_region, backup_vaults(config)[0][0]
    restore = " and restore testing (restoreTests)" if config.backup.restore_testing is not None else ""
    read = (f"aws stepfunctions describe-execution --region {region} --execution-arn \"$run\" --query "
            "'[status,output]'")
    return ManualStep(
        id="backup.checker-run",
        phase="after-first-up",
        title="Run the backup checker once and read its result",
        instruction=(
            f"`run=\"$(aws stepfunctions start-execution --region {region} --state-machine-arn \"$(pulumi stack "
            "output backup_checker_arn)\" --input '{\"probe\": true}' --query executionArn --output text)\"`, wait "
            f"a minute, then `{read}`; done when the status is SUCCEEDED, the output lists the tiers daily, weekly "
            f"and monthly{restore} (each `due` false until the vault is older than its window), and the probe's "
            f"message '[{config.name_prefix}] backup checker test' reached the alert channel (every confirmed "
            "address, the Slack channel); once the first "
            f"daily backup has completed (the next day: `aws backup list-recovery-points-by-backup-vault --region "
            f"{region} --backup-vault-name {vault}`), start it again without the probe: done when its daily tier "
            f"shows recoveryPoints 1 or more (the error {RULE_NAME_MISSING} or a failed ListRecoveryPoints state "
            "means Step Functions does not pass or return the fields as docs/backups.md, Silence, expects)"
        ),
    )


def backup_steps(config: StackConfig) -> list[ManualStep]:
    steps = [checker_step(config)]
    lock = config.backup.vault_lock
    if lock is None:
        return steps
    low, high = config.backup.lock_retention_days
    reads = " and ".join(
        f"`aws backup describe-backup-vault --region {region} --backup-vault-name {name} --query "
        "'[LockDate,Locked,MinRetentionDays,MaxRetentionDays]'`"
        for name, region in backup_vaults(config)
    )
    if lock.mode == "compliance":
        return [*steps, ManualStep(
            id="backup.vault-lock",
            phase="before-lock-date",
            title=(f"Check the backup vault lock before it becomes irreversible, {lock.grace_days} days "
                   "after the first `pulumi up`"),
            instruction=(
                f"compliance mode: from each vault's LockDate ({reads}; the first `pulumi up` sets it "
                f"{lock.grace_days} days after creating the lock) nobody, not the account root, can "
                f"remove the lock, keep a recovery point shorter than {low} or longer than {high} days, delete "
                "a recovery point before it expires or delete a vault holding one; before then, check the plan's "
                "rules and retention, and to undo a mistake run `aws backup delete-backup-vault-lock-configuration "
                "--region <region> --backup-vault-name <vault>`; done when the LockDate has passed with the "
                "settings you want (Locked: true)"
            ),
        )]
    return [*steps, ManualStep(
        id="backup.vault-lock",
        phase="before-lock-date",
        title="Check the backup vault lock (governance mode: removable, no deadline)",
        instruction=(
            f"governance mode: {reads}; recovery points must be kept {low} to {high} days, and only principals "
            "allowed backup:DeleteBackupVaultLockConfiguration can remove the lock; keep that permission to the "
            "administrators; done when both vaults report MinRetentionDays and MaxRetentionDays as planned"
        ),
    )]
