"""Scheduler schedules state a retry policy and have a dead-letter queue."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.policies.harness import UNKNOWN, Pack

SCHEDULE = "aws:scheduler/schedule:Schedule"
POLICY = "aws-scheduler-schedule-configure-retry-and-dead-letter-queue"
QUEUE_ARN = "arn:aws:sqs:eu-west-1:111122223333:job-dlq"
PROPS: dict[str, Any] = {
    "scheduleExpression": "cron(0 2 * * ? *)",
    "scheduleExpressionTimezone": "Europe/Berlin",
    "flexibleTimeWindow": {"mode": "OFF"},
    "target": {
        "arn": "arn:aws:events:eu-west-1:111122223333:event-bus/jobs",
        "roleArn": "arn:aws:iam::111122223333:role/scheduler",
        "retryPolicy": {"maximumRetryAttempts": 3, "maximumEventAgeInSeconds": 3600},
        "deadLetterConfig": {"arn": QUEUE_ARN},
    },
}


def test_compliant_schedule_passes(pack: Pack) -> None:
    assert pack.analyze(SCHEDULE, PROPS) == []


@pytest.mark.parametrize(
    ("remove", "fragment"),
    [("retryPolicy", "target.retryPolicy is not set"), ("deadLetterConfig", "target.deadLetterConfig.arn is not set")],
)
def test_one_missing_setting_one_violation(pack: Pack, remove: str, fragment: str) -> None:
    props = copy.deepcopy(PROPS)
    del props["target"][remove]
    diags = pack.analyze(SCHEDULE, props)
    assert [d.policy for d in diags] == [POLICY]
    assert fragment in diags[0].message


def test_an_unknown_queue_counts_as_set_and_garbage_never_raises(pack: Pack) -> None:
    props = copy.deepcopy(PROPS)
    props["target"]["deadLetterConfig"] = {"arn": UNKNOWN}
    assert pack.analyze(SCHEDULE, props) == []
    assert len(pack.analyze(SCHEDULE, {"target": UNKNOWN})) <= 1
    assert [d.policy for d in pack.analyze(SCHEDULE, {"target": "x"})] == [POLICY, POLICY]
