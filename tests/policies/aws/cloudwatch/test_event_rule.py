"""The backup-failure join: a stack with an AWS Backup plan routes aws.backup events to an SNS topic."""

from __future__ import annotations

import json

import pytest

from tests.policies.harness import UNKNOWN, Pack, Resource, only, violated

PLAN = "aws:backup/plan:Plan"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
TOPIC = "aws:sns/topic:Topic"
QUEUE = "aws:sqs/queue:Queue"
POLICY = "aws-cloudwatch-event-rule-require-backup-failure-alerts"
PATTERN = json.dumps({"source": ["aws.backup"], "detail-type": ["Backup Job State Change"],
                      "detail": {"state": ["FAILED", "ABORTED", "EXPIRED"]}})


def _stack(*, pattern: str = PATTERN, target_to: str = TOPIC, rule_dep: bool = True,
           plan: bool = True) -> list[Resource]:
    resources = [Resource(PLAN, "daily", {"name": "daily"})] if plan else []
    rule = Resource(RULE, "backup-failures", {"name": "backup-failures", "eventPattern": pattern})
    destination = Resource(target_to, "alerts", {"name": "alerts"})
    target = Resource(TARGET, "backup-failures", {"rule": UNKNOWN if rule_dep else "elsewhere", "arn": UNKNOWN},
                      deps={**({"rule": [rule]} if rule_dep else {}), "arn": [destination]})
    return [*resources, rule, destination, target]


def test_backup_failures_routed_to_a_topic_pass(prod_pack: Pack) -> None:
    assert prod_pack.analyze_stack(_stack()) == []


def test_a_string_source_counts_too(prod_pack: Pack) -> None:
    assert prod_pack.analyze_stack(_stack(pattern=json.dumps({"source": "aws.backup"}))) == []


def test_no_backup_plan_passes(prod_pack: Pack) -> None:
    assert prod_pack.analyze_stack(_stack(plan=False, pattern=json.dumps({"source": ["aws.ec2"]}))) == []


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"pattern": json.dumps({"source": ["aws.ec2"]})}, "no EventBridge rule with an event pattern on source"),
        ({"pattern": "not json"}, "no EventBridge rule"),
        ({"target_to": QUEUE}, "no EventTarget sends"),
        ({"rule_dep": False}, "no EventTarget sends"),
    ],
)
def test_backup_plan_without_an_alert_route_is_caught(prod_pack: Pack, kwargs: dict, fragment: str) -> None:
    diag = only(prod_pack.analyze_stack(_stack(**kwargs)), POLICY, fragment)
    assert "Plan::daily" in diag.urn


def test_join_blocks_only_in_prod(preview_pack: Pack, prod_pack: Pack) -> None:
    unrouted = _stack(target_to=QUEUE)
    # Preview shows it to reviewers (advisory) without blocking.
    assert [d.level for d in preview_pack.analyze_stack(unrouted)] == ["advisory"]
    assert violated(prod_pack.analyze_stack(unrouted)) == {POLICY}
