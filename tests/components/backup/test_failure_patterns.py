"""The AWS Backup failure rules' patterns against AWS's own sample events (fixtures/backup_events.json, copied from
https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html), with an EventBridge pattern matcher
(tests/support/event_pattern.py): each rule matches its job type's failures and nothing else, a COMPLETED job of
its type included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.backup.component import FAILURE_EVENTS, failure_pattern
from tests.support.event_pattern import UnsupportedPattern, matches
from tests.support.plans import PlanView

FIXTURES: dict[str, Any] = json.loads((Path(__file__).parent / "fixtures" / "backup_events.json").read_text())
SAMPLES = [(kind, outcome, case["event"], expected)
           for kind in FAILURE_EVENTS
           for group, expected in (("matching", True), ("not_matching", False))
           for outcome, case in FIXTURES[kind][group].items()]


def test_every_job_type_has_a_failed_and_a_completed_sample() -> None:
    for kind in FAILURE_EVENTS:
        assert "FAILED" in FIXTURES[kind]["matching"], kind
        assert "COMPLETED" in FIXTURES[kind]["not_matching"], kind


@pytest.mark.parametrize(("kind", "outcome", "event", "expected"), SAMPLES,
                         ids=[f"{k}-{o}" for k, o, _, _ in SAMPLES])
def test_each_rule_matches_its_failures_only(prod: PlanView, kind: str, outcome: str, event: dict[str, Any],
                                            expected: bool) -> None:
    # the pattern as planned, not just as the module builds it
    planned = json.loads(prod.one("aws:cloudwatch/eventRule:EventRule", f"backup-{kind}").inputs["eventPattern"])
    assert planned == failure_pattern(kind)
    assert matches(planned, event) is expected


def test_no_rule_matches_another_job_types_failure() -> None:
    for kind in FAILURE_EVENTS:
        for other in FAILURE_EVENTS:
            if other != kind:
                assert not matches(failure_pattern(kind), FIXTURES[other]["matching"]["FAILED"]["event"])


def test_the_restore_rule_is_keyed_on_status() -> None:
    # the old pattern, keyed on `state` for every type, misses AWS's own restore failure sample
    old = {"source": ["aws.backup"], "detail-type": ["Restore Job State Change"], "detail": {"state": ["FAILED"]}}
    assert not matches(old, FIXTURES["restore-job-failed"]["matching"]["FAILED"]["event"])


# ------------------------------------------------------------------------------------------------- the matcher
# EventBridge User Guide, eb-create-pattern-operators: prefix, anything-but, exists; arrays match any element.
def test_matcher_operators() -> None:
    event = {"source": "aws.backup", "detail": {"state": "FAILED", "tags": ["a", "b"], "n": 0}}
    assert matches({"detail": {"state": [{"prefix": "FAIL"}]}}, event)
    assert not matches({"detail": {"state": [{"prefix": "COMP"}]}}, event)
    assert matches({"detail": {"state": [{"anything-but": ["COMPLETED", "RUNNING"]}]}}, event)
    assert not matches({"detail": {"state": [{"anything-but": "FAILED"}]}}, event)
    assert matches({"detail": {"state": [{"anything-but": {"prefix": "COMP"}}]}}, event)
    assert matches({"detail": {"status": [{"exists": False}]}}, event)
    assert not matches({"detail": {"status": [{"exists": True}]}}, event)
    assert not matches({"detail": {"status": [{"anything-but": "FAILED"}]}}, event)  # absent: no match
    assert matches({"detail": {"tags": ["b"]}}, event)
    assert not matches({"detail": {"n": ["0"]}}, event)  # a string is not a number
    assert matches({"detail": {"n": [0]}}, event)
    with pytest.raises(UnsupportedPattern):
        matches({"detail": {"n": [{"numeric": [">", 0]}]}}, event)
