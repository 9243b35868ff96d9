"""VPC flow logs (`aws:ec2/flowLog:FlowLog`). Absent inputs: `logDestinationType` cloud-watch-logs (then the
destination is `logDestination` or the deprecated `logGroupName`, and `iamRoleArn` is the delivery role);
`trafficType` has no default for a VPC flow log.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import FLOW_LOG, About, get, is_set, lower_str, resource_policy
from ...refs import ckv, fsbp

_TAGS = ("aws", "ec2", "vpc", "logging")
_GUIDE = "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html"
ACCEPTED_TRAFFIC_TYPES = frozenset({"ALL", "REJECT"})


def _traffic_type(args: ResourceValidationArgs) -> Iterator[str]:
    traffic = lower_str(args, "trafficType")
    if traffic is None:
        yield "trafficType is not set: choose ALL (or at least REJECT) so rejected connections are recorded."
    elif traffic.upper() not in ACCEPTED_TRAFFIC_TYPES:
        yield f"trafficType is '{traffic.upper()}': only ALL or REJECT record the rejected connections (FSBP EC2.6)."


def _destination(args: ResourceValidationArgs) -> Iterator[str]:
    kind = lower_str(args, "logDestinationType") or "cloud-watch-logs"
    if not (is_set(get(args.props, "logDestination")) or is_set(get(args.props, "logGroupName"))):
        yield "neither logDestination nor logGroupName is set: the flow log has nowhere to deliver records."
    if kind == "cloud-watch-logs" and not is_set(get(args.props, "iamRoleArn")):
        yield "iamRoleArn is not set: delivery to CloudWatch Logs needs a role the flow-logs service can assume."


RESOURCE_TYPE = FLOW_LOG
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    resource_policy(
        About(
            name="aws-ec2-flow-log-configure-traffic-type",
            description="VPC flow logs must record ALL traffic or at least REJECTed traffic.",
            refs=(fsbp("EC2.6"), ckv("CKV2_AWS_11")),
            control="VPC flow logs record rejected traffic (ALL or REJECT)",
            severity=Severity.MEDIUM,
            remediation='Set `traffic_type="ALL"`.',
            tags=_TAGS,
            url=_GUIDE,
        ),
        (FLOW_LOG,),
        _traffic_type,
    ),
    resource_policy(
        About(
            name="aws-ec2-flow-log-configure-log-destination",
            description="VPC flow logs must name a log destination (and, for CloudWatch Logs, a delivery role).",
            refs=(fsbp("EC2.6"), ckv("CKV2_AWS_11")),
            control="VPC flow logs to a CloudWatch log group with retention and CMK, least-privilege delivery role",
            severity=Severity.MEDIUM,
            remediation="Set `log_destination=log_group.arn` and `iam_role_arn` to a role trusted by "
            "`vpc-flow-logs.amazonaws.com` that may write only to that log group.",
            tags=_TAGS,
            url=_GUIDE,
        ),
        (FLOW_LOG,),
        _destination,
    ),
]
