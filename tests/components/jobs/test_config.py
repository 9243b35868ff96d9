"""The jobs concern's config: the seed jobs by default, cron / zone / URL / name checks with clear errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from components.jobs.component import job_schedule
from tests.support.configs import build, problems_with, with_values
from tests.support.stacks import load_stack

ROOT = "platform:jobs"


def test_the_seed_jobs_are_the_default() -> None:
    jobs = load_stack("prod").jobs
    assert set(jobs.jobs) == {"backup-daily", "backup-weekly", "backup-monthly", "cleanup", "performance-report"}
    assert {name: job.payload for name, job in jobs.jobs.items() if name.startswith("backup-")} == {
        "backup-daily": {"tier": "daily"}, "backup-weekly": {"tier": "weekly"}, "backup-monthly": {"tier": "monthly"},
    }
    assert jobs.base_url == "https://app.example.com"  # PLACEHOLDER in the stack files


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"base_url": "http://app.example.com"}, f"{ROOT}.base_url = 'http://app.example.com': must be an https://"),
        ({"base_url": "https://app.example.com/api"}, "without a path"),
        ({"time_zone": "CET/Berlin"}, f"{ROOT}.time_zone = 'CET/Berlin': 'CET/Berlin' is not an IANA time zone"),
        ({"auth_header": "Authorization"}, "not Authorization, Host or Content-Type"),
        ({"auth_header": "X Job"}, "must be an HTTP header name"),
        ({"jobs": {"Nightly": {"schedule": "cron(0 1 * * ? *)", "path": "/x"}}}, "job name 'Nightly'"),
        ({"jobs": {"nightly": {"schedule": "0 1 * * *", "path": "/x"}}},
         f"{ROOT}.jobs.nightly.schedule = '0 1 * * *': must be written cron("),
        ({"jobs": {"nightly": {"schedule": "cron(0 1 * * * *)", "path": "/x"}}},
         "exactly one of day-of-month and day-of-week must be '?'"),
        ({"jobs": {"sunday": {"schedule": "cron(0 1 ? * 0 *)", "path": "/x"}}}, "1 = Sunday, 7 = Saturday"),
        ({"jobs": {"nightly": {"schedule": "cron(0 1 * * ? *)", "path": "x"}}}, "must be an absolute URL path"),
        ({"jobs": {"nightly": {"schedule": "cron(0 1 * * ? *)", "path": "/x", "time_zone": "Berlin"}}},
         f"{ROOT}.jobs.nightly.time_zone = 'Berlin'"),
        ({"jobs": {"nightly": {"schedule": "cron(0 1 * * ? *)", "path": "/x", "method": "GET"}}}, "'POST', 'PUT'"),
        ({"retry": {"maximum_retry_attempts": 186}}, "must be a whole number from 0 to 185"),
        ({"retry": {"maximum_event_age_seconds": 30}}, "must be a whole number from 60 to 86400"),
    ],
)
def test_bad_values_are_reported_with_key_path_value_and_what_is_allowed(
    values: dict[str, Any], expected: str
) -> None:
    problems = problems_with("prod", "jobs", values)
    assert any(expected in problem for problem in problems), problems


def test_job_schedule_shows_the_next_three_runs_in_each_jobs_zone() -> None:
    config = build(with_values("prod", "jobs", {"jobs": {
        "sunday-report": {"schedule": "cron(0 9 ? * 1 *)", "path": "/r", "time_zone": "America/New_York"},
        "month-end": {"schedule": "cron(0 23 L * ? *)", "path": "/m"},
        "off": {"schedule": "cron(0 1 * * ? *)", "path": "/o", "enabled": False},
    }})).jobs
    after = dt.datetime(2027, 2, 1, tzinfo=dt.UTC)  # a Monday
    assert job_schedule(config, after=after) == {
        "month-end": {"schedule": "cron(0 23 L * ? *)", "time_zone": "Etc/UTC",
                      "next_runs": ["2027-02-28T23:00:00+00:00", "2027-03-31T23:00:00+00:00",
                                    "2027-04-30T23:00:00+00:00"]},
        "sunday-report": {"schedule": "cron(0 9 ? * 1 *)", "time_zone": "America/New_York",
                          "next_runs": ["2027-02-07T09:00:00-05:00", "2027-02-14T09:00:00-05:00",
                                        "2027-02-21T09:00:00-05:00"]},
    }
