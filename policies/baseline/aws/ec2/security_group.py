"""Security groups and their rules (`aws:ec2/securityGroup:SecurityGroup` inline `ingress`/`egress` blocks,
`aws:ec2/securityGroupRule:SecurityGroupRule`, `aws:vpc/securityGroupIngressRule` / `EgressRule`).

Checkov checks one port per check for open ingress (CKV_AWS_24 22, CKV_AWS_25 3389, CKV_AWS_260 80, CKV_AWS_277
all); the data tier has no public entry point at all, so one policy refuses a world-open source on any port.
An unknown CIDR (computed from another resource) is not a world-open literal and passes; an unknown rule list is
"can't run during preview".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import (
    MISSING,
    SECURITY_GROUP,
    SECURITY_GROUP_RULE,
    About,
    as_list,
    as_number,
    as_str,
    fmt_number,
    get,
    is_open_cidr,
    is_set,
    known,
    resource_policy,
    strings,
)
from ...refs import ckv, fsbp

SECURITY_GROUP_EGRESS_RULE: Final = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SECURITY_GROUP_INGRESS_RULE: Final = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
_TAGS = ("aws", "ec2", "network")
_SG_URL = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
_ALL_PROTOCOLS = frozenset({"-1", "all"})


def _open_sources(rule: Any, *single: str) -> list[str]:
    """The world-open CIDRs of a rule: list fields (`cidrBlocks`, `ipv6CidrBlocks`) and single ones (`cidrIpv4`)."""
    found = [c for key in ("cidrBlocks", "ipv6CidrBlocks") for c in strings(get(rule, key)) if is_open_cidr(c)]
    found += [v for key in single if isinstance(v := get(rule, key), str) and is_open_cidr(v)]
    return found


def _blocks(args: ResourceValidationArgs, direction: str) -> list[tuple[str, Any]]:
    """(label, rule) for each rule of `direction` ("ingress"/"egress") that this resource declares."""
    if args.resource_type == SECURITY_GROUP:
        rules = known(as_list(get(args.props, direction)), direction)
        return [(f"{direction}[{i}]", r) for i, r in enumerate(rules or []) if isinstance(r, Mapping)]
    if args.resource_type == SECURITY_GROUP_RULE:
        kind = known(as_str(get(args.props, "type")), "type")
        return [("the rule", args.props)] if isinstance(kind, str) and kind.strip().lower() == direction else []
    wanted = SECURITY_GROUP_INGRESS_RULE if direction == "ingress" else SECURITY_GROUP_EGRESS_RULE
    return [("the rule", args.props)] if args.resource_type == wanted else []


def _protocol(rule: Any) -> str | None:
    """The rule's protocol, lower-cased (`protocol` inline and on SecurityGroupRule, `ipProtocol` on the VPC rules)."""
    for key in ("protocol", "ipProtocol"):
        value = get(rule, key)
        if value is MISSING:
            continue
        value = known(value, key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(int(value))
        return value.strip().lower() if isinstance(value, str) else None
    return None


def _port(value: Any) -> str:
    number = as_number(value)
    return fmt_number(number) if isinstance(number, float) else "any"


def _public_ingress(args: ResourceValidationArgs) -> Iterator[str]:
    for label, rule in _blocks(args, "ingress"):
        for cidr in _open_sources(rule, "cidrIpv4", "cidrIpv6"):
            ports = f"ports {_port(get(rule, 'fromPort'))}-{_port(get(rule, 'toPort'))}"
            yield f"{label} admits {cidr} ({ports}): anyone on the internet can reach it."


def _unrestricted_egress(args: ResourceValidationArgs) -> Iterator[str]:
    for label, rule in _blocks(args, "egress"):
        cidrs = _open_sources(rule, "cidrIpv4", "cidrIpv6")
        if cidrs and _protocol(rule) in _ALL_PROTOCOLS:
            yield f"{label} allows every protocol and port to {cidrs[0]}: nothing limits where data can leave to."


def _description(args: ResourceValidationArgs) -> Iterator[str]:
    if args.resource_type == SECURITY_GROUP:
        description = as_str(get(args.props, "description"))
        if not is_set(description) or (isinstance(description, str) and description.strip() == "Managed by Pulumi"):
            yield "description is not set (the provider default 'Managed by Pulumi' says nothing about its purpose)."
        blocks = [b for d in ("ingress", "egress") for b in _blocks(args, d)]
    else:
        blocks = [("the rule", args.props)]
    for label, rule in blocks:
        if not is_set(get(rule, "description")):
            yield f"{label} has no description: reviewers cannot tell why the traffic is allowed."


RESOURCE_TYPE = SECURITY_GROUP
"""The resource type this module's policies are about (their rules' resource types are checked too)."""

_RULE_TYPES = (SECURITY_GROUP, SECURITY_GROUP_RULE, SECURITY_GROUP_INGRESS_RULE, SECURITY_GROUP_EGRESS_RULE)

POLICIES = [
    resource_policy(
        About(
            name="aws-ec2-security-group-disallow-public-ingress",
            description="Security groups and ingress rules must not admit 0.0.0.0/0 or ::/0 on any port.",
            refs=(ckv("CKV_AWS_24"), ckv("CKV_AWS_25"), ckv("CKV_AWS_260"), ckv("CKV_AWS_277"), fsbp("EC2.18")),
            control="no security group admits the internet; the data tier is reachable from the app only",
            severity=Severity.HIGH,
            remediation="Reference the client's security group (`referenced_security_group_id`) or a private CIDR "
            "instead of 0.0.0.0/0 / ::/0.",
            tags=_TAGS,
            url=_SG_URL,
        ),
        _RULE_TYPES,
        _public_ingress,
    ),
    resource_policy(
        About(
            name="aws-ec2-security-group-disallow-unrestricted-egress",
            description="Security groups and egress rules must not allow every protocol to 0.0.0.0/0 or ::/0.",
            refs=(ckv("CKV_AWS_382"),),
            control="egress limited to the ports the workload needs",
            severity=Severity.MEDIUM,
            remediation='Allow only the needed protocol and ports (e.g. `ip_protocol="tcp", from_port=443, '
            "to_port=443`) or a referenced security group.",
            tags=_TAGS,
            url=_SG_URL,
        ),
        _RULE_TYPES,
        _unrestricted_egress,
    ),
    resource_policy(
        About(
            name="aws-ec2-security-group-require-description",
            description="Security groups and every rule must have a description.",
            refs=(ckv("CKV_AWS_23"),),
            control="security groups and rules say what they are for",
            severity=Severity.LOW,
            remediation="Set `description` on the group and on each rule (inline blocks and rule resources).",
            tags=_TAGS,
            url=_SG_URL,
        ),
        _RULE_TYPES,
        _description,
    ),
]
