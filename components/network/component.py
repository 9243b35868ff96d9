"""Network: the private subnets the data tier lives in, and the security groups that fence it.

Either creates a VPC with one private subnet per AZ (no internet gateway, no NAT: nothing in the data tier
talks to the internet) or adopts an existing VPC and its private subnets. In both cases it creates the
data-tier security groups, which admit Postgres (5432) and Redis (6379-6380) only from the app's security
groups and CIDRs named in config:

    app  -> proxy SG :5432 -> database SG :5432
    app  -> database SG :5432          (direct endpoint: migrations, session-level features)
    app  -> cache SG :6379-6380         (6380 is the serverless cache's reader endpoint)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from components.base import ChildTransform, PlatformComponent
from components.network.config import NetworkConfig
from components.stack import StackConfig

POSTGRES_PORT = 5432
REDIS_PORTS = (6379, 6380)


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    config: NetworkConfig
    name_prefix: str
    tags: dict[str, str]

    @classmethod
    def from_stack(cls, stack: StackConfig) -> NetworkArgs:
        return cls(config=stack.network, name_prefix=stack.name_prefix, tags=stack.tags("network"))


class NetworkTransforms(TypedDict, total=False):
    """The children of `Network` a transform may adjust."""

    vpc: ChildTransform
    subnet: ChildTransform
    route_table: ChildTransform
    route_table_association: ChildTransform
    default_security_group: ChildTransform
    security_group: ChildTransform
    ingress_rule: ChildTransform
    egress_rule: ChildTransform


class Network(PlatformComponent):
    """VPC, private subnets and data-tier security groups."""

    Transforms = NetworkTransforms

    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    database_security_group_id: pulumi.Output[str]
    proxy_security_group_id: pulumi.Output[str]
    cache_security_group_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: NetworkArgs,
        *,
        transform: NetworkTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:network:Network", name, transform=transform, opts=opts)
        self._args = args
        config = args.config

        if config.existing_vpc_id is not None:
            self.vpc_id = pulumi.Output.from_input(config.existing_vpc_id)
            self.private_subnet_ids = pulumi.Output.from_input(list(config.existing_private_subnet_ids))
        else:
            self.vpc_id, self.private_subnet_ids = self._create_vpc(name)

        proxy_sg = self._security_group(f"{name}-proxy", "RDS Proxy: Postgres from the app")
        database_sg = self._security_group(f"{name}-database", "RDS PostgreSQL: from RDS Proxy and the app")
        cache_sg = self._security_group(f"{name}-cache", "ElastiCache Serverless: Redis from the app")

        self._allow_app(f"{name}-proxy", proxy_sg, POSTGRES_PORT, POSTGRES_PORT)
        self._allow_app(f"{name}-database", database_sg, POSTGRES_PORT, POSTGRES_PORT)
        self._allow_app(f"{name}-cache", cache_sg, *REDIS_PORTS)
        self.child("ingress_rule", aws.vpc.SecurityGroupIngressRule, f"{name}-database-from-proxy", {
            "security_group_id": database_sg.id,
            "referenced_security_group_id": proxy_sg.id,
            "ip_protocol": "tcp",
            "from_port": POSTGRES_PORT,
            "to_port": POSTGRES_PORT,
            "description": "Postgres from RDS Proxy",
            "tags": args.tags,
        })
        # Security groups created by the provider start with no egress; the proxy needs exactly this one.
        self.child("egress_rule", aws.vpc.SecurityGroupEgressRule, f"{name}-proxy-to-database", {
            "security_group_id": proxy_sg.id,
            "referenced_security_group_id": database_sg.id,
            "ip_protocol": "tcp",
            "from_port": POSTGRES_PORT,
            "to_port": POSTGRES_PORT,
            "description": "RDS Proxy to PostgreSQL",
            "tags": args.tags,
        })

        self.database_security_group_id = database_sg.id
        self.proxy_security_group_id = proxy_sg.id
        self.cache_security_group_id = cache_sg.id
        self.register_outputs({
            "vpc_id": self.vpc_id,
            "private_subnet_ids": self.private_subnet_ids,
            "database_security_group_id": self.database_security_group_id,
            "proxy_security_group_id": self.proxy_security_group_id,
            "cache_security_group_id": self.cache_security_group_id,
        })

    def _create_vpc(self, name: str) -> tuple[pulumi.Output[str], pulumi.Output[list[str]]]:
        config, tags = self._args.config, self._args.tags
        vpc = self.child("vpc", aws.ec2.Vpc, f"{name}-vpc", {
            "cidr_block": config.cidr_block,
            "enable_dns_support": True,
            "enable_dns_hostnames": True,
            "tags": {**tags, "Name": f"{self._args.name_prefix}-data"},
        })
        # FSBP EC2.2: the VPC's default security group must allow nothing; declaring it with no rules strips them.
        self.child("default_security_group", aws.ec2.DefaultSecurityGroup, f"{name}-default-sg", {
            "vpc_id": vpc.id,
            "tags": {**tags, "Name": f"{self._args.name_prefix}-default-deny"},
        })
        # A route table of our own with only the implicit local route: the subnets stay private even if
        # someone later adds an internet gateway route to the VPC's main table.
        route_table = self.child("route_table", aws.ec2.RouteTable, f"{name}-private", {
            "vpc_id": vpc.id,
            "tags": {**tags, "Name": f"{self._args.name_prefix}-private"},
        })
        zones = aws.get_availability_zones_output(
            state="available",
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        subnet_ids = []
        for index, cidr in enumerate(config.subnet_cidrs()):
            zone = zones.names.apply(lambda names, i=index: _pick_zone(names, i))
            subnet = self.child("subnet", aws.ec2.Subnet, f"{name}-private-{index}", {
                "vpc_id": vpc.id,
                "cidr_block": cidr,
                "availability_zone": zone,
                "map_public_ip_on_launch": False,
                "tags": {**tags, "Name": f"{self._args.name_prefix}-private-{index}", "tier": "data"},
            })
            self.child("route_table_association", aws.ec2.RouteTableAssociation, f"{name}-private-{index}", {
                "subnet_id": subnet.id,
                "route_table_id": route_table.id,
            })
            subnet_ids.append(subnet.id)
        return vpc.id, pulumi.Output.all(*subnet_ids).apply(list)

    def _security_group(self, name: str, description: str) -> aws.ec2.SecurityGroup:
        return self.child("security_group", aws.ec2.SecurityGroup, name, {
            "vpc_id": self.vpc_id,
            "description": description,
            "tags": {**self._args.tags, "Name": f"{self._args.name_prefix}-{name}"},
        })

    def _allow_app(self, name: str, group: aws.ec2.SecurityGroup, from_port: int, to_port: int) -> None:
        config = self._args.config
        sources: list[tuple[str, dict[str, str]]] = [
            (f"sg{i}", {"referenced_security_group_id": sg}) for i, sg in enumerate(config.app_security_group_ids)
        ] + [(f"cidr{i}", {"cidr_ipv4": cidr}) for i, cidr in enumerate(config.app_cidrs)]
        if not sources:
            pulumi.log.warn(
                f"{name}: no app_security_group_ids or app_cidrs in config; nothing can reach this port",
                resource=self,
            )
        for suffix, source in sources:
            self.child("ingress_rule", aws.vpc.SecurityGroupIngressRule, f"{name}-from-app-{suffix}", {
                "security_group_id": group.id,
                "ip_protocol": "tcp",
                "from_port": from_port,
                "to_port": to_port,
                "description": "from the app",
                "tags": self._args.tags,
                **source,
            })


def _pick_zone(names: list[str], index: int) -> str:
    if index >= len(names):
        raise pulumi.RunError(
            f"platform:network.az_count asks for {index + 1} availability zones but the region offers "
            f"{len(names)} ({', '.join(names)})"
        )
    return sorted(names)[index]
