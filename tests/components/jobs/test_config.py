"""The jobs concern's config: the seed jobs by default, cron / zone / URL / name checks with clear errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml

from components.jobs.component import job_schedule
from components.jobs.config import BACKUP_JOB_PATH, DEFAULT_JOBS
from tests.support.configs import build, problems_with, with_values
from tests.support.stacks import ROOT as ROOT_DIR
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
        ({"base_url": "http://app.example.com"}, f"{ROOT}.base_url = http://app.example.com: must be an https://"),
        ({"base_url": "https://app.example.com/api"}, "without a path"),
        ({"time_zone": "CET/Berlin"}, f"{ROOT}.time_zone = CET/Berlin: 'CET/Berlin' is not an IANA time zone"),
        ({"auth_header": "Authorization"}, "not Authorization, Host or Content-Type"),
        ({"auth_header": "X Job"}, "must be an HTTP header name"),
        ({"jobs": {"Nightly": {"schedule": "cron(0 1 * * ? *)", "path": "/x"}}}, "job name 'Nightly'"),
        ({"jobs": {"nightly": {"schedule": "0 1 * * *", "path": "/x"}}},
         f"{ROOT}.jobs.nightly.schedule = 0 1 * * *: must be written cron("),
        ({"jobs": {"nightly": {"schedule": "cron(0 1 * * * *)", "path": "/x"}}},
         "exactly one of day-of-month and day-of-week must be '?'"),
        ({"jobs": {"sunday": {"schedule": "cron(0 1 ? * 0 *)", "path": "/x"}}}, "1 = Sunday, 7 = Saturday"),
        ({"jobs": {"nightly": {"schedule": "cron(0 1 * * ? *)", "path": "x"}}}, "must be an absolute URL path"),
        ({"jobs": {"nightly": {"schedule": "cron(0 1 * * ? *)", "path": "/x", "time_zone": "Berlin"}}},
         f"{ROOT}.jobs.nightly.time_zone = Berlin"),
        ({"jobs": {"nightly": {"schedule": "cron(0 1 * * ? *)", "path": "/x", "method": "GET"}}}, "POST, PUT"),
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
    shown = job_schedule(config, after=after)
    # The defaults stay (a stack's jobs add to them); the disabled job is left out.
    assert sorted(shown) == ["backup-daily", "backup-monthly", "backup-weekly", "cleanup", "month-end",
                             "performance-report", "sunday-report"]
    assert {name: shown[name] for name in ("month-end", "sunday-report")} == {
        "month-end": {"schedule": "cron(0 23 L * ? *)", "time_zone": "Etc/UTC",
                      "next_runs": ["2027-02-28T23:00:00+00:00", "2027-03-31T23:00:00+00:00",
                                    "2027-04-30T23:00:00+00:00"]},
        "sunday-report": {"schedule": "cron(0 9 ? * 1 *)", "time_zone": "America/New_York",
                          "next_runs": ["2027-02-07T09:00:00-05:00", "2027-02-14T09:00:00-05:00",
                                        "2027-02-21T09:00:00-05:00"]},
    }


# ---- issue 19: a stack's jobs add to the defaults; no config leaves a backup tier without its dump job
BACKUP_JOBS = {"backup-daily": "daily", "backup-weekly": "weekly", "backup-monthly": "monthly"}


def test_a_stacks_jobs_add_to_the_defaults() -> None:
    jobs = build(with_values("prod", "jobs", {"jobs": {
        "sunday-report": {"schedule": "cron(0 9 ? * SUN *)", "path": "/internal/jobs/report"}}})).jobs
    assert set(jobs.jobs) == {*DEFAULT_JOBS, "sunday-report"}
    assert jobs.backup_jobs() == BACKUP_JOBS


def test_a_defaults_name_changes_only_the_keys_it_sets() -> None:
    jobs = build(with_values("prod", "jobs", {"jobs": {"backup-daily": {"schedule": "cron(30 1 * * ? *)"}}})).jobs
    daily = jobs.jobs["backup-daily"]
    assert (daily.schedule, daily.path, daily.payload) == ("cron(30 1 * * ? *)", BACKUP_JOB_PATH, {"tier": "daily"})
    assert set(jobs.jobs) == set(DEFAULT_JOBS)


def test_null_removes_a_default_and_only_a_default() -> None:
    jobs = build(with_values("prod", "jobs", {"jobs": {"cleanup": None, "performance-report": None}})).jobs
    assert set(jobs.jobs) == set(BACKUP_JOBS)
    (problem,) = problems_with("prod", "jobs", {"jobs": {"nightly": None}})
    assert problem.endswith("'nightly': null removes a default job, and 'nightly' is none (the defaults: backup-daily, "
                            "backup-weekly, backup-monthly, cleanup, performance-report); leave it out instead")


def test_another_job_may_write_a_tier_in_a_default_jobs_place() -> None:
    jobs = build(with_values("prod", "jobs", {"jobs": {"backup-daily": None, "nightly-dump": {
        "schedule": "cron(15 3 * * ? *)", "path": BACKUP_JOB_PATH, "payload": {"tier": "daily"}}}})).jobs
    assert jobs.backup_jobs() == {"backup-monthly": "monthly", "backup-weekly": "weekly", "nightly-dump": "daily"}


WANTED = "no job writes the backup bucket's {tier}/ dumps, which would stop without a word; keep backup-{tier} or " \
         "add a job that does (POST /internal/jobs/backup with payload {{\"tier\": \"{tier}\"}}, enabled)"


@pytest.mark.parametrize(
    ("values", "key", "tier"),
    [
        ({"jobs": {"backup-daily": None}}, f"{ROOT}.jobs.backup-daily = null", "daily"),
        ({"jobs": {"backup-weekly": {"enabled": False}}}, f"{ROOT}.jobs.backup-weekly.enabled = false", "weekly"),
        ({"jobs": {"backup-monthly": {"path": "/internal/jobs/dump"}}},
         f"{ROOT}.jobs.backup-monthly = POST /internal/jobs/dump with {{tier: monthly}}", "monthly"),
        ({"jobs": {"backup-monthly": {"payload": {}}}}, f"{ROOT}.jobs.backup-monthly = POST "
         "/internal/jobs/backup with {}", "monthly"),
    ],
)
def test_a_tier_without_its_dump_job_is_refused(values: dict[str, Any], key: str, tier: str) -> None:
    assert problems_with("prod", "jobs", values) == [f"{key}: {WANTED.format(tier=tier)}"]


def test_replacing_the_list_as_the_old_docs_showed_is_now_additive() -> None:
    # docs/cron-jobs.md's example used to drop all five defaults, the backups with them.
    jobs = build(with_values("prod", "jobs", {"time_zone": "Europe/Berlin", "jobs": {
        "cleanup": {"schedule": "cron(0 5 * * ? *)", "path": "/internal/jobs/cleanup"},
        "sunday-report": {"schedule": "cron(0 9 ? * SUN *)", "path": "/internal/jobs/report",
                          "time_zone": "America/New_York"}}})).jobs
    assert jobs.backup_jobs() == BACKUP_JOBS


def test_without_a_base_url_nothing_writes_the_backups_and_the_config_is_refused() -> None:
    assert problems_with("prod", "jobs", {"base_url": None}) == [
        f"{ROOT}.base_url: unset, so no cron job is declared and nothing writes the backup bucket's tiers (daily, "
        "weekly, monthly); set it to the app's HTTPS origin (docs/cron-jobs.md)"]


def test_a_dump_job_for_a_tier_the_bucket_has_not_is_refused() -> None:
    (problem,) = problems_with("prod", "jobs", {"jobs": {"hourly": {
        "schedule": "cron(0 * * * ? *)", "path": BACKUP_JOB_PATH, "payload": {"tier": "hourly"}}}})
    assert problem == (f"{ROOT}.jobs.hourly.payload = {{tier: hourly}}: tier hourly is none of the backup "
                       "bucket's tiers (daily, weekly, monthly): the writer may put dumps only under those prefixes")


def test_the_editor_schema_admits_a_defaults_keys_and_null() -> None:
    from jsonschema import Draft202012Validator

    from docgen.schema import stack_schema

    validator = Draft202012Validator(stack_schema())
    prod = yaml.safe_load((ROOT_DIR / "Pulumi.prod.yaml").read_text())

    def errors(jobs: dict[str, Any]) -> list[str]:
        data = {**prod, "config": {**prod["config"], "platform:jobs": {"base_url": "https://a.example", "jobs": jobs}}}
        return [error.message for error in validator.iter_errors(data)]

    assert errors({"backup-daily": {"schedule": "cron(30 1 * * ? *)"}, "cleanup": None,
                   "nightly": {"schedule": "cron(0 1 * * ? *)", "path": "/n"}}) == []
    assert errors({"backup-daily": {"schedul": "cron(30 1 * * ? *)"}}) != []  # a misspelt key
    assert errors({"nightly": None}) != []  # null only removes a default
    assert errors({"nightly": {"schedule": "cron(0 1 * * ? *)"}}) != []  # a new job is whole


def test_the_documented_example_adds_a_job_and_keeps_the_backups() -> None:
    text = (ROOT_DIR / "docs" / "cron-jobs.md").read_text()
    example = yaml.safe_load(text.split("```yaml\n", 1)[1].split("```", 1)[0])["platform:jobs"]
    jobs = build(with_values("prod", "jobs", example)).jobs
    assert set(jobs.jobs) == {*BACKUP_JOBS, "cleanup", "sunday-report"}
    assert jobs.backup_jobs() == BACKUP_JOBS
    assert (jobs.jobs["cleanup"].schedule, jobs.jobs["cleanup"].path) == ("cron(0 4 * * ? *)", "/internal/jobs/cleanup")
