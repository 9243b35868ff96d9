"""EventBridge rule targets state a retry policy and have a dead-letter queue."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import changed
from tests.policies.harness import UNKNOWN, Pack

TARGET = "aws:cloudwatch/eventTarget:EventTarget"
POLICY = "aws-cloudwatch-event-target-configure-retry-and-dead-letter-queue"
PROPS: dict[str, Any] = {
    "rule": "job-cleanup",
    "eventBusName": "jobs",
    "arn": "arn:aws:events:eu-west-1:111122223333:api-destination/job-cleanup/0123",
    "roleArn": "arn:aws:iam::111122223333:role/events",
    "retryPolicy": {"maximumRetryAttempts": 3, "maximumEventAgeInSeconds": 3600},
    "deadLetterConfig": {"arn": "arn:aws:sqs:eu-west-1:111122223333:job-dlq"},
}


def test_compliant_target_passes(pack: Pack) -> None:
    assert pack.analyze(TARGET, PROPS) == []
    assert pack.analyze(TARGET, changed(PROPS, deadLetterConfig={"arn": UNKNOWN})) == []


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"retryPolicy": ...}, "retryPolicy is not set"),
        ({"deadLetterConfig": ...}, "deadLetterConfig.arn is not set"),
        ({"deadLetterConfig": {}}, "deadLetterConfig.arn is not set"),
    ],
)
def test_one_missing_setting_one_violation(pack: Pack, changes: dict[str, Any], fragment: str) -> None:
    diags = pack.analyze(TARGET, changed(PROPS, **changes))
    assert [d.policy for d in diags] == [POLICY]
    assert fragment in diags[0].message
