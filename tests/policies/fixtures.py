"""Compliant baseline resources, with props as the engine sends them (camelCase wire names)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from tests.policies.harness import UNKNOWN, Resource, secret

KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-1234-AbCdEf"

RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
RDS_PROXY = "aws:rds/proxy:Proxy"
SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache"
EC_USER = "aws:elasticache/user:User"
EC_USER_GROUP = "aws:elasticache/userGroup:UserGroup"
EC_USER_GROUP_ASSOCIATION = "aws:elasticache/userGroupAssociation:UserGroupAssociation"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SUBNET = "aws:ec2/subnet:Subnet"
VPC = "aws:ec2/vpc:Vpc"
KMS_KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
BACKUP_VAULT = "aws:backup/vault:Vault"

ACCOUNT_ID = "111122223333"
ROOT_ARN = f"arn:aws:iam::{ACCOUNT_ID}:root"
LOG_GROUP_ARN = f"arn:aws:logs:eu-west-1:{ACCOUNT_ID}:log-group:/aws/vpc/flow-logs/app"

RDS_INSTANCE_PROPS: dict[str, Any] = {
    "identifier": "app-db",
    "instanceClass": "db.m7g.large",
    "engine": "postgres",
    "engineVersion": "16",
    "allocatedStorage": 100,
    "username": "app_admin",
    "publiclyAccessible": False,
    "storageEncrypted": True,
    "kmsKeyId": KEY_ARN,
    "backupRetentionPeriod": 14,
    "multiAz": True,
    "deletionProtection": True,
    "skipFinalSnapshot": False,
    "finalSnapshotIdentifier": "app-db-final",
    "iamDatabaseAuthenticationEnabled": True,
    "autoMinorVersionUpgrade": True,
    "enabledCloudwatchLogsExports": ["postgresql", "upgrade"],
    "copyTagsToSnapshot": True,
    "manageMasterUserPassword": True,
    "parameterGroupName": "app-pg16",
    "performanceInsightsEnabled": True,
    "performanceInsightsKmsKeyId": KEY_ARN,
    "monitoringInterval": 60,
    "monitoringRoleArn": "arn:aws:iam::111122223333:role/rds-monitoring",
    "caCertIdentifier": "rds-ca-rsa2048-g1",
    "dbSubnetGroupName": "app-data",
    "vpcSecurityGroupIds": ["sg-0123456789abcdef0"],
}

PARAMETER_GROUP_PROPS: dict[str, Any] = {
    "family": "postgres16",
    "name": "app-pg16",
    "description": "Managed by Pulumi",
    "parameters": [
        {"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"},
        {"name": "log_min_duration_statement", "value": "500", "applyMethod": "immediate"},
        {"name": "log_statement", "value": "none", "applyMethod": "immediate"},
        {"name": "log_min_error_statement", "value": "panic", "applyMethod": "immediate"},
    ],
}

RDS_PROXY_PROPS: dict[str, Any] = {
    "name": "app-db-proxy",
    "engineFamily": "POSTGRESQL",
    "roleArn": "arn:aws:iam::111122223333:role/rds-proxy",
    "vpcSubnetIds": ["subnet-a", "subnet-b"],
    "requireTls": True,
    "debugLogging": False,
    "auths": [
        {
            "authScheme": "SECRETS",
            "secretArn": SECRET_ARN,
            "iamAuth": "REQUIRED",
            "clientPasswordAuthType": "POSTGRES_SCRAM_SHA_256",
        }
    ],
}

SERVERLESS_CACHE_PROPS: dict[str, Any] = {
    "engine": "valkey",
    "majorEngineVersion": "8",
    "snapshotRetentionLimit": 7,
    "dailySnapshotTime": "02:30",
    "subnetIds": ["subnet-a", "subnet-b"],
    "securityGroupIds": ["sg-cache"],
    "userGroupId": "app-users",
    "kmsKeyId": KEY_ARN,
}

ROOT_ADMIN_STATEMENT: dict[str, Any] = {
    "Sid": "AccountRootAdministers",
    "Effect": "Allow",
    "Principal": {"AWS": ROOT_ARN},
    "Action": "kms:*",
    "Resource": "*",
}
USE_VIA_RDS_STATEMENT: dict[str, Any] = {
    "Sid": "UseViaRds",
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant"],
    "Resource": "*",
    "Condition": {
        "StringEquals": {"kms:ViaService": "rds.eu-west-1.amazonaws.com", "kms:CallerAccount": ACCOUNT_ID}
    },
}
LOGS_SERVICE_STATEMENT: dict[str, Any] = {
    "Sid": "CloudWatchLogs",
    "Effect": "Allow",
    "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    "Resource": "*",
    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:eu-west-1:{ACCOUNT_ID}:*"}},
}


def key_policy(*statements: dict[str, Any]) -> str:
    """A key policy document as the `policy` input carries it (a JSON string)."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


