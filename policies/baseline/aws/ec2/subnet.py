"""Subnets (`aws:ec2/subnet:Subnet`): `mapPublicIpOnLaunch` defaults to false. Even the public subnets (NAT
gateways, load balancers) need no automatic public IPs: those resources get Elastic IPs or AWS-managed ones."""

from __future__ import annotations

from pulumi_policy import Severity

from ...common import SUBNET, About
from ...factories import flag_policy
from ...refs import ckv, fsbp

RESOURCE_TYPE = SUBNET
"""The resource type this module's policies are about."""

POLICIES = [
    flag_policy(
        About(
            name="aws-ec2-subnet-disallow-public-ip-on-launch",
            description="Subnets must not assign public IPv4 addresses to network interfaces by default.",
            refs=(fsbp("EC2.15"), ckv("CKV_AWS_130")),
            control="no automatic public IPs",
            severity=Severity.MEDIUM,
            remediation="Set `map_public_ip_on_launch=False` (or leave it unset).",
            tags=("aws", "ec2", "network"),
        ),
        SUBNET, "mapPublicIpOnLaunch", required=False, default=False,
        consequence="every instance launched in the subnet gets an internet-routable address",
    ),
]
