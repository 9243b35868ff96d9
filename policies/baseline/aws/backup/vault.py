"""AWS Backup vaults (`aws:backup/vault:Vault`). Absent inputs: `kmsKeyArn` none (AWS Backup's own key for the
resources it fully manages), `forceDestroy` false.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import BACKUP_VAULT, Family, as_str, get, is_set, resource_policy
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
