"""VPC stack policy: every VPC declared in the stack has a flow log (FSBP EC2.6)."""

from __future__ import annotations

from tests.policies.fixtures import FLOW_LOG, FLOW_LOG_PROPS, VPC, changed, vpc_stack
from tests.policies.harness import UNKNOWN, Pack, Resource, only

POLICY = "aws-ec2-vpc-enable-flow-logs"


def test_vpc_with_a_flow_log_joined_by_property_dependency_passes(pack: Pack) -> None:
    assert pack.analyze_stack(list(vpc_stack())) == []


def test_vpc_without_a_flow_log_is_refused(pack: Pack) -> None:
    vpc, group, _ = vpc_stack()
    diag = only(pack.analyze_stack([vpc, group]), POLICY, "no aws.ec2.FlowLog of this stack")
    assert diag.urn == vpc.urn


def test_flow_log_without_the_dependency_is_not_attributed(pack: Pack) -> None:
    only(pack.analyze_stack(list(vpc_stack(join=False))), POLICY)


def test_flow_log_joined_by_literal_vpc_id(pack: Pack) -> None:
    vpc, group, flow_log = vpc_stack(join=False)
    vpc.props["id"] = "vpc-0123456789abcdef0"
    flow_log.props["vpcId"] = "vpc-0123456789abcdef0"
    assert pack.analyze_stack([vpc, group, flow_log]) == []


def test_each_vpc_needs_its_own_flow_log(pack: Pack) -> None:
    vpc, group, flow_log = vpc_stack()
    other = Resource(VPC, "other-vpc", {"cidrBlock": "10.1.0.0/16"})
    diag = only(pack.analyze_stack([vpc, group, flow_log, other]), POLICY)
    assert diag.urn == other.urn


def test_flow_log_of_a_subnet_does_not_cover_the_vpc(pack: Pack) -> None:
    vpc, group, _ = vpc_stack()
    subnet_log = Resource(FLOW_LOG, "subnet-log", changed(FLOW_LOG_PROPS, vpcId=UNKNOWN, subnetId=UNKNOWN))
    only(pack.analyze_stack([vpc, group, subnet_log]), POLICY)


def test_adopted_vpc_is_not_checked(pack: Pack) -> None:
    flow_log = Resource(FLOW_LOG, "log", changed(FLOW_LOG_PROPS, vpcId="vpc-0aaaabbbbccccdddd"))
    assert pack.analyze_stack([flow_log]) == []
