"""RDS instance resource policies: a compliant baseline passes; one changed property yields exactly one violation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import KEY_ARN, RDS_INSTANCE, RDS_INSTANCE_PROPS, changed
from tests.policies.harness import UNKNOWN, Pack, cant_run, secret, violated, violations

ABSENT = ...

# (policy, changes to the compliant instance, fragment of the violation message)
ONE_CHANGE: list[tuple[str, dict[str, Any], str]] = [
    ("aws-rds-instance-disallow-public-access", {"publiclyAccessible": True}, "publiclyAccessible is true"),
    ("aws-rds-instance-storage-encrypted", {"storageEncrypted": False}, "storageEncrypted is not true"),
    ("aws-rds-instance-storage-encrypted", {"storageEncrypted": ABSENT}, "provider default is false"),
    ("aws-rds-instance-storage-encrypted-with-customer-managed-key", {"kmsKeyId": ABSENT}, "kmsKeyId is not set"),
    ("aws-rds-instance-storage-encrypted-with-customer-managed-key", {"kmsKeyId": ""}, "kmsKeyId is not set"),
    (
        "aws-rds-instance-storage-encrypted-with-customer-managed-key",
        {"kmsKeyId": "arn:aws:kms:eu-west-1:111122223333:alias/aws/rds"},
        "AWS-managed key alias",
    ),
    ("aws-rds-instance-backup-retention", {"backupRetentionPeriod": 3}, "backupRetentionPeriod is 3; at least 7"),
    ("aws-rds-instance-backup-retention", {"backupRetentionPeriod": 0}, "backupRetentionPeriod is 0"),
    ("aws-rds-instance-backup-retention", {"backupRetentionPeriod": ABSENT}, "absent (provider default 0)"),
    ("aws-rds-instance-multi-az-enabled", {"multiAz": False}, "multiAz is not true"),
    ("aws-rds-instance-multi-az-enabled", {"multiAz": ABSENT}, "multiAz is not true"),
    ("aws-rds-instance-deletion-protection-enabled", {"deletionProtection": False}, "deletionProtection is not"),
    ("aws-rds-instance-deletion-protection-enabled", {"deletionProtection": ABSENT}, "deletionProtection is not"),
    ("aws-rds-instance-final-snapshot-on-delete", {"skipFinalSnapshot": True}, "skipFinalSnapshot is true"),
    ("aws-rds-instance-final-snapshot-on-delete", {"finalSnapshotIdentifier": ABSENT}, "finalSnapshotIdentifier"),
    ("aws-rds-instance-iam-authentication-enabled", {"iamDatabaseAuthenticationEnabled": False}, "IAM database"),
    ("aws-rds-instance-iam-authentication-enabled", {"iamDatabaseAuthenticationEnabled": ABSENT}, "IAM database"),
    ("aws-rds-instance-auto-minor-version-upgrade-enabled", {"autoMinorVersionUpgrade": False}, "is false"),
    ("aws-rds-instance-cloudwatch-logs-exported", {"enabledCloudwatchLogsExports": ["upgrade"]}, "'postgresql'"),
    ("aws-rds-instance-cloudwatch-logs-exported", {"enabledCloudwatchLogsExports": ABSENT}, "'postgresql'"),
    ("aws-rds-instance-copy-tags-to-snapshot-enabled", {"copyTagsToSnapshot": False}, "copyTagsToSnapshot"),
    ("aws-rds-instance-copy-tags-to-snapshot-enabled", {"copyTagsToSnapshot": ABSENT}, "copyTagsToSnapshot"),
    ("aws-rds-instance-disallow-plaintext-master-password", {"manageMasterUserPassword": False}, "is not true"),
    ("aws-rds-instance-disallow-plaintext-master-password", {"manageMasterUserPassword": ABSENT}, "is not true"),
    # advisory ("expected") controls
    ("aws-rds-instance-performance-insights-enabled", {"performanceInsightsEnabled": False}, "not true"),
    (
        "aws-rds-instance-performance-insights-encrypted-with-customer-managed-key",
        {"performanceInsightsKmsKeyId": ABSENT},
        "performanceInsightsKmsKeyId is not set",
    ),
    ("aws-rds-instance-enhanced-monitoring-enabled", {"monitoringInterval": 0}, "monitoringInterval is 0"),
    ("aws-rds-instance-enhanced-monitoring-enabled", {"monitoringInterval": 7}, "monitoringInterval is 7"),
    ("aws-rds-instance-enhanced-monitoring-enabled", {"monitoringRoleArn": ABSENT}, "monitoringRoleArn"),
    ("aws-rds-instance-disallow-default-master-username", {"username": "postgres"}, "'postgres'"),
    ("aws-rds-instance-disallow-default-master-username", {"username": "Admin"}, "'admin'"),
    ("aws-rds-instance-current-ca-certificate", {"caCertIdentifier": "rds-ca-2019"}, "'rds-ca-2019'"),
]

ADVISORY = {
    "aws-rds-instance-performance-insights-enabled",
    "aws-rds-instance-performance-insights-encrypted-with-customer-managed-key",
    "aws-rds-instance-enhanced-monitoring-enabled",
    "aws-rds-instance-disallow-default-master-username",
    "aws-rds-instance-current-ca-certificate",
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
    assert violated(diags) == {"aws-rds-instance-protected"}


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
        "aws-rds-instance-performance-insights-enabled"
    }


@pytest.mark.parametrize(
    ("prop", "policy"),
    [
        ("publiclyAccessible", "aws-rds-instance-disallow-public-access"),
        ("storageEncrypted", "aws-rds-instance-storage-encrypted"),
        ("backupRetentionPeriod", "aws-rds-instance-backup-retention"),
        ("multiAz", "aws-rds-instance-multi-az-enabled"),
        ("manageMasterUserPassword", "aws-rds-instance-disallow-plaintext-master-password"),
        ("enabledCloudwatchLogsExports", "aws-rds-instance-cloudwatch-logs-exported"),
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
    assert cant_run(diags) == {"aws-rds-instance-cloudwatch-logs-exported"}


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
    assert violated(diags) == {"aws-rds-instance-backup-retention"}
    assert "at least 14 days" in violations(diags)[0].message


def test_prod_only_controls_are_disabled_in_preview_and_mandatory_in_prod(preview_pack: Pack, prod_pack: Pack) -> None:
    props = changed(RDS_INSTANCE_PROPS, multiAz=False, deletionProtection=False, backupRetentionPeriod=14)
    assert violated(preview_pack.analyze(RDS_INSTANCE, props, protect=False)) == set()
    diags = prod_pack.analyze(RDS_INSTANCE, props, protect=False)
    assert violated(diags) == {
        "aws-rds-instance-multi-az-enabled",
        "aws-rds-instance-deletion-protection-enabled",
        "aws-rds-instance-protected",
    }
    assert {d.level for d in diags} == {"mandatory"}


def test_final_snapshot_is_advisory_in_preview_and_mandatory_in_prod(preview_pack: Pack, prod_pack: Pack) -> None:
    props = changed(RDS_INSTANCE_PROPS, skipFinalSnapshot=True)
    assert [d.level for d in preview_pack.analyze(RDS_INSTANCE, props, protect=True)] == ["advisory"]
    assert [d.level for d in prod_pack.analyze(RDS_INSTANCE, props, protect=True)] == ["mandatory"]


def test_other_resource_types_are_ignored(pack: Pack) -> None:
    insecure = {"publiclyAccessible": True, "storageEncrypted": False, "kmsKeyId": KEY_ARN}
    assert pack.analyze("aws:rds/cluster:Cluster", insecure) == []
    assert pack.analyze("pulumi:pulumi:Stack", {}) == []
