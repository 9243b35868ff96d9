"""SQS queues (`aws:sqs/queue:Queue`): encrypted at rest, with a customer-managed key where a service sends
(dead-letter queues hold failed invocations, payloads included). Absent inputs: `kmsMasterKeyId` none,
`sqsManagedSseEnabled` the provider's default (not set: the queue's encryption is left to the account's
default, which the policy does not assume).
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import SQS_QUEUE, Family, as_bool, as_str, get, is_set, known, resource_policy
from ...refs import ckv

_about = Family("aws-sqs-queue", ("aws", "sqs", "queue")).about
_SSE = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html"


def _encrypted(args: ResourceValidationArgs) -> Iterator[str]:
    if is_set(get(args.props, "kmsMasterKeyId")):
        return
    if known(as_bool(get(args.props, "sqsManagedSseEnabled"), default=False), "sqsManagedSseEnabled") is True:
        return
    yield "neither kmsMasterKeyId nor sqsManagedSseEnabled is set: messages are not (known to be) encrypted at rest."


def _cmk(args: ResourceValidationArgs) -> Iterator[str]:
    key = get(args.props, "kmsMasterKeyId")
    if not is_set(key):
        yield "kmsMasterKeyId is not set: the queue is not encrypted with a customer-managed KMS key."
        return
    text = as_str(key)
    if isinstance(text, str) and "alias/aws/sqs" in text:
        yield "kmsMasterKeyId names the AWS-managed alias/aws/sqs key; use a customer-managed KMS key."


RESOURCE_TYPE = SQS_QUEUE
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        _about(
            "enable-encryption",
            description="SQS queues must encrypt messages at rest (SSE-KMS or SSE-SQS).",
            refs=(ckv("CKV_AWS_27"),),
            control="SQS queues encrypted",
            severity=Severity.MEDIUM,
            remediation="Set `kms_master_key_id` to a customer-managed key (or `sqs_managed_sse_enabled=True`).",
            tags=("encryption",),
            url=_SSE,
        ),
        (SQS_QUEUE,),
        _encrypted,
    ),
    resource_policy(
        _about(
            "configure-customer-managed-key",
            description="SQS queues should encrypt messages with a customer-managed KMS key.",
            refs=(ckv("CKV_AWS_27"), ckv("CKV2_AWS_73")),
            control="SQS queues encrypted",
            severity=Severity.LOW,
            remediation="Set `kms_master_key_id` to the ARN of an `aws.kms.Key` with rotation enabled.",
            tags=("encryption", "kms"),
            url=_SSE,
            advisory=True,
        ),
        (SQS_QUEUE,),
        _cmk,
    ),
]
