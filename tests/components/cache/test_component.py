"""RedisCache: serverless, private, CMK-encrypted, snapshotted, with RBAC and a secret connection URL."""

from __future__ import annotations

import pytest

from tests.support.plans import PlanView, plan_stack
from tests.support.stacks import load_stack
from tests.support.wire import is_secret, is_unknown

CACHE = "aws:elasticache/serverlessCache:ServerlessCache"
USER = "aws:elasticache/user:User"
GROUP = "aws:elasticache/userGroup:UserGroup"


def test_cache_lives_in_the_private_subnets_behind_its_own_group(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    cache = plan.one(CACHE)
    subnets = {r.urn for r in plan.of_type("aws:ec2/subnet:Subnet") if r.inputs["tags"]["tier"] == "data"}
    assert set(cache.property_dependencies["subnetIds"]) == subnets
    assert cache.property_dependencies["securityGroupIds"] == [
        plan.urn("aws:ec2/securityGroup:SecurityGroup", "network-cache")
    ]
    assert cache.property_dependencies["kmsKeyId"] == [plan.urn("aws:kms/key:Key", "cache-key")]
    assert plan.one("aws:kms/key:Key", "cache-key").inputs["enableKeyRotation"] is True


@pytest.mark.parametrize("stack", ["preview", "prod"])
def test_snapshots_limits_and_protection_per_environment(stack: str, preview: PlanView, prod: PlanView) -> None:
    plan = {"preview": preview, "prod": prod}[stack]
    config = load_stack(stack).cache
    cache = plan.one(CACHE)
    assert cache.inputs["engine"] == "valkey"
    assert cache.inputs["majorEngineVersion"] == "8"
    assert cache.inputs["snapshotRetentionLimit"] == config.snapshot_retention_limit >= (7 if stack == "prod" else 1)
    assert cache.inputs["dailySnapshotTime"] == config.daily_snapshot_time
    assert cache.inputs["cacheUsageLimits"] == {
        "dataStorage": {"maximum": config.max_data_storage_gb, "unit": "GB"},
        "ecpuPerSeconds": [{"maximum": config.max_ecpu_per_second}],
    }
    assert cache.protect is (stack == "prod")


def test_access_goes_through_a_user_group_with_default_switched_off(prod: PlanView) -> None:
    cache = prod.one(CACHE)
    group = prod.one(GROUP)
    assert cache.property_dependencies["userGroupId"] == [group.urn]
    users = {u.inputs["userName"]: u for u in prod.of_type(USER)}
    assert set(users) == {"default", "app"}
    assert users["default"].inputs["accessString"].split()[0] == "off"
    assert users["app"].inputs["accessString"].split()[0] == "on"
    assert set(group.property_dependencies["userIds"]) == {u.urn for u in users.values()}
    for user in users.values():
        mode = user.inputs["authenticationMode"]
        assert mode["type"] == "password"
        # The password comes from a RandomPassword whose result is a secret output; during a preview it is
        # still unknown, so secrecy is checked on its source.
        (source,) = user.property_dependencies["authenticationMode"]
        password = next(r for r in prod.plan.resources if r.urn == source)
        assert password.type == "random:index/randomPassword:RandomPassword"
        assert "result" in password.additional_secret_outputs
        assert password.inputs["length"] >= 16
        # The engine makes additionalSecretOutputs secret before answering, so it is a secret unknown.
        assert all(is_secret(p) and is_unknown(p["value"]) for p in mode["passwords"])
        assert "noPasswordRequired" not in user.inputs


def test_url_is_a_secret_output(prod: PlanView) -> None:
    assert is_secret(prod.plan.outputs["cache_url"])
    component = prod.one("platform:data:RedisCache")
    assert set(component.outputs or {}) == {"endpoint", "port", "user_name", "url"}
    assert is_secret(component.outputs["url"])
    assert is_unknown(prod.plan.outputs["cache_endpoint"])


def test_redis_engine_is_allowed_and_flows_to_users_and_group() -> None:
    plan = plan_stack("preview", cache={"engine": "redis"})
    assert plan.one(CACHE).inputs["engine"] == "redis"
    assert plan.one(CACHE).inputs["majorEngineVersion"] == "7"
    assert {u.inputs["engine"] for u in plan.of_type(USER)} == {"redis"}
    assert plan.one(GROUP).inputs["engine"] == "redis"


def test_children_are_parented(prod: PlanView) -> None:
    component = prod.urn("platform:data:RedisCache")
    children = [r for r in prod.custom if r.parent == component]
    assert {r.type for r in children} == {
        CACHE, USER, GROUP, "aws:kms/key:Key", "aws:kms/alias:Alias", "random:index/randomPassword:RandomPassword",
    }
