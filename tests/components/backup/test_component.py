"""DatabaseBackup: the plan carries the configured crons, zone and retentions; the copy, lock, selection,
restore testing and failure alerts are wired; nothing but the two selections waits for the database."""

from __future__ import annotations

import json

import pytest

from ops.model import PlanReport
from ops.reports.plan_markdown import render_markdown
from ops.reports.plan_text import render_text
from tests.support.plans import PlanView, plan_stack
from tests.support.stacks import load_stack

PLAN = "aws:backup/plan:Plan"
VAULT = "aws:backup/vault:Vault"
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
SELECTION = "aws:backup/selection:Selection"
TESTING_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
INSTANCE = "aws:rds/instance:Instance"
KEY = "aws:kms/key:Key"


def test_the_plan_carries_the_configured_crons_zone_and_retentions(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    config = load_stack(stack).backup
    rules = {rule["ruleName"]: rule for rule in plan.one(PLAN).inputs["rules"]}
    assert set(rules) == {"daily", "weekly", "monthly"}
    for tier, rule in config.rules.items():
        assert rules[tier]["schedule"] == rule.schedule
        assert rules[tier]["scheduleExpressionTimezone"] == config.time_zone
        assert rules[tier]["lifecycle"] == {"deleteAfter": rule.delete_after_days}
        assert (rules[tier]["startWindow"], rules[tier]["completionWindow"]) == (
            config.start_window_minutes, config.completion_window_minutes)
        assert rules[tier]["targetVaultName"] == plan.one(VAULT, "backup-vault").inputs["name"]
    if stack == "prod":
        assert {tier: rule["lifecycle"]["deleteAfter"] for tier, rule in rules.items()} == {
            "daily": 7, "weekly": 28, "monthly": 365}


def test_a_changed_schedule_and_zone_reach_the_plan() -> None:
    # 01:15 in Berlin is 23:15 or 00:15 UTC: the database's backup window moves an hour clear of it.
    plan = plan_stack("prod", backup={"time_zone": "Europe/Berlin", "daily": {"schedule": "cron(15 1 * * ? *)",
                                                                               "delete_after_days": 10}},
                      database={"backup_window": "12:00-13:00"})
    daily = next(rule for rule in plan.one(PLAN).inputs["rules"] if rule["ruleName"] == "daily")
    assert (daily["schedule"], daily["scheduleExpressionTimezone"], daily["lifecycle"]) == (
        "cron(15 1 * * ? *)", "Europe/Berlin", {"deleteAfter": 10})
    assert plan.one(LOCK, "backup-vault-lock").inputs["minRetentionDays"] == 10


def test_prod_copies_every_rule_to_a_vault_in_the_copy_region(prod: PlanView) -> None:
    copy_vault = prod.one(VAULT, "backup-copy-vault")
    copy_key = prod.one(KEY, "backup-copy-key")
    assert copy_vault.inputs["region"] == copy_key.inputs["region"] == "eu-central-1"
    assert copy_vault.property_dependencies["kmsKeyArn"] == [copy_key.urn]
    plan = prod.one(PLAN)
    for rule in plan.inputs["rules"]:
        assert rule["copyActions"] == [{"destinationVaultArn": rule["copyActions"][0]["destinationVaultArn"],
                                        "lifecycle": rule["lifecycle"]}]
    assert copy_vault.urn in plan.property_dependencies["rules"]


def test_preview_makes_no_copy(preview: PlanView) -> None:
    assert [v.name for v in preview.of_type(VAULT)] == ["backup-vault"]
    assert all("copyActions" not in rule for rule in preview.one(PLAN).inputs["rules"])
    assert preview.of_type(LOCK) == []


def test_vaults_are_encrypted_with_their_own_protected_retained_keys(prod: PlanView) -> None:
    for vault_name, key_name in (("backup-vault", "backup-key"), ("backup-copy-vault", "backup-copy-key")):
        vault, key = prod.one(VAULT, vault_name), prod.one(KEY, key_name)
        assert vault.property_dependencies["kmsKeyArn"] == [key.urn]
        assert vault.protect
        assert key.protect
        assert key.retain_on_delete
        assert vault.inputs["forceDestroy"] is False
        assert key.inputs["enableKeyRotation"] is True


def test_prod_locks_both_vaults_in_compliance_mode_with_the_plans_retention_bounds(prod: PlanView) -> None:
    locks = {lock.name: lock for lock in prod.of_type(LOCK)}
    assert set(locks) == {"backup-vault-lock", "backup-copy-vault-lock"}
    for lock in locks.values():
        assert (lock.inputs["minRetentionDays"], lock.inputs["maxRetentionDays"]) == (7, 365)
        assert lock.inputs["changeableForDays"] == 3  # compliance mode after a 3-day grace period
        assert lock.protect
    assert locks["backup-copy-vault-lock"].inputs["region"] == "eu-central-1"


def test_governance_mode_sets_no_changeable_for_days() -> None:
    plan = plan_stack("prod", backup={"vault_lock": {"mode": "governance"}})
    assert "changeableForDays" not in plan.one(LOCK, "backup-vault-lock").inputs


def test_the_selection_covers_the_database_with_the_managed_policies(prod: PlanView) -> None:
    selection = prod.one(SELECTION)
    instance = prod.one(INSTANCE)
    assert selection.property_dependencies["resources"] == [instance.urn]
    role = prod.urn("aws:iam/role:Role", "backup-role")
    assert selection.property_dependencies["iamRoleArn"] == [role]
    trust = json.loads(prod.one("aws:iam/role:Role", "backup-role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "backup.amazonaws.com"}
    policies = {a.inputs["policyArn"] for a in prod.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                if a.parent == prod.urn("platform:data:DatabaseBackup")}
    assert policies == {"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"}


def test_restore_testing_restores_the_latest_snapshot_monthly_privately(prod: PlanView) -> None:
    config = load_stack("prod").backup.restore_testing
    assert config is not None
    testing = prod.one(TESTING_PLAN)
    assert testing.inputs["scheduleExpression"] == config.schedule == "cron(0 6 2 * ? *)"
    assert testing.inputs["scheduleExpressionTimezone"] == "Etc/UTC"
    selection = testing.inputs["recoveryPointSelection"]
    assert selection["algorithm"] == "LATEST_WITHIN_WINDOW"
    assert selection["recoveryPointTypes"] == ["SNAPSHOT"]
    assert testing.property_dependencies["recoveryPointSelection"] == [prod.urn(VAULT, "backup-vault")]
    target = prod.one(TESTING_SELECTION)
    assert target.inputs["protectedResourceType"] == "RDS"
    assert target.property_dependencies["protectedResourceArns"] == [prod.urn(INSTANCE)]
    assert target.inputs["restoreMetadataOverrides"]["publiclyAccessible"] == "false"
    assert target.inputs["validationWindowHours"] == config.validation_window_hours
    subnet_group = prod.urn(INSTANCE)  # the subnet group's name is read from the instance
    assert subnet_group in target.property_dependencies["restoreMetadataOverrides"]


def test_restore_testing_can_be_switched_off() -> None:
    plan = plan_stack("preview", backup={"restore_testing": None})
    assert plan.of_type(TESTING_PLAN) == []
    assert plan.of_type(TESTING_SELECTION) == []


@pytest.mark.parametrize(
    ("rule", "detail_type", "field", "states"),
    [
        ("backup-backup-job-failed", "Backup Job State Change", "state", ["FAILED", "ABORTED", "EXPIRED"]),
        ("backup-copy-job-failed", "Copy Job State Change", "state", ["FAILED"]),
        ("backup-restore-job-failed", "Restore Job State Change", "status", ["FAILED"]),
    ],
)
def test_failures_alert_the_topic_through_eventbridge(prod: PlanView, rule: str, detail_type: str, field: str,
                                                      states: list[str]) -> None:
    pattern = json.loads(prod.one(RULE, rule).inputs["eventPattern"])
    assert pattern == {"source": ["aws.backup"], "detail-type": [detail_type], "detail": {field: states}}
    target = prod.one(TARGET, rule)
    assert target.property_dependencies["arn"] == [prod.urn("aws:sns/topic:Topic", "alerting-topic")]
    assert target.inputs["retryPolicy"]["maximumRetryAttempts"] == 185
    assert target.property_dependencies["deadLetterConfig"] == [prod.urn("aws:sqs/queue:Queue", "backup-alerts-dlq")]


def test_only_the_two_selections_wait_for_the_database(prod: PlanView) -> None:
    instance = prod.urn(INSTANCE)
    component = prod.urn("platform:data:DatabaseBackup")
    waiting = {r.type for r in prod.plan.resources if r.parent == component
               and (instance in r.dependencies or any(instance in urns for urns in r.property_dependencies.values()))}
    assert waiting == {SELECTION, TESTING_SELECTION}


def test_the_plan_output_says_when_the_vault_lock_becomes_irreversible(prod: PlanView) -> None:
    """`ops plan` prints the stack's outputs: the manual_steps line names the deadline (its one-line headline on a
    terminal), and the review (`--report`) has how to read it."""
    report = PlanReport(plan=prod.plan, policy=None)
    (line,) = [line for line in render_text(report).splitlines() if "backup.vault-lock" in line]
    assert "becomes irreversible, 3 days after the first `pulumi up`" in line
    (line,) = [line for line in render_markdown(report).splitlines() if "backup.vault-lock" in line]
    assert "aws backup describe-backup-vault --region eu-west-1 --backup-vault-name platform-prod-backup" in line
    assert "LockDate" in line
