"""Silence is an alert too: the backup checker (components/backup/checker.py) reports a backup tier that made no
recovery point within its window, and restore testing that started no restore job within its own.

* The definition, as planned, is the builder's, in JSONata, calling only what its role may call.
* Its JSONata runs (tests/support/stepfunctions.py, jsonata-python) against a ListRecoveryPointsByBackupVault
  response shaped as AWS's API page gives it (fixtures/list_recovery_points.json, its source cited there): a tier
  present, a tier silent while the others are not, an empty vault, a vault too new to be late, several pages,
  timestamps in either form, rule names missing from the result; and the restore jobs likewise.
* Its role and its schedule's role, evaluated with ops.iam within the account's boundary: the calls they make are
  allowed, deleting or disabling anything is not.
* Its failures reach a person: alarms on ExecutionsFailed and on ExecutionsSucceeded missing for a day, and its
  schedule's dead-letter queue alarmed like the others.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonata
import pytest

from components.aws.trust import service_trust_policy
from components.backup.checker import (
    CHECK_EVERY_HOURS,
    CHECKER_STALLED_HOURS,
    PAGE_SIZE,
    RULE_NAME_MISSING,
    CheckerTarget,
    checker_definition,
    checker_policy,
    checker_target,
    restore_subject,
    starter_policy,
    tier_subject,
    topic_key_policy,
)
from components.backup.config import restore_test_window_hours, silence_window_hours, tier_interval_hours
from components.state_backend.component import BOUNDARY_ACTIONS
from ops.iam import Context, Policy, PolicyKind, Principal, Request, evaluate, plan_policy
from tests.components.alerting.test_delivery_paths import ACCOUNT, KEY, REGION, TOPIC, _boundary, _raw
from tests.support.plans import PlanView
from tests.support.stacks import ROOT, load_stack
from tests.support.stepfunctions import ExecutionFailed, run
from tests.support.stepfunctions import evaluate as evaluate_jsonata

FIXTURE: dict[str, Any] = json.loads((Path(__file__).parent / "fixtures" / "list_recovery_points.json").read_text())
MACHINE = "aws:sfn/stateMachine:StateMachine"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SCHEDULE = "aws:scheduler/schedule:Schedule"
QUEUE = "aws:sqs/queue:Queue"
LIST_POINTS = "arn:aws:states:::aws-sdk:backup:listRecoveryPointsByBackupVault"
DESCRIBE_VAULT = "arn:aws:states:::aws-sdk:backup:describeBackupVault"
GET_RESTORE_PLAN = "arn:aws:states:::aws-sdk:backup:getRestoreTestingPlan"
LIST_RESTORE_JOBS = "arn:aws:states:::aws-sdk:backup:listRestoreJobs"
PUBLISH = "arn:aws:states:::sns:publish"
# The SDK integration resource -> the IAM action it needs (an AWS SDK integration calls the service API of that name;
# the optimized sns:publish integration calls SNS Publish): AWS Step Functions Developer Guide, "AWS SDK
# integrations" and "Create IAM policies for Amazon SNS".
ACTIONS = {DESCRIBE_VAULT: "backup:DescribeBackupVault", LIST_POINTS: "backup:ListRecoveryPointsByBackupVault",
           GET_RESTORE_PLAN: "backup:GetRestoreTestingPlan", LIST_RESTORE_JOBS: "backup:ListRestoreJobs",
           PUBLISH: "sns:Publish"}
NOW = "2026-12-07T12:00:00.000Z"  # the execution's StartTime in these runs
EXECUTION = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:platform-prod-backup-checker:run-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/platform-prod-backup-checker"
STARTER = f"arn:aws:iam::{ACCOUNT}:role/platform-prod-backup-checker-start"
RESTORE_PLAN_ARN = f"arn:aws:backup:{REGION}:{ACCOUNT}:restore-testing-plan:platform_prod_restore_test-a1b2c3d4"


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@cache
def prod_target() -> CheckerTarget:
    return checker_target(load_stack("prod").backup, name_prefix="platform-prod", region=REGION, account_id=ACCOUNT)


def definition() -> dict[str, Any]:
    return checker_definition(prod_target())


# ------------------------------------------------------------------------------------------- a fake AWS Backup
class FakeBackup:
    """AWS Backup and SNS as the checker calls them: the vault's recovery points and the restore jobs, filtered by
    ByCreatedAfter and paged by MaxResults/NextToken as the API pages describe; every publish recorded."""

    def __init__(self, points: list[dict[str, Any]], *, vault_created: float | str = FIXTURE["vault_creation_date"],
                 restore_jobs: list[dict[str, Any]] | None = None, plan_created: float | str = "2026-01-15T09:05:00Z"):
        self.points, self.vault_created, self.plan_created = points, vault_created, plan_created
        self.restore_jobs = restore_jobs if restore_jobs is not None else [
            {"RestoreJobId": "job-1", "Status": "COMPLETED", "CreationDate": _epoch("2026-12-02T06:14:00Z"),
             "CreatedBy": {"RestoreTestingPlanArn": RESTORE_PLAN_ARN}, "ResourceType": "RDS"}]
        self.published: list[dict[str, Any]] = []

    @staticmethod
    def _page(items: list[dict[str, Any]], arguments: dict[str, Any], key: str) -> dict[str, Any]:
        assert 1 <= arguments["MaxResults"] <= 1000  # "Valid Range: Minimum value of 1. Maximum value of 1000."
        after = _epoch(arguments["ByCreatedAfter"])
        kept = [item for item in items if _seconds(item["CreationDate"]) > after]
        start = int(arguments.get("NextToken", "0"))
        end = start + arguments["MaxResults"]
        page: dict[str, Any] = {key: kept[start:end]}
        if end < len(kept):
            page["NextToken"] = str(end)
        return page

    def services(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        def describe(arguments: dict[str, Any]) -> dict[str, Any]:
            assert arguments == {"BackupVaultName": "platform-prod-backup"}
            return {"BackupVaultName": "platform-prod-backup", "CreationDate": self.vault_created}

        def list_points(arguments: dict[str, Any]) -> dict[str, Any]:
            assert arguments["BackupVaultName"] == "platform-prod-backup"
            return self._page(self.points, arguments, "RecoveryPoints")

        def get_plan(arguments: dict[str, Any]) -> dict[str, Any]:
            assert arguments == {"RestoreTestingPlanName": "platform_prod_restore_test"}
            return {"RestoreTestingPlan": {"RestoreTestingPlanArn": RESTORE_PLAN_ARN, "CreationTime": self.plan_created,
                                           "RestoreTestingPlanName": "platform_prod_restore_test"}}

        def list_jobs(arguments: dict[str, Any]) -> dict[str, Any]:
            assert arguments["ByRestoreTestingPlanArn"] == RESTORE_PLAN_ARN
            return self._page(self.restore_jobs, arguments, "RestoreJobs")

        def publish(arguments: dict[str, Any]) -> dict[str, Any]:
            self.published.append(arguments)
            return {"MessageId": f"m-{len(self.published)}"}

        return {DESCRIBE_VAULT: describe, LIST_POINTS: list_points, GET_RESTORE_PLAN: get_plan,
                LIST_RESTORE_JOBS: list_jobs, PUBLISH: publish}

    def run(self, now: str = NOW, execution_input: Any = None) -> Any:
        return run(definition(), services=self.services(), execution_input=execution_input,
                   context={"Execution": {"Id": EXECUTION, "StartTime": now}}).output


def _seconds(value: float | str) -> float:
    return value if isinstance(value, int | float) else _epoch(value)


def points(*rules: str) -> list[dict[str, Any]]:
    """The fixture's recovery points of these rules (and the on-demand one, which belongs to no rule)."""
    return [copy.deepcopy(p) for p in FIXTURE["RecoveryPoints"]
            if p["CreatedBy"].get("BackupRuleName", "on-demand") in (*rules, "on-demand")]


