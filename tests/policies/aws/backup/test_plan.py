"""AWS Backup plan policies: each rule keeps its recovery points (and copies) for the stack's minimum of its
frequency (daily >= 7, weekly >= 28, monthly >= 365 in prod), classified by the rule's schedule."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.policies.harness import CANT_RUN, UNKNOWN, Pack

PLAN = "aws:backup/plan:Plan"
DAILY = "aws-backup-plan-configure-daily-retention"
WEEKLY = "aws-backup-plan-configure-weekly-retention"
MONTHLY = "aws-backup-plan-configure-monthly-retention"


def rule(name: str, schedule: str | None, days: Any, copy_days: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ruleName": name, "targetVaultName": "vault", "lifecycle": {"deleteAfter": days}}
    if schedule is not None:
        body["schedule"] = schedule
    if copy_days is not None:
        body["copyActions"] = [{"destinationVaultArn": "arn:aws:backup:eu-central-1:111122223333:backup-vault:c",
                                "lifecycle": {"deleteAfter": copy_days}}]
    return body


SEED = [rule("daily", "cron(0 2 * * ? *)", 7, 7), rule("weekly", "cron(0 3 ? * SUN *)", 28, 28),
        rule("monthly", "cron(0 4 1 * ? *)", 365, 365)]


def plan(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": "app", "rules": copy.deepcopy(rules)}


def test_the_seed_plan_passes(pack: Pack, preview_pack: Pack) -> None:
    assert pack.analyze(PLAN, plan(SEED)) == []
    assert preview_pack.analyze(PLAN, plan(SEED)) == []


@pytest.mark.parametrize(
    ("index", "changes", "policy", "fragment"),
    [
        (0, {"lifecycle": {"deleteAfter": 1}}, DAILY, "rule daily (cron(0 2 * * ? *)) deletes recovery points after 1 "
                                                      "days; at least 7 days are required"),
        (1, {"lifecycle": {"deleteAfter": 27}}, WEEKLY, "after 27 days; at least 28"),
        (2, {"lifecycle": {"deleteAfter": 364}}, MONTHLY, "after 364 days; at least 365"),
        (0, {"copyActions": [{"lifecycle": {"deleteAfter": 3}}]}, DAILY, "rule daily copy 0"),
        (2, {"lifecycle": {"deleteAfter": "a year"}}, MONTHLY, "not a number"),
    ],
)
def test_one_short_rule_one_violation(pack: Pack, index: int, changes: dict[str, Any], policy: str,
                                      fragment: str) -> None:
    rules = copy.deepcopy(SEED)
    rules[index].update(changes)
    diags = pack.analyze(PLAN, plan(rules))
    assert [d.policy for d in diags] == [policy]
    assert fragment in diags[0].message


@pytest.mark.parametrize(
    ("schedule", "policy"),
    [
        (None, DAILY),  # AWS Backup's default schedule is daily
        ("cron(0 4 ? * MON-FRI *)", DAILY),
        ("cron(0 4 */2 * ? *)", DAILY),
        ("cron(0 4 ? * 1 *)", WEEKLY),
        ("cron(0 4 L * ? *)", MONTHLY),
        ("cron(0 4 ? * 2#1 *)", MONTHLY),
        ("cron(0 4 15 1 ? *)", MONTHLY),
    ],
)
def test_rules_are_classified_by_their_schedule(pack: Pack, schedule: str | None, policy: str) -> None:
    diags = pack.analyze(PLAN, plan([rule("any-name", schedule, 1)]))
    assert [d.policy for d in diags] == [policy]


def test_a_rule_without_expiry_keeps_forever_and_passes(pack: Pack) -> None:
    forever = {"ruleName": "monthly", "targetVaultName": "vault", "schedule": "cron(0 4 1 * ? *)"}
    assert pack.analyze(PLAN, plan([forever])) == []


def test_preview_minimums_come_from_its_policy_config(preview_pack: Pack) -> None:
    assert preview_pack.analyze(PLAN, plan([rule("daily", "cron(0 2 * * ? *)", 1)])) == []


def test_unknowns_cannot_run_and_never_raise(pack: Pack) -> None:
    diags = pack.analyze(PLAN, plan([rule("daily", "cron(0 2 * * ? *)", UNKNOWN)]))
    assert diags
    assert all(d.message.startswith(CANT_RUN) for d in diags)
    assert all(d.message.startswith(CANT_RUN) for d in pack.analyze(PLAN, {"rules": UNKNOWN}))
    assert pack.analyze(PLAN, {"rules": [None, 3, "x", {"lifecycle": None}]}) == []
