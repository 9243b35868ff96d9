"""PostgresDatabase: RDS for PostgreSQL behind RDS Proxy, the way a production app should get it.

Always on, not configurable: storage encrypted with a customer-managed KMS key (rotated), private subnets
only, TLS enforced by the server (`rds.force_ssl`) and by the proxy (`require_tls`), IAM database
authentication, an RDS-managed master password in Secrets Manager (no password ever enters Pulumi state),
role changes audited by pgaudit with passwords redacted, CloudWatch log groups created beforehand with a
retention and the CMK, Performance Insights encrypted with the CMK, enhanced monitoring, automatic minor
upgrades, tags copied to snapshots, and a final snapshot on delete with automated backups retained.

The app never connects as the master user. It connects to `proxy_endpoint` as the least-privilege
`app_username`, with an IAM token (`app_connect_policy_arn` grants `rds-db:connect` for that role only);
the proxy authenticates to the database end to end with IAM (`default_auth_scheme = IAM_AUTH`), so it
holds no secret and does not wait for the instance's managed secret. The app role itself is created by
versioned, idempotent SQL (bootstrap/sql/) that the bootstrap function applies inside the VPC with the
master secret; it is invoked once after the first `pulumi up` (docs/database.md, "The database bootstrap").

Per environment (components/postgres/config.py): Multi-AZ, deletion protection, Pulumi `protect`, backup
and log retention, instance class, storage.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.aws.kms import CustomerManagedKeyTransforms, customer_managed_key
from components.aws.partition import aws_partition, dns_suffix
from components.aws.role_boundary import boundary_arn
from components.aws.trust import service_trust_policy
from components.base import ChildTransform, PlatformComponent
from components.naming import IAM_POLICY, IAM_ROLE, LAMBDA_FUNCTION, RDS_INSTANCE, RDS_PROXY, physical_name
from components.postgres.config import DatabaseConfig
from components.postgres.parameters import postgres_parameters
from components.stack import StackConfig

# The CA RDS issues server certificates from by default since 2024; pinning it avoids a silent rotation.
CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1"
LOG_EXPORTS = ["postgresql", "upgrade"]
POSTGRES_PORT = 5432
BOOTSTRAP_DIRECTORY = Path(__file__).resolve().parent / "bootstrap"
# The bootstrap function's driver: pure-Python pg8000 and its dependencies, copied from this environment
# (requirements.txt pins them) into the deployment package.
VENDORED_DISTRIBUTIONS = ("pg8000", "scramp", "asn1crypto", "python-dateutil")
# Install records that differ between machines; the package stays byte-identical without them.
_MACHINE_SPECIFIC = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
# pulumi-aws rds.Instance inputs that force a new instance (ForceNew in terraform-provider-aws
# internal/service/rds/instance.go: identifier, engine, db_name, username, storage_encrypted, kms_key_id,
# availability_zone, character_set_name, nchar_character_set_name, timezone, snapshot_identifier,
# custom_iam_instance_profile, restore_to_point_in_time, s3_import).
REPLACEMENT_INPUTS = (
    "identifier", "engine", "db_name", "username", "storage_encrypted", "kms_key_id", "availability_zone",
    "character_set_name", "nchar_character_set_name", "timezone", "snapshot_identifier",
    "custom_iam_instance_profile", "restore_to_point_in_time", "s3_import",
)


@dataclass(frozen=True, kw_only=True)
class PostgresDatabaseArgs:
    config: DatabaseConfig
    name_prefix: str
    region: str
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    database_security_group_id: pulumi.Input[str]
    proxy_security_group_id: pulumi.Input[str]
    # Where the bootstrap function runs: subnets with a route to Secrets Manager (NAT or an interface
    # endpoint) and to the RDS CA bundle, e.g. the network's app subnets.
    bootstrap_subnet_ids: pulumi.Input[list[str]]
    tags: dict[str, str]

    @classmethod
    def from_stack(
        cls,
        stack: StackConfig,
        *,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[list[str]],
        database_security_group_id: pulumi.Input[str],
        proxy_security_group_id: pulumi.Input[str],
        bootstrap_subnet_ids: pulumi.Input[list[str]],
    ) -> PostgresDatabaseArgs:
        return cls(
            config=stack.database,
            name_prefix=stack.name_prefix,
            region=stack.aws_region,
            vpc_id=vpc_id,
            subnet_ids=subnet_ids,
            database_security_group_id=database_security_group_id,
            proxy_security_group_id=proxy_security_group_id,
            bootstrap_subnet_ids=bootstrap_subnet_ids,
            tags=stack.tags("postgres"),
        )


class PostgresDatabaseTransforms(CustomerManagedKeyTransforms, total=False):
    """The children of `PostgresDatabase` a transform may adjust."""

    log_group: ChildTransform
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
    app_connect_policy: ChildTransform
    bootstrap_role: ChildTransform
    bootstrap_role_policy: ChildTransform
    bootstrap_security_group: ChildTransform
    bootstrap_security_group_rule: ChildTransform
    bootstrap_function: ChildTransform
    bootstrap_invocation: ChildTransform


class PostgresDatabase(PlatformComponent):
    """RDS PostgreSQL with RDS Proxy connection pooling."""

    Transforms = PostgresDatabaseTransforms

    proxy_endpoint: pulumi.Output[str]
    proxy_arn: pulumi.Output[str]
    app_username: pulumi.Output[str]
    app_connect_policy_arn: pulumi.Output[str]
    bootstrap_function_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    database_name: pulumi.Output[str]
    master_username: pulumi.Output[str]
    secret_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    instance_arn: pulumi.Output[str]
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
        self._name, self._args = name, args
        config, tags = args.config, args.tags
        identifier = physical_name(args.name_prefix, "postgres", RDS_INSTANCE)
        self._identifier = identifier
        self._partition = aws_partition(args.region)
        self._account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        self._boundary = boundary_arn(self._account_id, region=args.region)
        proxy_name = physical_name(identifier, "proxy", RDS_PROXY)
        function_name = physical_name(identifier, "bootstrap", LAMBDA_FUNCTION)
        log_groups = {
            "postgresql": f"/aws/rds/instance/{identifier}/postgresql",
            "upgrade": f"/aws/rds/instance/{identifier}/upgrade",
            "proxy": f"/aws/rds/proxy/{proxy_name}",
            "bootstrap": f"/aws/lambda/{function_name}",
        }

        # The final snapshot and retained automated backups outlive the stack: so does their key. It also
        # encrypts the log groups, whose names its policy admits CloudWatch Logs for.
        key = customer_managed_key(
            self, name, alias=identifier,
            description=f"{identifier}: storage, master secret, Performance Insights and logs",
            region=args.region, tags=tags, protect=config.protect, via_services=("rds", "secretsmanager"),
            log_group_names=list(log_groups.values()),
        )
        self._key = key
        # Created before what writes to them, so RDS and Lambda never create them without retention or CMK.
        groups = {
            kind: self.child("log_group", aws.cloudwatch.LogGroup, f"{name}-logs-{kind}", {
                "name": group_name,
                "retention_in_days": config.log_retention_days,
                "kms_key_id": key.arn,
                "tags": tags,
            }, protect=config.protect)
            for kind, group_name in log_groups.items()
        }

        parameter_group = self.child("parameter_group", aws.rds.ParameterGroup, f"{name}-params", {
            "family": config.parameter_group_family,
            "description": f"{identifier}: TLS only, query statistics, pgaudit, timeouts",
            "parameters": postgres_parameters(config),
            "tags": tags,
        })
        subnet_group = self.child("subnet_group", aws.rds.SubnetGroup, f"{name}-subnets", {
            "subnet_ids": args.subnet_ids,
            "description": f"{identifier}: private data subnets",
            "tags": tags,
        })

        monitoring_role = self.child("monitoring_role", aws.iam.Role, f"{name}-monitoring", {
            "name": physical_name(args.name_prefix, "postgres-monitoring", IAM_ROLE),
            "description": f"{identifier}: RDS enhanced monitoring",
            "assume_role_policy": service_trust_policy("monitoring.rds.amazonaws.com"),
            "permissions_boundary": self._boundary,
            "tags": tags,
        })
        monitoring_policy = self.child(
            "monitoring_role_policy", aws.iam.RolePolicyAttachment, f"{name}-monitoring", {
                "role": monitoring_role.name,
                "policy_arn": f"arn:{self._partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
            },
        )

        instance_props: dict[str, Any] = {
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
        }
        # A final snapshot identifier must be unique in the account and region. The suffix is renewed
        # whenever the instance is replaced, i.e. whenever an input that forces replacement changes, so the
        # replacement's final snapshot never collides with its predecessor's (DBSnapshotAlreadyExists).
        suffix = self.child("final_snapshot_suffix", random.RandomId, f"{name}-final-snapshot", {
            "byte_length": 4,
            "keepers": replacement_keepers(instance_props),
        })
        instance_props["final_snapshot_identifier"] = pulumi.Output.concat(identifier, "-final-", suffix.hex)
        self.instance = self.child("instance", aws.rds.Instance, f"{name}-instance", instance_props,
                                   protect=config.protect,
                                   depends_on=[monitoring_policy, groups["postgresql"], groups["upgrade"]])

        self.secret_arn = self.instance.master_user_secrets.apply(_secret_arn)
        self.proxy = self._proxy(proxy_name, groups["proxy"])
        self.app_connect_policy_arn = self._app_connect_policy()
        self.bootstrap_function_name = self._bootstrap_function(function_name, groups["bootstrap"])

        self.proxy_endpoint = self.proxy.endpoint
        self.proxy_arn = self.proxy.arn
        self.app_username = pulumi.Output.from_input(config.app_username)
        self.endpoint = self.instance.address
        self.port = self.instance.port
        self.database_name = pulumi.Output.from_input(config.db_name)
        self.master_username = pulumi.Output.from_input(config.master_username)
        self.kms_key_arn = key.arn
        self.instance_arn = self.instance.arn  # what AWS Backup selections and restore tests name
        self.register_outputs({
            "proxy_endpoint": self.proxy_endpoint,
            "proxy_arn": self.proxy_arn,
            "app_username": self.app_username,
            "app_connect_policy_arn": self.app_connect_policy_arn,
            "bootstrap_function_name": self.bootstrap_function_name,
            "endpoint": self.endpoint,
            "port": self.port,
            "database_name": self.database_name,
            "master_username": self.master_username,
            "secret_arn": self.secret_arn,
            "kms_key_arn": self.kms_key_arn,
            "instance_arn": self.instance_arn,
        })

    def _proxy(self, proxy_name: str, log_group: aws.cloudwatch.LogGroup) -> aws.rds.Proxy:
        name, args = self._name, self._args
        config, tags = args.config, args.tags
        role = self.child("proxy_role", aws.iam.Role, f"{name}-proxy", {
            "name": physical_name(args.name_prefix, "postgres-proxy", IAM_ROLE),
            "description": f"{self._identifier}: lets RDS Proxy log in to the database as the app role with IAM",
            "assume_role_policy": self._account_id.apply(
                lambda account_id: service_trust_policy("rds.amazonaws.com", source_account=account_id)
            ),
            "permissions_boundary": self._boundary,
            "tags": tags,
        })
        # End-to-end IAM: the proxy logs in to the instance as the app role with its own IAM identity, so it
        # needs rds-db:connect for that one database user, and no secret at all.
        role_policy = self.child("proxy_role_policy", aws.iam.RolePolicy, f"{name}-proxy", {
            "role": role.id,
            "policy": pulumi.Output.all(self._account_id, self.instance.resource_id).apply(
                lambda values: proxy_connect_policy(
                    region=args.region, account_id=values[0], db_resource_id=values[1],
                    db_users=[config.app_username],
                )
            ),
        })
        # The proxy does not depend on the instance: only its target does, so the two are created in
        # parallel and the first `pulumi up` takes little longer than the instance alone.
        proxy = self.child("proxy", aws.rds.Proxy, f"{name}-proxy", {
            "name": proxy_name,
            "engine_family": "POSTGRESQL",
            "role_arn": role.arn,
            "vpc_subnet_ids": args.subnet_ids,
            "vpc_security_group_ids": [args.proxy_security_group_id],
            "require_tls": True,
            "debug_logging": False,
            "idle_client_timeout": config.proxy.idle_client_timeout_seconds,
            "default_auth_scheme": "IAM_AUTH",
            "tags": tags,
        }, depends_on=[log_group])
        target_group = self.child("proxy_target_group", aws.rds.ProxyDefaultTargetGroup, f"{name}-proxy", {
            "db_proxy_name": proxy.name,
            "connection_pool_config": {
                "max_connections_percent": config.proxy.max_connections_percent,
                "max_idle_connections_percent": config.proxy.max_idle_connections_percent,
                "connection_borrow_timeout": config.proxy.connection_borrow_timeout_seconds,
            },
        })
        # The target is what makes the proxy usable; it waits for the permission the proxy logs in with, so
        # `pulumi up` never reports success while the proxy cannot authenticate to the database.
        self.child("proxy_target", aws.rds.ProxyTarget, f"{name}-proxy", {
            "db_proxy_name": proxy.name,
            "target_group_name": target_group.name,
            "db_instance_identifier": self.instance.identifier,
        }, depends_on=[role_policy])
        return proxy

    def _app_connect_policy(self) -> pulumi.Output[str]:
        """A managed policy for the app's compute role: connect through the proxy as the app role, only."""
        args = self._args
        policy = self.child("app_connect_policy", aws.iam.Policy, f"{self._name}-app-connect", {
            "name": physical_name(args.name_prefix, "postgres-app-connect", IAM_POLICY),
            "description": f"{self._identifier}: connect through RDS Proxy as {args.config.app_username} (IAM auth)",
            "policy": pulumi.Output.all(self._account_id, self.proxy.arn).apply(
                lambda values: proxy_connect_policy(
                    region=args.region, account_id=values[0], db_resource_id=proxy_resource_id(values[1]),
                    db_users=[args.config.app_username],
                )
            ),
            "tags": args.tags,
        })
        return policy.arn

    def _bootstrap_function(self, function_name: str, log_group: aws.cloudwatch.LogGroup) -> pulumi.Output[str]:
        """The function that applies the bootstrap SQL inside the VPC, as the master user."""
        name, args = self._name, self._args
        config, tags = args.config, args.tags
        role = self.child("bootstrap_role", aws.iam.Role, f"{name}-bootstrap", {
            "name": physical_name(args.name_prefix, "postgres-bootstrap", IAM_ROLE),
            "description": f"{self._identifier}: the bootstrap function reads the master secret",
            "assume_role_policy": self._account_id.apply(
                lambda account_id: service_trust_policy("lambda.amazonaws.com", source_account=account_id)
            ),
            "permissions_boundary": self._boundary,
            "tags": tags,
        })
        role_policy = self.child("bootstrap_role_policy", aws.iam.RolePolicy, f"{name}-bootstrap", {
            "role": role.id,
            "policy": pulumi.Output.all(self.secret_arn, self._key.arn, log_group.arn).apply(
                lambda values: bootstrap_policy(
                    secret_arn=values[0], key_arn=values[1], log_group_arn=values[2], region=args.region,
                )
            ),
        })
        security_group = self.child("bootstrap_security_group", aws.ec2.SecurityGroup, f"{name}-bootstrap", {
            "vpc_id": args.vpc_id,
            "description": f"{self._identifier} bootstrap function: PostgreSQL and HTTPS out only",
            "tags": {**tags, "Name": f"{self._identifier}-bootstrap"},
        })
        rules: list[tuple[str, Any, dict[str, Any]]] = [
            ("bootstrap-to-database", aws.vpc.SecurityGroupEgressRule, {
                "security_group_id": security_group.id,
                "referenced_security_group_id": args.database_security_group_id,
                "from_port": POSTGRES_PORT, "to_port": POSTGRES_PORT,
                "description": "bootstrap function to PostgreSQL",
            }),
            ("database-from-bootstrap", aws.vpc.SecurityGroupIngressRule, {
                "security_group_id": args.database_security_group_id,
                "referenced_security_group_id": security_group.id,
                "from_port": POSTGRES_PORT, "to_port": POSTGRES_PORT,
                "description": "PostgreSQL from the bootstrap function",
            }),
            # Secrets Manager (through the NAT or an interface endpoint) and the RDS CA bundle.
            ("bootstrap-https", aws.vpc.SecurityGroupEgressRule, {
                "security_group_id": security_group.id,
                "cidr_ipv4": "0.0.0.0/0",
                "from_port": 443, "to_port": 443,
                "description": "bootstrap function to Secrets Manager and the RDS CA bundle",
            }),
        ]
        for rule_name, resource, props in rules:
            self.child("bootstrap_security_group_rule", resource, f"{name}-{rule_name}", {
                **props, "ip_protocol": "tcp", "tags": tags,
            })
        function = self.child("bootstrap_function", aws.lambda_.Function, f"{name}-bootstrap", {
            "name": function_name,
            "description": f"{self._identifier}: applies the versioned bootstrap SQL (app role, grants)",
            "runtime": "python3.13",
            "handler": "handler.handler",
            "code": bootstrap_archive(),
            "role": role.arn,
            "timeout": 120,
            "memory_size": 256,
            # No reserved concurrency: reserving any fails on new accounts whose limit is the minimum
            # unreserved pool (10); concurrent runs of the idempotent SQL only contend for locks.
            "vpc_config": {
                "subnet_ids": args.bootstrap_subnet_ids,
                "security_group_ids": [security_group.id],
            },
            "logging_config": {"log_format": "JSON", "log_group": log_group.name},
            "environment": {"variables": {
                "MASTER_SECRET_ARN": self.secret_arn,
                "DB_HOST": self.instance.address,
                "DB_PORT": self.instance.port.apply(str),
                "DB_NAME": config.db_name,
                "MASTER_USERNAME": config.master_username,
                "APP_ROLE": config.app_username,
                "APP_SCHEMA": config.app_schema,
            }},
            "tags": tags,
        }, depends_on=[role_policy, log_group])
        if config.bootstrap_on_up:
            # Applied by `pulumi up` itself, and again whenever the SQL or its settings change, so the app role
            # exists before the update reports success; a failing bootstrap fails the update.
            self.child("bootstrap_invocation", aws.lambda_.Invocation, f"{name}-bootstrap", {
                "function_name": function.name,
                "input": json.dumps({}),
                "triggers": {"bootstrap": bootstrap_fingerprint(config.app_username, config.app_schema,
                                                                config.db_name, config.master_username)},
            })
        return function.name


