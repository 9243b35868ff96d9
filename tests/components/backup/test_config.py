"""The backup concern's config: the seed schedule by default, retention floors per tier, cron and zone checks,
the copy region, and the vault lock's mode."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.backup.config import (
    PARTNER_REGIONS,
    WEEK_MINUTES,
    BackupConfig,
    automated_backup_conflicts,
    expiring_rules,
    maintenance_block,
)
from tests.support.configs import build, problems_with, with_values
from tests.support.stacks import load_stack

ROOT = "platform:backup"


def test_prod_takes_the_seed_schedule_and_a_compliance_lock() -> None:
    backup = load_stack("prod").backup
    assert {tier: (rule.schedule, rule.delete_after_days) for tier, rule in backup.rules.items()} == {
        "daily": ("cron(0 2 * * ? *)", 7),
        "weekly": ("cron(0 3 ? * SUN *)", 28),
        "monthly": ("cron(0 4 1 * ? *)", 365),
    }
    assert backup.time_zone == "Etc/UTC"
    assert backup.copy_region == PARTNER_REGIONS["eu-west-1"] == "eu-central-1"
    assert backup.vault_lock is not None
    assert (backup.vault_lock.mode, backup.vault_lock.grace_days) == ("compliance", 3)
    assert backup.lock_retention_days == (7, 365)
    assert backup.protect is True
    assert backup.restore_testing is not None
    assert backup.restore_testing.schedule == "cron(0 6 2 * ? *)"


def test_preview_has_no_lock_no_copy_and_a_shorter_monthly_retention() -> None:
    backup = load_stack("preview").backup
    assert (backup.vault_lock, backup.copy_region, backup.protect) == (None, None, False)
    assert backup.monthly.delete_after_days == 90


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"daily": {"delete_after_days": 1}}, f"{ROOT}.daily.delete_after_days = 1: must be >= 7 in prod"),
        ({"weekly": {"delete_after_days": 27}}, f"{ROOT}.weekly.delete_after_days = 27: must be >= 28 in prod"),
        ({"monthly": {"delete_after_days": 364}}, f"{ROOT}.monthly.delete_after_days = 364: must be >= 365"),
        ({"daily": {"schedule": "cron(0 2 * * * *)"}}, "exactly one of day-of-month and day-of-week must be '?'"),
        ({"weekly": {"schedule": "0 3 * * 0"}}, f"{ROOT}.weekly.schedule = 0 3 * * 0: must be written cron("),
        ({"daily": {"schedule": "cron(0/15 * * * ? *)"}}, "AWS Backup runs a rule at most hourly"),
        ({"daily": {"schedule": "cron(0 2 * * ? 2020)"}}, "year: '2020': must be '*' (every year)"),
        ({"weekly": {"schedule": "cron(0 3 ? * SUN 2027-2199)"}}, "year: '2027-2199': must be '*'"),
        ({"time_zone": "Europe/Atlantis"}, f"{ROOT}.time_zone = Europe/Atlantis: 'Europe/Atlantis' is not an IANA"),
        ({"time_zone": "europe/berlin"}, "is not an IANA time zone name"),
        ({"copy_region": "eu-west-1"}, f"{ROOT}.copy_region = eu-west-1: must differ from aws:region"),
        ({"copy_region": "mars"}, "not an AWS region"),
        ({"vault_lock": {"mode": "compliance", "changeable_for_days": 1}},
         f"{ROOT}.vault_lock.changeable_for_days = 1: Input should be greater than or equal to 3"),
        ({"vault_lock": {"mode": "legal-hold"}}, "one of compliance, governance"),
        ({"start_window_minutes": 30}, "must be a whole number from 60 to 43200"),
        ({"start_window_minutes": 120, "completion_window_minutes": 150},
         "must be at least start_window_minutes + 60 (180)"),
        ({"restore_testing": {"schedule": "cron(0 6 2 * 1 *)"}}, "exactly one of day-of-month"),
        ({"restore_testing": {"validation_window_hours": 200}},
         f"{ROOT}.restore_testing.validation_window_hours = 200: Input should be less than or equal to 168"),
    ],
)
def test_bad_values_are_reported_with_key_path_value_and_what_is_allowed(
    values: dict[str, Any], expected: str
) -> None:
    problems = problems_with("prod", "backup", values)
    assert any(expected in problem for problem in problems), problems


def test_preview_floors_are_lower() -> None:
    config = build(with_values("preview", "backup", {"daily": {"delete_after_days": 1}}), "preview")
    assert config.backup.daily.delete_after_days == 1


def test_prod_needs_a_copy_region_where_no_partner_is_known() -> None:
    prod = {"environment": "prod", "aws_region": "ap-south-2"}
    with pytest.raises(ValidationError, match="required in prod for region ap-south-2"):
        BackupConfig.model_validate({}, context=prod)
    assert BackupConfig.model_validate({"copy_region": "ap-south-1"}, context=prod).copy_region == "ap-south-1"
    # preview makes no copy unless asked to
    assert BackupConfig.model_validate({}, context={**prod, "environment": "preview"}).copy_region is None


def test_governance_mode_and_other_zones_are_accepted() -> None:
    config = build(with_values("prod", "backup", {"vault_lock": {"mode": "governance"},
                                                  "time_zone": "Europe/Berlin"}))
    assert config.backup.vault_lock is not None
    assert config.backup.vault_lock.mode == "governance"
    assert config.backup.time_zone == "Europe/Berlin"


def test_a_rule_that_would_expire_in_the_maintenance_window_is_refused() -> None:
    # Prod: weekly Sunday 03:00, maintenance sun:03:30-04:30, so no RDS backup starts 02:30-04:30; a one-hour
    # start window ends at 04:00, inside that block.
    problems = problems_with("prod", "backup", {"start_window_minutes": 60})
    assert problems == [
        "platform:backup.weekly.schedule = 'cron(0 3 ? * SUN *)': due when RDS backups cannot start (1 h before "
        "database.maintenance_window to its end) and start_window_minutes = 60 ends first: the job would expire "
        "(first on Sun 2027-01-03 03:00 Etc/UTC); move it or lengthen the start window"
    ]
    # The default start window (AWS's 8 hours) waits it out; so does a rule clear of the block.
    assert build(with_values("prod", "backup", {"start_window_minutes": 120})).backup.start_window_minutes == 120
    moved = {"start_window_minutes": 60, "weekly": {"schedule": "cron(0 1 ? * SUN *)"}}
    assert build(with_values("prod", "backup", moved)).backup.weekly.schedule == "cron(0 1 ? * SUN *)"


def test_the_maintenance_block_starts_an_hour_early_and_wraps_around_the_week() -> None:
    # Minutes of the UTC week, Monday 00:00 = 0.
    sunday = 6 * 24 * 60
    assert maintenance_block("sun:03:30-sun:04:30") == (sunday + 150, 120)
    assert maintenance_block("sun:23:30-mon:00:30") == (sunday + 1350, 120)
    assert maintenance_block("mon:00:30-mon:01:00") == (WEEK_MINUTES - 30, 90)  # its lead hour is on Sunday


def test_a_block_that_wraps_around_the_week_expires_the_runs_it_holds() -> None:
    def expiring(schedule: str, window: str) -> list[str]:
        backup = BackupConfig.model_validate({"protect": False, "start_window_minutes": 60,
                                              "daily": {"schedule": schedule}})
        return expiring_rules(backup, window)

    # Blocked from Sunday 22:30 to Monday 00:30 UTC: a Sunday 23:00 run's hour ends inside it; a Monday 00:15 run
    # waits the 15 minutes out.
    assert expiring("cron(0 23 ? * SUN *)", "sun:23:30-mon:00:30") == ["daily"]
    assert expiring("cron(15 0 ? * MON *)", "sun:23:30-mon:00:30") == []
    # The lead hour alone crosses the week's end: blocked from Sunday 23:30 to Monday 01:00.
    assert expiring("cron(45 23 ? * SUN *)", "mon:00:30-mon:01:00") == ["daily"]
# ---- the vault lock: fields of the chosen mode only, and a prod floor


def test_a_field_the_lock_mode_does_not_use_is_refused_not_ignored() -> None:
    problems = problems_with("prod", "backup", {"vault_lock": {"mode": "governance", "changeable_for_days": 10}})
    (problem,) = problems
    assert problem.startswith(f"{ROOT}.vault_lock = ")
    assert "changeable_for_days = 10 does not apply to mode 'governance'" in problem
    assert "PutBackupVaultLockConfiguration" in problem
    # Compliance takes it; governance without it is fine; compliance without it gets AWS's minimum.
    lock = build(with_values("prod", "backup", {"vault_lock": {"mode": "compliance",
                                                               "changeable_for_days": 10}})).backup.vault_lock
    assert lock is not None
    assert lock.grace_days == 10
    governance = build(with_values("prod", "backup", {"vault_lock": {"mode": "governance"}})).backup.vault_lock
    assert governance is not None
    assert governance.changeable_for_days is None
    assert load_stack("prod").backup.vault_lock.grace_days == 3  # type: ignore[union-attr]


def test_prod_refuses_no_vault_lock_and_preview_accepts_it() -> None:
    (problem,) = problems_with("prod", "backup", {"vault_lock": None})
    assert problem.startswith(f"{ROOT}.vault_lock = null: must be set in prod")
    assert "aws-backup-vault-require-vault-lock" in problem
    assert build(with_values("preview", "backup", {"vault_lock": None}), "preview").backup.vault_lock is None


# ---- the database's automated backup window: no rule within an hour of it


def test_the_stacks_keep_every_rule_an_hour_clear_of_the_automated_backup_window() -> None:
    for stack in ("preview", "prod"):
        config = load_stack(stack)
        assert automated_backup_conflicts(config.backup, config.database.backup_window) == {}, stack


def test_a_rule_within_an_hour_of_the_automated_backup_window_is_refused() -> None:
    # Prod's former window, 02:00-03:00 UTC, held the daily 02:00 rule and was an hour from Sunday's 03:00.
    problems = problems_with("prod", "database", {"backup_window": "02:00-03:00"})
    assert [p.split(":", 1)[0] for p in problems] == ["platform", "platform"]
    assert problems[0].startswith("platform:backup.daily.schedule = 'cron(0 2 * * ? *)': at 02:00 UTC, within 1 h "
                                  "of database.backup_window = 02:00-03:00")
    assert problems[1].startswith("platform:backup.weekly.schedule")
    # Half an hour after the window ends is too close as well (02:00 against a window ending at 01:30).
    late = problems_with("prod", "database", {"backup_window": "00:30-01:30"})
    assert [p.split(" = ")[0] for p in late] == ["platform:backup.daily.schedule"]


def test_the_window_check_covers_every_utc_offset_of_the_zone() -> None:
    """A rule read in a zone with daylight saving fires at two UTC times over the year; both are checked, whatever
    the date the plan runs on (the check samples fixed years, not "from now")."""
    backup = BackupConfig.model_validate({"time_zone": "America/New_York", "daily": {"schedule": "cron(0 17 * * ? *)"}},
                                         context={"environment": "preview"})
    # 17:00 New York is 21:00 UTC in summer (EDT) and 22:00 in winter (EST).
    assert automated_backup_conflicts(backup, "23:00-23:30") == {"daily": ["22:00"]}
    assert automated_backup_conflicts(backup, "20:00-20:30") == {"daily": ["21:00"]}
    assert automated_backup_conflicts(backup, "21:30-22:00") == {"daily": ["21:00", "22:00"]}
    assert automated_backup_conflicts(backup, "12:00-12:30") == {}
