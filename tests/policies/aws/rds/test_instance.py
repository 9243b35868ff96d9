"""RDS instance resource policies: a compliant baseline passes; one changed property yields exactly one violation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import (
    KEY_ARN,
    PARAMETER_GROUP_PROPS,
    RDS_INSTANCE,
    RDS_INSTANCE_PROPS,
    RDS_PARAMETER_GROUP,
    backed_up,
    changed,
    rds_stack,
)
from tests.policies.harness import (
    UNKNOWN,
    Diagnostic,
    Pack,
    Resource,
    analyzer_pb2,
    cant_run,
    only,
    secret,
    violated,
    violations,
)

ABSENT = ...
FORCE_SSL = "aws-rds-instance-enable-force-ssl"

# (policy, changes to the compliant instance, fragment of the violation message)
ONE_CHANGE: list[tuple[str, dict[str, Any], str]] = [
    ("aws-rds-instance-disallow-public-access", {"publiclyAccessible": True}, "publiclyAccessible is true"),
    ("aws-rds-instance-disallow-public-access", {"publiclyAccessible": "true"}, "publiclyAccessible is true"),
    ("aws-rds-instance-disallow-unencrypted-storage", {"storageEncrypted": False}, "storageEncrypted is false"),
    (
        "aws-rds-instance-disallow-unencrypted-storage",
        {"storageEncrypted": ABSENT},
        "storageEncrypted is absent (the provider default is false)",
    ),
    ("aws-rds-instance-configure-customer-managed-key", {"kmsKeyId": ABSENT}, "kmsKeyId is not set"),
    ("aws-rds-instance-configure-customer-managed-key", {"kmsKeyId": ""}, "kmsKeyId is not set"),
    (
        "aws-rds-instance-configure-customer-managed-key",
        {"kmsKeyId": "arn:aws:kms:eu-west-1:111122223333:alias/aws/rds"},
        "AWS-managed key alias",
    ),
    (
        "aws-rds-instance-configure-backup-retention",
        {"backupRetentionPeriod": 3},
        "backupRetentionPeriod is 3; at least 7 days are required",
    ),
    ("aws-rds-instance-configure-backup-retention", {"backupRetentionPeriod": 6.5}, "backupRetentionPeriod is 6.5"),
    ("aws-rds-instance-configure-backup-retention", {"backupRetentionPeriod": 0}, "is 0 (provider default 0"),
    ("aws-rds-instance-configure-backup-retention", {"backupRetentionPeriod": ABSENT}, "absent (provider default 0"),
    ("aws-rds-instance-configure-backup-retention", {"backupRetentionPeriod": "lots"}, "not a number"),
    ("aws-rds-instance-enable-multi-az", {"multiAz": False}, "multiAz is false"),
    ("aws-rds-instance-enable-multi-az", {"multiAz": ABSENT}, "multiAz is absent"),
    ("aws-rds-instance-enable-deletion-protection", {"deletionProtection": False}, "deletionProtection is false"),
    ("aws-rds-instance-enable-deletion-protection", {"deletionProtection": ABSENT}, "deletionProtection is absent"),
    ("aws-rds-instance-require-final-snapshot", {"skipFinalSnapshot": True}, "skipFinalSnapshot is true"),
    ("aws-rds-instance-require-final-snapshot", {"finalSnapshotIdentifier": ABSENT}, "finalSnapshotIdentifier"),
    (
        "aws-rds-instance-enable-iam-authentication",
        {"iamDatabaseAuthenticationEnabled": False},
        "iamDatabaseAuthenticationEnabled is false",
    ),
    (
        "aws-rds-instance-enable-iam-authentication",
        {"iamDatabaseAuthenticationEnabled": ABSENT},
        "iamDatabaseAuthenticationEnabled is absent",
    ),
    (
        "aws-rds-instance-enable-auto-minor-version-upgrade",
        {"autoMinorVersionUpgrade": False},
        "autoMinorVersionUpgrade is false",
    ),
    ("aws-rds-instance-enable-cloudwatch-logs-exports", {"enabledCloudwatchLogsExports": ["upgrade"]}, "'postgresql'"),
    ("aws-rds-instance-enable-cloudwatch-logs-exports", {"enabledCloudwatchLogsExports": ABSENT}, "'postgresql'"),
    ("aws-rds-instance-enable-copy-tags-to-snapshot", {"copyTagsToSnapshot": False}, "copyTagsToSnapshot is false"),
    ("aws-rds-instance-enable-copy-tags-to-snapshot", {"copyTagsToSnapshot": ABSENT}, "copyTagsToSnapshot is absent"),
    ("aws-rds-instance-disallow-plaintext-master-password", {"manageMasterUserPassword": False}, "is not true"),
    ("aws-rds-instance-disallow-plaintext-master-password", {"manageMasterUserPassword": ABSENT}, "is not true"),
    ("aws-rds-instance-disallow-burstable-class", {"instanceClass": "db.t4g.medium"}, "'db.t4g.medium' is burstable"),
    ("aws-rds-instance-disallow-burstable-class", {"instanceClass": " DB.T3.Micro"}, "'db.t3.micro' is burstable"),
    # advisory ("expected") controls
    (
        "aws-rds-instance-enable-performance-insights",
        {"performanceInsightsEnabled": False},
        "performanceInsightsEnabled is false",
    ),
    (
        "aws-rds-instance-configure-performance-insights-customer-managed-key",
        {"performanceInsightsKmsKeyId": ABSENT},
        "performanceInsightsKmsKeyId is not set",
    ),
    ("aws-rds-instance-enable-enhanced-monitoring", {"monitoringInterval": 0}, "monitoringInterval is 0"),
    ("aws-rds-instance-enable-enhanced-monitoring", {"monitoringInterval": 7}, "monitoringInterval is 7"),
    ("aws-rds-instance-enable-enhanced-monitoring", {"monitoringRoleArn": ABSENT}, "monitoringRoleArn"),
    ("aws-rds-instance-disallow-default-master-username", {"username": "postgres"}, "'postgres'"),
    ("aws-rds-instance-disallow-default-master-username", {"username": "Admin"}, "'admin'"),
    ("aws-rds-instance-require-current-ca-certificate", {"caCertIdentifier": "rds-ca-2019"}, "'rds-ca-2019'"),
]

ADVISORY = {
    "aws-rds-instance-enable-performance-insights",
    "aws-rds-instance-configure-performance-insights-customer-managed-key",
    "aws-rds-instance-enable-enhanced-monitoring",
    "aws-rds-instance-disallow-default-master-username",
    "aws-rds-instance-require-current-ca-certificate",
}


def test_compliant_instance_passes_every_policy(pack: Pack) -> None:
    assert pack.analyze(RDS_INSTANCE, RDS_INSTANCE_PROPS, protect=True) == []


@pytest.mark.parametrize(("policy", "changes", "fragment"), ONE_CHANGE)
def test_one_changed_property_yields_exactly_that_violation(
    pack: Pack, policy: str, changes: dict[str, Any], fragment: str
) -> None:
    diags = pack.analyze(RDS_INSTANCE, changed(RDS_INSTANCE_PROPS, **changes), protect=True)
    assert [d.policy for d in diags] == [policy]
    assert fragment in diags[0].message
    assert diags[0].level == ("advisory" if policy in ADVISORY else "mandatory")


def test_unprotected_instance_violates_protect_policy(pack: Pack) -> None:
    diags = pack.analyze(RDS_INSTANCE, RDS_INSTANCE_PROPS, protect=False)
    assert violated(diags) == {"aws-rds-instance-require-protect"}


@pytest.mark.parametrize(
    "changes",
    [
        {"publiclyAccessible": ABSENT},  # provider default false
        {"autoMinorVersionUpgrade": ABSENT},  # provider default true
        {"caCertIdentifier": ABSENT},  # region default CA, CKV_AWS_211 passes when absent
        {"backupRetentionPeriod": 7},  # exactly the default minimum
        {"backupRetentionPeriod": "14"},  # a string number is coerced like the provider does
        {"engine": "mysql", "enabledCloudwatchLogsExports": ["error"]},  # non-postgres: any export counts
        {"engine": "sqlserver-ex", "iamDatabaseAuthenticationEnabled": False},  # IAM auth unsupported there
        {"replicateSourceDb": "app-db", "manageMasterUserPassword": ABSENT},  # replicas inherit credentials
        {"kmsKeyId": UNKNOWN},  # computed from aws.kms.Key(...).arn during preview
        {"performanceInsightsKmsKeyId": UNKNOWN, "finalSnapshotIdentifier": UNKNOWN},
        {"enabledCloudwatchLogsExports": ["postgresql", UNKNOWN]},
    ],
)
def test_defaults_coercions_and_present_unknowns_pass(pack: Pack, changes: dict[str, Any]) -> None:
    assert pack.analyze(RDS_INSTANCE, changed(RDS_INSTANCE_PROPS, **changes), protect=True) == []


def test_performance_insights_cmk_only_applies_when_insights_are_on(pack: Pack) -> None:
    props = changed(RDS_INSTANCE_PROPS, performanceInsightsEnabled=False, performanceInsightsKmsKeyId=ABSENT)
    assert violated(pack.analyze(RDS_INSTANCE, props, protect=True)) == {
        "aws-rds-instance-enable-performance-insights"
    }


@pytest.mark.parametrize(
    ("prop", "policy"),
    [
        ("publiclyAccessible", "aws-rds-instance-disallow-public-access"),
        ("storageEncrypted", "aws-rds-instance-disallow-unencrypted-storage"),
        ("backupRetentionPeriod", "aws-rds-instance-configure-backup-retention"),
        ("multiAz", "aws-rds-instance-enable-multi-az"),
        ("manageMasterUserPassword", "aws-rds-instance-disallow-plaintext-master-password"),
        ("enabledCloudwatchLogsExports", "aws-rds-instance-enable-cloudwatch-logs-exports"),
    ],
)
def test_unknown_value_that_must_be_compared_is_cant_run_not_pass_or_fail(pack: Pack, prop: str, policy: str) -> None:
    diags = pack.analyze(RDS_INSTANCE, changed(RDS_INSTANCE_PROPS, **{prop: UNKNOWN}), protect=True)
    assert violations(diags) == []
    assert cant_run(diags) == {policy}
    assert all(d.level == "advisory" for d in diags)


def test_unknown_log_export_entry_without_postgresql_cannot_be_decided(pack: Pack) -> None:
    diags = pack.analyze(
        RDS_INSTANCE, changed(RDS_INSTANCE_PROPS, enabledCloudwatchLogsExports=["upgrade", UNKNOWN]), protect=True
    )
    assert violations(diags) == []
    assert cant_run(diags) == {"aws-rds-instance-enable-cloudwatch-logs-exports"}


@pytest.mark.parametrize("prop", ["password", "passwordWo"])
def test_secret_password_input_is_caught_and_never_echoed(pack: Pack, prop: str) -> None:
    password = "hunter2-very-secret"
    props = changed(RDS_INSTANCE_PROPS, manageMasterUserPassword=ABSENT, **{prop: secret(password)})
    diags = pack.analyze(RDS_INSTANCE, props, protect=True)
    assert violated(diags) == {"aws-rds-instance-disallow-plaintext-master-password"}
    messages = [d.message for d in diags]
    assert len(messages) == 2  # the password input, and manageMasterUserPassword not set
    assert any(f"'{prop}' is set" in m for m in messages)
    assert not any(password in m for m in messages)


def test_unknown_secret_password_still_counts_as_set(pack: Pack) -> None:
    diags = pack.analyze(RDS_INSTANCE, changed(RDS_INSTANCE_PROPS, password=secret(UNKNOWN)), protect=True)
    assert violated(diags) == {"aws-rds-instance-disallow-plaintext-master-password"}
    assert cant_run(diags) == set()


def test_backup_retention_threshold_comes_from_stack_config(pack: Pack, preview_pack: Pack, prod_pack: Pack) -> None:
    props = changed(RDS_INSTANCE_PROPS, backupRetentionPeriod=10)
    assert violated(pack.analyze(RDS_INSTANCE, props, protect=True)) == set()
    assert violated(preview_pack.analyze(RDS_INSTANCE, props, protect=True)) == set()
    diags = prod_pack.analyze(RDS_INSTANCE, props, protect=True)
    assert violated(diags) == {"aws-rds-instance-configure-backup-retention"}
    assert "at least 14 days" in violations(diags)[0].message


def test_prod_only_controls_are_advisory_in_preview_and_mandatory_in_prod(preview_pack: Pack, prod_pack: Pack) -> None:
    props = changed(RDS_INSTANCE_PROPS, multiAz=False, deletionProtection=False, backupRetentionPeriod=14)
    relaxed = {
        "aws-rds-instance-enable-multi-az",
        "aws-rds-instance-enable-deletion-protection",
        "aws-rds-instance-require-protect",
    }
    # Preview shows them to reviewers without blocking; prod blocks.
    preview = preview_pack.analyze(RDS_INSTANCE, props, protect=False)
    assert violated(preview) == relaxed
    assert {d.level for d in preview} == {"advisory"}
    diags = prod_pack.analyze(RDS_INSTANCE, props, protect=False)
    assert violated(diags) == relaxed
    assert {d.level for d in diags} == {"mandatory"}


def test_final_snapshot_is_advisory_in_preview_and_mandatory_in_prod(preview_pack: Pack, prod_pack: Pack) -> None:
    props = changed(RDS_INSTANCE_PROPS, skipFinalSnapshot=True)
    assert [d.level for d in preview_pack.analyze(RDS_INSTANCE, props, protect=True)] == ["advisory"]
    assert [d.level for d in prod_pack.analyze(RDS_INSTANCE, props, protect=True)] == ["mandatory"]


def test_other_resource_types_are_ignored(pack: Pack) -> None:
    insecure = {"publiclyAccessible": True, "storageEncrypted": False, "kmsKeyId": KEY_ARN}
    assert pack.analyze("aws:rds/cluster:Cluster", insecure) == []
    assert pack.analyze("pulumi:pulumi:Stack", {}) == []


# ------------------------------------------------------------------------------------------------ burstable class
@pytest.mark.parametrize("instance_class", ["db.m7g.large", "db.r7g.xlarge", "db.x2g.large", "db.m5d.large"])
def test_fixed_performance_classes_pass(prod_pack: Pack, instance_class: str) -> None:
    props = changed(RDS_INSTANCE_PROPS, instanceClass=instance_class)
    assert prod_pack.analyze(RDS_INSTANCE, props, protect=True) == []


def test_burstable_class_is_refused_in_prod_and_allowed_in_preview(preview_pack: Pack, prod_pack: Pack) -> None:
    props = changed(RDS_INSTANCE_PROPS, instanceClass="db.t4g.medium", multiAz=False)
    preview = preview_pack.analyze(RDS_INSTANCE, props)
    assert "aws-rds-instance-disallow-burstable-class" in {d.policy for d in preview}
    assert {d.level for d in preview} == {"advisory"}
    diags = prod_pack.analyze(RDS_INSTANCE, changed(props, multiAz=True), protect=True)
    assert only(diags, "aws-rds-instance-disallow-burstable-class").level == "mandatory"


def test_unknown_instance_class_cannot_be_decided(prod_pack: Pack) -> None:
    diags = prod_pack.analyze(RDS_INSTANCE, changed(RDS_INSTANCE_PROPS, instanceClass=UNKNOWN), protect=True)
    assert violations(diags) == []
    assert cant_run(diags) == {"aws-rds-instance-disallow-burstable-class"}


# ------------------------------------------------------------------------------------------------ stack: rds.force_ssl
def _group(**changes: object) -> dict[str, object]:
    return changed(PARAMETER_GROUP_PROPS, **changes)


def test_declared_parameter_group_with_force_ssl_passes(pack: Pack) -> None:
    assert pack.analyze_stack(backed_up(rds_stack())) == []


def test_literal_name_of_a_declared_parameter_group_passes(pack: Pack) -> None:
    assert pack.analyze_stack(backed_up(rds_stack(db_changes={"parameterGroupName": "app-pg16"}, join=False))) == []


@pytest.mark.parametrize(
    ("stack_kwargs", "fragment"),
    [
        ({"db_changes": {"parameterGroupName": ABSENT}}, "default parameter group"),
        ({"db_changes": {"parameterGroupName": "default.postgres16"}, "join": False}, "not refer to a parameter group"),
        ({"group_props": _group(parameters=[{"name": "rds.force_ssl", "value": "0"}])}, "rds.force_ssl is not 1"),
        ({"group_props": _group(parameters=ABSENT)}, "rds.force_ssl is not set"),
        ({"group_props": _group(parameters=[{"name": "log_connections", "value": "1"}])}, "is not set"),
    ],
)
def test_force_ssl_violations(pack: Pack, stack_kwargs: dict[str, object], fragment: str) -> None:
    diags = pack.analyze_stack(backed_up(rds_stack(**stack_kwargs)))  # type: ignore[arg-type]
    assert [d.policy for d in diags] == [FORCE_SSL]
    assert fragment in diags[0].message
    assert diags[0].urn.endswith("aws:rds/instance:Instance::db")
    assert diags[0].level == "mandatory"


def test_force_ssl_ignores_other_engines_and_unknown_parameter_values(pack: Pack) -> None:
    mysql = rds_stack(db_changes={"engine": "mysql", "parameterGroupName": ABSENT})
    assert pack.analyze_stack(backed_up(mysql)) == []
    unknown_value = rds_stack(group_props=_group(parameters=[{"name": "rds.force_ssl", "value": UNKNOWN}]))
    assert pack.analyze_stack(backed_up(unknown_value)) == []


def test_every_instance_is_checked_against_its_own_group(pack: Pack) -> None:
    bad_group = Resource(RDS_PARAMETER_GROUP, "pg-bad", _group(name="bad", parameters=[]))
    bad_db = Resource(
        RDS_INSTANCE,
        "db-bad",
        changed(RDS_INSTANCE_PROPS, parameterGroupName=UNKNOWN),
        deps={"parameterGroupName": [bad_group]},
    )
    diags = pack.analyze_stack(backed_up([*rds_stack(), bad_group, bad_db]))
    assert [(d.urn.rsplit("::", 1)[-1]) for d in diags if d.policy == FORCE_SSL] == ["db-bad"]


# ------------------------------------------------------------------------------------------------ stack: log groups
LOG_GROUPS = "aws-rds-instance-require-log-groups"


def _log_group_diags(pack: Pack, resources: list[Resource]) -> list[Diagnostic]:
    return [d for d in pack.analyze_stack(resources) if d.policy == LOG_GROUPS]


def test_declared_log_groups_created_first_pass(pack: Pack) -> None:
    assert _log_group_diags(pack, rds_stack()) == []


def test_missing_log_group_is_refused(pack: Pack) -> None:
    group, postgresql_logs, _, db = rds_stack()
    db.depends_on = [postgresql_logs]
    (diag,) = _log_group_diags(pack, [group, postgresql_logs, db])
    assert "writes to /aws/rds/instance/app-db/upgrade, which is not declared" in diag.message
    assert diag.urn == db.urn


def test_log_group_the_instance_does_not_wait_for_is_refused(pack: Pack) -> None:
    group, postgresql_logs, upgrade_logs, db = rds_stack()
    db.depends_on = [postgresql_logs]
    (diag,) = _log_group_diags(pack, [group, postgresql_logs, upgrade_logs, db])
    assert "does not depend on log group app-db-upgrade" in diag.message


def test_waiting_through_another_resource_or_the_groups_component_counts(pack: Pack) -> None:
    group, postgresql_logs, upgrade_logs, db = rds_stack()
    role = Resource("aws:iam/role:Role", "monitoring", {}, depends_on=[postgresql_logs])
    component = Resource("platform:logs:LogGroups", "logs", {})
    db.depends_on = [role, component]
    assert len(_log_group_diags(pack, [group, postgresql_logs, upgrade_logs, role, component, db])) == 1
    proto_parent = upgrade_logs.to_proto()  # the SDK expands depends_on=[component] to the component's children
    proto_parent.parent = component.urn
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[r.to_proto() for r in (group, postgresql_logs, role, component)] + [proto_parent, db.to_proto()]
    )
    diags = Pack._diagnostics(pack.servicer.AnalyzeStack(request, None))
    assert [d for d in diags if d.policy == LOG_GROUPS] == []


@pytest.mark.parametrize(
    ("db_changes", "fragment"),
    [
        ({"identifier": ABSENT}, "identifier is not a known string"),
        ({"identifier": UNKNOWN}, "identifier is not a known string"),
        ({"enabledCloudwatchLogsExports": ["postgresql", UNKNOWN]}, "entry is not known"),
    ],
)
def test_log_groups_that_cannot_be_named_in_advance_are_refused(
    pack: Pack, db_changes: dict[str, Any], fragment: str
) -> None:
    diags = _log_group_diags(pack, rds_stack(db_changes=db_changes))
    assert [d.policy for d in diags] == [LOG_GROUPS]
    assert fragment in diags[0].message


def test_instance_without_exports_needs_no_log_group(pack: Pack) -> None:
    assert _log_group_diags(pack, rds_stack(db_changes={"enabledCloudwatchLogsExports": ABSENT})) == []


def test_log_group_with_another_name_does_not_count(pack: Pack) -> None:
    group, postgresql_logs, upgrade_logs, db = rds_stack()
    upgrade_logs.props["name"] = "/aws/rds/instance/app-db-2/upgrade"
    (diag,) = _log_group_diags(pack, [group, postgresql_logs, upgrade_logs, db])
    assert "/aws/rds/instance/app-db/upgrade, which is not declared" in diag.message
