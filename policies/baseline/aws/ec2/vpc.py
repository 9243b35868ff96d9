"""VPCs (`aws:ec2/vpc:Vpc`): the stack join to their flow logs.

A VPC is covered when an `aws:ec2/flowLog:FlowLog` of the stack refers to it in `vpcId`: through a property
dependency (`vpc_id=vpc.id`, unknown during a preview) or a literal equal to the VPC's known `id`. An adopted VPC
(no `Vpc` resource in the stack) cannot be checked here.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import Severity, StackValidationArgs

from ...common import FLOW_LOG, VPC, About, StackIndex, stack_policy
from ...refs import ckv, fsbp


def _flow_logs(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    flow_logs = index.of_type(FLOW_LOG)
    for vpc in index.of_type(VPC):
        if not any(index.depends_on(log, "vpcId", vpc, "id") for log in flow_logs):
            yield (
                f"{vpc.name}: no aws.ec2.FlowLog of this stack has this VPC as its vpcId: rejected and accepted "
                "connections are not recorded.",
                vpc.urn,
            )


RESOURCE_TYPE = VPC
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    stack_policy(
        About(
            name="aws-ec2-vpc-enable-flow-logs",
            description="Every VPC declared in the stack must have a flow log.",
            refs=(fsbp("EC2.6"), ckv("CKV2_AWS_11")),
            control="VPC flow logs (to a CloudWatch log group with retention and CMK)",
            severity=Severity.MEDIUM,
            remediation='Declare `aws.ec2.FlowLog(vpc_id=vpc.id, traffic_type="ALL", log_destination=log_group.arn, '
            "iam_role_arn=role.arn)`.",
            tags=("aws", "ec2", "vpc", "logging"),
        ),
        _flow_logs,
    ),
]