KMS_KEY_PROPS: dict[str, Any] = {
    "description": "data key",
    "enableKeyRotation": True,
    "deletionWindowInDays": 30,
    "policy": key_policy(ROOT_ADMIN_STATEMENT, USE_VIA_RDS_STATEMENT, LOGS_SERVICE_STATEMENT),
}

LOG_GROUP_PROPS: dict[str, Any] = {
    "name": "/aws/rds/instance/app-db/postgresql",
    "retentionInDays": 365,
    "kmsKeyId": KEY_ARN,
}

FLOW_LOG_PROPS: dict[str, Any] = {
    "vpcId": "vpc-0123456789abcdef0",
    "trafficType": "ALL",
    "logDestinationType": "cloud-watch-logs",
    "logDestination": LOG_GROUP_ARN,
    "iamRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/flow-logs",
}

DEFAULT_USER_PROPS: dict[str, Any] = {
    "userId": "app-default",
    "userName": "default",
    "engine": "valkey",
    "accessString": "off -@all",
    "authenticationMode": {"type": "password", "passwords": secret(["s3cr3t-default-password-0123"])},
}


def changed(props: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of `props` with `changes` applied; a value of `...` removes the key."""
    result = copy.deepcopy(props)
    for key, value in changes.items():
        if value is ...:
            result.pop(key, None)
        else:
            result[key] = value
    return result


# --------------------------------------------------------------------------------------------------
# Stack graphs (AnalyzeStack): values computed from other resources are unknown, joined by propertyDependencies
# --------------------------------------------------------------------------------------------------
def rds_stack(
    *, db_changes: dict[str, Any] | None = None, group_props: dict[str, Any] | None = None, join: bool = True
) -> list[Resource]:
    """A parameter group and an instance whose parameterGroupName is computed from it (unknown at preview)."""
    group = Resource(RDS_PARAMETER_GROUP, "pg", group_props or copy.deepcopy(PARAMETER_GROUP_PROPS))
    props = changed(RDS_INSTANCE_PROPS, **{"parameterGroupName": UNKNOWN, **(db_changes or {})})
    logs = rds_log_groups("app-db")
    db = Resource(
        RDS_INSTANCE,
        "db",
        props,
        deps={"parameterGroupName": [group]} if join else {},
        protect=True,
        depends_on=list(logs),
    )
    return [group, *logs, db]


def rds_log_groups(identifier: str, *logs: str) -> list[Resource]:
    """The log groups an instance exporting `logs` (default: postgresql, upgrade) writes to, declared up front."""
    return [
        Resource(
            LOG_GROUP, f"{identifier}-{log}", changed(LOG_GROUP_PROPS, name=f"/aws/rds/instance/{identifier}/{log}")
        )
        for log in logs or RDS_INSTANCE_PROPS["enabledCloudwatchLogsExports"]
    ]


@dataclass
class CacheStack:
    """A private VPC layout around a serverless cache, compliant with every cache stack policy."""

    vpc: Resource
    subnets: list[Resource]
    sg: Resource
    default_user: Resource
    app_user: Resource
    group: Resource
    cache: Resource
    extra: list[Resource] = field(default_factory=list)

    def resources(self) -> list[Resource]:
        return [self.vpc, *self.subnets, self.sg, self.default_user, self.app_user, self.group, *self.extra, self.cache]


def cache_stack() -> CacheStack:
    vpc = Resource(VPC, "vpc", {"cidrBlock": "10.0.0.0/16", "enableDnsHostnames": True})
    subnets = [
        Resource(
            SUBNET,
            f"data-{i}",
            {"vpcId": UNKNOWN, "cidrBlock": f"10.0.{i}.0/24", "mapPublicIpOnLaunch": False},
            deps={"vpcId": [vpc]},
        )
        for i in (1, 2)
    ]
    sg = Resource(
        SECURITY_GROUP,
        "cache-sg",
        {
            "vpcId": UNKNOWN,
            "description": "cache clients",
            "ingress": [
                {"fromPort": 6379, "toPort": 6380, "protocol": "tcp", "cidrBlocks": ["10.0.0.0/16"], "self": False}
            ],
            "egress": [{"fromPort": 0, "toPort": 0, "protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]}],
        },
        deps={"vpcId": [vpc]},
    )
    default_user = Resource(EC_USER, "cache-default-user", copy.deepcopy(DEFAULT_USER_PROPS))
    app_user = Resource(
        EC_USER,
        "cache-app-user",
        {
            "userId": "app",
            "userName": "app",
            "engine": "valkey",
            "accessString": "on ~app:* +@all -@dangerous",
            "authenticationMode": {"type": "iam"},
        },
    )
    group = Resource(
        EC_USER_GROUP,
        "cache-users",
        {"engine": "valkey", "userGroupId": "app-users", "userIds": ["app-default", "app"]},
        deps={"userIds": [default_user, app_user]},
    )
    cache = Resource(
        SERVERLESS_CACHE,
        "cache",
        changed(SERVERLESS_CACHE_PROPS, subnetIds=[UNKNOWN, UNKNOWN], securityGroupIds=[UNKNOWN]),
        deps={"subnetIds": subnets, "securityGroupIds": [sg], "userGroupId": [group]},
        protect=True,
    )
    flow_log_group = Resource(LOG_GROUP, "flow-logs", changed(LOG_GROUP_PROPS, name="/aws/vpc/flow-logs/app"))
    flow_log = Resource(
        FLOW_LOG,
        "vpc-flow-log",
        changed(FLOW_LOG_PROPS, vpcId=UNKNOWN, logDestination=UNKNOWN),
        deps={"vpcId": [vpc], "logDestination": [flow_log_group]},
    )
    return CacheStack(vpc, subnets, sg, default_user, app_user, group, cache, extra=[flow_log_group, flow_log])


def vpc_stack(*, join: bool = True) -> tuple[Resource, Resource, Resource]:
    """A VPC, its flow-log group and a flow log whose vpcId is computed from the VPC (unknown at preview)."""
    vpc = Resource(VPC, "vpc", {"cidrBlock": "10.0.0.0/16"})
    group = Resource(LOG_GROUP, "flow-logs", changed(LOG_GROUP_PROPS, name="/aws/vpc/flow-logs/app"))
    flow_log = Resource(
        FLOW_LOG,
        "vpc-flow-log",
        changed(FLOW_LOG_PROPS, vpcId=UNKNOWN, logDestination=UNKNOWN),
        deps={"vpcId": [vpc], "logDestination": [group]} if join else {"logDestination": [group]},
    )
    return vpc, group, flow_log


def proxy_stack() -> tuple[Resource, Resource]:
    """A proxy and its log group, declared first."""
    group = Resource(LOG_GROUP, "proxy-logs", changed(LOG_GROUP_PROPS, name="/aws/rds/proxy/app-db-proxy"))
    proxy = Resource(RDS_PROXY, "proxy", copy.deepcopy(RDS_PROXY_PROPS), depends_on=[group])
    return group, proxy


def backed_up(resources: list[Resource]) -> list[Resource]:
    """`resources` and an AWS Backup selection that covers each of its RDS instances (the stack policy
    aws-backup-selection-require-database-coverage then passes)."""
    databases = [r for r in resources if r.type == RDS_INSTANCE]
    selection = Resource(
        "aws:backup/selection:Selection", "db-backup",
        {"planId": UNKNOWN, "iamRoleArn": UNKNOWN, "resources": [UNKNOWN] * len(databases)},
        deps={"resources": databases},
    )
    return [*resources, selection]