def replacement_keepers(instance_props: dict[str, Any]) -> dict[str, pulumi.Input[str]]:
    """Every input of the instance that forces its replacement, as RandomId keepers (strings)."""
    keepers: dict[str, pulumi.Input[str]] = {}
    for field in REPLACEMENT_INPUTS:
        if field not in instance_props:
            continue
        value = instance_props[field]
        keepers[field] = pulumi.Output.from_input(value).apply(_keeper_text)
    return keepers


def _keeper_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def bootstrap_archive() -> pulumi.AssetArchive:
    """The bootstrap function's deployment package: the handler, the SQL, and the vendored driver."""
    assets: dict[str, pulumi.Asset | pulumi.Archive] = {
        "handler.py": pulumi.FileAsset(str(BOOTSTRAP_DIRECTORY / "handler.py")),
    }
    for sql in sorted((BOOTSTRAP_DIRECTORY / "sql").glob("*.sql")):
        assets[f"sql/{sql.name}"] = pulumi.FileAsset(str(sql))
    for distribution_name in VENDORED_DISTRIBUTIONS:
        distribution = importlib.metadata.distribution(distribution_name)
        for file in distribution.files or ():
            parts = Path(str(file)).parts
            if parts[0] == ".." or "__pycache__" in parts or parts[-1] in _MACHINE_SPECIFIC:
                continue
            assets["/".join(parts)] = pulumi.FileAsset(str(distribution.locate_file(file)))
    return pulumi.AssetArchive(dict(sorted(assets.items())))


