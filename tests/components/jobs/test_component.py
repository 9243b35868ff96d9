"""CronJobs: every job is Scheduler -> bus -> rule -> API destination, with a retry policy and a DLQ at both
hops, an alarm on its DLQ, an execution role limited to the bus, and a secret end to end."""

from __future__ import annotations

import json

import pytest

from tests.support.plans import PlanView, plan_stack
from tests.support.stacks import load_stack
from tests.support.wire import is_secret

SCHEDULE = "aws:scheduler/schedule:Schedule"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
DESTINATION = "aws:cloudwatch/eventApiDestination:EventApiDestination"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
BUS = "aws:cloudwatch/eventBus:EventBus"
JOBS = ["backup-daily", "backup-monthly", "backup-weekly", "cleanup", "performance-report"]


@pytest.mark.parametrize("job", JOBS)
def test_every_job_has_retry_dlq_and_alarm_at_both_hops(each_stack: tuple[str, PlanView], job: str) -> None:
    stack, plan = each_stack
    config = load_stack(stack).jobs
    name = f"jobs-{job}"
    queue = plan.one(QUEUE, f"{name}-dlq")
    retry = {"maximumRetryAttempts": config.retry.maximum_retry_attempts,
             "maximumEventAgeInSeconds": config.retry.maximum_event_age_seconds}

    schedule = plan.one(SCHEDULE, name)
    assert schedule.inputs["scheduleExpression"] == config.jobs[job].schedule
    assert schedule.inputs["scheduleExpressionTimezone"] == config.zone_of(config.jobs[job])
    target = schedule.inputs["target"]
    assert target["retryPolicy"] == retry
    assert target["eventbridgeParameters"] == {"detailType": f"job:{job}", "source": "platform.jobs"}
    assert json.loads(target["input"]) == config.jobs[job].payload
    assert set(schedule.property_dependencies["target"]) >= {queue.urn, plan.urn(BUS)}

    rule = plan.one(RULE, name)
    assert json.loads(rule.inputs["eventPattern"]) == {"source": ["platform.jobs"], "detail-type": [f"job:{job}"]}
    assert rule.property_dependencies["eventBusName"] == [plan.urn(BUS)]
    rule_target = plan.one(TARGET, name)
    assert rule_target.inputs["retryPolicy"] == retry
    assert rule_target.property_dependencies["deadLetterConfig"] == [queue.urn]
    assert rule_target.property_dependencies["arn"] == [plan.urn(DESTINATION, name)]
    assert plan.one(DESTINATION, name).inputs["invocationEndpoint"] == config.base_url + config.jobs[job].path

    assert queue.property_dependencies["kmsMasterKeyId"] == [plan.urn("aws:kms/key:Key", "jobs-key")]
    policy = plan.one(QUEUE_POLICY, f"{name}-dlq")
    assert set(policy.property_dependencies["policy"]) == {queue.urn, schedule.urn, rule.urn}

    alarm = plan.one(ALARM, f"{name}-dlq")
    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert (alarm.inputs["comparisonOperator"], alarm.inputs["threshold"]) == ("GreaterThanThreshold", 0)
    assert alarm.inputs["treatMissingData"] == "notBreaching"
    topic = plan.urn("aws:sns/topic:Topic", "alerting-topic")
    assert alarm.property_dependencies["alarmActions"] == [topic]
    assert alarm.property_dependencies["okActions"] == [topic]
    assert "Check first" in alarm.inputs["alarmDescription"]


def test_a_sunday_job_in_a_zone_reaches_the_schedule() -> None:
    plan = plan_stack("prod", jobs={"jobs": {"report": {"schedule": "cron(0 9 ? * 1 *)", "path": "/r",
                                                       "time_zone": "Europe/Berlin"}}})
    schedule = plan.one(SCHEDULE, "jobs-report")
    assert (schedule.inputs["scheduleExpression"], schedule.inputs["scheduleExpressionTimezone"]) == (
        "cron(0 9 ? * 1 *)", "Europe/Berlin")
    assert plan.plan.outputs["job_schedule"]["report"]["time_zone"] == "Europe/Berlin"
    assert len(plan.plan.outputs["job_schedule"]["report"]["next_runs"]) == 3


def test_the_scheduler_role_may_only_put_events_on_the_jobs_bus(prod: PlanView) -> None:
    role = prod.one("aws:iam/role:Role", "jobs-scheduler")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]
    policy = prod.one("aws:iam/rolePolicy:RolePolicy", "jobs-scheduler")
    assert prod.urn(BUS) in policy.property_dependencies["policy"]


def test_the_job_secret_is_secret_end_to_end(prod: PlanView) -> None:
    connection = prod.one("aws:cloudwatch/eventConnection:EventConnection")
    assert connection.inputs["authorizationType"] == "API_KEY"
    api_key = connection.inputs["authParameters"]["apiKey"]
    assert api_key["key"] == "X-Job-Token"
    assert is_secret(api_key["value"])
    assert is_secret(prod.plan.outputs["job_auth_secret"])
    assert prod.plan.outputs["job_auth_header"] == "X-Job-Token"


def test_the_stack_output_lists_each_jobs_next_three_runs(prod: PlanView) -> None:
    schedule = prod.plan.outputs["job_schedule"]
    assert sorted(schedule) == JOBS
    for entry in schedule.values():
        assert len(entry["next_runs"]) == 3
        assert entry["next_runs"] == sorted(entry["next_runs"])


def test_without_a_base_url_no_job_is_declared_and_the_plan_says_so() -> None:
    plan = plan_stack("preview", jobs=None)
    assert [s.name for s in plan.of_type(SCHEDULE)] == ["backup-checker"]  # the backup checker's, not a job's
    assert any("platform:jobs.base_url is not set" in warning for warning in plan.warnings)
