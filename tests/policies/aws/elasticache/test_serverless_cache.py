"""ElastiCache serverless cache policies: resource policies, and the stack joins to its subnets and security groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.policies.fixtures import (
    DEFAULT_SECURITY_GROUP,
    SECURITY_GROUP,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_RULE,
    SERVERLESS_CACHE,
    SERVERLESS_CACHE_PROPS,
    CacheStack,
    cache_stack,
    changed,
)
from tests.policies.harness import UNKNOWN, Pack, Resource, violated

ABSENT = ...
SECURITY_GROUPS = "aws-elasticache-serverless-cache-configure-restrictive-security-groups"
SUBNETS = "aws-elasticache-serverless-cache-disallow-public-subnets"
RETENTION = "aws-elasticache-serverless-cache-configure-snapshot-retention"
SNAPSHOT_TIME = "aws-elasticache-serverless-cache-configure-daily-snapshot-time"
CMK = "aws-elasticache-serverless-cache-configure-customer-managed-key"


# ------------------------------------------------------------------------------------------------ resource policies
def test_compliant_cache_passes(pack: Pack) -> None:
    assert pack.analyze(SERVERLESS_CACHE, SERVERLESS_CACHE_PROPS, protect=True) == []


@pytest.mark.parametrize(
    ("policy", "changes", "fragment"),
    [
        (RETENTION, {"snapshotRetentionLimit": 0}, "is 0 (no snapshots); at least 1 snapshots are required"),
        (RETENTION, {"snapshotRetentionLimit": ABSENT}, "absent (no snapshots)"),
        (SNAPSHOT_TIME, {"dailySnapshotTime": ABSENT}, "dailySnapshotTime"),
        ("aws-elasticache-serverless-cache-require-user-group", {"userGroupId": ABSENT}, "userGroupId"),
        (CMK, {"kmsKeyId": ABSENT}, "kmsKeyId is not set"),
        (CMK, {"kmsKeyId": "alias/aws/elasticache"}, "AWS-managed key alias"),
    ],
)
def test_cache_one_change_one_violation(pack: Pack, policy: str, changes: dict[str, Any], fragment: str) -> None:
    diags = pack.analyze(SERVERLESS_CACHE, changed(SERVERLESS_CACHE_PROPS, **changes), protect=True)
    assert [d.policy for d in diags] == [policy]
    assert fragment in diags[0].message


def test_unprotected_cache_violates_protect_policy(pack: Pack, preview_pack: Pack) -> None:
    assert violated(pack.analyze(SERVERLESS_CACHE, SERVERLESS_CACHE_PROPS)) == {
        "aws-elasticache-serverless-cache-require-protect"
    }
    # Preview shows it to reviewers (advisory) without blocking.
    assert [(d.policy, d.level) for d in preview_pack.analyze(SERVERLESS_CACHE, SERVERLESS_CACHE_PROPS)] == [
        ("aws-elasticache-serverless-cache-require-protect", "advisory")
    ]


def test_cache_present_unknowns_pass(pack: Pack) -> None:
    props = changed(SERVERLESS_CACHE_PROPS, kmsKeyId=UNKNOWN, userGroupId=UNKNOWN, dailySnapshotTime=UNKNOWN)
    assert pack.analyze(SERVERLESS_CACHE, props, protect=True) == []


def test_cache_snapshot_minimum_comes_from_stack_config(preview_pack: Pack, prod_pack: Pack) -> None:
    props = changed(SERVERLESS_CACHE_PROPS, snapshotRetentionLimit=3)
    assert preview_pack.analyze(SERVERLESS_CACHE, props, protect=True) == []
    diags = prod_pack.analyze(SERVERLESS_CACHE, props, protect=True)
    assert violated(diags) == {"aws-elasticache-serverless-cache-configure-snapshot-retention"}
    assert "at least 7 snapshots are required" in diags[0].message


def test_memcached_is_out_of_scope_for_snapshot_and_rbac_controls(pack: Pack) -> None:
    props = {"engine": "memcached", "kmsKeyId": UNKNOWN}
    assert pack.analyze(SERVERLESS_CACHE, props, protect=True) == []



# ------------------------------------------------------------------------------------------------ stack: network
def test_private_cache_layout_passes(pack: Pack) -> None:
    assert pack.analyze_stack(cache_stack().resources()) == []


def test_inline_open_ingress_is_caught(pack: Pack) -> None:
    s = cache_stack()
    s.sg.props["ingress"].append({"fromPort": 6379, "toPort": 6379, "protocol": "tcp", "cidrBlocks": ["0.0.0.0/0"]})
    diags = pack.analyze_stack(s.resources())
    assert [d.policy for d in diags] == [SECURITY_GROUPS]
    assert "inline ingress[1] allows 0.0.0.0/0" in diags[0].message
    assert diags[0].urn == s.cache.urn


def test_ipv6_open_ingress_is_caught(pack: Pack) -> None:
    s = cache_stack()
    s.sg.props["ingress"][0]["ipv6CidrBlocks"] = ["::/0"]
    assert violated(pack.analyze_stack(s.resources())) == {SECURITY_GROUPS}


def test_vpc_ingress_rule_resource_with_open_cidr_is_caught(pack: Pack) -> None:
    s = cache_stack()
    rule = Resource(
        SECURITY_GROUP_INGRESS_RULE,
        "open-redis",
        {"securityGroupId": UNKNOWN, "ipProtocol": "tcp", "fromPort": 6379, "toPort": 6379, "cidrIpv4": "0.0.0.0/0"},
        deps={"securityGroupId": [s.sg]},
    )
    s.extra.append(rule)
    diags = pack.analyze_stack(s.resources())
    assert [d.policy for d in diags] == [SECURITY_GROUPS]
    assert "SecurityGroupIngressRule open-redis allows 0.0.0.0/0" in diags[0].message


@pytest.mark.parametrize(("kind", "expected"), [("ingress", {SECURITY_GROUPS}), ("egress", set())])
def test_security_group_rule_resource_only_ingress_counts(pack: Pack, kind: str, expected: set[str]) -> None:
    s = cache_stack()
    s.extra.append(
        Resource(
            SECURITY_GROUP_RULE,
            "rule",
            {
                "type": kind,
                "securityGroupId": UNKNOWN,
                "protocol": "-1",
                "fromPort": 0,
                "toPort": 0,
                "ipv6CidrBlocks": ["::/0"],
            },
            deps={"securityGroupId": [s.sg]},
        )
    )
    assert violated(pack.analyze_stack(s.resources())) == expected


def test_open_rule_on_another_security_group_is_not_attributed_to_the_cache(pack: Pack) -> None:
    s = cache_stack()
    other = Resource(SECURITY_GROUP, "web-sg", {"ingress": [{"protocol": "tcp", "cidrBlocks": ["0.0.0.0/0"]}]})
    rule = Resource(
        SECURITY_GROUP_INGRESS_RULE,
        "web-https",
        {"securityGroupId": UNKNOWN, "cidrIpv4": "0.0.0.0/0"},
        deps={"securityGroupId": [other]},
    )
    s.extra += [other, rule]
    assert pack.analyze_stack(s.resources()) == []


def test_rule_joined_by_literal_id_once_the_group_exists(pack: Pack) -> None:
    s = cache_stack()
    s.sg.props["id"] = "sg-0aaaabbbbccccdddd"
    s.cache.props["securityGroupIds"] = ["sg-0aaaabbbbccccdddd"]
    s.extra.append(
        Resource(
            SECURITY_GROUP_INGRESS_RULE, "open", {"securityGroupId": "sg-0aaaabbbbccccdddd", "cidrIpv4": "0.0.0.0/0"}
        )
    )
    assert violated(pack.analyze_stack(s.resources())) == {SECURITY_GROUPS}


def _no_security_group_ids(s: CacheStack) -> None:
    del s.cache.props["securityGroupIds"]
    del s.cache.deps["securityGroupIds"]


def _empty_security_group_ids(s: CacheStack) -> None:
    s.cache.props["securityGroupIds"] = []
    del s.cache.deps["securityGroupIds"]


def _literal_security_group_id(s: CacheStack) -> None:
    s.cache.props["securityGroupIds"] = ["sg-0123456789abcdef0"]
    del s.cache.deps["securityGroupIds"]


def _vpc_default_security_group(s: CacheStack) -> None:
    # security_group_ids=[vpc.default_security_group_id]: unknown, computed from the Vpc, not from an SG
    s.cache.deps["securityGroupIds"] = [s.vpc]


def _declared_plus_literal(s: CacheStack) -> None:
    s.cache.props["securityGroupIds"] = [UNKNOWN, "sg-0123456789abcdef0"]


def _whole_list_computed_from_vpc(s: CacheStack) -> None:
    s.cache.props["securityGroupIds"] = UNKNOWN
    s.cache.deps["securityGroupIds"] = [s.vpc]


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (_no_security_group_ids, "default security group"),
        (_empty_security_group_ids, "default security group"),
        (_literal_security_group_id, "1 securityGroupIds entry does not refer"),
        (_vpc_default_security_group, "1 securityGroupIds entry does not refer"),
        (_declared_plus_literal, "1 securityGroupIds entry does not refer"),
        (_whole_list_computed_from_vpc, "1 securityGroupIds entry does not refer"),
    ],
)
def test_security_groups_must_be_declared_in_the_stack(
    pack: Pack, mutate: Callable[[CacheStack], None], fragment: str
) -> None:
    s = cache_stack()
    mutate(s)
    diags = pack.analyze_stack(s.resources())
    assert [d.policy for d in diags] == [SECURITY_GROUPS]
    assert fragment in diags[0].message


def test_unknown_security_group_ids_computed_from_declared_group_pass(pack: Pack) -> None:
    s = cache_stack()
    s.cache.props["securityGroupIds"] = UNKNOWN  # e.g. pulumi.Output.all(sg.id).apply(list)
    assert pack.analyze_stack(s.resources()) == []


def test_adopted_default_security_group_is_rejected(pack: Pack) -> None:
    s = cache_stack()
    default_sg = Resource(DEFAULT_SECURITY_GROUP, "default-sg", {"vpcId": UNKNOWN})
    s.extra.append(default_sg)
    s.cache.deps["securityGroupIds"] = [default_sg]
    diags = pack.analyze_stack(s.resources())
    assert [d.policy for d in diags] == [SECURITY_GROUPS]
    assert "VPC's default security group" in diags[0].message


def test_public_subnet_is_caught(pack: Pack) -> None:
    s = cache_stack()
    s.subnets[1].props["mapPublicIpOnLaunch"] = True
    diags = pack.analyze_stack(s.resources())
    assert [d.policy for d in diags] == [SUBNETS]
    assert "data-2 has mapPublicIpOnLaunch = true" in diags[0].message


def test_subnet_without_map_public_ip_uses_provider_default_false(pack: Pack) -> None:
    s = cache_stack()
    for subnet in s.subnets:
        del subnet.props["mapPublicIpOnLaunch"]
    assert pack.analyze_stack(s.resources()) == []


def test_literal_subnet_ids_of_an_adopted_vpc_are_not_reported(pack: Pack) -> None:
    s = cache_stack()
    s.cache.props["subnetIds"] = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
    del s.cache.deps["subnetIds"]
    assert pack.analyze_stack(s.resources()) == []


def test_missing_subnet_ids_mean_default_vpc(pack: Pack) -> None:
    s = cache_stack()
    del s.cache.props["subnetIds"]
    del s.cache.deps["subnetIds"]
    assert violated(pack.analyze_stack(s.resources())) == {SUBNETS}