def bootstrap_fingerprint(*settings: str) -> str:
    """A digest of the handler, the SQL and its settings: a new value re-runs the bootstrap on `pulumi up`."""
    digest = hashlib.sha256()
    for path in [BOOTSTRAP_DIRECTORY / "handler.py", *sorted((BOOTSTRAP_DIRECTORY / "sql").glob("*.sql"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update("\0".join(settings).encode())
    return digest.hexdigest()


def proxy_resource_id(proxy_arn: str) -> str:
    """The `prx-...` id of a proxy from its ARN (arn:<partition>:rds:<region>:<account>:db-proxy:prx-...),
    which `rds-db:connect` resources name; `aws.rds.Proxy` has no separate output for it."""
    prefix, _, resource_id = proxy_arn.rpartition(":")
    if not prefix.endswith(":db-proxy") or not resource_id.startswith("prx-"):
        raise pulumi.RunError(f"not an RDS Proxy ARN: {proxy_arn!r}")
    return resource_id


def _db_user_arn(*, region: str, account_id: str, db_resource_id: str, db_user: str) -> str:
    # AWS RDS User Guide, "Creating and using an IAM policy for IAM database access".
    return f"arn:{aws_partition(region)}:rds-db:{region}:{account_id}:dbuser:{db_resource_id}/{db_user}"


def proxy_connect_policy(*, region: str, account_id: str, db_resource_id: str, db_users: list[str]) -> str:
    """`rds-db:connect` as the given database users of one instance (`db-...`) or proxy (`prx-...`)."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ConnectAsTheseDatabaseUsers",
            "Effect": "Allow",
            "Action": "rds-db:connect",
            "Resource": [
                _db_user_arn(region=region, account_id=account_id, db_resource_id=db_resource_id, db_user=user)
                for user in db_users
            ],
        }],
    })


def bootstrap_policy(*, secret_arn: str, key_arn: str, log_group_arn: str, region: str) -> str:
    """The bootstrap function's permissions: the master secret, its key through Secrets Manager, its own
    log group, and the network interfaces Lambda creates in the VPC (which take no resource ARN)."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadTheMasterSecret",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secret_arn,
            },
            {
                "Sid": "DecryptTheMasterSecret",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.{dns_suffix(region)}"}},
            },
            {
                "Sid": "WriteItsOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group_arn.removesuffix(':*')}:*",
            },
            {
                # The actions of AWSLambdaVPCAccessExecutionRole; EC2 supports no resource-level scoping here.
                "Sid": "JoinTheVpc",
                "Effect": "Allow",
                "Action": [
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:UnassignPrivateIpAddresses",
                ],
                "Resource": "*",
            },
        ],
    })


def _secret_arn(secrets: list[Any] | None) -> str:
    if not secrets:
        raise pulumi.RunError("RDS returned no master user secret although manage_master_user_password is on")
    return secrets[0].secret_arn


