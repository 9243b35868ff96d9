"""Stack policies: joins over propertyDependencies, literal ids, and the preview's unknown values."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from tests.policies.fixtures import (
    DEFAULT_SECURITY_GROUP,
    EC_USER,
    EC_USER_GROUP,
    EC_USER_GROUP_ASSOCIATION,
    PARAMETER_GROUP_PROPS,
    RDS_INSTANCE,
    RDS_INSTANCE_PROPS,
    RDS_PARAMETER_GROUP,
    SECURITY_GROUP,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_RULE,
    SUBNET,
    CacheStack,
    cache_stack,
    changed,
    rds_stack,
)
from tests.policies.harness import UNKNOWN, Pack, Resource, violated, violations

FORCE_SSL = "aws-rds-instance-parameter-group-force-ssl"
SECURITY_GROUPS = "aws-elasticache-serverless-cache-restrictive-security-groups"
SUBNETS = "aws-elasticache-serverless-cache-private-subnets"
DEFAULT_USER = "aws-elasticache-serverless-cache-default-user-locked"
ABSENT = ...


def _group(**changes: object) -> dict[str, object]:
    return changed(PARAMETER_GROUP_PROPS, **changes)


# ------------------------------------------------------------------------------------------------ rds.force_ssl
def test_declared_parameter_group_with_force_ssl_passes(pack: Pack) -> None:
    assert pack.analyze_stack(rds_stack()) == []


def test_literal_name_of_a_declared_parameter_group_passes(pack: Pack) -> None:
    assert pack.analyze_stack(rds_stack(db_changes={"parameterGroupName": "app-pg16"}, join=False)) == []


@pytest.mark.parametrize(
    ("stack_kwargs", "fragment"),
    [
        ({"db_changes": {"parameterGroupName": ABSENT}}, "default parameter group"),
        ({"db_changes": {"parameterGroupName": "default.postgres16"}, "join": False}, "not refer to a parameter group"),
        ({"group_props": _group(parameters=[{"name": "rds.force_ssl", "value": "0"}])}, "rds.force_ssl is not 1"),
        ({"group_props": _group(parameters=ABSENT)}, "rds.force_ssl is not set"),
        ({"group_props": _group(parameters=[{"name": "log_connections", "value": "1"}])}, "is not set"),
    ],
)
def test_force_ssl_violations(pack: Pack, stack_kwargs: dict[str, object], fragment: str) -> None:
    diags = pack.analyze_stack(rds_stack(**stack_kwargs))  # type: ignore[arg-type]
    assert [d.policy for d in diags] == [FORCE_SSL]
    assert fragment in diags[0].message
    assert diags[0].urn.endswith("aws:rds/instance:Instance::db")
    assert diags[0].level == "mandatory"


def test_force_ssl_ignores_other_engines_and_unknown_parameter_values(pack: Pack) -> None:
    mysql = rds_stack(db_changes={"engine": "mysql", "parameterGroupName": ABSENT})
    assert pack.analyze_stack(mysql) == []
    unknown_value = rds_stack(group_props=_group(parameters=[{"name": "rds.force_ssl", "value": UNKNOWN}]))
    assert pack.analyze_stack(unknown_value) == []


def test_every_instance_is_checked_against_its_own_group(pack: Pack) -> None:
    good_group, good_db = rds_stack()
    bad_group = Resource(RDS_PARAMETER_GROUP, "pg-bad", _group(name="bad", parameters=[]))
    bad_db = Resource(
        RDS_INSTANCE,
        "db-bad",
        changed(RDS_INSTANCE_PROPS, parameterGroupName=UNKNOWN),
        deps={"parameterGroupName": [bad_group]},
    )
    diags = pack.analyze_stack([good_group, good_db, bad_group, bad_db])
    assert [(d.policy, d.urn.rsplit("::", 1)[-1]) for d in diags] == [(FORCE_SSL, "db-bad")]


# ------------------------------------------------------------------------------------------------ cache network
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


# ------------------------------------------------------------------------------------------------ default user
def test_enabled_passwordless_default_user_is_caught(pack: Pack) -> None:
    s = cache_stack()
    s.default_user.props.update(accessString="on ~* +@all", noPasswordRequired=True)
    del s.default_user.props["authenticationMode"]
    diags = pack.analyze_stack(s.resources())
    assert [d.policy for d in diags] == [DEFAULT_USER]
    assert "'default' user cache-default-user is enabled" in diags[0].message
    assert "s3cr3t" not in diags[0].message


def test_authentication_mode_no_password_required_is_passwordless(pack: Pack) -> None:
    s = cache_stack()
    s.default_user.props.update(accessString="on ~* +@all", authenticationMode={"type": "no-password-required"})
    assert violated(pack.analyze_stack(s.resources())) == {DEFAULT_USER}


def test_enabled_default_user_with_password_passes(pack: Pack) -> None:
    s = cache_stack()
    s.default_user.props["accessString"] = "on ~* +@all"
    assert pack.analyze_stack(s.resources()) == []


def test_disabled_default_user_passes_even_without_password(pack: Pack) -> None:
    s = cache_stack()
    s.default_user.props.update(accessString="off ~* -@all", noPasswordRequired=True)
    del s.default_user.props["authenticationMode"]
    assert pack.analyze_stack(s.resources()) == []


def test_builtin_default_user_in_group_is_caught(pack: Pack) -> None:
    s = cache_stack()
    s.group.props["userIds"] = ["default", "app"]
    s.group.deps["userIds"] = [s.app_user]
    diags = pack.analyze_stack(s.resources())
    assert [d.policy for d in diags] == [DEFAULT_USER]
    assert "built-in 'default' user" in diags[0].message


def test_default_user_joined_through_user_group_association(pack: Pack) -> None:
    s = cache_stack()
    s.group.props["userIds"] = ["app"]
    s.group.deps["userIds"] = [s.app_user]
    s.default_user.props.update(accessString="on ~* +@all", noPasswordRequired=True)
    assoc = Resource(
        EC_USER_GROUP_ASSOCIATION,
        "assoc",
        {"userGroupId": "app-users", "userId": "app-default"},
        deps={"userGroupId": [s.group], "userId": [s.default_user]},
    )
    s.extra.append(assoc)
    assert violated(pack.analyze_stack(s.resources())) == {DEFAULT_USER}


def test_user_group_joined_by_literal_id(pack: Pack) -> None:
    s = cache_stack()
    del s.cache.deps["userGroupId"]
    s.default_user.props.update(accessString="on", noPasswordRequired=True)
    assert violated(pack.analyze_stack(s.resources())) == {DEFAULT_USER}


def test_user_group_not_declared_in_stack_cannot_be_verified(pack: Pack) -> None:
    s = cache_stack()
    del s.cache.deps["userGroupId"]
    s.cache.props["userGroupId"] = "existing-group"
    s.default_user.props.update(accessString="on", noPasswordRequired=True)
    assert pack.analyze_stack(s.resources()) == []


def test_unknown_user_fields_do_not_abort_the_stack_check(pack: Pack) -> None:
    s = cache_stack()
    s.default_user.props.update(accessString=UNKNOWN, noPasswordRequired=True)
    other = cache_stack()  # a second, non-compliant cache in the same stack is still reported
    other.cache.name, other.group.name = "cache-2", "users-2"
    other.default_user.name, other.app_user.name = "default-2", "app-2"
    other.default_user.props.update(userId="app2-default", accessString="on", noPasswordRequired=True)
    other.app_user.props["userId"] = "app2"
    other.group.props.update(userGroupId="app-users-2", userIds=["app2-default", "app2"])
    other.cache.props["userGroupId"] = "app-users-2"
    resources = [*s.resources(), other.default_user, other.app_user, other.group, other.cache]
    other.cache.deps = {**other.cache.deps, "subnetIds": s.subnets, "securityGroupIds": [s.sg]}
    diags = pack.analyze_stack(resources)
    assert [(d.policy, d.urn.rsplit("::", 1)[-1]) for d in violations(diags)] == [(DEFAULT_USER, "cache-2")]
    assert diags == violations(diags)  # no "can't run" note: unknowns are handled per resource


def test_stack_policies_ignore_unrelated_resources(pack: Pack) -> None:
    resources = [
        Resource(SECURITY_GROUP, "web", {"ingress": [{"cidrBlocks": ["0.0.0.0/0"]}]}),
        Resource(SUBNET, "public", {"mapPublicIpOnLaunch": True}),
        Resource(EC_USER, "default", {"userName": "default", "accessString": "on", "noPasswordRequired": True}),
        Resource(EC_USER_GROUP, "g", {"userIds": ["default"]}),
        Resource(RDS_PARAMETER_GROUP, "pg", copy.deepcopy(PARAMETER_GROUP_PROPS)),
    ]
    assert pack.analyze_stack(resources) == []
