"""AWS cron: the dialect's rules (six fields, '?', 1 = Sunday, L, W, #) and next-run times in a time zone."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from components.aws.cron import (
    CYCLE_YEARS,
    CronError,
    aws_weekday,
    cycle_runs,
    is_time_zone,
    next_runs,
    parse,
)

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


# ---- the calendar cycle every schedule check walks (issue 19: checks that hold on every date, not from today)
def _combinations(days: list[dt.date]) -> set[tuple[int, int, int]]:
    return {(day.month, day.day, day.weekday()) for day in days}


def _full_cycle_days(expression: str) -> list[dt.date]:
    """The days a cron matches over one whole 400-year Gregorian cycle (2000-2399): the reference."""
    cron = parse(expression)
    first, days = dt.date(2000, 1, 1), []
    for offset in range(146_097):  # 400 years, exactly 20,871 weeks
        day = first + dt.timedelta(days=offset)
        if cron.day_rule(day.year, day.month, day.day) and day.month in cron.months:
            days.append(day)
    return days


def test_the_cycle_is_28_fixed_years_holding_every_year_calendar() -> None:
    assert (CYCLE_YEARS.start, len(CYCLE_YEARS)) == (2027, 28)
    # A year's calendar is its first weekday and whether it is a leap year: all 14 are in the cycle.
    calendars = {(dt.date(year, 1, 1).weekday(), calendar.isleap(year)) for year in CYCLE_YEARS}
    assert len(calendars) == 14


@pytest.mark.parametrize("expression", [
    "cron(0 2 * * ? *)", "cron(0 3 ? * SUN *)", "cron(0 4 1 * ? *)", "cron(0 3 1 * ? *)", "cron(0 12 L * ? *)",
    "cron(0 9 ? * 6L *)", "cron(0 9 ? * 2#5 *)", "cron(0 9 15W * ? *)", "cron(0 9 LW * ? *)", "cron(0 0 29 2 ? *)",
    "cron(0 6 2 * ? *)",
])
def test_the_cycle_holds_every_weekday_day_month_combination_of_the_400_years(expression: str) -> None:
    runs = cycle_runs(expression, "Etc/UTC")
    assert _combinations([run.date() for run in runs]) == _combinations(_full_cycle_days(expression))


def test_a_daily_cron_covers_all_2562_combinations_leap_days_on_every_weekday() -> None:
    days = [run.date() for run in cycle_runs("cron(0 2 * * ? *)", "Etc/UTC")]
    assert len(days) == 10_227 == 1_461 * 7  # 28 years, a whole number of weeks
    assert len(_combinations(days)) == 366 * 7 == 2_562
    assert {day.weekday() for day in days if (day.month, day.day) == (2, 29)} == set(range(7))
    # The example: the monthly rule's Sunday the 1st.
    assert dt.datetime(2027, 8, 1, 3, tzinfo=dt.UTC) in cycle_runs("cron(0 3 1 * ? *)", "Etc/UTC")


@pytest.mark.parametrize(("zone", "spring", "autumn"), [
    ("Europe/Berlin", dt.date(2027, 3, 28), dt.date(2027, 10, 31)),
    ("America/Los_Angeles", dt.date(2027, 3, 14), dt.date(2027, 11, 7)),
    ("Australia/Sydney", dt.date(2027, 10, 3), dt.date(2027, 4, 4)),  # the southern hemisphere's seasons
])
def test_the_cycle_holds_every_daylight_saving_change_of_the_zone(zone: str, spring: dt.date, autumn: dt.date
                                                                  ) -> None:
    # 02:30 does not exist on the day clocks go forward (02:00 -> 03:00 in all three): skipped, once a year.
    runs = cycle_runs("cron(30 2 * * ? *)", zone)
    assert len(runs) == 10_227 - 28
    assert spring not in {run.date() for run in runs}
    assert len({run.utcoffset() for run in runs}) == 2
    # The hour clocks go back through runs once, at its first occurrence (summer time).
    back = {"Europe/Berlin": "cron(30 2 * * ? *)", "America/Los_Angeles": "cron(30 1 * * ? *)",
            "Australia/Sydney": "cron(30 2 * * ? *)"}[zone]
    (repeated,) = [run for run in cycle_runs(back, zone) if run.date() == autumn]
    assert repeated.fold == 0
    assert repeated.utcoffset() == max(run.utcoffset() for run in runs)  # type: ignore[type-var]


@pytest.mark.parametrize("zone", ["Etc/UTC", "Asia/Kolkata", "Pacific/Chatham"])
def test_a_zone_without_daylight_saving_has_one_offset_all_cycle(zone: str) -> None:
    offsets = {run.utcoffset() for run in cycle_runs("cron(30 2 * * ? *)", zone)}
    assert len(offsets) == (2 if zone == "Pacific/Chatham" else 1)  # Chatham does keep summer time (+12:45/+13:45)
