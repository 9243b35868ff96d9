"""The backup concern's config (`platform:backup`): AWS Backup for the database.

A vault with a CMK (locked in prod), a plan with three rules (daily, weekly, monthly: cron, retention, copy to
a second region), a selection of the database, restore testing, and failure alerts. The seed schedule is the
default: daily 02:00 UTC kept 7 days, weekly Sunday 03:00 kept 28, monthly on the 1st at 04:00 kept 365.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from components.aws.cron import WEEK_MINUTES, checked_cron, checked_zone, cycle_runs, cycle_week_minutes, parse
from components.aws_regions import region_problem
from components.concern import ConcernConfig, Environment, Floor, environment_of, key_error

# AWS Backup: a vault lock's ChangeableForDays is at least 3 (AWS Backup API, PutBackupVaultLockConfiguration).
MIN_CHANGEABLE_FOR_DAYS = 3
# AWS Backup: StartWindowMinutes at least 60; CompletionWindowMinutes at least 60 more than the start window
# (AWS Backup Developer Guide, "Backup plan options and configuration"). The default start window is AWS's own
# (8 hours): long enough for a job due during the database's maintenance window to start after it.
MIN_START_WINDOW_MINUTES = 60
DEFAULT_START_WINDOW_MINUTES = 480
# The copy region prod gets when its stack file names none: a region of the same jurisdiction, so that the
# default never moves data across a border. Elsewhere prod must set `copy_region`.
PARTNER_REGIONS: dict[str, str] = {
    "eu-west-1": "eu-central-1", "eu-central-1": "eu-west-1", "eu-west-2": "eu-west-1",
    "eu-west-3": "eu-central-1", "eu-north-1": "eu-central-1", "eu-south-1": "eu-central-1",
    "us-east-1": "us-west-2", "us-east-2": "us-west-2", "us-west-1": "us-east-1", "us-west-2": "us-east-1",
    "ca-central-1": "ca-west-1", "ap-northeast-1": "ap-northeast-3", "ap-southeast-2": "ap-southeast-4",
}


class BackupRule(ConcernConfig):
    """One rule of the backup plan: when it runs (AWS cron in the plan's time zone) and how long it keeps."""

    concern: ClassVar[str] = "backup.rule"

    schedule: str = Field(
        description="AWS cron: cron(minutes hours day-of-month month day-of-week year), in the plan's time_zone; one "
        "value in the minutes field (AWS Backup runs a rule at most hourly).",
        examples=["cron(0 2 * * ? *)"],
    )
    delete_after_days: int = Field(
        ge=1, le=36_500, description="Days a recovery point is kept (1-36500).", examples=[7]
    )
    copy_to_second_region: bool = Field(
        default=True,
        description="Copy each recovery point to the copy region's vault, kept as long. Only when copy_region is "
        "set.",
    )

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        checked_cron(value)
        # AWS Backup runs a rule at most once an hour (AWS Backup Developer Guide, "Backup frequency"): the
        # minutes field is one value.
        if len(parse(value).minutes) != 1:
            raise PydanticCustomError(
                "backup_frequency",
                "AWS Backup runs a rule at most hourly: the minutes field must be one value (e.g. 'cron(0 2 * * ? *)')",
            )
        return value


class DailyRule(BackupRule):
    concern: ClassVar[str] = "backup.daily"
    floors: ClassVar[dict[Environment, dict[str, Floor]]] = {
        "preview": {"delete_after_days": Floor(1, "seed backup policy")},
        "prod": {"delete_after_days": Floor(7, "seed backup policy: daily kept >= 7 days in prod")},
    }
    schedule: str = Field(
        default="cron(0 2 * * ? *)",
        description="AWS cron of the daily rule, read in the plan's time_zone; default 02:00 every day. One value in "
        "the minutes field: AWS Backup runs a rule at most hourly.",
    )
    delete_after_days: int = Field(
        default=7, ge=1, le=36_500,
        description="Days a daily recovery point is kept (1-36500). Floors: 1 in preview, 7 in prod (seed backup "
        "policy).",
    )


class WeeklyRule(BackupRule):
    concern: ClassVar[str] = "backup.weekly"
    floors: ClassVar[dict[Environment, dict[str, Floor]]] = {
        "preview": {"delete_after_days": Floor(1, "seed backup policy")},
        "prod": {"delete_after_days": Floor(28, "seed backup policy: weekly kept >= 28 days in prod")},
    }
    schedule: str = Field(
        default="cron(0 3 ? * SUN *)",
        description="AWS cron of the weekly rule, read in the plan's time_zone; default Sunday 03:00. One value in the "
        "minutes field: AWS Backup runs a rule at most hourly.",
    )
    delete_after_days: int = Field(
        default=28, ge=1, le=36_500,
        description="Days a weekly recovery point is kept (1-36500). Floors: 1 in preview, 28 in prod (seed backup "
        "policy).",
    )


class MonthlyRule(BackupRule):
    concern: ClassVar[str] = "backup.monthly"
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {"preview": {"delete_after_days": 90}}
    floors: ClassVar[dict[Environment, dict[str, Floor]]] = {
        "preview": {"delete_after_days": Floor(1, "seed backup policy")},
        "prod": {"delete_after_days": Floor(365, "seed backup policy: monthly kept >= 365 days in prod")},
    }
    schedule: str = Field(
        default="cron(0 4 1 * ? *)",
        description="AWS cron of the monthly rule, read in the plan's time_zone; default the 1st at 04:00. One value "
        "in the minutes field: AWS Backup runs a rule at most hourly.",
    )
    delete_after_days: int = Field(
        default=365, ge=1, le=36_500,
        description="Days a monthly recovery point is kept (1-36500; preview default 90). Floors: 1 in preview, 365 "
        "in prod (seed backup policy).",
    )


class VaultLockConfig(ConcernConfig):
    """AWS Backup Vault Lock on both vaults. Its minimum and maximum retention follow from the plan's rules (the
    shortest and the longest `delete_after_days`), so every rule's recovery points are accepted.

    * `compliance`: the lock is set with `changeable_for_days`; during that grace period it can still be
      changed or removed, after it nobody (not the account root, not AWS) can remove it or shorten retention,
      and the vault cannot be deleted while it holds recovery points.
    * `governance`: no `changeable_for_days`; principals with `backup:DeleteBackupVaultLockConfiguration` can
      remove the lock at any time. A safety net against mistakes, not against a compromised admin.
    """

    concern: ClassVar[str] = "backup.vault_lock"

    mode: Literal["compliance", "governance"] = Field(
        default="compliance",
        description="compliance: immutable after changeable_for_days, by anyone; governance: principals allowed "
        "backup:DeleteBackupVaultLockConfiguration can remove it at any time.",
    )
    changeable_for_days: int | None = Field(
        default=None, ge=MIN_CHANGEABLE_FOR_DAYS, le=36_500,
        description="Compliance mode only: the grace period in days before the lock becomes immutable (AWS minimum "
        "3: AWS Backup API, PutBackupVaultLockConfiguration); 3 when unset. Refused in governance mode, which has "
        "no grace period (a ChangeableForDays turns a lock into compliance mode).",
        examples=[3],
    )

    @model_validator(mode="after")
    def _fields_of_the_mode(self) -> VaultLockConfig:
        # PutBackupVaultLockConfiguration: "If you don't specify ChangeableForDays, the lock is in governance mode";
        # a value given with governance would be silently dropped (the component sends it in compliance only).
        if self.mode == "governance" and self.changeable_for_days is not None:
            raise PydanticCustomError(
                "vault_lock_mode_fields",
                "changeable_for_days = {days} does not apply to mode 'governance' (no grace period; AWS Backup API, "
                "PutBackupVaultLockConfiguration): remove it, or set mode: compliance (immutable after that many "
                "days)",
                {"days": self.changeable_for_days},
            )
        return self

    @property
    def grace_days(self) -> int:
        """Compliance mode's grace period: `changeable_for_days`, or AWS's minimum when unset."""
        return MIN_CHANGEABLE_FOR_DAYS if self.changeable_for_days is None else self.changeable_for_days


class RestoreTestingConfig(ConcernConfig):
    """AWS Backup restore testing: restores the latest recovery point of the database on a schedule, and
    deletes the restored instance after the validation window."""

    concern: ClassVar[str] = "backup.restore_testing"

    schedule: str = Field(
        default="cron(0 6 2 * ? *)",
        description="AWS cron; default monthly, the 2nd at 06:00. Read in the plan's time_zone.",
    )
    start_window_hours: int = Field(
        default=24, ge=1, le=168,
        description="Hours after its scheduled time within which a restore test must start (1-168).",
    )
    selection_window_days: int = Field(
        default=7, ge=1, le=365, description="Pick the latest recovery point of this many last days."
    )
    validation_window_hours: int = Field(
        default=1, ge=1, le=168, description="Hours the restored instance stays up for validation (1-168)."
    )

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        return checked_cron(value)


class BackupConfig(ConcernConfig):
    """AWS Backup for the database; see docs/backups.md."""

    concern: ClassVar[str] = "backup"
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {
        "preview": {"protect": False, "vault_lock": None, "copy_region": None},
        "prod": {"protect": True, "vault_lock": VaultLockConfig()},
    }

    time_zone: str = Field(
        default="Etc/UTC",
        description="IANA time zone of every rule's cron (the plan's zone). The restore tests' schedule uses it too.",
    )
    daily: DailyRule = Field(
        default_factory=DailyRule,
        description="The daily rule; default 02:00, kept 7 days, copied to the copy region when there is one.",
    )
    weekly: WeeklyRule = Field(
        default_factory=WeeklyRule,
        description="The weekly rule; default Sunday 03:00, kept 28 days, copied to the copy region when there is one.",
    )
    monthly: MonthlyRule = Field(
        default_factory=MonthlyRule,
        description="The monthly rule; default the 1st at 04:00, kept 365 days (preview 90). Copied to the copy "
        "region when there is one.",
    )
    start_window_minutes: int = Field(
        default=DEFAULT_START_WINDOW_MINUTES, ge=MIN_START_WINDOW_MINUTES, le=43_200,
        description="Minutes after a rule's scheduled time within which its job must start, else it ends EXPIRED: "
        "60-43200 (AWS Backup plan options); default AWS's 480 (8 hours), enough to start after a maintenance window.",
    )
    completion_window_minutes: int = Field(
        default=1440, ge=120, le=43_200,
        description="Minutes AWS Backup allows a backup job to complete before cancelling it: at least "
        "start_window_minutes + 60, at most 43200 (AWS Backup plan options).",
    )
    copy_region: str | None = Field(
        default=None,
        description="Region of the copy vault (region loss); required in prod, not the stack's region. Prod defaults "
        "to a same-jurisdiction partner of aws:region where one is known; preview copies nothing unless set.",
        examples=["eu-central-1"],
    )
    vault_lock: VaultLockConfig | None = Field(
        default=None,
        description="AWS Backup Vault Lock on both vaults; prod default compliance mode, preview none. Its minimum "
        "and maximum retention are the rules' shortest and longest delete_after_days.",
        examples=[{"mode": "compliance", "changeable_for_days": 3}],
    )
    restore_testing: RestoreTestingConfig | None = Field(
        default_factory=RestoreTestingConfig,
        description="AWS Backup restore testing of the database (monthly by default); null turns it off.",
    )
    protect: bool = Field(
        description="Pulumi `protect` on the vaults, their keys and vault locks. Unprotected vaults are "
        "force-destroyed with their recovery points.",
        examples=[True],
    )

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return checked_zone(value)

    @field_validator("copy_region")
    @classmethod
    def _copy_region(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        problem = region_problem(value)
        if problem is not None:
            raise PydanticCustomError("region", problem)
        if value == (info.context or {}).get("aws_region"):
            raise PydanticCustomError(
                "same_region", "must differ from aws:region: a copy in the same region does not survive its loss"
            )
        return value

    @field_validator("vault_lock")
    @classmethod
    def _vault_lock_in_prod(cls, value: VaultLockConfig | None, info: ValidationInfo) -> VaultLockConfig | None:
        if value is None and environment_of(info) == "prod":
            raise PydanticCustomError(
                "vault_lock_prod",
                "must be set in prod (compliance, the default, or governance): without a lock, anyone allowed "
                "backup:DeleteRecoveryPoint can delete recovery points before they expire "
                "(policy aws-backup-vault-require-vault-lock)",
            )
        return value

    @field_validator("completion_window_minutes")
    @classmethod
    def _completion_after_start(cls, value: int, info: ValidationInfo) -> int:
        start = info.data.get("start_window_minutes")
        if isinstance(start, int) and value < start + 60:
            raise PydanticCustomError(
                "completion_window",
                "must be at least start_window_minutes + 60 ({minimum}) (AWS Backup plan options)",
                {"minimum": start + 60},
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _rules_and_copy_region(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        # Absent rules are validated from {} like given ones, so they get their environment's defaults and floors.
        data = {**{tier: {} for tier in ("daily", "weekly", "monthly")}, **data}
        context = info.context or {}
        if context.get("environment") != "prod" or data.get("copy_region") or not context.get("aws_region"):
            return data  # (an invalid aws:region is reported on its own)
        partner = PARTNER_REGIONS.get(context.get("aws_region") or "")
        if partner is None:
            raise key_error(
                "copy_region", "copy_region_required",
                "required in prod for region {region}: name a second region of the same "
                "jurisdiction; the cross-region copy is the only recovery from the loss of a region",
                {"region": context.get("aws_region")},
            )
        return {**data, "copy_region": partner}

    @property
    def rules(self) -> dict[str, BackupRule]:
        return {"daily": self.daily, "weekly": self.weekly, "monthly": self.monthly}

    @property
    def lock_retention_days(self) -> tuple[int, int]:
        """(minimum, maximum) retention a vault lock admits: the plan's shortest and longest rule."""
        days = [rule.delete_after_days for rule in self.rules.values()]
        return min(days), max(days)


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# AWS Backup does not start a backup of an RDS database from one hour before its maintenance window until the
# window ends (AWS Backup Developer Guide, "Backup plan options and configuration"); a job that cannot start
# within its start window ends EXPIRED.
MAINTENANCE_LEAD = dt.timedelta(hours=1)


def maintenance_block(window: str) -> tuple[int, int]:
    """Where no RDS backup starts, for an RDS maintenance window 'ddd:hh:mm-ddd:hh:mm' (UTC): its start in
    minutes of the UTC week (Monday 00:00 is 0), an hour before the window, and its length in minutes. A window
    may wrap around the end of the week ('sun:23:30-mon:00:30')."""
    start, end = (_week_minute(text) for text in window.lower().split("-"))
    lead = int(MAINTENANCE_LEAD.total_seconds()) // 60
    return (start - lead) % WEEK_MINUTES, (end - start) % WEEK_MINUTES + lead


def _week_minute(text: str) -> int:
    day, hour, minute = text.split(":")
    return _DAYS.index(day) * 1440 + int(hour) * 60 + int(minute)


def expiring_runs(backup: BackupConfig, maintenance_window: str) -> dict[str, dt.datetime]:
    """The rules with a run that would expire, each with the first such run (in the plan's zone): due where RDS
    backups cannot start, with a start window that ends before that block does. Every run of the calendar cycle
    (`cycle_runs`: each weekday x day x month combination, leap days and daylight-saving changes included) is
    checked, never only the weeks after today, so the answer is the same on every day the plan runs."""
    low, length = maintenance_block(maintenance_window)
    start_window = backup.start_window_minutes
    expiring: dict[str, dt.datetime] = {}
    for tier, rule in backup.rules.items():
        for minute, run in cycle_week_minutes(rule.schedule, backup.time_zone):
            into = (minute - low) % WEEK_MINUTES
            if into < length and into + start_window <= length:
                expiring[tier] = run
                break
    return expiring


def expiring_rules(backup: BackupConfig, maintenance_window: str) -> list[str]:
    """The rules with a run, on any date, that would expire in the database's maintenance block."""
    return list(expiring_runs(backup, maintenance_window))
# AWS re:Post knowledge center article backup-coordinates-pitr (https://repost.aws/knowledge-center/backup-
# coordinates-pitr; read in its Japanese edition, https://repost.aws/ja/knowledge-center/backup-coordinates-pitr):
# AWS Backup jobs scheduled within one hour of the RDS automated backup window or maintenance window may fail,
# because RDS activity takes precedence over AWS Backup's jobs; the job reports that it could not start because it
# is inside or too close to the automated backup window set on the RDS instance. So no rule may fire from an hour
# before the database's daily backup window to an hour after it.
AUTOMATED_BACKUP_MARGIN_MINUTES = 60
# Years whose days give every UTC offset a zone takes (a leap year and DST on both hemispheres), fixed so that
# the answer never depends on the day the plan runs.
_OFFSET_YEARS = range(2024, 2028)


def _utc_minutes_of_day(schedule: str, zone: str) -> set[int]:
    """Every UTC minute of the day at which `schedule`, read in `zone`, can fire: each of its local times under
    each UTC offset the zone takes in the sampled years (DST included)."""
    cron, tz = parse(schedule), ZoneInfo(zone)
    minutes: set[int] = set()
    day = dt.date(_OFFSET_YEARS.start, 1, 1)
    while day.year < _OFFSET_YEARS.stop:
        for hour in cron.hours:
            for minute in cron.minutes:
                local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
                utc = local.astimezone(dt.UTC)
                minutes.add(utc.hour * 60 + utc.minute)
        day += dt.timedelta(days=1)
    return minutes


def automated_backup_conflicts(backup: BackupConfig, backup_window: str) -> dict[str, list[str]]:
    """The rules (with the UTC times, 'hh:mm') that can fire within an hour of the database's daily automated
    backup window 'hh:mm-hh:mm' (UTC), before or after it, on any day of the year."""
    start, end = ((int(part[:2]) * 60 + int(part[3:])) for part in backup_window.split("-"))
    low = start - AUTOMATED_BACKUP_MARGIN_MINUTES
    span = (end - start) % 1440 + 2 * AUTOMATED_BACKUP_MARGIN_MINUTES
    conflicts: dict[str, list[str]] = {}
    for tier, rule in backup.rules.items():
        hits = sorted(m for m in _utc_minutes_of_day(rule.schedule, backup.time_zone) if (m - low) % 1440 < span)
        if hits:
            conflicts[tier] = [f"{m // 60:02d}:{m % 60:02d}" for m in hits]
    return conflicts


# ---- silence: a signal when a tier's interval passes without a recovery point (docs/backups.md, "Silence").
# The backup checker (components/backup/checker.py) reads these windows: one per tier, and one for restore testing.


@functools.lru_cache(maxsize=256)
def tier_interval_hours(schedule: str, zone: str) -> int:
    """The longest time between two consecutive runs of `schedule` over the calendar cycle (`cycle_runs`), in
    whole hours (rounded up): 24 for a daily rule, 168 weekly, 744 for a monthly rule (a 31-day month); a daily
    rule whose time a daylight-saving change skips once a year, 47 (Sydney's spring, say, in October)."""
    runs = [run.astimezone(dt.UTC) for run in cycle_runs(schedule, zone)]  # elapsed time, not wall-clock time
    gap = max(b - a for a, b in itertools.pairwise(runs))
    return -(-int(gap.total_seconds()) // 3600)


def silence_window_hours(config: BackupConfig, tier: str) -> int:
    """How long the database may go without a new recovery point of `tier` before it is late: the rule's
    longest interval, plus the start window and the completion window (a job may start that late and run
    that long before AWS Backup gives up), in whole hours."""
    rule = config.rules[tier]
    windows = config.start_window_minutes + config.completion_window_minutes
    return tier_interval_hours(rule.schedule, config.time_zone) + -(-windows // 60)


def restore_test_window_hours(config: BackupConfig) -> int | None:
    """How long restore testing may go without starting a restore job before it is late: its schedule's longest
    interval plus its start window (a test may start that late), in whole hours; None without restore testing."""
    testing = config.restore_testing
    if testing is None:
        return None
    return tier_interval_hours(testing.schedule, config.time_zone) + testing.start_window_hours
