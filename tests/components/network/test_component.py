"""Network: private subnets only, and security groups that admit the data ports only from the app."""

from __future__ import annotations

import ipaddress

import pytest

from components.network.component import POSTGRES_PORT, REDIS_PORTS
from tests.support.plans import PlanView, plan_stack
from tests.support.stacks import load_stack
from tests.support.wire import is_unknown

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
NETWORK = "platform:network:Network"


def _own(plan: PlanView, type_: str) -> list:
    """The network's own resources of a type (other components add rules to its groups, e.g. the database's
    bootstrap function)."""
    return [r for r in plan.of_type(type_) if r.parent == plan.urn(NETWORK)]


def test_private_subnets_one_per_az_inside_the_vpc(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    config = load_stack(stack).network
    vpc = plan.one(VPC)
    assert vpc.inputs["cidrBlock"] == config.cidr_block
    subnets = plan.of_type(SUBNET)
    assert len(subnets) == config.az_count
    zones = {s.inputs["availabilityZone"] for s in subnets}
    assert len(zones) == config.az_count, "each subnet in its own AZ"
    network = ipaddress.ip_network(config.cidr_block)
    cidrs = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in subnets]
    assert all(c.subnet_of(network) for c in cidrs)
    assert not any(a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1:])
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)
    assert all(s.property_dependencies["vpcId"] == [vpc.urn] for s in subnets)


def test_nothing_routes_to_the_internet(prod: PlanView) -> None:
    types = {r.type for r in prod.plan.resources}
    assert not types & {
        "aws:ec2/internetGateway:InternetGateway", "aws:ec2/natGateway:NatGateway", "aws:ec2/route:Route",
        "aws:ec2/eip:Eip",
    }
    route_table = prod.one("aws:ec2/routeTable:RouteTable")
    assert "routes" not in route_table.inputs
    associations = prod.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    assert {a.property_dependencies["subnetId"][0] for a in associations} == {s.urn for s in prod.of_type(SUBNET)}


def test_default_security_group_is_stripped_of_rules(prod: PlanView) -> None:
    default = prod.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert "ingress" not in default.inputs
    assert "egress" not in default.inputs


def test_data_ports_admit_only_the_app_and_the_proxy(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    config = load_stack(stack).network
    groups = {r.name: r.urn for r in _own(plan, SG)}
    assert set(groups) == {"network-proxy", "network-database", "network-cache"}
    allowed_sources = set(config.app_cidrs) | set(config.app_security_group_ids)
    ingress = _own(plan, INGRESS)
    for rule in ingress:
        assert rule.inputs["ipProtocol"] == "tcp"
        target = rule.property_dependencies["securityGroupId"][0]
        ports = (rule.inputs["fromPort"], rule.inputs["toPort"])
        if target == groups["network-cache"]:
            assert ports == REDIS_PORTS
        else:
            assert ports == (POSTGRES_PORT, POSTGRES_PORT)
        source = rule.inputs.get("cidrIpv4") or rule.inputs.get("referencedSecurityGroupId")
        if is_unknown(source):
            # Only the proxy's own group may be a source computed in this stack.
            assert rule.property_dependencies["referencedSecurityGroupId"] == [groups["network-proxy"]]
            assert target == groups["network-database"]
        else:
            assert source in allowed_sources
        assert "cidrIpv6" not in rule.inputs
    # Every app source reaches each of the three groups.
    assert len(ingress) == 3 * len(allowed_sources) + 1


def test_the_proxy_may_only_talk_to_the_database(prod: PlanView) -> None:
    (egress,) = _own(prod, EGRESS)
    assert egress.property_dependencies["securityGroupId"] == [prod.urn(SG, "network-proxy")]
    assert egress.property_dependencies["referencedSecurityGroupId"] == [prod.urn(SG, "network-database")]
    assert (egress.inputs["fromPort"], egress.inputs["toPort"]) == (POSTGRES_PORT, POSTGRES_PORT)


def test_every_child_is_parented_to_the_component(prod: PlanView) -> None:
    network = prod.urn(NETWORK)
    children = [r for r in prod.custom if r.type.startswith(("aws:ec2", "aws:vpc")) and r.name.startswith("network-")]
    assert len(children) >= 15
    assert all(r.parent == network for r in children)
    component = prod.one(NETWORK)
    assert set(component.outputs or {}) == {
        "vpc_id", "private_subnet_ids", "database_security_group_id", "proxy_security_group_id",
        "cache_security_group_id",
    }


def test_adopting_an_existing_vpc_creates_no_vpc_and_uses_its_subnets() -> None:
    subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    plan = plan_stack("prod", network={"existing_vpc_id": "vpc-0123456789abcdef0",
                                       "existing_private_subnet_ids": subnets})
    assert plan.of_type(VPC) == []
    assert plan.of_type(SUBNET) == []
    assert all(g.inputs["vpcId"] == "vpc-0123456789abcdef0" for g in plan.of_type(SG))
    assert plan.one("aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"] == subnets
    assert plan.one("aws:elasticache/serverlessCache:ServerlessCache").inputs["subnetIds"] == subnets
    assert plan.one("aws:rds/proxy:Proxy").inputs["vpcSubnetIds"] == subnets


def test_no_app_sources_is_a_warning_not_an_open_door() -> None:
    plan = plan_stack("preview", network={"app_cidrs": [], "app_security_group_ids": []})
    assert [r.name for r in _own(plan, INGRESS)] == ["network-database-from-proxy"]
    assert any("nothing can reach this port" in warning for warning in plan.warnings)


@pytest.mark.parametrize("count", [2, 3])
def test_az_count_follows_config(count: int) -> None:
    plan = plan_stack("preview", network={"az_count": count})
    assert len(plan.of_type(SUBNET)) == count
