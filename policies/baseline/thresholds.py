"""One home for every threshold: the numbers live in `policies/config/<stack>.json`, their bounds here.

Each threshold policy reads one config property (`minimumRetentionDays`, ...). The engine fills it from the stack's
policy config file, or from the schema default below when the file does not set it. `configured_minimum()` reads a
stack's value the same way, so a test can assert that the program's config-model floors equal the pack's minimums:

    from baseline.thresholds import configured_minimum      # with policies/ on sys.path
    assert configured_minimum("aws-rds-instance-configure-backup-retention", "prod") == 14

This module imports neither Pulumi nor the policies, so reading a threshold costs no SDK import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

CONFIG_DIR: Final = Path(__file__).resolve().parents[1] / "config"


@dataclass(frozen=True)
class Threshold:
    """A minimum a policy enforces: its config property, default (when a stack sets none) and allowed range."""

    policy: str
    key: str
    default: int
    minimum: int
    maximum: int
    unit: str
    description: str

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of the config property (`PolicyConfigSchema.properties[key]`)."""
        return {
            "type": "integer",
            "default": self.default,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "description": self.description,
        }


RDS_BACKUP_RETENTION: Final = Threshold(
    policy="aws-rds-instance-configure-backup-retention",
    key="minimumRetentionDays",
    default=7,
    minimum=1,
    maximum=35,  # RDS allows 0-35 days of automated backups
    unit="days",
    description="Minimum backupRetentionPeriod in days (FSBP RDS.11 asks for 7).",
)
CACHE_SNAPSHOT_RETENTION: Final = Threshold(
    policy="aws-elasticache-serverless-cache-configure-snapshot-retention",
    key="minimumSnapshotRetention",
    default=1,
    minimum=1,
    maximum=35,  # ElastiCache keeps at most 35 daily snapshots
    unit="snapshots",
    description="Minimum snapshotRetentionLimit (number of daily snapshots kept).",
)
LOG_GROUP_RETENTION: Final = Threshold(
    policy="aws-cloudwatch-log-group-configure-retention",
    key="minimumRetentionDays",
    default=365,
    minimum=1,
    maximum=3653,  # the longest finite retentionInDays CloudWatch Logs accepts (10 years)
    unit="days",
    description="Minimum retentionInDays of a CloudWatch log group (CKV_AWS_338 and FSBP CloudWatch.16: 365).",
)

# AWS Backup plan rules, by how often a rule runs (seed backup policy: daily >= 7, weekly >= 28, monthly >= 365
# in prod). DeleteAfterDays may be up to 36500 (100 years).
BACKUP_DAILY_RETENTION: Final = Threshold(
    policy="aws-backup-plan-configure-daily-retention",
    key="minimumDeleteAfterDays",
    default=7,
    minimum=1,
    maximum=36_500,
    unit="days",
    description="Minimum lifecycle.deleteAfter of backup plan rules that run daily or more often.",
)
BACKUP_WEEKLY_RETENTION: Final = Threshold(
    policy="aws-backup-plan-configure-weekly-retention",
    key="minimumDeleteAfterDays",
    default=28,
    minimum=1,
    maximum=36_500,
    unit="days",
    description="Minimum lifecycle.deleteAfter of backup plan rules that run on certain weekdays.",
)
BACKUP_MONTHLY_RETENTION: Final = Threshold(
    policy="aws-backup-plan-configure-monthly-retention",
    key="minimumDeleteAfterDays",
    default=365,
    minimum=1,
    maximum=36_500,
    unit="days",
    description="Minimum lifecycle.deleteAfter of backup plan rules that run monthly or less often.",
)

THRESHOLDS: Final[dict[str, Threshold]] = {
    t.policy: t for t in (RDS_BACKUP_RETENTION, CACHE_SNAPSHOT_RETENTION, LOG_GROUP_RETENTION,
                          BACKUP_DAILY_RETENTION, BACKUP_WEEKLY_RETENTION, BACKUP_MONTHLY_RETENTION)
}
"""Every threshold policy of the pack, by policy name."""


def configured_minimum(policy: str, stack: str, *, config_dir: Path = CONFIG_DIR) -> int:
    """The minimum `policy` enforces on `stack`, as the engine configures it from `config/<stack>.json`.

    Raises KeyError for a policy without a threshold and FileNotFoundError for a stack without a config file.
    """
    threshold = THRESHOLDS[policy]
    document = json.loads((config_dir / f"{stack}.json").read_text())
    entry = document.get(policy)
    value = entry.get(threshold.key, threshold.default) if isinstance(entry, dict) else threshold.default
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{stack}.json: {policy}.{threshold.key} must be an integer, not {value!r}")
    return value


def configured_minimums(stack: str, *, config_dir: Path = CONFIG_DIR) -> dict[str, int]:
    """`configured_minimum` for every threshold policy of the pack."""
    return {name: configured_minimum(name, stack, config_dir=config_dir) for name in THRESHOLDS}
