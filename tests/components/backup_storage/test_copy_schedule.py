"""The off-site copy follows the dumps (issue 19, item 3): the workflow's cron (UTC) starts between the margin
(the dump's allowed duration + Scheduler's flexible window + 1 minute) and 6 hours after every dump of a stack's
backup jobs, on every date of the calendar cycle, daylight saving included; a stack whose jobs it does not follow is
refused with a cron that fits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from components.aws.cron import cycle_runs
from components.backup_storage.config import BackupStorageConfig
from components.backup_storage.copy_schedule import (
    COPY_MAX_LAG_MINUTES,
    WORKFLOW,
    CopyScheduleError,
    copy_lag,
    copy_times,
    daily_times,
    dump_jobs,
    fitting_cron,
    late_copies,
    margin_minutes,
    workflow_crons,
)
from components.jobs.config import JobsConfig
from tests.support.configs import one_problem, problems_with
from tests.support.stacks import ROOT, STACKS, load_stack

REPOSITORY_CRONS = list(workflow_crons((ROOT / WORKFLOW).read_text()))


STORAGE = load_stack("prod").backup_storage


def jobs_in(zone: str, **values: Any) -> JobsConfig:
    """The default jobs in `zone` (validated alone: the stack would refuse those the workflow does not follow)."""
    return JobsConfig.model_validate({"base_url": "https://app.example.com", "time_zone": zone, **values},
                                     context={"environment": "prod"})


def lags(jobs: JobsConfig, crons: list[str], storage: BackupStorageConfig = STORAGE) -> dict[str, tuple[int, int]]:
    """Per dump job, the shortest and the longest wait (minutes) from a dump to its copy, over the whole cycle."""
    times, margin = copy_times(crons), margin_minutes(jobs, storage)
    result = {}
    for name in dump_jobs(jobs, storage):
        waits = set()
        for run in cycle_runs(jobs.jobs[name].schedule, jobs.zone_of(jobs.jobs[name])):
            utc = run.astimezone(dt.UTC)
            waits.add(copy_lag(utc.hour * 60 + utc.minute, times, margin))
        result[name] = (min(waits), max(waits))
    return result


@pytest.mark.parametrize("stack", STACKS)
def test_the_repositorys_workflow_follows_every_stacks_dumps_on_every_date(stack: str) -> None:
    config = load_stack(stack)
    assert REPOSITORY_CRONS == ["47 5 * * *"]
    assert late_copies(config.jobs, config.backup_storage, copy_times(REPOSITORY_CRONS)) == []
    # 05:47 UTC: 3 h 17 after the daily dump (02:30), 2 h 17 after the weekly (03:30), 1 h 17 after the monthly
    # (04:30, the latest): each at least the 61-minute margin after its dump, and within 6 hours.
    assert margin_minutes(config.jobs, config.backup_storage) == 61
    assert lags(config.jobs, REPOSITORY_CRONS, config.backup_storage) == {
        "backup-daily": (197, 197), "backup-monthly": (77, 77), "backup-weekly": (137, 137)}


def test_the_old_cron_copied_the_weekly_and_monthly_dumps_a_day_late() -> None:
    with pytest.raises(CopyScheduleError, match="minute 0 is GitHub's busiest"):
        daily_times("0 4 * * *")
    # Even off the hour, 04:00 UTC starts 30 minutes after the weekly dump (before it may be done) and half an
    # hour before the monthly one: both wait for the next day's copy.
    late = late_copies(jobs_in("Etc/UTC"), STORAGE, [4 * 60])
    assert [(copy.job, copy.lag_minutes) for copy in late] == [("backup-monthly", 23 * 60 + 30),
                                                               ("backup-weekly", 24 * 60 + 30)]


def test_daylight_saving_moves_the_dumps_an_hour_in_utc_and_the_copy_still_follows_them() -> None:
    berlin = jobs_in("Europe/Berlin")
    # 02:30 in Berlin is 01:30 UTC in winter and 00:30 UTC in summer: the copy waits an hour longer half the year.
    assert lags(berlin, REPOSITORY_CRONS)["backup-daily"] == (257, 317)
    assert late_copies(berlin, STORAGE, copy_times(REPOSITORY_CRONS)) == []


def test_the_issues_zone_is_refused_with_a_cron_derived_to_fit() -> None:
    # America/Los_Angeles: the 02:30 daily dump lands at 10:30 UTC (09:30 in summer time), so a copy at 05:47 UTC
    # takes it the next morning, 19 hours later.
    problem = one_problem(problems_with("prod", "jobs", {"time_zone": "America/Los_Angeles"}), "offsite-copy.yml")
    assert problem == (
        "platform:jobs.jobs.backup-daily.schedule = 'cron(30 2 * * ? *)' (America/Los_Angeles): offsite-copy.yml "
        "(47 5 * * * UTC) starts 19h 17m after its run of Fri 2027-01-01 02:30 (10:30 UTC), not 1h 1m to 6h (so "
        "do backup-monthly, backup-weekly): set the cron to 31 13 * * * or move the jobs"
    )
    # The derived cron follows every dump in both seasons: the monthly one (04:30 PST, 12:30 UTC) by the margin,
    # the daily one (02:30 PDT, 09:30 UTC) by 4 h 1.
    los_angeles = jobs_in("America/Los_Angeles")
    assert fitting_cron(los_angeles, STORAGE) == "31 13 * * *"
    assert late_copies(los_angeles, STORAGE, copy_times(["31 13 * * *"])) == []
    assert lags(los_angeles, ["31 13 * * *"]) == {"backup-daily": (181, 241), "backup-monthly": (61, 121),
                                                  "backup-weekly": (121, 181)}


@pytest.mark.parametrize("zone", ["Etc/UTC", "Europe/Berlin", "America/Los_Angeles", "Australia/Sydney",
                                  "Asia/Kolkata", "Pacific/Auckland"])
def test_the_derived_cron_fits_every_zone_on_every_date(zone: str) -> None:
    jobs = jobs_in(zone)
    cron = fitting_cron(jobs, STORAGE)
    assert cron is not None
    assert late_copies(jobs, STORAGE, copy_times([cron])) == []
    assert all(margin_minutes(jobs, STORAGE) <= low <= high <= COPY_MAX_LAG_MINUTES
               for low, high in lags(jobs, [cron]).values())


def test_two_stacks_in_two_zones_share_one_workflow_with_a_start_for_each() -> None:
    crons = ["47 5 * * *", "31 13 * * *"]
    for zone in ("Etc/UTC", "America/Los_Angeles"):
        assert late_copies(jobs_in(zone), STORAGE, copy_times(crons)) == []


def test_a_longer_dump_or_a_flexible_window_widens_the_margin() -> None:
    jobs = jobs_in("Etc/UTC", flexible_window_minutes=15)
    storage = STORAGE.model_copy(update={"dump_duration_minutes": 120})
    assert margin_minutes(jobs, storage) == 136
    # The monthly dump at 04:30 may now land at 06:46: 05:47 is too soon for it, so it waits a day.
    (late,) = late_copies(jobs, storage, copy_times(REPOSITORY_CRONS))
    assert (late.job, late.lag_minutes) == ("backup-monthly", 24 * 60 + 77)
    assert fitting_cron(jobs, storage) == "46 6 * * *"


def test_a_margin_past_six_hours_is_refused_with_both_keys() -> None:
    (problem,) = problems_with("prod", "jobs", {"flexible_window_minutes": 300})
    assert problem == (
        "platform:backup_storage.dump_duration_minutes = 60: with jobs.flexible_window_minutes = 300, a dump may "
        "land 6h 1m after its scheduled time, past the 6h within which the copy must follow it; lower either "
        "(docs/backups.md, Off-site copy schedule)"
    )


def test_dumps_too_far_apart_for_one_daily_start_get_no_single_cron() -> None:
    jobs = jobs_in("Etc/UTC", jobs={"backup-weekly": {"schedule": "cron(30 14 ? * SUN *)"}})
    assert fitting_cron(jobs, STORAGE) is None
    assert late_copies(jobs, STORAGE, copy_times(["47 5 * * *", "47 15 * * *"])) == []


@pytest.mark.parametrize(("cron", "fragment"), [
    ("0 4 * * *", "minute 0 is GitHub's busiest"),
    ("47 5 * * 1", "the copy runs every day"),
    ("47 5 1 * *", "the copy runs every day"),
    ("47 5 * *", "GitHub's cron has five fields"),
    ("47 24 * * *", "'24' is not within 0-23"),
    ("a 5 * * *", "'a' is not a number"),
    ("*/0 5 * * *", "its step is 0"),
])
def test_a_copy_cron_that_is_not_daily_and_off_the_hour_is_refused(cron: str, fragment: str) -> None:
    with pytest.raises(CopyScheduleError, match=fragment):
        daily_times(cron)


def test_daily_times_read_lists_ranges_and_steps() -> None:
    assert daily_times("17,47 5-6 * * *") == {5 * 60 + 17, 5 * 60 + 47, 6 * 60 + 17, 6 * 60 + 47}
    assert daily_times("15 */8 * * *") == {15, 8 * 60 + 15, 16 * 60 + 15}


@pytest.mark.parametrize(("text", "fragment"), [
    ("on:\n  workflow_dispatch: {}\n", "has no on.schedule"),
    ("on:\n  schedule:\n    - cron: 5\n", "each entry is {cron:"),
    ("on: [", "is not YAML"),
])
def test_a_workflow_without_a_readable_schedule_is_refused(text: str, fragment: str) -> None:
    with pytest.raises(CopyScheduleError, match=fragment):
        workflow_crons(text)


def test_each_tiers_freshness_limit_follows_its_longest_gap_between_dumps() -> None:
    from components.backup_storage.copy_schedule import newest_dump_max_age_hours
    from tests.support.stacks import load_stack

    config = load_stack("prod")
    # 24 h, 7 days and 31 days between dumps, plus the copy's 6-hour wait and 6 hours for a late start.
    assert newest_dump_max_age_hours(config.jobs, config.backup_storage) == {
        "daily/": 36, "weekly/": 180, "monthly/": 756}
    # In Europe/Berlin the spring change skips 02:30, so the daily dump skips that day (`cycle_runs`): 47 hours
    # between two dumps once a year, and the limit follows it rather than alarming every March.
    berlin = load_stack("prod", jobs={"time_zone": "Europe/Berlin"})
    assert newest_dump_max_age_hours(berlin.jobs, berlin.backup_storage)["daily/"] == 47 + 12


def test_a_tier_written_too_rarely_is_refused() -> None:
    # Review of issue 19: a daily tier written once a year (or a job moved to another tier) passed "a job writes it".
    from tests.support.configs import one_problem, problems_with

    yearly = problems_with("prod", "jobs", {"jobs": {"backup-daily": {"schedule": "cron(30 2 1 1 ? *)"}}})
    line = one_problem(yearly, "jobs.jobs")
    assert "the daily/ dumps are up to 8784 hours apart" in line
    assert "at most 48" in line
