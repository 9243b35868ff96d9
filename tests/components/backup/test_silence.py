"""Silence is an alert too: per backup tier, a signal when no recovery point was made within the tier's interval
plus its start and completion windows. A CloudWatch alarm where an alarm's evaluation range (at most 7 days,
PutMetricAlarm `Period`) can cover that; else an AWS Backup Audit Manager framework, whose AWS Config compliance
changes an EventBridge rule sends to the alert topic."""

from __future__ import annotations

import json

import pytest

from components.alerting.component import MAIN_PUBLISHERS
from components.backup.component import LAST_RECOVERY_POINT_CONTROL, compliance_pattern
from components.backup.config import (
    ALARM_RANGE_LIMIT_SECONDS,
    RECOVERY_POINT_AGE_LIMIT_HOURS,
    silence_signal,
    silence_window_hours,
    tier_interval_hours,
)
from tests.support.plans import PlanView
from tests.support.stacks import load_stack

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
FRAMEWORK = "aws:backup/framework:Framework"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
TOPIC = "aws:sns/topic:Topic"


def test_the_tiers_intervals_follow_their_crons() -> None:
    assert tier_interval_hours("cron(0 2 * * ? *)", "Etc/UTC") == 24
    assert tier_interval_hours("cron(0 3 ? * SUN *)", "Etc/UTC") == 168
    assert tier_interval_hours("cron(0 4 1 * ? *)", "Etc/UTC") == 744  # a 31-day month


@pytest.mark.parametrize(("zone", "hours"), [
    ("Australia/Sydney", 47),  # 02:30 is skipped on the first Sunday of October: 48 wall-clock hours, 47 elapsed
    ("Europe/Berlin", 47),  # on the last Sunday of March
    ("America/Los_Angeles", 47),  # on the second Sunday of March
    ("Asia/Kolkata", 24),  # no daylight saving
])
def test_a_daily_time_skipped_once_a_year_lengthens_the_interval_whichever_the_season(zone: str, hours: int
                                                                                      ) -> None:
    # Over the whole calendar cycle, not a sample from January: Sydney's skip is in October.
    assert tier_interval_hours("cron(30 2 * * ? *)", zone) == hours


def test_the_seed_split_daily_alarmed_weekly_and_monthly_audited() -> None:
    config = load_stack("prod").backup
    assert {tier: silence_signal(config, tier)[0] for tier in config.rules} == {
        "daily": "alarm", "weekly": "audit", "monthly": "audit"}


def test_each_tier_has_its_signal_with_its_parameters(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    config = load_stack(stack).backup
    topic = plan.urn(TOPIC, "alerting-topic")
    vault = plan.urn("aws:backup/vault:Vault", "backup-vault")
    for tier in config.rules:
        kind, amount = silence_signal(config, tier)
        window = silence_window_hours(config, tier)
        if kind == "alarm":
            alarm = plan.one(ALARM, f"backup-{tier}-silence")
            inputs = alarm.inputs
            assert (inputs["namespace"], inputs["metricName"], inputs["statistic"]) == (
                "AWS/Backup", "NumberOfBackupJobsCompleted", "Sum")
            assert inputs["dimensions"]["ResourceType"] == "RDS"
            assert alarm.property_dependencies["dimensions"] == [vault]
            assert (inputs["comparisonOperator"], inputs["threshold"]) == ("LessThanThreshold", 1)
            assert inputs["treatMissingData"] == "breaching"
            assert inputs["evaluationPeriods"] == inputs["datapointsToAlarm"] == amount
            evaluation_range = inputs["period"] * inputs["evaluationPeriods"]
            # Within CloudWatch's limit (7 days; a period of at least an hour), and covering the tier's window.
            assert inputs["period"] >= 3600
            assert evaluation_range <= ALARM_RANGE_LIMIT_SECONDS
            assert evaluation_range >= window * 3600 >= tier_interval_hours(config.rules[tier].schedule,
                                                                            config.time_zone) * 3600
            assert alarm.property_dependencies["alarmActions"] == alarm.property_dependencies["okActions"] == [topic]
            assert "Check first:" in inputs["alarmDescription"]
        else:
            assert window * 3600 > ALARM_RANGE_LIMIT_SECONDS  # the reason it is not an alarm
            framework = plan.one(FRAMEWORK, f"backup-{tier}-recovery-points")
            (control,) = framework.inputs["controls"]
            assert control["name"] == LAST_RECOVERY_POINT_CONTROL
            parameters = {p["name"]: p["value"] for p in control["inputParameters"]}
            assert parameters == {"recoveryPointAgeUnit": "hours",
                                  "recoveryPointAgeValue": str(min(window, RECOVERY_POINT_AGE_LIMIT_HOURS))}
            assert int(parameters["recoveryPointAgeValue"]) <= RECOVERY_POINT_AGE_LIMIT_HOURS
            assert control["scope"] == {"complianceResourceTypes": ["RDS"]}


def test_the_audits_compliance_changes_reach_the_topic(prod: PlanView) -> None:
    rule = prod.one(RULE, "backup-recovery-point-audit")
    assert json.loads(rule.inputs["eventPattern"]) == compliance_pattern()
    assert "region" not in rule.inputs  # the stack's region: the topic policy's rule/* source ARN covers it
    assert MAIN_PUBLISHERS["events.amazonaws.com"].endswith(":rule/*")
    target = prod.one(TARGET, "backup-recovery-point-audit")
    assert target.property_dependencies["arn"] == [prod.urn(TOPIC, "alerting-topic")]
    assert target.property_dependencies["deadLetterConfig"] == [prod.urn("aws:sqs/queue:Queue", "backup-alerts-dlq")]


@pytest.mark.parametrize(("event", "matches"), [
    ({"source": "aws.config", "detail-type": "Config Rules Compliance Change",
      "detail": {"messageType": "ComplianceChangeNotification",
                 "configRuleName": "BACKUP_LAST_RECOVERY_POINT_CREATED-abc123", "resourceType": "AWS::RDS::DBInstance",
                 "newEvaluationResult": {"complianceType": "NON_COMPLIANT"}}}, True),
    ({"source": "aws.config", "detail-type": "Config Rules Compliance Change",
      "detail": {"messageType": "ComplianceChangeNotification", "configRuleName": "some-other-rule",
                 "resourceType": "AWS::RDS::DBInstance",
                 "newEvaluationResult": {"complianceType": "NON_COMPLIANT"}}}, False),
])
def test_the_compliance_pattern_matches_the_controls_rule_only(event: dict, matches: bool) -> None:
    pattern = compliance_pattern()
    detail = event["detail"]
    wildcard = pattern["detail"]["configRuleName"][0]["wildcard"].strip("*")
    result = (event["source"] in pattern["source"] and event["detail-type"] in pattern["detail-type"]
              and wildcard in detail["configRuleName"]
              and detail["resourceType"] in pattern["detail"]["resourceType"]
              and detail["newEvaluationResult"]["complianceType"]
              in pattern["detail"]["newEvaluationResult"]["complianceType"])
    assert result is matches
