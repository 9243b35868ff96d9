"""PostgresDatabase: the security properties of what is sent to the engine, per environment."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from components.aws.trust import service_trust_policy
from components.postgres.component import (
    REPLACEMENT_INPUTS,
    bootstrap_policy,
    proxy_connect_policy,
    proxy_resource_id,
)
from components.stack import ConfigError
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


def test_proxy_requires_tls_and_authenticates_end_to_end_with_iam(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    proxy = plan.one(PROXY)
    assert proxy.inputs["requireTls"] is True
    assert proxy.inputs["debugLogging"] is False
    assert proxy.inputs["engineFamily"] == "POSTGRESQL"
    # No secret: the proxy logs in to the database with IAM, as the app role.
    assert proxy.inputs["defaultAuthScheme"] == "IAM_AUTH"
    assert "auths" not in proxy.inputs
    assert proxy.property_dependencies["vpcSecurityGroupIds"] == [plan.urn("aws:ec2/securityGroup:SecurityGroup",
                                                                           "network-proxy")]
    assert proxy.inputs["idleClientTimeout"] == load_stack(stack).database.proxy.idle_client_timeout_seconds


def test_proxy_does_not_wait_for_the_instance(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    proxy = plan.one(PROXY)
    by_urn = plan.plan.by_urn()
    seen, todo = set(), [*proxy.dependencies, *(u for us in proxy.property_dependencies.values() for u in us)]
    while todo:
        urn = todo.pop()
        if urn in seen:
            continue
        seen.add(urn)
        record = by_urn[urn]
        todo += [*record.dependencies, *(u for us in record.property_dependencies.values() for u in us)]
    assert plan.urn(INSTANCE) not in seen


def test_proxy_role_may_connect_only_as_the_app_role_of_this_instance(prod: PlanView) -> None:
    policy = prod.one("aws:iam/rolePolicy:RolePolicy", "postgres-proxy")
    assert policy.property_dependencies["policy"] == [prod.urn(INSTANCE)]
    document = json.loads(proxy_connect_policy(region="eu-west-1", account_id="123456789012",
                                               db_resource_id="db-ABCDEFGHIJKL", db_users=["app_user"]))
    (statement,) = document["Statement"]
    assert statement["Action"] == "rds-db:connect"
    assert statement["Resource"] == ["arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-ABCDEFGHIJKL/app_user"]


def test_proxy_target_waits_for_the_permission_the_proxy_logs_in_with(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    target = plan.one("aws:rds/proxyTarget:ProxyTarget")
    assert plan.urn("aws:iam/rolePolicy:RolePolicy", "postgres-proxy") in target.dependencies


def test_password_clients_are_refused_because_the_proxy_holds_no_secret() -> None:
    with pytest.raises(ConfigError) as caught:
        load_stack("preview", database={"proxy": {"iam_auth": "disabled"}})
    (problem,) = caught.value.problems
    assert "platform:database.proxy.iam_auth = disabled: password clients are not supported" in problem


def test_app_connect_policy_grants_the_app_role_on_the_proxy_only(prod: PlanView) -> None:
    policy = prod.one("aws:iam/policy:Policy", "postgres-app-connect")
    assert prod.urn(PROXY) in policy.property_dependencies["policy"]
    assert policy.inputs["name"] == "platform-prod-postgres-app-connect"
    proxy_arn = "arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0123456789abcdef0"
    assert proxy_resource_id(proxy_arn) == "prx-0123456789abcdef0"
    document = json.loads(proxy_connect_policy(region="eu-west-1", account_id="123456789012",
                                               db_resource_id=proxy_resource_id(proxy_arn), db_users=["app_user"]))
    assert document["Statement"][0]["Resource"] == [
        "arn:aws:rds-db:eu-west-1:123456789012:dbuser:prx-0123456789abcdef0/app_user"
    ]
    outputs = prod.plan.outputs
    assert is_unknown(outputs["database_app_connect_policy_arn"])
    assert is_unknown(outputs["database_proxy_arn"])
    assert outputs["database_app_username"] == "app_user"


@pytest.mark.parametrize("arn", ["arn:aws:rds:eu-west-1:1:db:prx-1", "arn:aws:rds:eu-west-1:1:db-proxy:db-1", ""])
def test_proxy_resource_id_refuses_what_is_not_a_proxy_arn(arn: str) -> None:
    with pytest.raises(Exception, match="not an RDS Proxy ARN"):
        proxy_resource_id(arn)


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


def test_bootstrap_role_reads_only_the_master_secret_and_writes_only_its_logs() -> None:
    policy = json.loads(bootstrap_policy(
        secret_arn="arn:aws:secretsmanager:eu-west-1:1:secret:x", key_arn="arn:aws:kms:k",
        log_group_arn="arn:aws:logs:eu-west-1:1:log-group:/g:*", region="eu-west-1",
    ))
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["ReadTheMasterSecret"]["Action"] == "secretsmanager:GetSecretValue"
    assert statements["ReadTheMasterSecret"]["Resource"] == "arn:aws:secretsmanager:eu-west-1:1:secret:x"
    assert statements["DecryptTheMasterSecret"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
    }
    assert statements["WriteItsOwnLogs"]["Resource"] == "arn:aws:logs:eu-west-1:1:log-group:/g:*"
    for statement in policy["Statement"]:
        assert "*" not in json.dumps(statement["Action"])
        if statement["Sid"] != "JoinTheVpc":
            assert statement["Resource"] != "*"


def test_proxy_role_trusts_only_this_accounts_rds(prod: PlanView) -> None:
    role = prod.one("aws:iam/role:Role", "postgres-proxy")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "rds.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert json.loads(service_trust_policy("monitoring.rds.amazonaws.com"))["Statement"][0]["Principal"] == {
        "Service": "monitoring.rds.amazonaws.com"
    }


def test_children_are_parented_and_outputs_registered(prod: PlanView) -> None:
    component = prod.one(COMPONENT)
    children = [r for r in prod.custom if r.parent == component.urn]
    assert {r.type for r in children} >= {INSTANCE, PROXY, KEY, "aws:rds/parameterGroup:ParameterGroup",
                                          "aws:rds/subnetGroup:SubnetGroup", "aws:rds/proxyTarget:ProxyTarget"}
    assert len(children) == 26
    assert set(component.outputs or {}) == {
        "proxy_endpoint", "proxy_arn", "app_username", "app_connect_policy_arn", "bootstrap_function_name",
        "endpoint", "port", "database_name", "master_username", "secret_arn", "kms_key_arn",
        "instance_arn",
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
        config, vpc_id=network.vpc_id, subnet_ids=network.private_subnet_ids,
        database_security_group_id=network.database_security_group_id,
        proxy_security_group_id=network.proxy_security_group_id,
        bootstrap_subnet_ids=network.private_subnet_ids,
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


LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


@pytest.mark.parametrize("stack", ["preview", "prod"])
def test_log_groups_exist_before_their_writers_with_retention_and_the_cmk(
    stack: str, preview: PlanView, prod: PlanView
) -> None:
    plan = {"preview": preview, "prod": prod}[stack]
    prefix = f"platform-{stack}-postgres"
    groups = {record.inputs["name"]: record for record in plan.of_type(LOG_GROUP)
              if record.parent == plan.urn(COMPONENT)}
    assert set(groups) == {
        f"/aws/rds/instance/{prefix}/postgresql", f"/aws/rds/instance/{prefix}/upgrade",
        f"/aws/rds/proxy/{prefix}-proxy", f"/aws/lambda/{prefix}-bootstrap",
    }
    key = plan.urn(KEY, "postgres-key")
    for group in groups.values():
        assert group.inputs["retentionInDays"] == (365 if stack == "prod" else 30)
        assert group.property_dependencies["kmsKeyId"] == [key]
        assert group.protect is (stack == "prod")
    urn = {name: record.urn for name, record in groups.items()}
    instance = plan.one(INSTANCE)
    assert {urn[f"/aws/rds/instance/{prefix}/postgresql"], urn[f"/aws/rds/instance/{prefix}/upgrade"]} <= set(
        instance.dependencies)
    assert urn[f"/aws/rds/proxy/{prefix}-proxy"] in plan.one(PROXY).dependencies
    assert urn[f"/aws/lambda/{prefix}-bootstrap"] in plan.one("aws:lambda/function:Function").dependencies
    # The key policy lets CloudWatch Logs use the key for exactly these groups.
    statements = {s["Sid"]: s for s in json.loads(plan.one(KEY, "postgres-key").inputs["policy"])["Statement"]}
    assert statements["CloudWatchLogsEncryptsTheseLogGroups"]["Condition"]["ArnEquals"][
        "kms:EncryptionContext:aws:logs:arn"] == [
        f"arn:aws:logs:eu-west-1:123456789012:log-group:{name}" for name in (
            f"/aws/rds/instance/{prefix}/postgresql", f"/aws/rds/instance/{prefix}/upgrade",
            f"/aws/rds/proxy/{prefix}-proxy", f"/aws/lambda/{prefix}-bootstrap")
    ]


def test_prod_log_retention_floor_is_a_year() -> None:
    with pytest.raises(ConfigError) as caught:
        load_stack("prod", database={"log_retention_days": 180})
    assert "platform:database.log_retention_days = 180: must be >= 365 in prod" in caught.value.problems[0]
    with pytest.raises(ConfigError) as caught:
        load_stack("preview", database={"log_retention_days": 31})
    assert "must be one of the retention periods CloudWatch Logs accepts" in caught.value.problems[0]


def test_final_snapshot_suffix_is_renewed_by_every_input_that_replaces_the_instance(prod: PlanView) -> None:
    suffix = prod.one("random:index/randomId:RandomId", "postgres-final-snapshot")
    instance = prod.one(INSTANCE).inputs
    keepers = suffix.inputs["keepers"]
    # Every ForceNew input the component sets is a keeper, with the instance's value.
    set_here = {field for field in REPLACEMENT_INPUTS if _camel(field) in instance}
    assert set(keepers) == set_here >= {"identifier", "engine", "db_name", "username", "storage_encrypted",
                                        "kms_key_id"}
    assert keepers["identifier"] == instance["identifier"] == "platform-prod-postgres"
    assert keepers["db_name"] == instance["dbName"]
    assert keepers["username"] == instance["username"]
    assert keepers["storage_encrypted"] == "true"
    assert suffix.property_dependencies["keepers"] == [prod.urn(KEY, "postgres-key")]


def test_a_replacing_change_renews_the_suffix_and_an_in_place_one_does_not(preview: PlanView) -> None:
    base = preview.one("random:index/randomId:RandomId").inputs["keepers"]
    renamed = plan_stack("preview", database={"db_name": "shop"}).one("random:index/randomId:RandomId")
    resized = plan_stack("preview", database={"instance_class": "db.m7g.large"}).one(
        "random:index/randomId:RandomId")
    assert renamed.inputs["keepers"] != base
    assert resized.inputs["keepers"] == base


def _camel(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


BOOTSTRAP = "aws:lambda/function:Function"


def test_bootstrap_function_runs_in_the_vpc_with_its_own_security_group(prod: PlanView) -> None:
    function = prod.one(BOOTSTRAP)
    inputs = function.inputs
    assert inputs["name"] == "platform-prod-postgres-bootstrap"
    assert inputs["runtime"] == "python3.13"
    assert inputs["handler"] == "handler.handler"
    assert "reservedConcurrentExecutions" not in inputs, "new accounts cannot reserve concurrency"
    bootstrap_sg = prod.urn("aws:ec2/securityGroup:SecurityGroup", "postgres-bootstrap")
    assert bootstrap_sg in function.property_dependencies["vpcConfig"]
    variables = inputs["environment"]["variables"]
    assert {"MASTER_SECRET_ARN", "DB_HOST", "DB_PORT", "DB_NAME", "MASTER_USERNAME", "APP_ROLE",
            "APP_SCHEMA"} == set(variables)
    assert (variables["APP_ROLE"], variables["APP_SCHEMA"], variables["MASTER_USERNAME"]) == (
        "app_user", "app", "app_admin")
    assert not any("password" in name.lower() for name in variables)
    assert prod.urn("aws:iam/rolePolicy:RolePolicy", "postgres-bootstrap") in function.dependencies
    ingress = prod.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "postgres-database-from-bootstrap")
    assert ingress.inputs["fromPort"] == ingress.inputs["toPort"] == 5432
    assert ingress.property_dependencies["securityGroupId"] == [
        prod.urn("aws:ec2/securityGroup:SecurityGroup", "network-database")]
    assert ingress.property_dependencies["referencedSecurityGroupId"] == [bootstrap_sg]
    assert prod.plan.outputs["database_bootstrap_function"] == "platform-prod-postgres-bootstrap"


def test_bootstrap_package_holds_the_handler_the_sql_and_a_driver_that_imports_alone(
    prod: PlanView, tmp_path: Path
) -> None:
    assets = prod.one(BOOTSTRAP).inputs["code"]["assets"]
    assert {"handler.py", "sql/V001__app_role.sql", "sql/V002__pgaudit.sql", "pg8000/native.py"} <= set(assets)
    assert not [name for name in assets if "__pycache__" in name or name.endswith(("RECORD", "INSTALLER"))]
    for name, asset in assets.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(asset["path"], target)
    # -I -S: no site-packages, no user site, no PYTHONPATH: only what the package holds.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c",
         "import sys; sys.path.insert(0, '.'); import handler, pg8000.native; "
         "print(handler.migrations()[0].name)"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "V001__app_role.sql"


INVOCATION = "aws:lambda/invocation:Invocation"


def test_pulumi_up_applies_the_bootstrap_and_reapplies_it_when_it_changes(prod: PlanView) -> None:
    invocation = prod.one(INVOCATION)
    assert invocation.property_dependencies["functionName"] == [prod.urn(BOOTSTRAP)]
    assert json.loads(invocation.inputs["input"]) == {}
    fingerprint = invocation.inputs["triggers"]["bootstrap"]
    assert len(fingerprint) == 64
    renamed = plan_stack("prod", database={"app_schema": "shop"}).one(INVOCATION)
    assert renamed.inputs["triggers"]["bootstrap"] != fingerprint


def test_bootstrap_on_up_can_be_left_to_the_documented_command() -> None:
    plan = plan_stack("preview", database={"bootstrap_on_up": False})
    assert plan.of_type(INVOCATION) == []
    assert plan.one(BOOTSTRAP).inputs["name"] == "platform-preview-postgres-bootstrap"
