"""The network's config: coherent create and adopt modes, AZs pinned and checked against the region, app
subnets that fit the VPC, and flow-log retention CloudWatch accepts (a year in prod)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.aws.logs import LOG_RETENTION_DAYS
from components.network.config import NetworkConfig, zone_id_prefix
from components.stack import ConfigError, build_stack_config
from tests.support.stacks import load_stack, stack_config_map

ADOPT = {
    "existing_vpc_id": "vpc-0123456789abcdef0",
    "existing_private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    "app_security_group_ids": ["sg-0123456789abcdef0"],
}


def problems(stack: str = "prod", *, replace: dict[str, Any] | None = None, region: str | None = None,
             **network: Any) -> list[str]:
    """The config problems of a repository stack with `network` merged into (or `replace` as) its network."""
    raw = stack_config_map(stack)
    body = replace if replace is not None else {**json.loads(raw["platform:network"]), **network}
    raw["platform:network"] = json.dumps(body)
    if region is not None:
        raw["aws:region"] = region
    with pytest.raises(ConfigError) as caught:
        build_stack_config(raw, project="platform", stack=stack)
    return caught.value.problems


def network_problems(*args: Any, **kwargs: Any) -> list[str]:
    return [p for p in problems(*args, **kwargs) if p.startswith("platform:network")]


def test_stack_files_plan_create_mode_with_their_own_app_tier() -> None:
    for stack, count in (("preview", 2), ("prod", 3)):
        config = load_stack(stack).network
        assert config.mode == "create"
        assert len(config.zones) == len(config.app_subnet_cidrs or []) == count
        assert config.app_security_group_ids == []
        assert config.app_cidrs == []


# ---- create mode: the app is in this VPC


def test_a_foreign_app_security_group_is_refused_in_create_mode() -> None:
    (problem,) = network_problems(app_security_group_ids=["sg-0a1b2c3d4e5f60718"])
    assert problem.startswith("platform:network.app_security_group_ids = [sg-0a1b2c3d4e5f60718]: only valid when "
                              "adopting a VPC")
    assert "InvalidGroup.NotFound" in problem
    assert "belong to different networks" in problem
    assert "app_security_group_id" in problem


def test_app_cidrs_inside_the_new_vpc_are_refused_and_outside_accepted() -> None:
    (problem,) = network_problems(app_cidrs=["10.40.128.0/20"])
    assert "platform:network.app_cidrs" in problem
    assert "lies in this stack's new VPC 10.40.0.0/16" in problem
    assert load_stack("prod", network={"app_cidrs": ["172.20.0.0/16"]}).network.app_cidrs == ["172.20.0.0/16"]


@pytest.mark.parametrize(
    ("app_subnet_cidrs", "expected"),
    [
        (["10.40.128.0/20", "10.40.144.0/20"], "needs one CIDR per AZ: 3 AZs, 2 CIDRs"),
        (["10.40.128.0/20", "10.40.144.0/20", "10.99.0.0/20"], "'10.99.0.0/20' is not inside the VPC's cidr_block "
                                                                "10.40.0.0/16"),
        (["10.40.128.0/20", "10.40.144.0/20", "10.40.32.0/20"], "'10.40.32.0/20' overlaps a data subnet "
                                                                 "(10.40.32.0/20)"),
        (["10.40.128.0/20", "10.40.144.0/20", "10.40.0.0/17"], "'10.40.0.0/17' overlaps a data subnet"),
        (["10.40.128.0/20", "10.40.144.0/20", "10.40.240.0/24"], "overlaps the block reserved for the NAT "
                                                                  "gateways' public subnets (10.40.240.0/20)"),
        (["10.40.128.0/20", "10.40.128.0/21", "10.40.160.0/20"], "'10.40.128.0/21' overlaps '10.40.128.0/20'"),
        (["10.40.128.0/20", "10.40.144.0/20", "10.40.160.0/29"], "a subnet prefix must be between /16 and /28"),
        (["10.40.128.0/20", "10.40.144.0/20", "8.8.8.0/24"], "must lie within a private RFC 1918 range"),
        (["10.40.128.0/20", "10.40.144.0/20", "10.40.160.1/20"], "must be an IPv4 CIDR"),
    ],
)
def test_app_subnets_fit_the_vpc_beside_the_data_subnets(app_subnet_cidrs: list[str], expected: str) -> None:
    (problem,) = network_problems(app_subnet_cidrs=app_subnet_cidrs)
    assert problem.startswith("platform:network.app_subnet_cidrs = ")
    assert expected in problem


def test_an_overlap_names_the_free_range() -> None:
    (problem,) = network_problems(app_subnet_cidrs=["10.40.128.0/20", "10.40.144.0/20", "10.40.0.0/24"])
    assert "free for the app: 10.40.48.0 - 10.40.239.255" in problem


def test_the_app_subnets_and_the_zones_are_required_in_create_mode() -> None:
    found = network_problems(replace={})
    assert len(found) == 2
    assert found[0].startswith("platform:network.availability_zones: required when the stack creates the VPC")
    assert "'eu-west-1a' or 'euw1-az1'" in found[0]
    assert found[1].startswith("platform:network.app_subnet_cidrs: required when the stack creates the VPC")
    assert "['10.40.128.0/20', '10.40.144.0/20']" in found[1]


def test_nat_egress_needs_room_for_its_public_subnets() -> None:
    small = {"cidr_block": "10.40.0.0/23", "availability_zones": ["euw1-az1", "euw1-az2"],
             "app_subnet_cidrs": ["10.40.1.0/26", "10.40.1.64/26"]}
    (problem,) = network_problems("preview", replace=small)
    assert problem.startswith(
        "platform:network.egress (unset; default single_nat): 'single_nat' needs a VPC of /22 or larger"
    )
    no_egress = load_stack("preview", network={**small, "egress": "none"}, database={"bootstrap_on_up": False})
    assert no_egress.network.public_subnet_cidrs() == []


def test_public_subnets_follow_the_egress() -> None:
    config = load_stack("prod").network
    assert config.public_subnet_cidrs() == ["10.40.240.0/22", "10.40.244.0/22", "10.40.248.0/22"]
    assert load_stack("prod", network={"egress": "single_nat"}).network.public_subnet_cidrs() == ["10.40.240.0/22"]


def test_egress_defaults_per_environment() -> None:
    assert load_stack("preview").network.egress == "single_nat"
    assert load_stack("prod").network.egress == "nat_per_az"
    (problem,) = network_problems(egress="nat")
    assert "platform:network.egress = nat: must be one of none, single_nat, nat_per_az" in problem


# ---- availability zones: required, pinned, the region's own


@pytest.mark.parametrize(
    "zones",
    [["euw1-az1", "euw1-az2"], ["eu-west-1a", "eu-west-1b", "eu-west-1c"], ["euw1-az3", "euw1-az1", "euw1-az2"]],
)
def test_zone_names_and_ids_of_the_region_are_accepted(zones: list[str]) -> None:
    cidrs = ["10.40.128.0/20", "10.40.144.0/20", "10.40.160.0/20"][: len(zones)]
    config = load_stack("prod", network={"availability_zones": zones, "app_subnet_cidrs": cidrs}).network
    assert config.zones == zones
    assert config.zones_are_ids == zones[0].startswith("euw1")


@pytest.mark.parametrize(
    ("zones", "expected"),
    [
        (["us-east-1a", "us-east-1b", "us-east-1c"], "us-east-1a is not an AZ of region eu-west-1: use names such as "
                                                     "'eu-west-1a' or 'euw1-az1'"),
        (["use1-az1", "use1-az2", "use1-az4"], "use1-az1 is not an AZ of region eu-west-1"),
        (["eu-west-1a", "euw1-az2", "eu-west-1c"], "use all names or all zone ids, not a mix"),
        (["euw1-az1", "euw1-az1", "euw1-az2"], "every AZ must be listed once"),
        (["euw1-az1"], "needs 2 or 3 AZs, got 1"),
        (["euw1-az1", "euw1-az2", "euw1-az3", "euw1-az4"], "needs 2 or 3 AZs, got 4"),
        (["eu-west-1a", "eu-west-1b", "eu-west-1-lax-1a"], "Local and Wavelength Zones are not supported"),
        (["eu-west-1a", "eu-west-1b", "eu-west-1A"], "eu-west-1A is not an AZ"),
        # Only ASCII, and a whole match: no other script's digits, no trailing newline.
        (["euw1-az1", "euw1-az2", "euw1-az\u0663"], "is not an AZ of region eu-west-1"),
        (["euw1-az1", "euw1-az2", "euw1-az3\n"], "is not an AZ of region eu-west-1"),
    ],
)
def test_zones_are_checked_against_the_region(zones: list[str], expected: str) -> None:
    (problem,) = network_problems(availability_zones=zones)
    assert problem.startswith("platform:network.availability_zones = ")
    assert expected in problem


def test_the_region_the_zones_are_checked_against_is_the_stacks() -> None:
    (problem,) = network_problems(region="us-east-2", availability_zones=["euw1-az1", "euw1-az2", "euw1-az3"])
    assert "is not an AZ of region us-east-2: use names such as 'us-east-2a' or 'use2-az1'" in problem
    network = {"availability_zones": ["use2-az1", "use2-az2", "use2-az3"]}
    raw = stack_config_map("prod", network=network)
    raw["aws:region"] = "us-east-2"
    assert build_stack_config(raw, project="platform", stack="prod").network.zones == network["availability_zones"]


def test_an_invalid_region_still_gets_a_shape_check_and_no_crash() -> None:
    found = problems(region="mars-1", availability_zones=["euw1-az1", "euw1-az2", "nonsense"])
    assert any(p.startswith("aws:region = mars-1") for p in found)
    assert any("nonsense is not an AZ of the region" in p for p in found)


@pytest.mark.parametrize(
    ("region", "prefix"),
    [("eu-west-1", "euw1"), ("us-east-1", "use1"), ("ap-southeast-2", "apse2"), ("ap-northeast-1", "apne1"),
     ("eu-central-2", "euc2"), ("ca-central-1", "cac1"), ("sa-east-1", "sae1"), ("us-gov-west-1", "usgw1"),
     ("cn-northwest-1", "cnnw1"), ("il-central-1", "ilc1"), ("eu-nowhere-1", "")],
)
def test_zone_id_prefixes_follow_the_region(region: str, prefix: str) -> None:
    assert zone_id_prefix(region) == prefix


# ---- adopt mode: the app's groups are given, nothing of the VPC is created


def test_adopt_mode_takes_the_apps_groups_and_no_create_keys() -> None:
    raw = stack_config_map("prod", network=None)
    raw["platform:network"] = json.dumps(ADOPT)
    network = build_stack_config(raw, project="platform", stack="prod").network
    assert network.mode == "adopt"
    assert network.app_security_group_ids == ["sg-0123456789abcdef0"]
    assert network.has_flow_logs is False
    assert network.zones == []


def test_adopt_mode_refuses_what_only_a_created_vpc_has() -> None:
    found = network_problems(replace={**ADOPT, "availability_zones": ["euw1-az1", "euw1-az2"],
                                      "app_subnet_cidrs": ["10.40.128.0/20", "10.40.144.0/20"],
                                      "cidr_block": "10.40.0.0/16"})
    assert len(found) == 3
    assert all("applies only to a VPC this stack creates" in p for p in found)
    assert {p.split(" = ")[0] for p in found} == {
        "platform:network.availability_zones", "platform:network.app_subnet_cidrs", "platform:network.cidr_block"}


def test_adopt_mode_needs_the_apps_groups_or_cidrs() -> None:
    (problem,) = network_problems(replace={**ADOPT, "app_security_group_ids": []})
    assert problem.startswith("platform:network.app_cidrs: adopting a VPC needs app_security_group_ids")
    raw = stack_config_map("prod", network=None)
    raw["platform:network"] = json.dumps({**ADOPT, "app_security_group_ids": [], "app_cidrs": ["10.50.0.0/20"]})
    assert build_stack_config(raw, project="platform", stack="prod").network.app_cidrs == ["10.50.0.0/20"]


def test_adopt_mode_needs_two_distinct_subnets() -> None:
    subnet = ADOPT["existing_private_subnet_ids"][0]
    (problem,) = network_problems(replace={**ADOPT, "existing_private_subnet_ids": [subnet, subnet]})
    assert problem.startswith("platform:network.existing_private_subnet_ids = ")
    assert "existing_vpc_id needs at least two subnets here, in different AZs" in problem


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"existing_vpc_id": "vpc-0123456789abcdef0\n"}, "platform:network.existing_vpc_id"),
        ({"existing_private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-xyz"]},
         "entry 1 = subnet-xyz: must look like 'subnet-0123456789abcdef0'"),
        ({"app_security_group_ids": ["sg-0123456789abcdef0\n"]},
         "entry 0 = \"sg-0123456789abcdef0\\n\": must look like"),
    ],
)
def test_adopted_ids_are_matched_whole(values: dict[str, Any], expected: str) -> None:
    found = network_problems(replace={**ADOPT, **values})
    assert any(expected in p for p in found), found


def test_flow_logs_on_an_adopted_vpc_are_opt_in_and_only_there() -> None:
    raw = stack_config_map("prod", network=None)
    raw["platform:network"] = json.dumps({**ADOPT, "flow_logs_on_adopted_vpc": True})
    assert build_stack_config(raw, project="platform", stack="prod").network.has_flow_logs is True
    (problem,) = network_problems(flow_logs_on_adopted_vpc=True)
    assert "only valid when adopting a VPC: a VPC this stack creates always has flow logs" in problem


# ---- flow-log retention


def test_flow_log_retention_defaults_and_prod_floor() -> None:
    assert load_stack("preview").network.flow_log_retention_days == 30
    assert load_stack("prod").network.flow_log_retention_days == 365
    assert NetworkConfig.floors["prod"]["flow_log_retention_days"].minimum == 365
    (problem,) = network_problems(flow_log_retention_days=180)
    assert problem.startswith("platform:network.flow_log_retention_days = 180: must be >= 365 in prod (FSBP EC2.6")
    assert load_stack("preview", network={"flow_log_retention_days": 180}).network.flow_log_retention_days == 180


def test_preview_keeps_flow_logs_a_month_at_least() -> None:
    (problem,) = network_problems("preview", flow_log_retention_days=14)
    assert problem.startswith("platform:network.flow_log_retention_days = 14: must be >= 30 in preview")


@pytest.mark.parametrize("days", [45, 366, 100, 4000])
def test_flow_log_retention_is_a_value_cloudwatch_accepts(days: int) -> None:
    (problem,) = network_problems("preview", flow_log_retention_days=days)
    assert problem.startswith(f"platform:network.flow_log_retention_days = {days}: must be a retention CloudWatch "
                              "Logs accepts: 1, 3, 5")
    assert 365 in LOG_RETENTION_DAYS


@pytest.mark.parametrize("days", [True, "365", 365.0])
def test_flow_log_retention_is_a_whole_number_not_a_bool_or_text(days: object) -> None:
    (problem,) = network_problems("prod", flow_log_retention_days=days)
    assert problem.startswith("platform:network.flow_log_retention_days = ")


# ---- whatever the network section holds, the outcome is a config or a clean error

_network_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=12) | st.sampled_from([
        "10.40.0.0/16", "10.40.128.0/20", "10.40.0.0/23", "172.20.0.0/16", "0.0.0.0/0", "euw1-az1", "eu-west-1a",
        "vpc-0123456789abcdef0", "subnet-0123456789abcdef0", "sg-0123456789abcdef0", "none", "single_nat",
        "nat_per_az", 30, 365,
    ]),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stack=st.sampled_from(["preview", "prod"]),
    body=st.dictionaries(st.sampled_from(list(NetworkConfig.model_fields)), _network_values, max_size=5),
    from_scratch=st.booleans(),
    region=st.sampled_from(["eu-west-1", "us-gov-west-1", "mars-1"]),
)
def test_any_network_section_yields_a_config_or_a_clean_error(
    stack: str, body: dict[str, Any], from_scratch: bool, region: str
) -> None:
    raw = stack_config_map(stack)
    base = {} if from_scratch else json.loads(raw["platform:network"])
    raw["platform:network"] = json.dumps({**base, **body})
    raw["aws:region"] = region
    outcome: Any
    try:
        outcome = build_stack_config(raw, project="platform", stack=stack).network
    except ConfigError as error:
        outcome = error
    if isinstance(outcome, ConfigError):
        assert all(p.startswith(("platform:", "aws:region")) for p in outcome.problems)
        return
    network = outcome
    # Whatever got through is coherent: one mode, and in create mode one app subnet per AZ.
    if network.mode == "create":
        assert len(network.zones) == len(network.app_subnet_cidrs or []) >= 2
        assert network.app_security_group_ids == []
    else:
        assert network.app_security_group_ids or network.app_cidrs
