"""AWS `cron(...)` expressions: parsing with clear errors, and the next run times in an IANA time zone.

EventBridge Scheduler, EventBridge rules and AWS Backup plans share one cron dialect (EventBridge Scheduler User
Guide, "Schedule types", cron-based schedules; AWS Backup Developer Guide, "Cron expressions"), which is not the
Unix one and not what `croniter` reads:

* six fields: minutes, hours, day-of-month, month, day-of-week, year (there is no seconds field);
* day-of-week counts from 1 = Sunday to 7 = Saturday (or SUN-SAT); months are 1-12 or JAN-DEC;
* exactly one of day-of-month and day-of-week is `?` (AWS refuses both set, and both `?`);
* `,` `-` `*` `/` in every field; `L` (last day of the month / `nL` last weekday n of the month), `W` (nearest
  weekday, `nW` or `LW`) in day-of-month; `#` (`n#k`, the k-th weekday n of the month) in day-of-week;
* years 1970-2199.

Conservative on purpose, with a message saying how to write it instead: wrapping ranges (`FRI-MON`, `22-2`) and
`L`/`W`/`#`/`?` inside lists are refused, since AWS documents none of them.

No provider import: config models validate with this, and `next_runs` is pure Python (a stack output shows each
job's next three runs, computed at plan time). Checks never sample "the next weeks from today": they walk
`cycle_runs`, every run of a fixed calendar cycle (`CYCLE_YEARS`), so their answer does not depend on the day the
plan runs; and a config's cron recurs every year (year field `*`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pydantic_core import PydanticCustomError

MONTHS = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
WEEKDAYS = {name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
YEARS = (1970, 2199)
FIELD_NAMES = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
_BOUNDS = {"minutes": (0, 59), "hours": (0, 23), "day-of-month": (1, 31), "month": (1, 12), "day-of-week": (1, 7),
           "year": YEARS}
_NAMES = {"month": MONTHS, "day-of-week": WEEKDAYS}
_EXPRESSION = re.compile(r"cron\((?P<body>[^()]*)\)")
_ITEM = re.compile(r"(?P<start>\*|[0-9A-Z]+)(?:-(?P<end>[0-9A-Z]+))?(?:/(?P<step>[0-9]+))?")
_ZONE = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+){0,2}")
# Files in the zoneinfo database that are not zones a service accepts.
_NOT_ZONES = frozenset({"posixrules", "Factory", "localtime", "leapseconds", "tzdata.zi", "zone.tab", "zone1970.tab",
                        "iso3166.tab", "leap-seconds.list", "SECURITY"})


class CronError(ValueError):
    """An expression AWS would refuse (or that never fires); the message says what to write instead."""


DayRule = Callable[[int, int, int], bool]  # (year, month, day) -> whether the day matches


@dataclass(frozen=True)
class Cron:
    """A parsed AWS cron expression."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    years: frozenset[int]
    day_rule: DayRule
    day_of_month: str
    day_of_week: str

    @property
    def fields(self) -> list[str]:
        return _EXPRESSION.fullmatch(self.text).group("body").split()  # type: ignore[union-attr]

    def matches_day(self, day: dt.date) -> bool:
        return day.month in self.months and day.year in self.years and self.day_rule(day.year, day.month, day.day)


def aws_weekday(day: dt.date) -> int:
    """AWS numbering: 1 = Sunday ... 7 = Saturday (Python's weekday() is 0 = Monday)."""
    return (day.weekday() + 1) % 7 + 1