def tiers(output: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {tier["tier"]: tier for tier in output["tiers"]}


# ------------------------------------------------------------------------------------------------ the windows
def test_the_tiers_intervals_follow_their_crons() -> None:
    assert tier_interval_hours("cron(0 2 * * ? *)", "Etc/UTC") == 24
    assert tier_interval_hours("cron(0 3 ? * SUN *)", "Etc/UTC") == 168
    assert tier_interval_hours("cron(0 4 1 * ? *)", "Etc/UTC") == 744  # a 31-day month


def test_each_tier_and_restore_testing_has_its_window() -> None:
    config = load_stack("prod").backup
    # the interval plus the start (8 h) and completion (24 h) windows; restore testing: monthly plus its 24 h start
    assert {t.tier: t.hours for t in prod_target().tiers} == {"daily": 56, "weekly": 200, "monthly": 776}
    assert {t.tier: t.hours for t in prod_target().tiers} == {t: silence_window_hours(config, t) for t in config.rules}
    restore = prod_target().restore
    assert restore is not None
    assert restore.hours == restore_test_window_hours(config) == 768
    assert restore_test_window_hours(load_stack("prod", backup={"restore_testing": None}).backup) is None


# ------------------------------------------------------------------------------------- the planned definition
def test_the_planned_definition_is_the_builders_in_jsonata(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    machine = plan.one(MACHINE, "backup-checker")
    planned = json.loads(machine.inputs["definition"])
    target = checker_target(load_stack(stack).backup, name_prefix=f"platform-{stack}", region=REGION,
                            account_id=ACCOUNT)
    assert planned == checker_definition(target)
    assert machine.inputs["name"] == target.state_machine_name == f"platform-{stack}-backup-checker"
    assert machine.inputs["type"] == "STANDARD"
    assert planned["QueryLanguage"] == "JSONata"
    # the names the definition uses are the resources' own
    assert target.vault_name == plan.one("aws:backup/vault:Vault", "backup-vault").inputs["name"]
    topic = plan.one("aws:sns/topic:Topic", "alerting-topic").inputs["name"]
    assert target.topic_arn == f"arn:aws:sns:{REGION}:{ACCOUNT}:{topic}"
    restore_plan = plan.one("aws:backup/restoreTestingPlan:RestoreTestingPlan").inputs["name"]
    assert target.restore is not None
    assert target.restore.plan_name == restore_plan


def _states(machine: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for name, state in machine["States"].items():
        found[name] = state
        if state["Type"] == "Map":
            found.update(_states(state["ItemProcessor"]))
    return found


def _expressions(value: Any) -> list[str]:
    if isinstance(value, str):
        return [m.group(1) for m in [re.fullmatch(r"\{%(.*)%\}", value, re.DOTALL)] if m]
    if isinstance(value, dict):
        return [e for item in value.values() for e in _expressions(item)]
    if isinstance(value, list):
        return [e for item in value for e in _expressions(item)]
    return []


def test_the_definitions_structure() -> None:
    states = _states(definition())
    # every transition goes to a state that exists; the tier loop pages, the restore loop too
    for name, state in states.items():
        targets = [state.get("Next"), state.get("Default"), *(c["Next"] for c in state.get("Choices", []))]
        assert all(t in states for t in targets if t), name
    assert states["MorePages"]["Choices"][0]["Next"] == "ListRecoveryPoints"
    assert states["MoreRestoreJobs"]["Choices"][0]["Next"] == "ListRestoreJobs"
    assert definition()["States"]["CheckTiers"]["Items"] == [
        {"tier": "daily", "rule": "daily", "hours": 56}, {"tier": "weekly", "rule": "weekly", "hours": 200},
        {"tier": "monthly", "rule": "monthly", "hours": 776}]
    tasks = {name: s["Resource"] for name, s in states.items() if s["Type"] == "Task"}
    assert sorted(set(tasks.values())) == sorted(ACTIONS)
    assert all(s["Retry"][0]["ErrorEquals"] == ["States.TaskFailed"] for n, s in states.items() if n in tasks)
    # The list calls' arguments: the vault (or plan) by name, since the window's start, a page that fits the quota.
    assert f"'MaxResults': {PAGE_SIZE}" in states["ListRecoveryPoints"]["Arguments"]
    assert "'ByCreatedAfter': $cutoff" in states["ListRecoveryPoints"]["Arguments"]
    assert "'ByRestoreTestingPlanArn': $restorePlanArn" in states["ListRestoreJobs"]["Arguments"]
    assert states["RuleNamesMissing"] == {**states["RuleNamesMissing"], "Type": "Fail", "Error": RULE_NAME_MISSING}
    assert states["PublishTierSilence"]["Arguments"]["TopicArn"] == TOPIC
    assert definition()["TimeoutSeconds"] > 0


def test_every_expression_is_valid_jsonata() -> None:
    expressions = _expressions(definition())
    assert len(expressions) > 30
    for expression in expressions:
        jsonata.Jsonata(expression)  # parses, or raises


def test_the_alert_subjects_fit_sns_for_the_longest_stack_name() -> None:
    # SNS Publish `Subject`: ASCII, no line breaks, "must be less than 100 characters long" (SNS API Reference).
    label = "platform-" + "x" * 31  # the longest name prefix (40 characters: components/naming.py NAME_PREFIX)
    for subject, bindings in ((tier_subject(label), {"tier": "monthly", "hours": 99999}),
                              (restore_subject(label), {"restoreHours": 99999})):
        text = evaluate_jsonata(subject, bindings)
        assert text.isascii(), text
        assert "\n" not in text, text
        assert len(text) < 100, text


# ------------------------------------------------------------------------------------------- the checker runs
def test_every_tier_present_publishes_nothing() -> None:
    fake = FakeBackup(points("daily", "weekly", "monthly"))
    output = fake.run()
    assert fake.published == []
    found = tiers(output)
    # Within 56 h (since the 5th, 04:00): the daily points of the 7th and 6th (not the on-demand one).
    assert {t: (found[t]["recoveryPoints"], found[t]["due"], found[t]["alerted"]) for t in found} == {
        "daily": (2, True, False), "weekly": (1, True, False), "monthly": (1, True, False)}
    assert found["weekly"]["otherRules"] == 4  # 3 daily + 1 monthly in 200 h; the EXPIRED weekly one is not usable
    assert found["daily"]["since"] == "2026-12-05T04:00:00.000Z"
    assert output["restoreTests"] == {"plan": RESTORE_PLAN_ARN, "windowHours": 768, "since": "2026-11-05T12:00:00.000Z",
                                      "due": True, "restoreJobs": 1, "alerted": False}


def test_a_probe_run_first_proves_the_path_to_the_topic() -> None:
    fake = FakeBackup(points("daily", "weekly", "monthly"))
    output = fake.run(execution_input={"probe": True})
    (probe,) = fake.published
    assert probe["Subject"] == "[platform-prod] backup checker test"
    assert "Nothing is wrong" in probe["Message"]
    assert EXECUTION in probe["Message"]
    assert [t["alerted"] for t in output["tiers"]] == [False, False, False]  # and then checks as usual
    FakeBackup(points("daily", "weekly", "monthly")).run(execution_input={"probe": "yes"})  # only `true` probes


def test_a_silent_tier_is_published_while_the_others_run() -> None:
    fake = FakeBackup(points("daily", "monthly"))  # the weekly rule made nothing (its EXPIRED point is not usable)
    output = fake.run()
    (alert,) = fake.published
    assert tiers(output)["weekly"] == {"tier": "weekly", "windowHours": 200, "since": "2026-11-29T04:00:00.000Z",
                                       "due": True, "recoveryPoints": 0, "otherRules": 4, "alerted": True}
    assert alert["TopicArn"] == TOPIC
    assert alert["Subject"] == "[platform-prod] no weekly backup recovery point in 200 h"
    message = alert["Message"]
    for part in ("No weekly recovery point", "vault platform-prod-backup (eu-west-1)", "last 200 hours",
                 "since 2026-11-29T04:00:00.000Z", "other rules in that time: 4",
                 "Check first: the backup plan's weekly rule",
                 "--by-backup-vault-name platform-prod-backup --by-created-after 2026-11-29T04:00:00.000Z",
                 f"every {CHECK_EVERY_HOURS} hours", EXECUTION):
        assert part in message, part


def test_an_empty_vault_publishes_every_tier() -> None:
    fake = FakeBackup([])
    output = fake.run()
    assert [a["Subject"] for a in fake.published] == [
        "[platform-prod] no daily backup recovery point in 56 h",
        "[platform-prod] no weekly backup recovery point in 200 h",
        "[platform-prod] no monthly backup recovery point in 776 h"]
    assert all(t["alerted"] and t["recoveryPoints"] == 0 and t["otherRules"] == 0 for t in output["tiers"])


def test_a_vault_younger_than_a_window_is_not_late_yet() -> None:
    # A new stack: the vault is 3 days old, no recovery point yet. Only the daily tier (56 h) is due.
    fake = FakeBackup([], vault_created=_epoch("2026-12-04T12:00:00Z"), plan_created="2026-12-04T12:05:00Z",
                      restore_jobs=[])
    output = fake.run()
    assert {t["tier"]: t["due"] for t in output["tiers"]} == {"daily": True, "weekly": False, "monthly": False}
    assert [a["Subject"] for a in fake.published] == ["[platform-prod] no daily backup recovery point in 56 h"]
    assert output["restoreTests"]["due"] is False


def test_every_page_is_read() -> None:
    daily = FIXTURE["RecoveryPoints"][0]
    many = []
    for n in range(2 * PAGE_SIZE + 7):  # hourly, within the daily window: three pages of PAGE_SIZE
        point = copy.deepcopy(daily)
        point["CreationDate"] = _epoch(NOW) - 3600 * (n + 1) + 0.5
        many.append(point)
    fake = FakeBackup(many)
    output = fake.run()
    assert tiers(output)["daily"]["recoveryPoints"] == 56  # the first 56 (one an hour) fall within the 56 h window
    listed = [args for resource, args in _calls(fake) if resource == LIST_POINTS]
    assert [args.get("NextToken") for args in listed[:2]] == [None, str(PAGE_SIZE)]


def _calls(fake: FakeBackup) -> list[tuple[str, dict[str, Any]]]:
    return run(definition(), services=fake.services(),
               context={"Execution": {"Id": EXECUTION, "StartTime": NOW}}).calls


def test_timestamps_as_iso_strings_count_the_same() -> None:
    # The form Step Functions hands a timestamp over in is not documented (components/backup/checker.py, _millis):
    # ISO 8601 strings give the same counts as the API's epoch seconds.
    iso = points("daily", "weekly", "monthly")
    for point in iso:
        point["CreationDate"] = dt.datetime.fromtimestamp(point["CreationDate"], dt.UTC).isoformat().replace(
            "+00:00", "Z")
    as_numbers = FakeBackup(points("daily", "weekly", "monthly")).run()
    as_strings = FakeBackup(iso, vault_created="2026-01-15T09:00:00Z").run()
    assert as_strings["tiers"] == as_numbers["tiers"]
    # the context object's StartTime without milliseconds (as Step Functions gives it when they are zero)
    assert FakeBackup(iso).run(now="2026-12-07T12:00:00Z")["tiers"] == as_numbers["tiers"]


def test_a_result_without_rule_names_fails_the_checker_instead_of_guessing() -> None:
    stripped = points("daily", "weekly", "monthly")
    for point in stripped:
        point["CreatedBy"].pop("BackupRuleName", None)
    fake = FakeBackup(stripped)
    with pytest.raises(ExecutionFailed) as failure:
        fake.run()
    assert failure.value.error == RULE_NAME_MISSING
    assert fake.published == []


def test_an_empty_page_without_its_list_counts_nothing() -> None:
    fake = FakeBackup([])
    services = fake.services()
    services[LIST_POINTS] = lambda arguments: {}  # RecoveryPoints left out of an empty result
    output = run(definition(), services=services, context={"Execution": {"Id": EXECUTION, "StartTime": NOW}}).output
    assert [t["recoveryPoints"] for t in output["tiers"]] == [0, 0, 0]


def test_restore_testing_that_stopped_is_published() -> None:
    fake = FakeBackup(points("daily", "weekly", "monthly"), restore_jobs=[])
    output = fake.run()
    (alert,) = fake.published
    assert alert["Subject"] == "[platform-prod] no restore test in 768 h"
    for part in ("restore testing plan platform_prod_restore_test (eu-west-1)", "last 768 hours",
                 f"--by-restore-testing-plan-arn {RESTORE_PLAN_ARN} --by-created-after 2026-11-05T12:00:00.000Z"):
        assert part in alert["Message"], part
    assert output["restoreTests"]["alerted"] is True


def test_without_restore_testing_the_checker_skips_it() -> None:
    target = checker_target(load_stack("prod", backup={"restore_testing": None}).backup, name_prefix="platform-prod",
                            region=REGION, account_id=ACCOUNT)
    machine = checker_definition(target)
    assert machine["States"]["CheckTiers"]["Next"] == "Report"
    assert "restoreTests" not in machine["States"]["Report"]["Output"]
    assert {s["Sid"] for s in json.loads(checker_policy(target))["Statement"]} == {
        "ReadTheVaultsRecoveryPoints", "ReportToTheAlertTopic"}


# ----------------------------------------------------------------------------------------------------- the roles
def _identity(document: str, name: str) -> Policy:
    return Policy.parse(document, name=name, kind=PolicyKind.IDENTITY)


def _checker_decision(action: str, resource: str, *, keys: dict[str, Any] | None = None,
                      resource_policy: Policy | None = None) -> str:
    policies = [_identity(checker_policy(prod_target()), "checker"),
                _identity(topic_key_policy(key_arn=KEY, region=REGION), "checker-topic-key")]
    context = Context({key: (value, "AWS KMS Developer Guide, kms:ViaService") for key, value in (keys or {}).items()})
    request = Request(action, resource, Principal.role_session(ROLE, "checker"), context, resource_account=ACCOUNT)
    return evaluate(request, identity_policies=policies, boundary=_boundary(),
                    resource_policy=resource_policy).outcome.value


def test_the_checker_role_may_make_every_call_of_its_definition(prod: PlanView) -> None:
    raw = _raw(prod)
    topic_policy = plan_policy(raw, "alerting-topic", type_="aws:sns/topicPolicy:TopicPolicy")
    key_policy = plan_policy(raw, "alerting-key", type_="aws:kms/key:Key")
    target = prod_target()
    resources = {DESCRIBE_VAULT: target.vault_arn, LIST_POINTS: target.vault_arn, GET_RESTORE_PLAN: RESTORE_PLAN_ARN,
                 LIST_RESTORE_JOBS: "*", PUBLISH: TOPIC}
    called = {s["Resource"] for s in _states(definition()).values() if s["Type"] == "Task"}
    for resource in called:
        assert _checker_decision(ACTIONS[resource], resources[resource],
                                 resource_policy=topic_policy if resource == PUBLISH else None) == "allowed", resource
    # SNS encrypts with the topic's key for the publisher: allowed through SNS only
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        via = {"kms:ViaService": f"sns.{REGION}.amazonaws.com"}
        assert _checker_decision(action, KEY, keys=via, resource_policy=key_policy) == "allowed", action
        assert _checker_decision(action, KEY, resource_policy=key_policy) != "allowed", action
    # the planned policy is the builder's
    planned = json.loads(prod.one("aws:iam/rolePolicy:RolePolicy", "backup-checker").inputs["policy"])
    assert planned == json.loads(checker_policy(target))


@pytest.mark.parametrize(("action", "resource"), [
    ("backup:DeleteRecoveryPoint", f"arn:aws:backup:{REGION}:{ACCOUNT}:recovery-point:awsbackup-job-0001"),
    ("backup:DeleteBackupVault", f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:platform-prod-backup"),
    ("backup:DeleteBackupVaultLockConfiguration", f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:platform-prod"),
    ("backup:PutBackupVaultAccessPolicy", f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:platform-prod-backup"),
    ("backup:UpdateBackupPlan", f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-plan:8f81f553"),
    ("backup:DeleteBackupPlan", f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-plan:8f81f553"),
    ("backup:DeleteBackupSelection", f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-plan:8f81f553"),
    ("backup:DeleteRestoreTestingPlan", RESTORE_PLAN_ARN),
    ("backup:UpdateRestoreTestingPlan", RESTORE_PLAN_ARN),
    ("backup:StartBackupJob", f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:platform-prod-backup"),
    ("backup:ListRecoveryPointsByBackupVault", f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:someone-elses"),
    ("sns:Publish", f"arn:aws:sns:{REGION}:{ACCOUNT}:another-topic"),
    ("sns:DeleteTopic", TOPIC),
    ("sns:SetTopicAttributes", TOPIC),
    ("sns:Unsubscribe", TOPIC),
    ("kms:DisableKey", KEY),
    ("kms:ScheduleKeyDeletion", KEY),
    ("states:StopExecution", f"arn:aws:states:{REGION}:{ACCOUNT}:execution:platform-prod-backup-checker:x"),
    ("events:DisableRule", f"arn:aws:events:{REGION}:{ACCOUNT}:rule/platform-prod-backup-job-failed"),
    ("cloudwatch:DisableAlarmActions", f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:platform-prod-backup-checker"),
])
def test_the_checker_role_deletes_and_disables_nothing(prod: PlanView, action: str, resource: str) -> None:
    key_policy = plan_policy(_raw(prod), "alerting-key", type_="aws:kms/key:Key")
    assert _checker_decision(action, resource,
                             resource_policy=key_policy if action.startswith("kms:") else None) != "allowed"


def _starter_decision(action: str, resource: str) -> str:
    machine = prod_target().state_machine_arn
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:platform-prod-backup-checker-dlq"
    policy = _identity(starter_policy(state_machine_arn=machine, queue_arn=queue, key_arn=KEY), "starter")
    request = Request(action, resource, Principal.role_session(STARTER, "scheduler"), Context(),
                      resource_account=ACCOUNT)
    return evaluate(request, identity_policies=[policy], boundary=_boundary()).outcome.value


def test_the_schedules_role_starts_the_checker_and_nothing_else() -> None:
    machine = prod_target().state_machine_arn
    assert _starter_decision("states:StartExecution", machine) == "allowed"
    assert _starter_decision("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:platform-prod-backup-checker-dlq") == (
        "allowed")
    other = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:someone-elses"
    for action, resource in (("states:StartExecution", other), ("states:DeleteStateMachine", machine),
                             ("states:UpdateStateMachine", machine), ("states:StopExecution", machine),
                             ("sqs:PurgeQueue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:platform-prod-backup-checker-dlq")):
        assert _starter_decision(action, resource) != "allowed", action


def test_the_boundary_names_the_actions_only_the_checker_needs() -> None:
    # ListRestoreJobs has no resource type (Service Authorization Reference): the boundary's per-account
    # backup:* statement cannot admit it; StartExecution is the schedule's.
    assert {"backup:ListRestoreJobs", "states:StartExecution"} <= set(BOUNDARY_ACTIONS)


@pytest.mark.parametrize(("service", "role"), [("states.amazonaws.com", "backup-checker"),
                                               ("scheduler.amazonaws.com", "backup-checker-start")])
def test_each_role_trusts_its_service_for_this_account_only(prod: PlanView, service: str, role: str) -> None:
    planned = prod.one("aws:iam/role:Role", role).inputs["assumeRolePolicy"]
    assert json.loads(planned) == json.loads(service_trust_policy(service, source_account=ACCOUNT))
    trust = plan_policy(_raw(prod), role, type_="aws:iam/role:Role")
    arn = f"arn:aws:iam::{ACCOUNT}:role/platform-prod-{role}"
    source = "IAM User Guide, global condition keys (aws:SourceAccount)"
    ours = Request("sts:AssumeRole", arn, Principal.service(service),
                   Context({"aws:SourceAccount": (ACCOUNT, source)}))
    theirs = Request("sts:AssumeRole", arn, Principal.service(service),
                     Context({"aws:SourceAccount": ("999999999999", source)}))
    assert evaluate(ours, resource_policy=trust).allowed
    assert not evaluate(theirs, resource_policy=trust).allowed


# ------------------------------------------------------------------------------ schedule and the checker's alarms
def test_the_schedule_starts_the_checker_with_retries_and_its_own_alarmed_dlq(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    schedule = plan.one(SCHEDULE, "backup-checker")
    machine, queue = plan.urn(MACHINE, "backup-checker"), plan.urn(QUEUE, "backup-checker-dlq")
    assert schedule.inputs["scheduleExpression"] == f"rate({CHECK_EVERY_HOURS} hours)"
    assert schedule.inputs["state"] == "ENABLED"
    target = schedule.inputs["target"]
    assert target["retryPolicy"]["maximumEventAgeInSeconds"] == CHECK_EVERY_HOURS * 3600
    assert target["input"] == "{}"
    assert set(schedule.property_dependencies["target"]) >= {machine, queue}
    dlq_alarm = plan.one(ALARM, "backup-checker-dlq")
    metrics = {q["id"]: q.get("metric") for q in dlq_alarm.inputs["metricQueries"]}
    assert metrics["visible"]["metricName"] == "ApproximateNumberOfMessagesVisible"
    assert metrics["sent"]["metricName"] == "NumberOfMessagesSent"
    assert dlq_alarm.property_dependencies["metricQueries"] == [queue]


def test_the_checkers_own_failures_are_alarmed(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    machine, topic = plan.urn(MACHINE, "backup-checker"), plan.urn("aws:sns/topic:Topic", "alerting-topic")
    failed, stalled = plan.one(ALARM, "backup-checker-failed"), plan.one(ALARM, "backup-checker-stalled")
    for alarm in (failed, stalled):
        assert alarm.inputs["namespace"] == "AWS/States"
        assert set(alarm.inputs["dimensions"]) == {"StateMachineArn"}
        assert alarm.property_dependencies["dimensions"] == [machine]
        assert alarm.property_dependencies["alarmActions"] == alarm.property_dependencies["okActions"] == [topic]
        assert alarm.inputs["statistic"] == "Sum"
        assert "Check first:" in alarm.inputs["alarmDescription"]
    assert (failed.inputs["metricName"], failed.inputs["comparisonOperator"], failed.inputs["threshold"]) == (
        "ExecutionsFailed", "GreaterThanThreshold", 0)
    assert failed.inputs["treatMissingData"] == "notBreaching"
    assert (stalled.inputs["metricName"], stalled.inputs["comparisonOperator"], stalled.inputs["threshold"]) == (
        "ExecutionsSucceeded", "LessThanThreshold", 1)
    assert stalled.inputs["treatMissingData"] == "breaching"  # no success publishes no data point
    # a day without a successful run, within CloudWatch's 7-day evaluation range (PutMetricAlarm, Period)
    span = stalled.inputs["period"] * stalled.inputs["evaluationPeriods"]
    assert span == CHECKER_STALLED_HOURS * 3600 <= 7 * 24 * 3600
    assert stalled.inputs["datapointsToAlarm"] == stalled.inputs["evaluationPeriods"]


def test_the_audit_manager_path_and_the_daily_silence_alarm_are_gone(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    assert plan.of_type("aws:backup/framework:Framework") == []
    names = {r.name for r in plan.plan.resources}
    assert not {"backup-recovery-point-audit", "backup-daily-silence"} & names
    assert not [r for r in plan.of_type(ALARM) if r.inputs.get("namespace") == "AWS/Backup"]


def test_the_alarm_table_has_a_row_per_checker_alarm() -> None:
    page = (ROOT / "docs" / "alerting.md").read_text()
    for alarm in ("backup-checker-failed", "backup-checker-stalled", "backup-checker-dlq"):
        assert f"| `{alarm}` |" in page, alarm
    assert "recovery-point-audit" not in page
    assert "backup-daily-silence" not in page
