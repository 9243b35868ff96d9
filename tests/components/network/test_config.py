"""The network concern's config model: bad values are refused with their key path, value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.configs import build, one_problem, problems_with, with_values

ROOT = "platform:network"


@pytest.mark.parametrize(
    "cidr",
    [
        "169.254.0.0/16",   # link-local: `ipaddress.is_private` says True
        "192.0.0.0/24",     # IETF protocol assignments: is_private
        "198.18.0.0/15",    # benchmarking: is_private
        "192.0.2.0/24",     # documentation: is_private
        "100.64.0.0/10",    # shared address space
        "8.8.8.0/24",
        "172.32.0.0/16",    # just outside 172.16.0.0/12
        "10.0.0.0/7",       # wider than 10.0.0.0/8
    ],
)
def test_only_rfc_1918_ranges_are_private(cidr: str) -> None:
    for values, field in (({"app_cidrs": [cidr]}, "app_cidrs"), ({"cidr_block": cidr}, "cidr_block")):
        line = one_problem(problems_with("prod", "network", values), f"{ROOT}.{field} = ")
        assert "must lie within a private RFC 1918 range" in line or "VPC CIDR prefix" in line, line


# Outside the stack's own VPC (10.40.0.0/16): app_cidrs name networks the VPC does not contain.
@pytest.mark.parametrize("cidr", ["10.200.0.0/16", "172.16.0.0/12", "172.31.255.0/24", "192.168.10.0/24"])
def test_rfc_1918_ranges_pass(cidr: str) -> None:
    assert build(with_values("prod", "network", {"app_cidrs": [cidr]})).network.app_cidrs == [cidr]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"app_security_group_ids": ["sg-0a1b2c3d4e5f60718\n"]}, "app_security_group_ids"),
        ({"existing_vpc_id": "vpc-0123456789abcdef0\n",
          "existing_private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]},
         "existing_vpc_id"),
        ({"existing_vpc_id": "vpc-0123456789abcdef0",
          "existing_private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-\u0661123456789abcdef"]},
         "existing_private_subnet_ids"),
        ({"app_cidrs": ["10.40.128.0/20\n"]}, "app_cidrs"),
        ({"cidr_block": "\u0661\u0660.40.0.0/16"}, "cidr_block"),
    ],
)
def test_identifiers_are_full_ascii_matches(values: dict[str, Any], field: str) -> None:
    one_problem(problems_with("prod", "network", values), f"{ROOT}.{field} = ")


def test_adoption_errors_name_the_subnet_key() -> None:
    line = one_problem(problems_with("prod", "network", {"existing_vpc_id": "vpc-0123456789abcdef0"}),
                       "existing_private_subnet_ids")
    assert line.startswith(f"{ROOT}.existing_private_subnet_ids: existing_vpc_id needs at least two subnets")