def parse(text: str) -> Cron:
    """Parse `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)` or raise CronError."""
    if not isinstance(text, str) or not text.isascii():
        raise CronError("must be an ASCII string 'cron(minutes hours day-of-month month day-of-week year)'")
    match = _EXPRESSION.fullmatch(text.strip())
    if match is None or text != text.strip():
        raise CronError("must be written cron(minutes hours day-of-month month day-of-week year), e.g. "
                        "'cron(0 2 * * ? *)'; rate() and at() are not accepted here")
    fields = match.group("body").split()
    if len(fields) != 6:
        hint = (" (a Unix cron has five fields: add the year, usually '*', and put '?' in day-of-month or "
                "day-of-week)") if len(fields) == 5 else ""
        raise CronError(f"has {len(fields)} fields; AWS cron has six: minutes hours day-of-month month "
                        f"day-of-week year{hint}")
    minutes, hours, dom, month, dow, year = (field.upper() for field in fields)
    if (dom == "?") == (dow == "?"):
        raise CronError("exactly one of day-of-month and day-of-week must be '?' (AWS cron: 'cron(0 3 ? * 1 *)' "
                        "runs on Sundays, 'cron(0 4 1 * ? *)' on the 1st)")
    cron = Cron(
        text=text,
        minutes=_values("minutes", minutes),
        hours=_values("hours", hours),
        months=_values("month", month),
        years=_values("year", year),
        day_rule=_day_of_week_rule(dow) if dom == "?" else _day_of_month_rule(dom),
        day_of_month=dom,
        day_of_week=dow,
    )
    if _first_day(cron, dt.date(YEARS[0], 1, 1)) is None:
        raise CronError("never fires: no date matches its day, month and year fields")
    return cron


def _number(field: str, token: str) -> int:
    low, high = _BOUNDS[field]
    names = _NAMES.get(field, {})
    if token in names:
        value = names[token]
    elif token.isdigit():
        value = int(token)
    else:
        allowed = f" or {'-'.join((next(iter(names)), list(names)[-1]))}" if names else ""
        raise CronError(f"{field}: {token!r} is not a number {low}-{high}{allowed}")
    if not low <= value <= high:
        extra = " (1 = Sunday, 7 = Saturday)" if field == "day-of-week" else ""
        raise CronError(f"{field}: {value} is out of range {low}-{high}{extra}")
    return value


def _values(field: str, text: str) -> frozenset[int]:
    """The values a field of `,` `-` `*` `/` items admits."""
    low, high = _BOUNDS[field]
    result: set[int] = set()
    for item in text.split(","):
        match = _ITEM.fullmatch(item)
        if match is None:
            special = " ('?', 'L', 'W' and '#' are day fields' forms, each alone in its field)" if any(
                c in item for c in "?LW#") else ""
            raise CronError(f"{field}: {item!r} is not a value, a range a-b, '*' or a step x/n{special}")
        start, end, step = match.group("start"), match.group("end"), match.group("step")
        if start == "*":
            if end is not None:
                raise CronError(f"{field}: {item!r}: '*' cannot start a range")
            first, last = low, high
        else:
            first = _number(field, start)
            last = _number(field, end) if end is not None else (high if step is not None else first)
        if last < first:
            raise CronError(f"{field}: range {item!r} runs backwards; AWS documents no wrapping ranges, so write "
                            f"it as a list (e.g. 22-23,0-2)")
        increment = int(step) if step is not None else 1
        if increment < 1 or increment > high - low + 1:
            raise CronError(f"{field}: step {step} in {item!r} must be 1-{high - low + 1}")
        result.update(range(first, last + 1, increment))
    return frozenset(result)


def _day_of_month_rule(text: str) -> DayRule:
    if text == "L":
        return lambda year, month, day: day == calendar.monthrange(year, month)[1]
    if text == "LW":
        return lambda year, month, day: day == _nearest_weekday(year, month, calendar.monthrange(year, month)[1])
    if text.endswith("W"):
        target = _number("day-of-month", text[:-1]) if text[:-1].isdigit() else None
        if target is None:
            raise CronError(f"day-of-month: {text!r}: 'W' follows one day number (15W) or L (LW)")
        return lambda year, month, day: (target <= calendar.monthrange(year, month)[1]
                                         and day == _nearest_weekday(year, month, target))
    if any(c in text for c in "L#"):
        raise CronError(f"day-of-month: {text!r}: 'L' stands alone (last day) or as LW; '#' belongs in day-of-week")
    days = _values("day-of-month", text)
    return lambda year, month, day: day in days


