"""Network: data subnets with no way out, the app tier they serve, egress as configured, flow logs, and
security groups that admit the data ports only from the app."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Any

import pytest

import ops.program.invokes
from components.network.component import FLOW_LOG_DELIVERY_ACTIONS, HTTPS_PORT, POSTGRES_PORT, REDIS_PORTS
from components.network.config import NetworkConfig
from ops.model import ResourceRecord
from tests.support.plans import PlanView, plan_stack
from tests.support.stacks import load_stack
from tests.support.wire import is_unknown

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ROUTE = "aws:ec2/route:Route"
NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
IGW = "aws:ec2/internetGateway:InternetGateway"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
KEY = "aws:kms/key:Key"
NETWORK = "platform:network:Network"
ADOPTED = {"existing_vpc_id": "vpc-0123456789abcdef0",
           "existing_private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
           "availability_zones": None, "app_subnet_cidrs": None}


def _own(plan: PlanView, type_: str) -> list[ResourceRecord]:
    """The network's own resources of a type: other components add groups and rules to the VPC (the
    database's bootstrap function has its own group and a rule into the database's)."""
    return [r for r in plan.of_type(type_) if r.parent == plan.urn(NETWORK)]


def subnets_of(plan: PlanView, tier: str) -> list[ResourceRecord]:
    return [s for s in plan.of_type(SUBNET) if s.inputs["tags"]["tier"] == tier]


def associated_table(plan: PlanView, subnet: ResourceRecord) -> str:
    (association,) = [a for a in plan.of_type(ASSOCIATION) if a.property_dependencies["subnetId"] == [subnet.urn]]
    (table,) = association.property_dependencies["routeTableId"]
    return table


def routes_of(plan: PlanView, table: str) -> list[ResourceRecord]:
    return [r for r in plan.of_type(ROUTE) if r.property_dependencies["routeTableId"] == [table]]


def zone_of(subnet: ResourceRecord) -> str:
    inputs = subnet.inputs
    assert ("availabilityZone" in inputs) != ("availabilityZoneId" in inputs), "exactly one way to pin the AZ"
    return inputs.get("availabilityZoneId") or inputs["availabilityZone"]


# ---- subnets and AZs


def test_data_and_app_subnets_one_each_per_configured_az(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    config = load_stack(stack).network
    vpc = plan.one(VPC)
    assert vpc.inputs["cidrBlock"] == config.cidr_block
    data, app = subnets_of(plan, "data"), subnets_of(plan, "app")
    # In the configured order: subnet i is in AZ i, whatever the region reports at run time.
    assert [zone_of(s) for s in data] == config.zones
    assert [zone_of(s) for s in app] == config.zones
    assert [s.inputs["cidrBlock"] for s in app] == config.app_subnet_cidrs
    network = ipaddress.ip_network(config.cidr_block)
    cidrs = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in plan.of_type(SUBNET)]
    assert all(c.subnet_of(network) for c in cidrs)
    assert not any(a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1:])
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in plan.of_type(SUBNET))
    assert all(s.property_dependencies["vpcId"] == [vpc.urn] for s in plan.of_type(SUBNET))


def test_zone_names_pin_the_availability_zone_and_ids_the_zone_id() -> None:
    plan = plan_stack("preview", network={"availability_zones": ["eu-west-1c", "eu-west-1a"]})
    assert [s.inputs["availabilityZone"] for s in subnets_of(plan, "data")] == ["eu-west-1c", "eu-west-1a"]
    assert all("availabilityZoneId" not in s.inputs for s in plan.of_type(SUBNET))


def test_the_zones_are_never_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Mapping[str, Any]] = []

    def shuffled_zones(args: Mapping[str, Any], ctx: ops.program.invokes.InvokeContext) -> dict[str, Any]:
        calls.append(args)
        return {"names": ["eu-west-1c", "eu-west-1b"], "zoneIds": ["euw1-az3", "euw1-az2"]}

    monkeypatch.setitem(ops.program.invokes.BUILTIN_INVOKES, "aws:index/getAvailabilityZones:getAvailabilityZones",
                        shuffled_zones)
    plan = plan_stack("prod")
    assert calls == []
    assert [zone_of(s) for s in subnets_of(plan, "data")] == ["euw1-az1", "euw1-az2", "euw1-az3"]


# ---- routes: the data tier never leaves the VPC; the app tier leaves as `egress` says


def test_data_subnets_have_no_route_out_of_the_vpc(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    data_table = plan.urn(ROUTE_TABLE, "network-private")
    assert "routes" not in plan.one(ROUTE_TABLE, "network-private").inputs
    assert {associated_table(plan, s) for s in subnets_of(plan, "data")} == {data_table}
    assert routes_of(plan, data_table) == []
    # No other subnet shares the data subnets' table.
    assert [s.name for s in plan.of_type(SUBNET) if associated_table(plan, s) == data_table] == [
        s.name for s in subnets_of(plan, "data")
    ]


@pytest.mark.parametrize(("egress", "nat_count"), [("none", 0), ("single_nat", 1), ("nat_per_az", 3)])
def test_app_egress_follows_config(egress: str, nat_count: int, prod: PlanView) -> None:
    # nat_per_az is prod's default: the session's prod plan is that case.
    is_default = egress == NetworkConfig.defaults["prod"]["egress"]
    # Without a NAT the bootstrap function is invoked by hand (components/stack.py refuses it on `pulumi up`).
    bootstrap = {"bootstrap_on_up": egress != "none"}
    plan = prod if is_default else plan_stack("prod", network={"egress": egress}, database=bootstrap)
    nats = plan.of_type(NAT)
    assert len(nats) == nat_count
    assert len(plan.of_type(EIP)) == nat_count
    assert len(subnets_of(plan, "public")) == nat_count
    assert len(plan.of_type(IGW)) == (1 if nat_count else 0)
    app_subnets = subnets_of(plan, "app")
    tables = [associated_table(plan, s) for s in app_subnets]
    assert len(set(tables)) == len(app_subnets), "one route table per app subnet"
    for index, table in enumerate(tables):
        routes = routes_of(plan, table)
        if not nat_count:
            assert routes == []
            continue
        (route,) = routes
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        expected_nat = nats[index if egress == "nat_per_az" else 0]
        assert route.property_dependencies["natGatewayId"] == [expected_nat.urn]
    if nat_count:
        gateway = plan.one(IGW)
        public_table = plan.urn(ROUTE_TABLE, "network-public")
        (internet,) = routes_of(plan, public_table)
        assert internet.property_dependencies["gatewayId"] == [gateway.urn]
        for index, nat in enumerate(nats):
            assert nat.inputs["connectivityType"] == "public"
            assert nat.property_dependencies["subnetId"] == [subnets_of(plan, "public")[index].urn]
            assert {gateway.urn, internet.urn} <= set(nat.dependencies)
        for subnet in subnets_of(plan, "public"):
            assert associated_table(plan, subnet) == public_table
            assert zone_of(subnet) in load_stack("prod").network.zones


def test_environment_defaults_choose_the_egress(preview: PlanView, prod: PlanView) -> None:
    assert (NetworkConfig.defaults["preview"]["egress"], NetworkConfig.defaults["prod"]["egress"]) == (
        "single_nat", "nat_per_az")
    assert len(preview.of_type(NAT)) == 1
    assert len(prod.of_type(NAT)) == 3


# ---- security groups


def test_default_security_group_is_stripped_of_rules(prod: PlanView) -> None:
    default = prod.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert "ingress" not in default.inputs
    assert "egress" not in default.inputs


def test_the_data_tier_admits_only_the_app_group_and_the_proxy(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    groups = {r.name: r.urn for r in _own(plan, SG)}
    assert set(groups) == {"network-app", "network-proxy", "network-database", "network-cache"}
    ingress = _own(plan, INGRESS)
    for rule in ingress:
        assert rule.inputs["ipProtocol"] == "tcp"
        assert "cidrIpv4" not in rule.inputs
        assert "cidrIpv6" not in rule.inputs
        target = rule.property_dependencies["securityGroupId"][0]
        (source,) = rule.property_dependencies["referencedSecurityGroupId"]
        ports = (rule.inputs["fromPort"], rule.inputs["toPort"])
        assert ports == (REDIS_PORTS if target == groups["network-cache"] else (POSTGRES_PORT, POSTGRES_PORT))
        if source == groups["network-proxy"]:
            assert target == groups["network-database"]
        else:
            assert source == groups["network-app"]
    targets = [r.property_dependencies["securityGroupId"][0] for r in ingress
               if r.property_dependencies["referencedSecurityGroupId"] == [groups["network-app"]]]
    assert sorted(targets) == sorted(groups[g] for g in ("network-proxy", "network-database", "network-cache"))
    assert len(ingress) == 4


def test_descriptions_use_only_the_characters_ec2_accepts(prod: PlanView) -> None:
    # EC2 CreateSecurityGroup / rule descriptions: a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* only.
    allowed = re.compile(r"[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{1,255}")
    for record in _own(prod, SG) + _own(prod, INGRESS) + _own(prod, EGRESS):
        assert allowed.fullmatch(record.inputs["description"]), (record.name, record.inputs["description"])


def test_the_app_group_leaves_for_the_data_tier_and_https(prod: PlanView) -> None:
    app = prod.urn(SG, "network-app")
    egress = [r for r in _own(prod, EGRESS) if r.property_dependencies["securityGroupId"] == [app]]
    to_groups = {r.property_dependencies["referencedSecurityGroupId"][0]: (r.inputs["fromPort"], r.inputs["toPort"])
                 for r in egress if "cidrIpv4" not in r.inputs}
    assert to_groups == {prod.urn(SG, "network-proxy"): (POSTGRES_PORT, POSTGRES_PORT),
                         prod.urn(SG, "network-database"): (POSTGRES_PORT, POSTGRES_PORT),
                         prod.urn(SG, "network-cache"): REDIS_PORTS}
    (https,) = [r for r in egress if "cidrIpv4" in r.inputs]
    assert (https.inputs["cidrIpv4"], https.inputs["fromPort"], https.inputs["toPort"]) == (
        "0.0.0.0/0", HTTPS_PORT, HTTPS_PORT)


def test_without_egress_the_app_group_reaches_only_the_data_tier_and_the_vpc_endpoints() -> None:
    plan = plan_stack("preview", network={"egress": "none"}, database={"bootstrap_on_up": False})
    assert {r.inputs.get("cidrIpv4") for r in _own(plan, EGRESS)} == {None, "10.41.0.0/16"}
    # The bootstrap function still reaches Secrets Manager: through an interface endpoint in the app subnets.
    (endpoint,) = plan.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.eu-west-1.secretsmanager"
    assert (endpoint.inputs["vpcEndpointType"], endpoint.inputs["privateDnsEnabled"]) == ("Interface", True)
    assert set(endpoint.property_dependencies["subnetIds"]) == {s.urn for s in subnets_of(plan, "app")}
    bootstrap = plan.one("aws:lambda/function:Function")
    assert set(bootstrap.property_dependencies["vpcConfig"]) >= {s.urn for s in subnets_of(plan, "app")}


def test_with_a_nat_there_is_no_endpoint_to_pay_for(prod: PlanView) -> None:
    assert prod.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") == []


def test_the_proxy_may_only_talk_to_the_database(prod: PlanView) -> None:
    proxy = prod.urn(SG, "network-proxy")
    (egress,) = [r for r in _own(prod, EGRESS) if r.property_dependencies["securityGroupId"] == [proxy]]
    assert egress.property_dependencies["referencedSecurityGroupId"] == [prod.urn(SG, "network-database")]
    assert (egress.inputs["fromPort"], egress.inputs["toPort"]) == (POSTGRES_PORT, POSTGRES_PORT)


def test_peered_networks_outside_the_vpc_may_be_admitted_by_cidr() -> None:
    plan = plan_stack("prod", network={"app_cidrs": ["172.20.0.0/16"]})
    cidr_rules = [r for r in _own(plan, INGRESS) if "cidrIpv4" in r.inputs]
    assert len(cidr_rules) == 3
    assert {r.inputs["cidrIpv4"] for r in cidr_rules} == {"172.20.0.0/16"}


# ---- flow logs


def test_the_vpc_flow_log_captures_all_traffic_into_an_encrypted_log_group(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    config = load_stack(stack).network
    (flow_log,) = plan.of_type(FLOW_LOG)
    log_group = plan.one(LOG_GROUP, "network-flow-logs")
    role = plan.one(ROLE, "network-flow-logs")
    role_policy = plan.one(ROLE_POLICY, "network-flow-logs")
    key = plan.one(KEY, "network-flow-logs-key")
    assert flow_log.property_dependencies["vpcId"] == [plan.urn(VPC)]
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow_log.property_dependencies["logDestination"] == [log_group.urn]
    assert flow_log.property_dependencies["iamRoleArn"] == [role.urn]
    # Created only once the group exists and the role may write to it.
    assert {log_group.urn, role_policy.urn} <= set(flow_log.dependencies)
    assert log_group.inputs["retentionInDays"] == config.flow_log_retention_days
    assert log_group.property_dependencies["kmsKeyId"] == [key.urn]
    assert key.inputs["enableKeyRotation"] is True
    # The key lets CloudWatch Logs use it for this log group only (encryption-context condition).
    statements = json.loads(key.inputs["policy"])["Statement"]
    (logs,) = [s for s in statements if s["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}]
    assert logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"] == [
        f"arn:aws:logs:eu-west-1:123456789012:log-group:{log_group.inputs['name']}"
    ]


def test_prod_keeps_flow_logs_a_year(preview: PlanView, prod: PlanView) -> None:
    assert prod.one(LOG_GROUP, "network-flow-logs").inputs["retentionInDays"] >= 365
    assert preview.one(LOG_GROUP, "network-flow-logs").inputs["retentionInDays"] == 30


def test_the_delivery_role_is_least_privilege(prod: PlanView) -> None:
    role = prod.one(ROLE, "network-flow-logs")
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/*"},
    }
    policy = prod.one(ROLE_POLICY, "network-flow-logs")
    assert policy.property_dependencies["role"] == [role.urn]
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    group_name = prod.one(LOG_GROUP, "network-flow-logs").inputs["name"]
    group_arn = f"arn:aws:logs:eu-west-1:123456789012:log-group:{group_name}"
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == sorted(FLOW_LOG_DELIVERY_ACTIONS) == sorted([
        "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"])
    assert statement["Resource"] == [group_arn, f"{group_arn}:*"]


# ---- the component and the stack's outputs


def test_every_child_is_parented_to_the_component(prod: PlanView) -> None:
    network = prod.urn(NETWORK)
    children = [r for r in prod.custom if r.urn.split("::")[2].startswith(NETWORK + "$")]
    assert len(children) >= 40
    assert all(r.parent == network for r in children)
    component = prod.one(NETWORK)
    assert set(component.outputs or {}) == {
        "vpc_id", "private_subnet_ids", "app_subnet_ids", "app_security_group_id", "database_security_group_id",
        "proxy_security_group_id", "cache_security_group_id", "flow_log_group_name",
    }


def test_the_stack_exports_what_the_app_joins(prod: PlanView) -> None:
    outputs = prod.plan.outputs
    assert is_unknown(outputs["app_security_group_id"])
    assert is_unknown(outputs["app_subnet_ids"])


# ---- adopt mode


def test_adopting_an_existing_vpc_creates_no_vpc_and_uses_its_subnets() -> None:
    subnets = ADOPTED["existing_private_subnet_ids"]
    plan = plan_stack("prod", network={**ADOPTED, "app_security_group_ids": ["sg-0123456789abcdef0"]})
    assert plan.of_type(VPC) == []
    assert plan.of_type(SUBNET) == []
    assert plan.of_type(NAT) == []
    assert plan.of_type(IGW) == []
    assert plan.of_type(FLOW_LOG) == []
    assert {g.name for g in _own(plan, SG)} == {"network-proxy", "network-database", "network-cache"}
    assert all(g.inputs["vpcId"] == "vpc-0123456789abcdef0" for g in _own(plan, SG))
    assert plan.one("aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"] == subnets
    assert plan.one("aws:elasticache/serverlessCache:ServerlessCache").inputs["subnetIds"] == subnets
    assert plan.one("aws:rds/proxy:Proxy").inputs["vpcSubnetIds"] == subnets
    from_app = [r for r in _own(plan, INGRESS) if r.inputs.get("referencedSecurityGroupId") == "sg-0123456789abcdef0"]
    assert len(from_app) == 3
    assert plan.plan.outputs.get("app_security_group_id") is None
    assert plan.plan.outputs.get("app_subnet_ids") is None


def test_adopt_mode_may_add_a_flow_log_to_the_adopted_vpc() -> None:
    plan = plan_stack("prod", network={**ADOPTED, "app_cidrs": ["10.41.128.0/20"],
                                       "flow_logs_on_adopted_vpc": True})
    (flow_log,) = plan.of_type(FLOW_LOG)
    assert flow_log.inputs["vpcId"] == "vpc-0123456789abcdef0"
    assert flow_log.inputs["trafficType"] == "ALL"
    assert {r.inputs["cidrIpv4"] for r in _own(plan, INGRESS) if "cidrIpv4" in r.inputs} == {"10.41.128.0/20"}
