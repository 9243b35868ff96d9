"""PostgresDatabase: RDS for PostgreSQL behind RDS Proxy, the way a production app should get it.

Always on, not configurable: storage encrypted with a customer-managed KMS key (rotated), private subnets
only, TLS enforced by the server (`rds.force_ssl`) and by the proxy (`require_tls`), IAM database
authentication, an RDS-managed master password in Secrets Manager (no password ever enters Pulumi state),
CloudWatch log exports, Performance Insights encrypted with the CMK, enhanced monitoring, automatic minor
upgrades, tags copied to snapshots, and a final snapshot on delete with automated backups retained.

Per environment (components/config.py): Multi-AZ, deletion protection, Pulumi `protect`, backup retention,
instance class, storage.

Apps connect to `proxy_endpoint`; `endpoint` is the instance itself, for migrations and tools that need
session-level features the proxy pins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.aws.kms import customer_managed_key
from components.aws.partition import aws_partition
from components.base import ChildTransform, PlatformComponent
from components.naming import RDS_INSTANCE, RDS_PROXY, physical_name
from components.postgres.config import DatabaseConfig
from components.postgres.parameters import postgres_parameters
from components.stack import StackConfig

# The CA RDS issues server certificates from by default since 2024; pinning it avoids a silent rotation.
CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1"
LOG_EXPORTS = ["postgresql", "upgrade"]


@dataclass(frozen=True, kw_only=True)
class PostgresDatabaseArgs:
    config: DatabaseConfig
    name_prefix: str
    region: str
    subnet_ids: pulumi.Input[list[str]]
    database_security_group_id: pulumi.Input[str]
    proxy_security_group_id: pulumi.Input[str]
    tags: dict[str, str]

    @classmethod
    def from_stack(
        cls,
        stack: StackConfig,
        *,
        subnet_ids: pulumi.Input[list[str]],
        database_security_group_id: pulumi.Input[str],
        proxy_security_group_id: pulumi.Input[str],
    ) -> PostgresDatabaseArgs:
        return cls(
            config=stack.database,
            name_prefix=stack.name_prefix,
            region=stack.aws_region,
            subnet_ids=subnet_ids,
            database_security_group_id=database_security_group_id,
            proxy_security_group_id=proxy_security_group_id,
            tags=stack.tags("postgres"),
        )


class PostgresDatabaseTransforms(TypedDict, total=False):
    """The children of `PostgresDatabase` a transform may adjust."""

    kms_key: ChildTransform
    kms_alias: ChildTransform
    parameter_group: ChildTransform
    subnet_group: ChildTransform
    monitoring_role: ChildTransform
    monitoring_role_policy: ChildTransform
    final_snapshot_suffix: ChildTransform
    instance: ChildTransform
    proxy_role: ChildTransform
    proxy_role_policy: ChildTransform
    proxy: ChildTransform
    proxy_target_group: ChildTransform
    proxy_target: ChildTransform


class PostgresDatabase(PlatformComponent):
    """RDS PostgreSQL with RDS Proxy connection pooling."""

    Transforms = PostgresDatabaseTransforms

    proxy_endpoint: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    database_name: pulumi.Output[str]
    master_username: pulumi.Output[str]
    secret_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    instance: aws.rds.Instance
    proxy: aws.rds.Proxy

    def __init__(
        self,
        name: str,
        args: PostgresDatabaseArgs,
        *,
        transform: PostgresDatabaseTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:data:PostgresDatabase", name, transform=transform, opts=opts)
        config, tags = args.config, args.tags
        identifier = physical_name(args.name_prefix, "postgres", RDS_INSTANCE)
        partition = aws_partition(args.region)

        # The final snapshot and retained automated backups outlive the stack: so does their key.
        key = customer_managed_key(
            self, name, alias=identifier, description=f"{identifier}: storage, master secret and Performance Insights",
            region=args.region, tags=tags, protect=config.protect, via_services=("rds", "secretsmanager"),
        )

        parameter_group = self.child("parameter_group", aws.rds.ParameterGroup, f"{name}-params", {
            "family": config.parameter_group_family,
            "description": f"{identifier}: TLS only, query statistics, slow-query logging, timeouts",
            "parameters": postgres_parameters(config),
            "tags": tags,
        })
        subnet_group = self.child("subnet_group", aws.rds.SubnetGroup, f"{name}-subnets", {
            "subnet_ids": args.subnet_ids,
            "description": f"{identifier}: private data subnets",
            "tags": tags,
        })

        monitoring_role = self.child("monitoring_role", aws.iam.Role, f"{name}-monitoring", {
            "description": f"{identifier}: RDS enhanced monitoring",
            "assume_role_policy": _service_trust_policy("monitoring.rds.amazonaws.com"),
            "tags": tags,
        })
        monitoring_policy = self.child(
            "monitoring_role_policy", aws.iam.RolePolicyAttachment, f"{name}-monitoring", {
                "role": monitoring_role.name,
                "policy_arn": f"arn:{partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
            },
        )

        # A fresh suffix per instance: a final snapshot identifier must be unique in the account and region,
        # so a fixed one would make the second deletion of a re-created database fail.
        suffix = self.child("final_snapshot_suffix", random.RandomId, f"{name}-final-snapshot", {
            "byte_length": 4,
            "keepers": {"identifier": identifier},
        })

        self.instance = self.child("instance", aws.rds.Instance, f"{name}-instance", {
            "identifier": identifier,
            "engine": "postgres",
            "engine_version": config.engine_version,
            "engine_lifecycle_support": "open-source-rds-extended-support-disabled",
            "instance_class": config.instance_class,
            "allocated_storage": config.allocated_storage_gb,
            "max_allocated_storage": config.max_allocated_storage_gb,
            "storage_type": config.storage_type,
            "storage_encrypted": True,
            "kms_key_id": key.arn,
            "db_name": config.db_name,
            "username": config.master_username,
            "manage_master_user_password": True,
            "master_user_secret_kms_key_id": key.arn,
            "iam_database_authentication_enabled": True,
            "db_subnet_group_name": subnet_group.name,
            "vpc_security_group_ids": [args.database_security_group_id],
            "publicly_accessible": False,
            "parameter_group_name": parameter_group.name,
            "ca_cert_identifier": CA_CERT_IDENTIFIER,
            "multi_az": config.multi_az,
            "deletion_protection": config.deletion_protection,
            "backup_retention_period": config.backup_retention_days,
            "backup_window": config.backup_window,
            "maintenance_window": config.maintenance_window,
            "copy_tags_to_snapshot": True,
            "skip_final_snapshot": False,
            "final_snapshot_identifier": pulumi.Output.concat(identifier, "-final-", suffix.hex),
            "delete_automated_backups": False,
            "auto_minor_version_upgrade": True,
            "allow_major_version_upgrade": False,
            "apply_immediately": config.apply_immediately,
            "enabled_cloudwatch_logs_exports": LOG_EXPORTS,
            "performance_insights_enabled": True,
            "performance_insights_kms_key_id": key.arn,
            "performance_insights_retention_period": config.performance_insights_retention_days,
            "monitoring_interval": config.monitoring_interval_seconds,
            "monitoring_role_arn": monitoring_role.arn,
            "tags": tags,
        }, protect=config.protect, depends_on=[monitoring_policy])

        self.secret_arn = self.instance.master_user_secrets.apply(_secret_arn)
        self.proxy = self._proxy(name, identifier, args, key, self.secret_arn)

        self.proxy_endpoint = self.proxy.endpoint
        self.endpoint = self.instance.address
        self.port = self.instance.port
        self.database_name = pulumi.Output.from_input(config.db_name)
        self.master_username = pulumi.Output.from_input(config.master_username)
        self.kms_key_arn = key.arn
        self.register_outputs({
            "proxy_endpoint": self.proxy_endpoint,
            "endpoint": self.endpoint,
            "port": self.port,
            "database_name": self.database_name,
            "master_username": self.master_username,
            "secret_arn": self.secret_arn,
            "kms_key_arn": self.kms_key_arn,
        })

    def _proxy(
        self,
        name: str,
        identifier: str,
        args: PostgresDatabaseArgs,
        key: aws.kms.Key,
        secret_arn: pulumi.Output[str],
    ) -> aws.rds.Proxy:
        config, tags = args.config, args.tags
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        role = self.child("proxy_role", aws.iam.Role, f"{name}-proxy", {
            "description": f"{identifier}: lets RDS Proxy read the master secret",
            "assume_role_policy": account.apply(
                lambda account_id: _service_trust_policy("rds.amazonaws.com", source_account=account_id)
            ),
            "tags": tags,
        })
        # Least privilege: this one secret, decrypted with this one key, and only through Secrets Manager.
        self.child("proxy_role_policy", aws.iam.RolePolicy, f"{name}-proxy", {
            "role": role.id,
            "policy": pulumi.Output.all(secret_arn, key.arn).apply(
                lambda values: _proxy_secret_policy(values[0], values[1], args.region)
            ),
        })
        proxy = self.child("proxy", aws.rds.Proxy, f"{name}-proxy", {
            "name": physical_name(identifier, "proxy", RDS_PROXY),
            "engine_family": "POSTGRESQL",
            "role_arn": role.arn,
            "vpc_subnet_ids": args.subnet_ids,
            "vpc_security_group_ids": [args.proxy_security_group_id],
            "require_tls": True,
            "debug_logging": False,
            "idle_client_timeout": config.proxy.idle_client_timeout_seconds,
            "auths": [{
                "auth_scheme": "SECRETS",
                "secret_arn": secret_arn,
                "iam_auth": config.proxy.iam_auth.upper(),
                "client_password_auth_type": "POSTGRES_SCRAM_SHA_256",
                "description": "RDS-managed master user secret",
            }],
            "tags": tags,
        })
        target_group = self.child("proxy_target_group", aws.rds.ProxyDefaultTargetGroup, f"{name}-proxy", {
            "db_proxy_name": proxy.name,
            "connection_pool_config": {
                "max_connections_percent": config.proxy.max_connections_percent,
                "max_idle_connections_percent": config.proxy.max_idle_connections_percent,
                "connection_borrow_timeout": config.proxy.connection_borrow_timeout_seconds,
            },
        })
        self.child("proxy_target", aws.rds.ProxyTarget, f"{name}-proxy", {
            "db_proxy_name": proxy.name,
            "target_group_name": target_group.name,
            "db_instance_identifier": self.instance.identifier,
        })
        return proxy


def _secret_arn(secrets: list[Any] | None) -> str:
    if not secrets:
        raise pulumi.RunError("RDS returned no master user secret although manage_master_user_password is on")
    return secrets[0].secret_arn


def _service_trust_policy(service: str, *, source_account: str | None = None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if source_account is not None:
        # Confused-deputy guard: only this account's RDS may assume the role.
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _proxy_secret_policy(secret_arn: str, key_arn: str, region: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadDatabaseSecret",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secret_arn,
            },
            {
                "Sid": "DecryptDatabaseSecret",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
            },
        ],
    })
