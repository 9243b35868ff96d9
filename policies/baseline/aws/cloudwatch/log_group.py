"""CloudWatch log groups (`aws:cloudwatch/logGroup:LogGroup`): the groups RDS, RDS Proxy and the VPC flow logs
write to. Absent inputs: `retentionInDays` 0 (events never expire), `kmsKeyId` none (CloudWatch Logs' own key).

A service that writes to a log group the stack has not declared creates it on first write, with events that never
expire and no customer-managed key, out of reach of the policies below. `missing_log_groups` is the join the RDS
instance and proxy policies use to require that their groups are declared, and created before the writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pulumi_policy import PolicyResource, Severity

from ...common import LOG_GROUP, About, StackIndex, as_str, get, is_unknown
from ...factories import minimum_policy, present_policy
from ...refs import ckv, fsbp
from ...thresholds import LOG_GROUP_RETENTION

_TAGS = ("aws", "cloudwatch", "logging")


def missing_log_groups(index: StackIndex, writer: PolicyResource, names: Iterable[str]) -> Iterator[str]:
    """What is wrong with the log groups `writer` writes to (`names`): each must be a declared group with that
    known `name`, and `writer` must be created after it."""
    declared: dict[str, PolicyResource] = {}
    for group in index.of_type(LOG_GROUP):
        name = as_str(get(group.props, "name"))
        if isinstance(name, str) and not is_unknown(name):
            declared.setdefault(name, group)
    for name in names:
        group = declared.get(name)
        if group is None:
            yield (
                f"{writer.name} writes to {name}, which is not declared in this stack: the service creates it on "
                "first write, with events that never expire and no customer-managed key."
            )
        elif not index.waits_for(writer, group):
            yield (
                f"{writer.name} does not depend on log group {group.name} ({name}): it may write first, and then "
                "creating the group fails with ResourceAlreadyExistsException; add it to depends_on."
            )


RESOURCE_TYPE = LOG_GROUP
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    minimum_policy(
        About(
            name="aws-cloudwatch-log-group-configure-retention",
            description="CloudWatch log groups must keep events for at least the stack's minimum number of days "
            "(policy config minimumRetentionDays); 0 or absent (never expire) is refused too.",
            refs=(ckv("CKV_AWS_338"), ckv("CKV_AWS_66"), fsbp("CloudWatch.16")),
            control="log groups keep events >= the stack's retention (prod >= 365 days)",
            severity=Severity.MEDIUM,
            remediation="Set `retention_in_days` to one of CloudWatch's values at or above the stack's minimum "
            "(policies/config/<stack>.json), e.g. 30, 90, 365 or 400.",
            tags=_TAGS,
        ),
        LOG_GROUP, "retentionInDays", LOG_GROUP_RETENTION,
        absent="events never expire",
    ),
    present_policy(
        About(
            name="aws-cloudwatch-log-group-configure-customer-managed-key",
            description="CloudWatch log groups must be encrypted with a customer-managed KMS key.",
            refs=(ckv("CKV_AWS_158"),),
            control="log groups encrypted with a customer-managed KMS key",
            severity=Severity.MEDIUM,
            remediation="Set `kms_key_id` to the ARN of an `aws.kms.Key` whose key policy lets the "
            "`logs.<region>.amazonaws.com` principal use it (with a `kms:EncryptionContext:aws:logs:arn` condition).",
            tags=(*_TAGS, "encryption", "kms"),
            url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
        ),
        LOG_GROUP, "kmsKeyId",
        consequence="log events are encrypted with CloudWatch Logs' own key, not a customer-managed one",
    ),
]
