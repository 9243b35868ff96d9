"""Security groups and their rules: no world-open ingress, no all-protocol world egress, descriptions everywhere;
the default security group has no rules; subnets assign no public IPs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import DEFAULT_SECURITY_GROUP, SECURITY_GROUP, SUBNET, changed
from tests.policies.harness import UNKNOWN, Pack, cant_run, only, violations

SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
PUBLIC_INGRESS = "aws-ec2-security-group-disallow-public-ingress"
OPEN_EGRESS = "aws-ec2-security-group-disallow-unrestricted-egress"
DESCRIPTION = "aws-ec2-security-group-require-description"
DEFAULT_SG = "aws-ec2-default-security-group-disallow-rules"
PUBLIC_IP = "aws-ec2-subnet-disallow-public-ip-on-launch"
ABSENT = ...

GROUP: dict[str, Any] = {
    "vpcId": "vpc-0123456789abcdef0",
    "description": "App compute",
    "ingress": [{"description": "from the ALB", "protocol": "tcp", "fromPort": 443, "toPort": 443,
                 "securityGroups": ["sg-0aaaaaaaaaaaaaaaa"]}],
    "egress": [{"description": "HTTPS out", "protocol": "tcp", "fromPort": 443, "toPort": 443,
                "cidrBlocks": ["0.0.0.0/0"]}],
}
INGRESS: dict[str, Any] = {
    "securityGroupId": "sg-0123456789abcdef0", "description": "Postgres from the app", "ipProtocol": "tcp",
    "fromPort": 5432, "toPort": 5432, "referencedSecurityGroupId": "sg-0aaaaaaaaaaaaaaaa",
}
EGRESS: dict[str, Any] = {
    "securityGroupId": "sg-0123456789abcdef0", "description": "HTTPS out", "ipProtocol": "tcp",
    "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0",
}
RULE: dict[str, Any] = {
    "type": "ingress", "securityGroupId": "sg-0123456789abcdef0", "description": "Postgres", "protocol": "tcp",
    "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["10.0.0.0/16"],
}


@pytest.mark.parametrize(
    ("type_", "props"),
    [(SECURITY_GROUP, GROUP), (INGRESS_RULE, INGRESS), (EGRESS_RULE, EGRESS), (SECURITY_GROUP_RULE, RULE)],
)
def test_compliant_groups_and_rules_pass(pack: Pack, type_: str, props: dict[str, Any]) -> None:
    assert pack.analyze(type_, props) == []


def _rule(direction: str, **changes: Any) -> list[dict[str, Any]]:
    return [{**GROUP[direction][0], **changes}]


@pytest.mark.parametrize(
    ("type_", "props", "policy", "fragment"),
    [
        (SECURITY_GROUP, changed(GROUP, ingress=_rule("ingress", cidrBlocks=["0.0.0.0/0"])), PUBLIC_INGRESS,
         "ingress[0] admits 0.0.0.0/0"),
        (SECURITY_GROUP, changed(GROUP, ingress=_rule("ingress", ipv6CidrBlocks=["::/0"], fromPort=22, toPort=22)),
         PUBLIC_INGRESS, "admits ::/0 (ports 22-22)"),
        (INGRESS_RULE, changed(INGRESS, cidrIpv4="0.0.0.0/0", referencedSecurityGroupId=ABSENT), PUBLIC_INGRESS,
         "the rule admits 0.0.0.0/0"),
        (SECURITY_GROUP_RULE, changed(RULE, cidrBlocks=["0.0.0.0/0"]), PUBLIC_INGRESS, "admits 0.0.0.0/0"),
        (SECURITY_GROUP, changed(GROUP, egress=_rule("egress", protocol="-1", fromPort=0, toPort=0)), OPEN_EGRESS,
         "egress[0] allows every protocol"),
        (EGRESS_RULE, changed(EGRESS, ipProtocol="-1", fromPort=ABSENT, toPort=ABSENT), OPEN_EGRESS,
         "to 0.0.0.0/0"),
        (SECURITY_GROUP_RULE, changed(RULE, type="egress", protocol="all", cidrBlocks=["0.0.0.0/0"]), OPEN_EGRESS,
         "every protocol"),
        (SECURITY_GROUP, changed(GROUP, description=ABSENT), DESCRIPTION, "description is not set"),
        (SECURITY_GROUP, changed(GROUP, description="Managed by Pulumi"), DESCRIPTION, "Managed by Pulumi"),
        (SECURITY_GROUP, changed(GROUP, egress=_rule("egress", description="")), DESCRIPTION,
         "egress[0] has no description"),
        (INGRESS_RULE, changed(INGRESS, description=ABSENT), DESCRIPTION, "the rule has no description"),
        (EGRESS_RULE, changed(EGRESS, description=ABSENT), DESCRIPTION, "the rule has no description"),
    ],
)
def test_one_change_one_violation(pack: Pack, type_: str, props: dict[str, Any], policy: str, fragment: str) -> None:
    only(pack.analyze(type_, props), policy, fragment)


def test_open_egress_on_one_port_and_ingress_from_private_ranges_pass(pack: Pack) -> None:
    assert pack.analyze(EGRESS_RULE, changed(EGRESS, ipProtocol="6")) == []
    assert pack.analyze(SECURITY_GROUP_RULE, changed(RULE, type="egress", cidrBlocks=["0.0.0.0/0"])) == []


def test_unknowns(pack: Pack) -> None:
    assert cant_run(pack.analyze(SECURITY_GROUP, changed(GROUP, ingress=UNKNOWN))) == {PUBLIC_INGRESS, DESCRIPTION}
    assert pack.analyze(INGRESS_RULE, changed(INGRESS, cidrIpv4=UNKNOWN)) == []  # computed, not a world literal
    diags = pack.analyze(EGRESS_RULE, changed(EGRESS, ipProtocol=UNKNOWN))
    assert violations(diags) == []
    assert cant_run(diags) == {OPEN_EGRESS}


# ------------------------------------------------------------------------------------------ default SG, subnets
def test_default_security_group_without_rules_passes(pack: Pack) -> None:
    assert pack.analyze(DEFAULT_SECURITY_GROUP, {"vpcId": "vpc-0123456789abcdef0"}) == []
    assert pack.analyze(DEFAULT_SECURITY_GROUP, {"vpcId": "vpc-1", "ingress": [], "egress": []}) == []


@pytest.mark.parametrize("direction", ["ingress", "egress"])
def test_default_security_group_with_a_rule_violates(pack: Pack, direction: str) -> None:
    props = {"vpcId": "vpc-1", direction: [{"protocol": "-1", "self": True, "fromPort": 0, "toPort": 0}]}
    only(pack.analyze(DEFAULT_SECURITY_GROUP, props), DEFAULT_SG, f"{direction} has 1 rule(s)")


SUBNET_PROPS: dict[str, Any] = {"vpcId": "vpc-1", "cidrBlock": "10.0.0.0/24", "mapPublicIpOnLaunch": False}


@pytest.mark.parametrize("changes", [{}, {"mapPublicIpOnLaunch": ABSENT}])
def test_subnet_without_public_ips_passes(pack: Pack, changes: dict[str, Any]) -> None:
    assert pack.analyze(SUBNET, changed(SUBNET_PROPS, **changes)) == []


def test_subnet_with_public_ips_violates(pack: Pack) -> None:
    diags = pack.analyze(SUBNET, changed(SUBNET_PROPS, mapPublicIpOnLaunch=True))
    only(diags, PUBLIC_IP, "mapPublicIpOnLaunch is true")
    assert cant_run(pack.analyze(SUBNET, changed(SUBNET_PROPS, mapPublicIpOnLaunch=UNKNOWN))) == {PUBLIC_IP}
