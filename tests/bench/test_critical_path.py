"""The critical-path figure of bench/critical_path.py: on hand-made graphs, and on the prod plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from bench.critical_path import GOAL_RATIO, creation_minutes, critical_path, report
from tests.support.plans import plan_stack


@dataclass
class Node:
    urn: str
    type: str
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    parent: str | None = None
    custom: bool = True
    inputs: dict[str, Any] = field(default_factory=dict)


INSTANCE = "aws:rds/instance:Instance"
PROXY = "aws:rds/proxy:Proxy"
TARGET = "aws:rds/proxyTarget:ProxyTarget"
OTHER = "aws:ec2/vpc:Vpc"


def _path(result) -> list[str]:
    return [urn for urn, _ in result.path]


def test_longest_chain_wins_and_property_dependencies_count() -> None:
    graph = [
        Node("vpc", OTHER),
        Node("db", INSTANCE, property_dependencies={"subnets": ["vpc"]}, inputs={"multiAz": True}),
        Node("proxy", PROXY, dependencies=["vpc"]),
        Node("target", TARGET, property_dependencies={"proxy": ["proxy"], "db": ["db"]}),
    ]
    result = critical_path(graph)
    assert result.minutes == pytest.approx(0.1 + 15 + 3)
    assert _path(result) == ["vpc", "db", "target"]
    assert (result.slowest_urn, result.slowest_minutes) == ("db", 15)
    assert result.ratio == pytest.approx(18.1 / 15)


def test_a_proxy_that_waits_for_the_instance_lengthens_the_path() -> None:
    graph = [
        Node("db", INSTANCE, inputs={"multiAz": False}),
        Node("proxy", PROXY, property_dependencies={"auths": ["db"]}),
        Node("target", TARGET, dependencies=["proxy", "db"]),
    ]
    result = critical_path(graph)
    assert result.minutes == pytest.approx(10 + 6 + 3)
    assert _path(result) == ["db", "proxy", "target"]


def test_depending_on_a_component_waits_for_everything_inside_it() -> None:
    graph = [
        Node("component", "platform:data:Thing", custom=False),
        Node("slow", "aws:elasticache/serverlessCache:ServerlessCache", parent="component"),
        Node("nested", "platform:data:Inner", custom=False, parent="component"),
        Node("nat", "aws:ec2/natGateway:NatGateway", parent="nested"),
        Node("after", OTHER, dependencies=["component"]),
    ]
    result = critical_path(graph)
    assert result.minutes == pytest.approx(6 + 0.1)
    assert _path(result) == ["slow", "after"]


def test_components_providers_and_the_stack_take_no_time() -> None:
    assert creation_minutes(Node("s", "pulumi:pulumi:Stack", custom=False)) == 0
    assert creation_minutes(Node("p", "pulumi:providers:aws")) == 0
    assert creation_minutes(Node("c", "platform:network:Network", custom=False)) == 0
    assert creation_minutes(Node("g", "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup")) == 0.5
    assert creation_minutes(Node("x", "aws:iam/role:Role")) == 0.1


def test_a_cycle_is_reported() -> None:
    with pytest.raises(ValueError, match="dependency cycle"):
        critical_path([Node("a", OTHER, dependencies=["b"]), Node("b", OTHER, dependencies=["a"])])


def test_prod_first_up_takes_little_longer_than_its_instance() -> None:
    result = critical_path(plan_stack("prod").plan.resources)
    assert result.slowest_minutes == 15, "prod is Multi-AZ"
    assert result.ratio <= GOAL_RATIO, report(result)
    assert not any(urn.endswith("aws:rds/proxy:Proxy::postgres-proxy") for urn in _path(result)), report(result)
    assert report(result).startswith("critical path: ")