def _day_of_week_rule(text: str) -> DayRule:
    if text == "L":  # the last day of the week: Saturday
        return lambda year, month, day: aws_weekday(dt.date(year, month, day)) == 7
    if text.endswith("L"):
        weekday = _number("day-of-week", text[:-1])
        return lambda year, month, day: (aws_weekday(dt.date(year, month, day)) == weekday
                                         and day + 7 > calendar.monthrange(year, month)[1])
    if "#" in text:
        weekday_text, _, nth_text = text.partition("#")
        weekday = _number("day-of-week", weekday_text)
        if not nth_text.isdigit() or not 1 <= int(nth_text) <= 5:
            raise CronError(f"day-of-week: {text!r}: write weekday#n with n 1-5 (e.g. 2#1, the first Monday)")
        nth = int(nth_text)
        return lambda year, month, day: aws_weekday(dt.date(year, month, day)) == weekday and (day - 1) // 7 + 1 == nth
    if "W" in text:
        raise CronError(f"day-of-week: {text!r}: 'W' belongs in day-of-month")
    weekdays = _values("day-of-week", text)
    return lambda year, month, day: aws_weekday(dt.date(year, month, day)) in weekdays


def _nearest_weekday(year: int, month: int, target: int) -> int:
    """Quartz/AWS `W`: the weekday (Mon-Fri) nearest to `target`, never crossing into another month."""
    last = calendar.monthrange(year, month)[1]
    weekday = dt.date(year, month, target).weekday()  # 0 = Monday
    if weekday == 5:  # Saturday: Friday before, or Monday after when the 1st is a Saturday
        return target - 1 if target > 1 else target + 2
    if weekday == 6:  # Sunday: Monday after, or Friday before when it is the last day
        return target + 1 if target < last else target - 2
    return target


def _first_day(cron: Cron, start: dt.date) -> dt.date | None:
    """The first matching date on or after `start`, or None before the end of year 2199."""
    for year in sorted(y for y in cron.years if y >= start.year):
        for month in sorted(cron.months):
            if (year, month) < (start.year, start.month):
                continue
            first = start.day if (year, month) == (start.year, start.month) else 1
            for day in range(first, calendar.monthrange(year, month)[1] + 1):
                if cron.day_rule(year, month, day):
                    return dt.date(year, month, day)
    return None


def next_runs(expression: str | Cron, zone: str, count: int = 3, *, after: dt.datetime | None = None
              ) -> list[dt.datetime]:
    """The next `count` run times strictly after `after` (default: now), as aware datetimes in `zone`.

    Fields are read as wall-clock time in `zone`, as the services do. A wall-clock time that does not exist
    (skipped by a daylight-saving change) is left out; one that occurs twice runs once, at its first occurrence.
    """
    cron = expression if isinstance(expression, Cron) else parse(expression)
    tz = zoneinfo.ZoneInfo(zone)
    now = (after or dt.datetime.now(dt.UTC)).astimezone(tz)
    runs: list[dt.datetime] = []
    day: dt.date | None = now.date()
    times = sorted((hour, minute) for hour in cron.hours for minute in cron.minutes)
    while day is not None and len(runs) < count:
        day = _first_day(cron, day)
        if day is None:
            break
        for hour, minute in times:
            local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
            if not _exists(local):
                continue  # skipped by a daylight-saving change
            if local > now:
                runs.append(local)
                if len(runs) == count:
                    break
        day = day + dt.timedelta(days=1) if day < dt.date(YEARS[1], 12, 31) else None
    return runs


def _exists(local: dt.datetime) -> bool:
    """Whether an aware wall-clock time occurs in its zone (a daylight-saving change skips some)."""
    return local.astimezone(dt.UTC).astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(tzinfo=None)


