"""AWS Backup plans (`aws:backup/plan:Plan`): each rule keeps its recovery points (and their copies) at least as
long as the stack's minimum for how often the rule runs (seed backup policy: daily >= 7 days, weekly >= 28,
monthly >= 365 in prod; `minimumDeleteAfterDays` per policy in policies/config/<stack>.json).

A rule is classified by its `schedule` (AWS cron: minutes hours day-of-month month day-of-week year):
* monthly: one day of the month (`1`, `L`, `15W`), a `#` or `nL` weekday (once a month), or a restricted month;
* weekly: day-of-month `?` and one weekday (`SUN`, `1`);
* daily: anything else, including no schedule (AWS Backup then runs the rule daily at 05:00 UTC).
Absent inputs: `lifecycle.deleteAfter` none (recovery points are kept forever: compliant).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy, Severity

from ...common import (
    BACKUP_PLAN,
    MISSING,
    Family,
    ResourceCheck,
    as_list,
    as_number,
    as_str,
    config_number,
    fmt_number,
    get,
    known,
    resource_policy,
)
from ...refs import platform
from ...thresholds import (
    BACKUP_DAILY_RETENTION,
    BACKUP_MONTHLY_RETENTION,
    BACKUP_WEEKLY_RETENTION,
    Threshold,
)

_about = Family("aws-backup-plan", ("aws", "backup", "backup-plan")).about
_CRON = re.compile(r"\s*cron\((?P<body>[^()]*)\)\s*", re.IGNORECASE)
_SINGLE = re.compile(r"[0-9]{1,2}|[A-Za-z]{3}")


def frequency(schedule: Any) -> str:
    """'daily', 'weekly' or 'monthly' for a rule's schedule (see the module docstring)."""
    match = _CRON.fullmatch(schedule) if isinstance(schedule, str) else None
    if match is None:
        return "daily"
    fields = match.group("body").split()
    if len(fields) != 6:
        return "daily"
    _, _, day_of_month, month, day_of_week, _ = (field.upper() for field in fields)
    if month not in ("*", "?") or (day_of_month not in ("*", "?") and "/" not in day_of_month
                                  and "," not in day_of_month and "-" not in day_of_month):
        return "monthly"
    if day_of_month == "?" and ("#" in day_of_week or (day_of_week.endswith("L") and day_of_week != "L")):
        return "monthly"
    if day_of_month == "?" and (_SINGLE.fullmatch(day_of_week) or day_of_week == "L"):
        return "weekly"
    return "daily"


def _retention_check(tier: str, threshold: Threshold) -> ResourceCheck:
    def check(args: ResourceValidationArgs) -> Iterator[str]:
        minimum = config_number(args.get_config(), threshold.key, threshold.default, minimum=threshold.minimum)
        rules = as_list(get(args.props, "rules"))
        for i, rule in enumerate(known(rules, "rules") if isinstance(rules, list) else []):
            schedule = known(as_str(get(rule, "schedule")), f"rules[{i}].schedule")
            if frequency(schedule) != tier:
                continue
            name = get(rule, "ruleName")
            label = f"rule {name}" if isinstance(name, str) else f"rules[{i}]"
            yield from _short(label, get(rule, "lifecycle", "deleteAfter"), minimum, f"rules[{i}]", schedule)
            copies = as_list(get(rule, "copyActions"))
            for j, copy in enumerate(copies if isinstance(copies, list) else []):
                yield from _short(f"{label} copy {j}", get(copy, "lifecycle", "deleteAfter"), minimum,
                                  f"rules[{i}].copyActions[{j}]", schedule)

    return check


def _short(label: str, value: Any, minimum: float, path: str, schedule: Any) -> Iterator[str]:
    if value is MISSING:
        return  # kept forever
    number = known(as_number(value), f"{path}.lifecycle.deleteAfter")
    if isinstance(number, float) and number >= minimum:
        return
    shown = fmt_number(number) if isinstance(number, float) else "not a number"
    yield (f"{label} ({schedule if isinstance(schedule, str) else 'no schedule'}) deletes recovery points after "
           f"{shown} days; at least {fmt_number(minimum)} days are required.")


def _retention_policy(tier: str, threshold: Threshold) -> ResourceValidationPolicy:
    return resource_policy(
        _about(
            f"configure-{tier}-retention",
            description=f"AWS Backup plan rules that run {tier} (by their schedule) must keep recovery points, and "
            f"their copies, at least the stack's minimum (policy config {threshold.key}).",
            refs=(platform("backup retention baseline"),),
            control="backup plan rules keep daily >= 7 days, weekly >= 28, monthly >= 365 (prod)",
            severity=Severity.HIGH,
            remediation=f"Set the rule's `lifecycle.delete_after` (and its copy actions') to at least the stack's "
            f"minimum for {tier} rules (policies/config/<stack>.json).",
            tags=("retention",),
            url="https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html",
        ),
        (BACKUP_PLAN,),
        _retention_check(tier, threshold),
        config_schema=PolicyConfigSchema(properties={threshold.key: threshold.schema()}),
    )


RESOURCE_TYPE = BACKUP_PLAN
"""The resource type this module's policies are about."""

POLICIES = [
    _retention_policy("daily", BACKUP_DAILY_RETENTION),
    _retention_policy("weekly", BACKUP_WEEKLY_RETENTION),
    _retention_policy("monthly", BACKUP_MONTHLY_RETENTION),
]
