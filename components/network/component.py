"""Network: the private subnets the data tier lives in, the app tier it serves, and the groups that fence both.

Create mode (a new VPC), per AZ listed in config:

    data subnet  (own route table: the local route only; nothing in the data tier talks to the internet)
    app subnet   (own route table per AZ: local, plus 0.0.0.0/0 to a NAT gateway unless egress is none)
    public subnet, NAT gateway and Elastic IP (one for single_nat, one per AZ for nat_per_az), and one
    internet gateway, only when egress needs them

plus the app security group the app's compute joins (exported with the app subnet ids), VPC flow logs to a
KMS-encrypted CloudWatch log group, and the VPC's default security group stripped of every rule.

Adopt mode uses an existing VPC and its private subnets for the data tier, and admits the app's security
groups (or CIDRs) named in config. In both modes the data-tier security groups admit the data ports only:

    app SG -> proxy SG :5432 -> database SG :5432
    app SG -> database SG :5432          (direct endpoint: migrations, session-level features)
    app SG -> cache SG :6379-6380        (6380 is the serverless cache's reader endpoint)

The data tier admits the app's security group, not the app subnets' CIDRs: a group is an identity only the
app's compute carries, a CIDR admits anything later placed in those subnets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws.kms import CustomerManagedKeyTransforms, customer_managed_key
from components.aws.partition import aws_partition
from components.aws.role_boundary import boundary_arn
from components.base import ChildTransform, PlatformComponent
from components.naming import IAM_ROLE, KMS_ALIAS, physical_name
from components.network.config import NetworkConfig
from components.stack import StackConfig

POSTGRES_PORT = 5432
REDIS_PORTS = (6379, 6380)
HTTPS_PORT = 443
ANYWHERE = "0.0.0.0/0"

# What the flow-logs service needs on its log group (AWS VPC User Guide, "IAM role for publishing flow logs
# to CloudWatch Logs"); CreateLogGroup is left out: the log group is created here, before the flow log.
FLOW_LOG_DELIVERY_ACTIONS = [
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "logs:DescribeLogGroups",
    "logs:DescribeLogStreams",
]


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    config: NetworkConfig
    name_prefix: str
    region: str
    tags: dict[str, str]

    @classmethod
    def from_stack(cls, stack: StackConfig) -> NetworkArgs:
        return cls(
            config=stack.network, name_prefix=stack.name_prefix, region=stack.aws_region, tags=stack.tags("network")
        )


class NetworkTransforms(CustomerManagedKeyTransforms, total=False):
    """The children of `Network` a transform may adjust."""

    vpc: ChildTransform
    subnet: ChildTransform
    route_table: ChildTransform
    route_table_association: ChildTransform
    route: ChildTransform
    vpc_endpoint: ChildTransform
    internet_gateway: ChildTransform
    eip: ChildTransform
    nat_gateway: ChildTransform
    default_security_group: ChildTransform
    security_group: ChildTransform
    ingress_rule: ChildTransform
    egress_rule: ChildTransform
    log_group: ChildTransform
    flow_log_role: ChildTransform
    flow_log_role_policy: ChildTransform
    flow_log: ChildTransform


class Network(PlatformComponent):
    """VPC, data and app subnets, egress, flow logs, and the app and data-tier security groups."""

    Transforms = NetworkTransforms

    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    app_subnet_ids: pulumi.Output[list[str] | None]
    app_security_group_id: pulumi.Output[str | None]
    database_security_group_id: pulumi.Output[str]
    proxy_security_group_id: pulumi.Output[str]
    cache_security_group_id: pulumi.Output[str]
    flow_log_group_name: pulumi.Output[str | None]

    def __init__(
        self,
        name: str,
        args: NetworkArgs,
        *,
        transform: NetworkTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:network:Network", name, transform=transform, opts=opts)
        self._name = name
        self._args = args
        config = args.config
        self._account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id

        vpc: aws.ec2.Vpc | None = None
        if config.existing_vpc_id is not None:
            self.vpc_id = pulumi.Output.from_input(config.existing_vpc_id)
            self.private_subnet_ids = pulumi.Output.from_input(list(config.existing_private_subnet_ids))
        else:
            vpc = self._vpc()
            self.vpc_id = vpc.id
            self.private_subnet_ids = self._data_subnets(vpc)

        self.flow_log_group_name = pulumi.Output.from_input(None)
        if config.has_flow_logs:
            self.flow_log_group_name = self._flow_logs(vpc)

        proxy_sg = self._security_group("proxy", "RDS Proxy: Postgres from the app")
        database_sg = self._security_group("database", "RDS PostgreSQL: from RDS Proxy and the app")
        cache_sg = self._security_group("cache", "ElastiCache Serverless: Redis from the app")
        data_tier = {"proxy": (proxy_sg, POSTGRES_PORT, POSTGRES_PORT),
                     "database": (database_sg, POSTGRES_PORT, POSTGRES_PORT),
                     "cache": (cache_sg, *REDIS_PORTS)}

        self.app_subnet_ids = pulumi.Output.from_input(None)
        self.app_security_group_id = pulumi.Output.from_input(None)
        sources: list[tuple[str, dict[str, pulumi.Input[str]]]] = []
        if vpc is not None:
            app_sg = self._security_group("app", "App compute (Lambda VPC config, ECS service): join it to reach "
                                                 "the data tier")
            self.app_subnet_ids = self._app_subnets(vpc)
            self.app_security_group_id = app_sg.id
            self._app_egress(app_sg, data_tier)
            sources.append(("sg", {"referenced_security_group_id": app_sg.id}))
        sources += [(f"sg{i}", {"referenced_security_group_id": sg})
                    for i, sg in enumerate(config.app_security_group_ids)]
        sources += [(f"cidr{i}", {"cidr_ipv4": cidr}) for i, cidr in enumerate(config.app_cidrs)]

        for tier, (group, from_port, to_port) in data_tier.items():
            for suffix, source in sources:
                self.child("ingress_rule", aws.vpc.SecurityGroupIngressRule, f"{name}-{tier}-from-app-{suffix}", {
                    "security_group_id": group.id,
                    "ip_protocol": "tcp",
                    "from_port": from_port,
                    "to_port": to_port,
                    "description": "from the app",
                    "tags": args.tags,
                    **source,
                })
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
            "app_subnet_ids": self.app_subnet_ids,
            "app_security_group_id": self.app_security_group_id,
            "database_security_group_id": self.database_security_group_id,
            "proxy_security_group_id": self.proxy_security_group_id,
            "cache_security_group_id": self.cache_security_group_id,
            "flow_log_group_name": self.flow_log_group_name,
        })

    # ---- the VPC and its subnets (create mode)

    def _vpc(self) -> aws.ec2.Vpc:
        name, prefix, tags = self._name, self._args.name_prefix, self._args.tags
        vpc = self.child("vpc", aws.ec2.Vpc, f"{name}-vpc", {
            "cidr_block": self._args.config.cidr_block,
            "enable_dns_support": True,
            "enable_dns_hostnames": True,
            "tags": {**tags, "Name": f"{prefix}-data"},
        })
        # FSBP EC2.2: the VPC's default security group must allow nothing; declaring it with no rules strips them.
        self.child("default_security_group", aws.ec2.DefaultSecurityGroup, f"{name}-default-sg", {
            "vpc_id": vpc.id,
            "tags": {**tags, "Name": f"{prefix}-default-deny"},
        })
        return vpc

    def _zone(self, index: int) -> dict[str, str]:
        """The subnet argument that pins AZ `index` of config: a zone id or a zone name, never looked up."""
        config = self._args.config
        zone = config.zones[index]
        return {"availability_zone_id": zone} if config.zones_are_ids else {"availability_zone": zone}

    def _name_tag(self, resource_name: str) -> str:
        """`network-private-0` -> `<prefix>-private-0`: the console name of a child."""
        return f"{self._args.name_prefix}-{resource_name.removeprefix(self._name + '-')}"

    def _subnet(self, resource_name: str, vpc: aws.ec2.Vpc, cidr: str, index: int, tier: str) -> aws.ec2.Subnet:
        return self.child("subnet", aws.ec2.Subnet, resource_name, {
            "vpc_id": vpc.id,
            "cidr_block": cidr,
            **self._zone(index),
            # FSBP EC2.15: no subnet hands out public addresses, the public ones included (the NAT has an EIP).
            "map_public_ip_on_launch": False,
            "tags": {**self._args.tags, "Name": self._name_tag(resource_name), "tier": tier},
        })

    def _route_table(self, resource_name: str, vpc: aws.ec2.Vpc) -> aws.ec2.RouteTable:
        # No inline `routes`: the table starts with the implicit local route, and every other route is its
        # own `aws.ec2.Route` resource.
        return self.child("route_table", aws.ec2.RouteTable, resource_name, {
            "vpc_id": vpc.id,
            "tags": {**self._args.tags, "Name": self._name_tag(resource_name)},
        })

    def _associate(self, resource_name: str, subnet: aws.ec2.Subnet, table: aws.ec2.RouteTable) -> None:
        self.child("route_table_association", aws.ec2.RouteTableAssociation, resource_name, {
            "subnet_id": subnet.id,
            "route_table_id": table.id,
        })

    def _data_subnets(self, vpc: aws.ec2.Vpc) -> pulumi.Output[list[str]]:
        name = self._name
        # A route table of our own with only the implicit local route: the data subnets stay private even if
        # someone later adds an internet route to the VPC's main table.
        table = self._route_table(f"{name}-private", vpc)
        subnet_ids = []
        for index, cidr in enumerate(self._args.config.subnet_cidrs()):
            subnet = self._subnet(f"{name}-private-{index}", vpc, cidr, index, "data")
            self._associate(f"{name}-private-{index}", subnet, table)
            subnet_ids.append(subnet.id)
        return pulumi.Output.all(*subnet_ids).apply(list)

    def _app_subnets(self, vpc: aws.ec2.Vpc) -> pulumi.Output[list[str]]:
        name, config = self._name, self._args.config
        nat_ids = self._egress(vpc)
        subnet_ids = []
        for index, cidr in enumerate(config.app_subnet_cidrs or []):
            subnet = self._subnet(f"{name}-app-{index}", vpc, cidr, index, "app")
            # One table per AZ whatever the egress: switching egress changes routes, never tables or subnets.
            table = self._route_table(f"{name}-app-{index}", vpc)
            self._associate(f"{name}-app-{index}", subnet, table)
            if nat_ids:
                # single_nat: every AZ leaves through the one gateway; nat_per_az: each through its own.
                self.child("route", aws.ec2.Route, f"{name}-app-{index}-to-internet", {
                    "route_table_id": table.id,
                    "destination_cidr_block": ANYWHERE,
                    "nat_gateway_id": nat_ids[index % len(nat_ids)],
                })
            subnet_ids.append(subnet.id)
        if not nat_ids:
            self._secrets_manager_endpoint(vpc, subnet_ids)
        return pulumi.Output.all(*subnet_ids).apply(list)

    def _secrets_manager_endpoint(self, vpc: aws.ec2.Vpc, subnet_ids: list[pulumi.Output[str]]) -> None:
        """Without a NAT gateway, the app subnets reach Secrets Manager through an interface endpoint: the
        database's bootstrap function reads the master secret there (about 0.01 USD an hour per AZ)."""
        name, args = self._name, self._args
        group = self._security_group("endpoints", "Interface endpoints: HTTPS from inside the VPC")
        self.child("ingress_rule", aws.vpc.SecurityGroupIngressRule, f"{name}-endpoints-from-vpc", {
            "security_group_id": group.id,
            "cidr_ipv4": args.config.cidr_block,
            "ip_protocol": "tcp",
            "from_port": HTTPS_PORT,
            "to_port": HTTPS_PORT,
            "description": "HTTPS from inside the VPC",
            "tags": args.tags,
        })
        self.child("vpc_endpoint", aws.ec2.VpcEndpoint, f"{name}-secretsmanager", {
            "vpc_id": vpc.id,
            "service_name": f"com.amazonaws.{args.region}.secretsmanager",
            "vpc_endpoint_type": "Interface",
            # The service's usual DNS name resolves to the endpoint, so SDKs need no endpoint override.
            "private_dns_enabled": True,
            "subnet_ids": subnet_ids,
            "security_group_ids": [group.id],
            "tags": {**args.tags, "Name": f"{args.name_prefix}-secretsmanager"},
        })

    def _egress(self, vpc: aws.ec2.Vpc) -> list[pulumi.Output[str]]:
        """The public subnets, internet gateway, EIPs and NAT gateways the egress needs; the NAT ids."""
        name, tags, prefix = self._name, self._args.tags, self._args.name_prefix
        public_cidrs = self._args.config.public_subnet_cidrs()
        if not public_cidrs:
            return []
        gateway = self.child("internet_gateway", aws.ec2.InternetGateway, f"{name}-igw", {
            "vpc_id": vpc.id,
            "tags": {**tags, "Name": f"{prefix}-igw"},
        })
        table = self._route_table(f"{name}-public", vpc)
        internet_route = self.child("route", aws.ec2.Route, f"{name}-public-to-internet", {
            "route_table_id": table.id,
            "destination_cidr_block": ANYWHERE,
            "gateway_id": gateway.id,
        })
        nat_ids = []
        for index, cidr in enumerate(public_cidrs):
            subnet = self._subnet(f"{name}-public-{index}", vpc, cidr, index, "public")
            self._associate(f"{name}-public-{index}", subnet, table)
            address = self.child("eip", aws.ec2.Eip, f"{name}-nat-{index}", {
                "domain": "vpc",
                "tags": {**tags, "Name": f"{prefix}-nat-{index}"},
            })
            # A public NAT gateway needs the VPC's internet gateway and route in place to work (AWS VPC User
            # Guide, "NAT gateways"; the Terraform provider's docs add the same explicit dependency).
            nat = self.child("nat_gateway", aws.ec2.NatGateway, f"{name}-nat-{index}", {
                "connectivity_type": "public",
                "allocation_id": address.allocation_id,
                "subnet_id": subnet.id,
                "tags": {**tags, "Name": f"{prefix}-nat-{index}"},
            }, depends_on=[gateway, internet_route])
            nat_ids.append(nat.id)
        return nat_ids

    # ---- security groups

    def _security_group(self, tier: str, description: str) -> aws.ec2.SecurityGroup:
        return self.child("security_group", aws.ec2.SecurityGroup, f"{self._name}-{tier}", {
            "vpc_id": self.vpc_id,
            "description": description,
            "tags": {**self._args.tags, "Name": f"{self._args.name_prefix}-{self._name}-{tier}"},
        })

    def _app_egress(
        self, app_sg: aws.ec2.SecurityGroup, data_tier: dict[str, tuple[aws.ec2.SecurityGroup, int, int]]
    ) -> None:
        """The app group may leave for the data tier, and for HTTPS anywhere when the VPC has a way out."""
        name, tags = self._name, self._args.tags
        for tier, (group, from_port, to_port) in data_tier.items():
            self.child("egress_rule", aws.vpc.SecurityGroupEgressRule, f"{name}-app-to-{tier}", {
                "security_group_id": app_sg.id,
                "referenced_security_group_id": group.id,
                "ip_protocol": "tcp",
                "from_port": from_port,
                "to_port": to_port,
                "description": f"the app to the {tier}",
                "tags": tags,
            })
        if self._args.config.egress == "none":
            # The only way out is the Secrets Manager endpoint inside the VPC.
            self.child("egress_rule", aws.vpc.SecurityGroupEgressRule, f"{name}-app-to-endpoints", {
                "security_group_id": app_sg.id,
                "cidr_ipv4": self._args.config.cidr_block,
                "ip_protocol": "tcp",
                "from_port": HTTPS_PORT,
                "to_port": HTTPS_PORT,
                "description": "the app to the VPC's interface endpoints",
                "tags": tags,
            })
        else:
            # HTTPS only (third-party APIs, AWS APIs, image pulls); anything wider is the app's own group.
            # DNS needs no rule: security groups do not filter traffic to the Amazon DNS server.
            self.child("egress_rule", aws.vpc.SecurityGroupEgressRule, f"{name}-app-to-https", {
                "security_group_id": app_sg.id,
                "cidr_ipv4": ANYWHERE,
                "ip_protocol": "tcp",
                "from_port": HTTPS_PORT,
                "to_port": HTTPS_PORT,
                "description": "the app to HTTPS through the NAT gateway",
                "tags": tags,
            })

    # ---- flow logs (FSBP EC2.6, CKV2_AWS_11)

    def _flow_logs(self, vpc: aws.ec2.Vpc | None) -> pulumi.Output[str]:
        name, args = self._name, self._args
        region, partition, config = args.region, aws_partition(args.region), args.config
        # An explicit name: the key policy names the log group in its encryption-context condition.
        log_group_name = f"/vpc-flow-logs/{args.name_prefix}"
        key = customer_managed_key(
            self, f"{name}-flow-logs", alias=physical_name(args.name_prefix, "flow-logs", KMS_ALIAS),
            description=f"{args.name_prefix}: VPC flow logs", region=region, tags=args.tags,
            protect=config.protect_flow_logs, log_group_names=[log_group_name],
            # A retained log group keeps its records readable only while its key exists.
            outlives_stack=config.protect_flow_logs,
        )
        log_group = self.child("log_group", aws.cloudwatch.LogGroup, f"{name}-flow-logs", {
            "name": log_group_name,
            "retention_in_days": config.flow_log_retention_days,
            "kms_key_id": key.arn,
            "tags": args.tags,
        }, protect=config.protect_flow_logs, retain_on_delete=config.protect_flow_logs)
        role = self.child("flow_log_role", aws.iam.Role, f"{name}-flow-logs", {
            "name": physical_name(args.name_prefix, "network-flow-logs", IAM_ROLE),
            "description": f"{args.name_prefix}: VPC flow logs deliver to {log_group_name}",
            "assume_role_policy": self._account_id.apply(
                lambda account: _flow_log_trust_policy(account, region)
            ),
            "permissions_boundary": boundary_arn(self._account_id, region=region),
            "tags": args.tags,
        })
        role_policy = self.child("flow_log_role_policy", aws.iam.RolePolicy, f"{name}-flow-logs", {
            "role": role.id,
            "policy": self._account_id.apply(
                lambda account: _flow_log_delivery_policy(
                    f"arn:{partition}:logs:{region}:{account}:log-group:{log_group_name}"
                )
            ),
        })
        vpc_id: pulumi.Input[str] = vpc.id if vpc is not None else config.existing_vpc_id or ""
        self.child("flow_log", aws.ec2.FlowLog, f"{name}-flow-logs", {
            "vpc_id": vpc_id,
            "traffic_type": "ALL",
            "log_destination_type": "cloud-watch-logs",
            "log_destination": log_group.arn,
            "iam_role_arn": role.arn,
            # One-minute records: the default ten minutes is coarse for an incident's timeline.
            "max_aggregation_interval": 60,
            "tags": {**args.tags, "Name": f"{args.name_prefix}-flow-logs"},
        # Delivery works from the first record only once the log group exists and the role may write to it.
        }, depends_on=[log_group, role_policy])
        return log_group.name


def _flow_log_trust_policy(account_id: str, region: str) -> str:
    partition = aws_partition(region)
    statement: dict[str, Any] = {
        "Effect": "Allow",
        # The same principal in every partition, China included (the VPC User Guide on docs.amazonaws.cn).
        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
        "Action": "sts:AssumeRole",
        # Confused-deputy guard (AWS VPC User Guide, "IAM role for publishing flow logs to CloudWatch Logs").
        "Condition": {
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {"aws:SourceArn": f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*"},
        },
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _flow_log_delivery_policy(log_group_arn: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DeliverToTheFlowLogGroupOnly",
            "Effect": "Allow",
            "Action": FLOW_LOG_DELIVERY_ACTIONS,
            # The group itself and its streams (`log-group:<name>:log-stream:<stream>`).
            "Resource": [log_group_arn, f"{log_group_arn}:*"],
        }],
    })