#: The calendar cycle a schedule check walks: 28 consecutive years, fixed rather than "from now", so that a check
#: gives the same answer on whatever day the plan runs. Between 1901 and 2099 every fourth year is a leap year, so
#: the calendar repeats every 28 years (10,227 days, exactly 1,461 weeks), and these 28 hold each of the 14 year
#: calendars (first weekday x leap or not) of the whole 400-year Gregorian cycle (2100's, a common year from a
#: Friday, is 2027's): every weekday x day x month combination a cron can produce, 29 February on all seven
#: weekdays included (366 x 7 = 2,562), and each daylight-saving transition the zone's rules make, in a year of
#: every calendar. Years after the time zone database's last explicit transition follow its standing rule.
CYCLE_YEARS = range(2027, 2055)


@lru_cache(maxsize=256)
def cycle_runs(expression: str, zone: str) -> tuple[dt.datetime, ...]:
    """Every run of `expression` in `zone` over the calendar cycle (`CYCLE_YEARS`), in order, as aware datetimes
    in `zone`: what a check that must hold on every date walks. Fields are wall-clock time in `zone`; a time
    that a daylight-saving change skips is left out, one it repeats runs once (its first occurrence), as in
    `next_runs`."""
    cron = parse(expression)
    tz = zoneinfo.ZoneInfo(zone)
    times = sorted((hour, minute) for hour in cron.hours for minute in cron.minutes)
    runs: list[dt.datetime] = []
    for year in CYCLE_YEARS:
        if year not in cron.years:
            continue
        for month in sorted(cron.months):
            for day in range(1, calendar.monthrange(year, month)[1] + 1):
                if not cron.day_rule(year, month, day):
                    continue
                midnight = dt.datetime(year, month, day, tzinfo=tz)
                # Only a day whose offset changes can skip a time: check those one by one.
                steady = midnight.utcoffset() == (midnight + dt.timedelta(days=1)).utcoffset()
                for hour, minute in times:
                    local = dt.datetime(year, month, day, hour, minute, tzinfo=tz)
                    if steady or _exists(local):
                        runs.append(local)
    return tuple(runs)


WEEK_MINUTES = 7 * 24 * 60


@lru_cache(maxsize=256)
def cycle_week_minutes(expression: str, zone: str) -> tuple[tuple[int, dt.datetime], ...]:
    """Each minute of the UTC week (Monday 00:00 = 0) at which `expression` runs over the calendar cycle, with
    its first run there (in `zone`), in the order of those runs: all that a check against something weekly in
    UTC (a maintenance window, a daily UTC cron) needs, a handful of entries instead of thousands of runs."""
    first: dict[int, dt.datetime] = {}
    for run in cycle_runs(expression, zone):
        utc = run.astimezone(dt.UTC)
        first.setdefault(utc.weekday() * 1440 + utc.hour * 60 + utc.minute, run)
    return tuple(first.items())


@lru_cache(maxsize=256)
def is_time_zone(name: str) -> bool:
    """A real IANA zone name (`Europe/Berlin`, `Etc/UTC`, `UTC`), as AWS schedules accept it."""
    if not isinstance(name, str) or not _ZONE.fullmatch(name) or name in _NOT_ZONES:
        return False
    if name.startswith(("posix/", "right/")):
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def describe_zone_error(name: object) -> str:
    return (f"{name!r} is not an IANA time zone name; use one such as 'Etc/UTC', 'Europe/Berlin' or "
            "'America/New_York' (case matters)")


def checked_cron(value: str) -> str:
    """A config validator's check of an AWS cron expression: it parses, and it recurs every year (year field
    `*`). A schedule limited to some years would stop without a word after the last one, and whether it still
    had a run to come would depend on the day the plan runs."""
    try:
        cron = parse(value)
    except CronError as error:
        raise PydanticCustomError("aws_cron", "{problem}", {"problem": str(error)}) from None
    year = cron.fields[5]
    if year != "*":
        raise PydanticCustomError(
            "aws_cron",
            "year: '{year}': must be '*' (every year): a schedule limited to some years stops without a word "
            "after the last one",
            {"year": year},
        )
    return value


def checked_zone(value: str) -> str:
    """A config validator's check of an IANA time zone name."""
    if not is_time_zone(value):
        raise PydanticCustomError("time_zone", "{problem}", {"problem": describe_zone_error(value)})
    return value
