"""PostgresDatabase: the security properties of what is sent to the engine, per environment."""

from __future__ import annotations

import json

import pytest

from components.postgres.component import _proxy_secret_policy, _service_trust_policy
from ops.errors import ProgramError
from tests.support.plans import PlanView, plan_source, plan_stack
from tests.support.stacks import load_stack
from tests.support.wire import is_secret, is_unknown

INSTANCE = "aws:rds/instance:Instance"
PROXY = "aws:rds/proxy:Proxy"
KEY = "aws:kms/key:Key"
COMPONENT = "platform:data:PostgresDatabase"


def test_instance_is_encrypted_private_and_iam_authenticated(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    instance = plan.one(INSTANCE).inputs
    deps = plan.one(INSTANCE).property_dependencies
    key = plan.urn(KEY, "postgres-key")
    assert instance["storageEncrypted"] is True
    assert is_unknown(instance["kmsKeyId"])
    assert deps["kmsKeyId"] == [key]
    assert deps["performanceInsightsKmsKeyId"] == [key]
    assert deps["masterUserSecretKmsKeyId"] == [key]
    assert instance["publiclyAccessible"] is False
    assert instance["iamDatabaseAuthenticationEnabled"] is True
    assert instance["engine"] == "postgres"
    assert plan.one(KEY, "postgres-key").inputs["enableKeyRotation"] is True


def test_no_database_password_ever_reaches_the_engine(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    instance = plan.one(INSTANCE).inputs
    assert instance["manageMasterUserPassword"] is True
    for record in plan.plan.resources:
        if record.type.startswith("aws:rds/"):
            assert not {"password", "passwordWo", "masterPassword"} & set(record.inputs), record.name


def test_data_survives_deletion(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    instance = plan.one(INSTANCE)
    assert instance.inputs["skipFinalSnapshot"] is False
    # Unknown in preview (a random suffix keeps it unique), but always set.
    assert instance.property_dependencies["finalSnapshotIdentifier"] == [
        plan.urn("random:index/randomId:RandomId", "postgres-final-snapshot")
    ]
    assert instance.inputs["deleteAutomatedBackups"] is False
    assert instance.inputs["copyTagsToSnapshot"] is True


@pytest.mark.parametrize("stack", ["preview", "prod"])
def test_environment_settings(stack: str, preview: PlanView, prod: PlanView) -> None:
    plan = {"preview": preview, "prod": prod}[stack]
    config = load_stack(stack).database
    instance = plan.one(INSTANCE)
    assert instance.inputs["multiAz"] is config.multi_az is (stack == "prod")
    assert instance.inputs["deletionProtection"] is config.deletion_protection is (stack == "prod")
    assert instance.protect is (stack == "prod")
    assert plan.one(KEY, "postgres-key").protect is (stack == "prod")
    assert instance.inputs["backupRetentionPeriod"] == config.backup_retention_days
    assert instance.inputs["backupRetentionPeriod"] >= (14 if stack == "prod" else 7)
    assert instance.inputs["instanceClass"] == config.instance_class


def test_operations_visibility(prod: PlanView) -> None:
    instance = prod.one(INSTANCE).inputs
    assert instance["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert instance["performanceInsightsEnabled"] is True
    assert instance["monitoringInterval"] == 60
    assert instance["autoMinorVersionUpgrade"] is True
    assert instance["allowMajorVersionUpgrade"] is False
    assert instance["caCertIdentifier"] == "rds-ca-rsa2048-g1"
    assert instance["username"] not in {"postgres", "admin"}


def test_parameter_group_forces_tls_and_audits_with_pgaudit(prod: PlanView) -> None:
    group = prod.one("aws:rds/parameterGroup:ParameterGroup")
    assert group.inputs["family"] == "postgres16"
    parameters = {p["name"]: p for p in group.inputs["parameters"]}
    assert parameters["rds.force_ssl"]["value"] == "1"
    assert parameters["shared_preload_libraries"] == {
        "name": "shared_preload_libraries", "value": "pg_stat_statements,pgaudit", "applyMethod": "pending-reboot",
    }
    assert parameters["pgaudit.log"]["value"] == "role,ddl"
    assert parameters["log_statement"]["value"] == "none"
    assert parameters["log_min_error_statement"]["value"] == "panic"
    assert parameters["log_min_duration_statement"]["value"] == "-1"
    assert parameters["statement_timeout"]["applyMethod"] == "immediate"
    assert prod.one(INSTANCE).property_dependencies["parameterGroupName"] == [group.urn]


def test_parameter_group_family_follows_the_engine_version() -> None:
    plan = plan_stack("preview", database={"engine_version": "17.2"})
    assert plan.one("aws:rds/parameterGroup:ParameterGroup").inputs["family"] == "postgres17"
    assert plan.one(INSTANCE).inputs["engineVersion"] == "17.2"


def test_proxy_requires_tls_and_reads_the_rds_managed_secret(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    proxy = plan.one(PROXY)
    assert proxy.inputs["requireTls"] is True
    assert proxy.inputs["debugLogging"] is False
    assert proxy.inputs["engineFamily"] == "POSTGRESQL"
    (auth,) = proxy.inputs["auths"]
    assert auth["authScheme"] == "SECRETS"
    assert auth["iamAuth"] == "REQUIRED"
    assert auth["clientPasswordAuthType"] == "POSTGRES_SCRAM_SHA_256"
    assert is_unknown(auth["secretArn"])
    assert plan.urn(INSTANCE) in proxy.property_dependencies["auths"]
    assert proxy.property_dependencies["vpcSecurityGroupIds"] == [plan.urn("aws:ec2/securityGroup:SecurityGroup",
                                                                           "network-proxy")]
    assert proxy.inputs["idleClientTimeout"] == load_stack(stack).database.proxy.idle_client_timeout_seconds


def test_proxy_iam_auth_can_be_relaxed_for_password_clients() -> None:
    plan = plan_stack("preview", database={"proxy": {"iam_auth": "disabled"}})
    assert plan.one(PROXY).inputs["auths"][0]["iamAuth"] == "DISABLED"
    assert plan.one(PROXY).inputs["requireTls"] is True


def test_proxy_pool_and_target(prod: PlanView) -> None:
    proxy_config = load_stack("prod").database.proxy
    pool = prod.one("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup").inputs["connectionPoolConfig"]
    assert pool == {
        "maxConnectionsPercent": proxy_config.max_connections_percent,
        "maxIdleConnectionsPercent": proxy_config.max_idle_connections_percent,
        "connectionBorrowTimeout": proxy_config.connection_borrow_timeout_seconds,
    }
    target = prod.one("aws:rds/proxyTarget:ProxyTarget").inputs
    assert target["dbInstanceIdentifier"] == "platform-prod-postgres"


def test_proxy_role_is_least_privilege() -> None:
    secret = "arn:aws:secretsmanager:eu-west-1:1:secret:x"
    policy = json.loads(_proxy_secret_policy(secret, "arn:aws:kms:k", "eu-west-1"))
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["ReadDatabaseSecret"]["Action"] == "secretsmanager:GetSecretValue"
    assert statements["ReadDatabaseSecret"]["Resource"] == "arn:aws:secretsmanager:eu-west-1:1:secret:x"
    assert statements["DecryptDatabaseSecret"]["Action"] == "kms:Decrypt"
    assert statements["DecryptDatabaseSecret"]["Resource"] == "arn:aws:kms:k"
    assert statements["DecryptDatabaseSecret"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
    }
    assert all("*" not in json.dumps(s["Action"]) and s["Resource"] != "*" for s in policy["Statement"])


def test_proxy_role_trusts_only_this_accounts_rds(prod: PlanView) -> None:
    role = prod.one("aws:iam/role:Role", "postgres-proxy")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "rds.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert json.loads(_service_trust_policy("monitoring.rds.amazonaws.com"))["Statement"][0]["Principal"] == {
        "Service": "monitoring.rds.amazonaws.com"
    }


def test_children_are_parented_and_outputs_registered(prod: PlanView) -> None:
    component = prod.one(COMPONENT)
    children = [r for r in prod.custom if r.parent == component.urn]
    assert {r.type for r in children} >= {INSTANCE, PROXY, KEY, "aws:rds/parameterGroup:ParameterGroup",
                                          "aws:rds/subnetGroup:SubnetGroup", "aws:rds/proxyTarget:ProxyTarget"}
    assert len(children) == 13
    assert set(component.outputs or {}) == {
        "proxy_endpoint", "endpoint", "port", "database_name", "master_username", "secret_arn", "kms_key_arn",
    }
    outputs = prod.plan.outputs
    assert outputs["database_name"] == "app"
    assert is_unknown(outputs["database_proxy_endpoint"])
    assert not is_secret(outputs["database_name"])


TRANSFORM_PROGRAM = """
from components.stack import load_stack_config
from components.network.component import Network, NetworkArgs
from components.postgres.component import PostgresDatabase, PostgresDatabaseArgs

config = load_stack_config()
network = Network("network", NetworkArgs.from_stack(config))
PostgresDatabase(
    "postgres",
    PostgresDatabaseArgs.from_stack(
        config, subnet_ids=network.private_subnet_ids,
        database_security_group_id=network.database_security_group_id,
        proxy_security_group_id=network.proxy_security_group_id,
    ),
    transform={TRANSFORM},
)
"""


def test_transform_adjusts_one_childs_arguments_and_options_and_keeps_the_rest() -> None:
    plan = plan_source(TRANSFORM_PROGRAM.replace("{TRANSFORM}", '{"instance": io2}').replace(
        "config = load_stack_config()", """
import pulumi

def io2(child):
    child.props.update(storage_type="io2", iops=3000)
    child.opts.ignore_changes = ["allocated_storage"]
    child.opts.retain_on_delete = True
    child.opts.parent = None  # ignored: a child always stays inside its component

config = load_stack_config()"""))
    instance = plan.one(INSTANCE)
    assert (instance.inputs["storageType"], instance.inputs["iops"]) == ("io2", 3000)
    assert instance.inputs["storageEncrypted"] is True
    assert instance.ignore_changes == ["allocatedStorage"]
    assert instance.retain_on_delete is True
    assert instance.protect is True, "options the transform did not touch are kept"
    assert instance.parent == plan.one("platform:data:PostgresDatabase").urn
    untouched = plan.one("aws:rds/proxy:Proxy")
    assert untouched.retain_on_delete is False


def test_transform_may_return_a_replacement_child() -> None:
    plan = plan_source(TRANSFORM_PROGRAM.replace(
        "{TRANSFORM}",
        '{"proxy": lambda child: type(child)(name=child.name, props={**child.props, "idle_client_timeout": 900},'
        ' opts=child.opts)}',
    ))
    assert plan.one("aws:rds/proxy:Proxy").inputs["idleClientTimeout"] == 900


def test_transform_with_an_unknown_child_name_fails_loudly_before_anything_is_registered() -> None:
    with pytest.raises(ProgramError, match="unknown transform target") as caught:
        plan_source(TRANSFORM_PROGRAM.replace("{TRANSFORM}", '{"instanse": lambda child: None}'))
    assert "instanse" in str(caught.value)
