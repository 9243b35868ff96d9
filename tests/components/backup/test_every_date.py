"""Checks that hold on every date (issue 19, item 2): no check's answer depends on the day the plan runs.

Each check runs under several frozen clocks (tests/support/clock.py: every module of the program reads that time)
and must give the same answer every time: the one the whole calendar cycle gives (`components.aws.cron.cycle_runs`).
The issue's case: the monthly rule at cron(0 3 1 * ? *) with a 60-minute start window in prod (maintenance
sun:03:30-sun:04:30, so no RDS backup starts 02:30-04:30 on Sundays) expires on 2027-08-01, a Sunday the 1st;
checked over "the next 8 weeks from now" it was reported on 2027-06-10 and not on 2026-12-07.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from components.aws.cron import next_runs
from components.backup.config import silence_window_hours
from components.stack import ConfigError
from tests.support.clock import frozen_now
from tests.support.configs import build, one_problem, with_values

NOWS = [
    dt.datetime(2026, 12, 7, 15, 19, tzinfo=dt.UTC),  # the issue's first date: winter, 8 months before the expiry
    dt.datetime(2027, 6, 10, tzinfo=dt.UTC),  # the issue's second date: 7 weeks before it, summer time in Berlin
    dt.datetime(2027, 8, 2, tzinfo=dt.UTC),  # the day after it
    dt.datetime(2031, 3, 30, 0, 30, tzinfo=dt.UTC),  # the night Europe's clocks go forward
    dt.datetime(2061, 10, 1, tzinfo=dt.UTC),  # past the calendar cycle's years
]


def outcome(raw: dict[str, Any]) -> list[str]:
    """The loader's problems for a config, or [] when it accepts it."""
    try:
        build(raw)
    except ConfigError as error:
        return error.problems
    return []


def _with(raw: dict[str, Any], concern: str, values: dict[str, Any]) -> dict[str, Any]:
    key = f"platform:{concern}"
    return {**raw, key: json.dumps({**json.loads(raw.get(key, "{}")), **values})}


MONTHLY_AT_THREE = with_values("prod", "backup", {"start_window_minutes": 60,
                                                  "monthly": {"schedule": "cron(0 3 1 * ? *)"}})
# Berlin's Sunday 05:00 is 04:00 UTC in winter, clear of a sun:03:00-04:00 window's block (02:00-04:00), but 03:00
# UTC in summer, inside it: only a check that walks both seasons sees it, whatever month it runs in.
SUMMER_ONLY = _with(with_values("prod", "backup", {
    "time_zone": "Europe/Berlin", "start_window_minutes": 60,
    "weekly": {"schedule": "cron(0 5 ? * SUN *)"}, "monthly": {"schedule": "cron(0 8 1 * ? *)"},
}), "database", {"maintenance_window": "sun:03:00-sun:04:00"})
SYDNEY = with_values("prod", "backup", {"time_zone": "Australia/Sydney", "daily": {"schedule": "cron(30 2 * * ? *)"}})

CHECKS: dict[str, Callable[[], object]] = {
    "a rule in the maintenance block on some dates": lambda: outcome(MONTHLY_AT_THREE),
    "a rule in the block in summer time only": lambda: outcome(SUMMER_ONLY),
    "a rule limited to some years": lambda: outcome(
        with_values("prod", "backup", {"daily": {"schedule": "cron(0 2 * * ? 2027-2030)"}})),
    "a job limited to some years": lambda: outcome(
        with_values("prod", "jobs", {"jobs": {"cleanup": {"schedule": "cron(0 5 * * ? 2027)",
                                                          "path": "/internal/jobs/cleanup"}}})),
    "the silence windows of a zone with daylight saving": lambda: {
        tier: silence_window_hours(build(SYDNEY).backup, tier) for tier in ("daily", "weekly", "monthly")},
    "the off-site copy after dumps in another zone": lambda: outcome(
        with_values("prod", "jobs", {"time_zone": "America/Los_Angeles"})),
    "a stack that drops a backup job": lambda: outcome(
        with_values("prod", "jobs", {"jobs": {"backup-weekly": None}})),
    "the repository's stack as it is": lambda: outcome(with_values("prod", "jobs", {})),
}


def test_the_clock_is_frozen_for_the_program() -> None:
    # Not vacuous: under each clock the program's own "now" (next_runs without `after`) is that clock.
    for now in NOWS:
        with frozen_now(now):
            (run,) = next_runs("cron(0 2 * * ? *)", "Etc/UTC", 1)
        assert dt.timedelta(0) < run - now <= dt.timedelta(days=1)


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_each_check_gives_one_answer_whatever_the_date(check: str) -> None:
    answers = []
    for now in NOWS:
        with frozen_now(now):
            answers.append(CHECKS[check]())
    assert all(answer == answers[0] for answer in answers), dict(zip(NOWS, answers, strict=True))


def test_the_issues_monthly_rule_is_refused_on_every_date_with_its_first_expiry() -> None:
    for now in NOWS:
        with frozen_now(now):
            problem = one_problem(outcome(MONTHLY_AT_THREE), "backup.monthly.schedule")
        assert "the job would expire (first on Sun 2027-08-01 03:00 Etc/UTC)" in problem


def test_a_rule_in_the_block_in_summer_only_is_refused_in_winter_too() -> None:
    with frozen_now(NOWS[0]):  # December: the next 8 weeks are all winter time
        problems = outcome(SUMMER_ONLY)
    problem = one_problem(problems, "backup.weekly.schedule")
    # The first Sunday of summer time in the cycle: 05:00 CEST is 03:00 UTC.
    assert "first on Sun 2027-03-28 05:00 Europe/Berlin" in problem
    assert not [p for p in problems if "backup.monthly" in p or "backup.daily" in p]


def test_a_schedule_limited_to_some_years_is_refused_on_every_date() -> None:
    for now in NOWS:
        with frozen_now(now):
            problem = one_problem(outcome(with_values("prod", "jobs", {"jobs": {"cleanup": {
                "schedule": "cron(0 5 * * ? 2027)"}}})), "cleanup.schedule")
        assert "year: '2027': must be '*' (every year)" in problem
