"""SNS topics (`aws:sns/topic:Topic`): encrypted at rest with a customer-managed KMS key. Absent input:
`kmsMasterKeyId` none (messages unencrypted at rest); `alias/aws/sns` is the AWS-managed key, which the
publishing AWS services cannot use (their events are then dropped) and whose policy no one can scope.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import SNS_TOPIC, Family, as_str, get, is_set, resource_policy
from ...refs import ckv, fsbp

_TAGS = ("aws", "sns", "encryption", "kms")


def _cmk(args: ResourceValidationArgs) -> Iterator[str]:
    key = get(args.props, "kmsMasterKeyId")
    if not is_set(key):
        yield "kmsMasterKeyId is not set: messages are stored unencrypted at rest."
        return
    value = as_str(key)
    if isinstance(value, str) and "alias/aws/" in value:
        yield (
            "kmsMasterKeyId names the AWS-managed key (alias/aws/sns): its policy cannot admit EventBridge, "
            "CloudWatch or AWS Backup, whose messages are then dropped; use a customer-managed key."
        )


RESOURCE_TYPE = SNS_TOPIC
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        Family("aws-sns-topic", _TAGS).about(
            "configure-customer-managed-key",
            description="SNS topics must be encrypted at rest with a customer-managed KMS key.",
            refs=(fsbp("SNS.1"), ckv("CKV_AWS_26")),
            control="every SNS topic is encrypted with a CMK",
            severity=Severity.MEDIUM,
            remediation="Set `kms_master_key_id` to the ARN of an `aws.kms.Key` whose policy lets the publishing "
            "services use it (kms:GenerateDataKey*, kms:Decrypt with aws:SourceAccount).",
            url="https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
        ),
        (SNS_TOPIC,),
        _cmk,
    ),
]
