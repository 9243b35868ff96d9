"""AWS cron: the dialect's rules (six fields, '?', 1 = Sunday, L, W, #) and next-run times in a time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from components.aws.cron import CronError, aws_weekday, is_time_zone, next_runs, parse

# A Tuesday (2026-12-01 is a Tuesday), before every run time below.
AFTER = dt.datetime(2026, 12, 1, 0, 30, tzinfo=dt.UTC)


def iso(expression: str, zone: str = "Etc/UTC", count: int = 3, after: dt.datetime = AFTER) -> list[str]:
    return [run.isoformat() for run in next_runs(expression, zone, count, after=after)]


def test_weekday_numbering_is_awss_one_is_sunday() -> None:
    assert aws_weekday(dt.date(2026, 12, 6)) == 1  # a Sunday
    assert aws_weekday(dt.date(2026, 12, 7)) == 2  # Monday
    assert aws_weekday(dt.date(2026, 12, 5)) == 7  # Saturday


@pytest.mark.parametrize("expression", ["cron(0 3 ? * 1 *)", "cron(0 3 ? * SUN *)", "cron(0 3 ? * sun *)"])
def test_a_sunday_job_runs_on_sundays(expression: str) -> None:
    # croniter would read '1' as Monday (0 = Sunday there) and the sixth field as seconds.
    assert iso(expression) == ["2026-12-06T03:00:00+00:00", "2026-12-13T03:00:00+00:00", "2026-12-20T03:00:00+00:00"]


def test_the_seed_schedules() -> None:
    assert iso("cron(0 2 * * ? *)") == ["2026-12-01T02:00:00+00:00", "2026-12-02T02:00:00+00:00",
                                        "2026-12-03T02:00:00+00:00"]
    assert iso("cron(0 4 1 * ? *)") == ["2026-12-01T04:00:00+00:00", "2027-01-01T04:00:00+00:00",
                                        "2027-02-01T04:00:00+00:00"]


def test_last_day_of_the_month_with_l_includes_february_and_a_leap_year() -> None:
    after = dt.datetime(2027, 12, 15, tzinfo=dt.UTC)
    assert iso("cron(0 12 L * ? *)", after=after) == ["2027-12-31T12:00:00+00:00", "2028-01-31T12:00:00+00:00",
                                                      "2028-02-29T12:00:00+00:00"]


def test_nth_weekday_with_hash_and_last_weekday_with_l() -> None:
    assert iso("cron(0 9 ? * 2#1 *)") == ["2026-12-07T09:00:00+00:00", "2027-01-04T09:00:00+00:00",
                                          "2027-02-01T09:00:00+00:00"]  # first Mondays
    assert iso("cron(0 9 ? * 6L *)") == ["2026-12-25T09:00:00+00:00", "2027-01-29T09:00:00+00:00",
                                         "2027-02-26T09:00:00+00:00"]  # last Fridays
    assert iso("cron(0 9 ? * L *)", count=1) == ["2026-12-05T09:00:00+00:00"]  # L alone: Saturday


def test_nearest_weekday_with_w() -> None:
    # 2027-05-15 is a Saturday: 15W is Friday the 14th; 2026-08-01 is a Saturday: 1W is Monday the 3rd.
    assert iso("cron(0 9 15W 5 ? 2027)", count=1) == ["2027-05-14T09:00:00+00:00"]
    assert iso("cron(0 9 1W 8 ? 2027)", count=1) == ["2027-08-02T09:00:00+00:00"]  # a Sunday: Monday 2nd
    assert iso("cron(0 9 LW 1 ? 2027)", count=1) == ["2027-01-29T09:00:00+00:00"]  # the 31st is a Sunday


def test_a_leap_day_job_runs_every_four_years_and_skips_2100() -> None:
    assert iso("cron(0 0 29 2 ? *)") == ["2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00",
                                         "2036-02-29T00:00:00+00:00"]
    after = dt.datetime(2096, 3, 1, tzinfo=dt.UTC)
    assert iso("cron(0 0 29 2 ? *)", count=2, after=after) == ["2104-02-29T00:00:00+00:00",
                                                               "2108-02-29T00:00:00+00:00"]


def test_lists_ranges_and_steps() -> None:
    assert iso("cron(0/20 8-9 ? * MON-FRI *)", count=4) == [
        "2026-12-01T08:00:00+00:00", "2026-12-01T08:20:00+00:00", "2026-12-01T08:40:00+00:00",
        "2026-12-01T09:00:00+00:00",
    ]
    assert iso("cron(15 1,13 * * ? *)", count=2) == ["2026-12-01T01:15:00+00:00", "2026-12-01T13:15:00+00:00"]


def test_the_zone_is_wall_clock_time_through_daylight_saving_changes() -> None:
    # Berlin: 02:00 is 01:00 UTC in winter and 00:00 UTC in summer.
    assert iso("cron(0 2 * * ? *)", "Europe/Berlin", 1) == ["2026-12-01T02:00:00+01:00"]
    after = dt.datetime(2027, 3, 27, tzinfo=dt.UTC)
    runs = next_runs("cron(30 2 * * ? *)", "Europe/Berlin", 2, after=after)
    # 02:30 on 28 March 2027 does not exist in Berlin (clocks jump from 02:00 to 03:00): skipped.
    assert [run.isoformat() for run in runs] == ["2027-03-27T02:30:00+01:00", "2027-03-29T02:30:00+02:00"]
    assert next_runs("cron(30 2 ? 3 1L 2027)", "Europe/Berlin", 1, after=after) == []


def test_the_runs_come_after_the_instant_given() -> None:
    after = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
    assert iso("cron(0 2 * * ? *)", count=1, after=after) == ["2026-12-02T02:00:00+00:00"]


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("0 2 * * ?", "must be written cron("),
        ("cron(0 2 * * ?)", "has 5 fields; AWS cron has six"),
        ("cron(0 0 2 * * ? *)", "has 7 fields"),
        ("rate(5 minutes)", "rate() and at() are not accepted"),
        (" cron(0 2 * * ? *)", "must be written cron("),
        ("cron(0 2 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 2 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 2 1 * 1 *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(60 2 * * ? *)", "minutes: 60 is out of range 0-59"),
        ("cron(0 24 * * ? *)", "hours: 24 is out of range 0-23"),
        ("cron(0 2 ? * 0 *)", "day-of-week: 0 is out of range 1-7 (1 = Sunday, 7 = Saturday)"),
        ("cron(0 2 ? * 8 *)", "out of range 1-7"),
        ("cron(0 2 0 * ? *)", "day-of-month: 0 is out of range 1-31"),
        ("cron(0 2 * 13 ? *)", "month: 13 is out of range 1-12"),
        ("cron(0 2 * FOO ? *)", "month: 'FOO' is not a number 1-12 or JAN-DEC"),
        ("cron(0 2 * * ? 1969)", "year: 1969 is out of range 1970-2199"),
        ("cron(0 2 30 2 ? *)", "never fires"),
        ("cron(0 2 31 4,6,9,11 ? *)", "never fires"),
        ("cron(0 2 ? * FRI-MON *)", "runs backwards"),
        ("cron(0 22-2 * * ? *)", "runs backwards"),
        ("cron(0 */0 * * ? *)", "step 0"),
        ("cron(0 2 ? * 2#6 *)", "weekday#n with n 1-5"),
        ("cron(0 2 ? * 2#0 *)", "weekday#n with n 1-5"),
        ("cron(0 2 1,L * ? *)", "'L' stands alone"),
        ("cron(0 2 W * ? *)", "'W' follows one day number"),
        ("cron(0 2 ? * 2W *)", "'W' belongs in day-of-month"),
        ("cron(0 2 # * ? *)", "'#' belongs in day-of-week"),
        ("cron(0,? 2 * * ? *)", "is not a value"),
        ("cron(0 2 * * ? *-1)", "'*' cannot start a range"),
        ("cron(\u0660 2 * * ? *)", "ASCII"),
        ("cron(0 2 1-5-7 * ? *)", "is not a value"),
    ],
)
def test_adversarial_expressions_are_refused_with_what_to_write(expression: str, fragment: str) -> None:
    with pytest.raises(CronError) as caught:
        parse(expression)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("name", "valid"),
    [("Etc/UTC", True), ("UTC", True), ("Europe/Berlin", True), ("America/Argentina/Buenos_Aires", True),
     ("europe/berlin", False), ("Mars/Olympus", False), ("posixrules", False), ("Factory", False),
     ("posix/Europe/Berlin", False), ("../etc/passwd", False), ("Europe/Berlin\n", False), ("", False),
     ("/usr/share/zoneinfo/UTC", False)],
)
def test_time_zones_are_real_iana_names(name: str, valid: bool) -> None:
    assert is_time_zone(name) is valid
