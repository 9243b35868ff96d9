"""The VPC's default security group (`aws:ec2/defaultSecurityGroup:DefaultSecurityGroup`). Adopting it with no
`ingress` and `egress` blocks makes the provider remove every rule AWS created, so a resource that lands in the
default group by mistake can neither receive nor send anything."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import DEFAULT_SECURITY_GROUP, About, as_list, get, known, resource_policy
from ...refs import ckv, fsbp


def _no_rules(args: ResourceValidationArgs) -> Iterator[str]:
    for direction in ("ingress", "egress"):
        rules = known(as_list(get(args.props, direction)), direction)
        if rules:
            yield f"{direction} has {len(rules)} rule(s): the default security group must allow no traffic."


RESOURCE_TYPE = DEFAULT_SECURITY_GROUP
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        About(
            name="aws-ec2-default-security-group-disallow-rules",
            description="The VPC's default security group must have no ingress and no egress rules.",
            refs=(fsbp("EC2.2"), ckv("CKV2_AWS_12")),
            control="the default security group restricts all traffic",
            severity=Severity.HIGH,
            remediation="Declare `aws.ec2.DefaultSecurityGroup(vpc_id=vpc.id)` without `ingress` or `egress`.",
            tags=("aws", "ec2", "network"),
        ),
        (DEFAULT_SECURITY_GROUP,),
        _no_rules,
    ),
]
