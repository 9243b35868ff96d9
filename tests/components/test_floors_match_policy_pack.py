"""One home for every threshold: each config model's floor equals the policy pack's minimum for its stack
(policies/config/<stack>.json, read as the engine configures the pack), so the program refuses exactly what
the policy pack would flag, and a change to one without the other fails here."""

from __future__ import annotations

import sys

import pytest

from components.backup.config import DailyRule, MonthlyRule, WeeklyRule
from components.cache.config import CacheConfig
from components.concern import ConcernConfig
from components.network.config import NetworkConfig
from components.postgres.config import DatabaseConfig
from components.stack import CONCERN_MODELS
from tests.support.stacks import ROOT, STACKS

if str(ROOT / "policies") not in sys.path:
    sys.path.insert(0, str(ROOT / "policies"))
from baseline.thresholds import configured_minimum

# (concern model, field) -> the threshold policy that enforces the same minimum on the resource.
FLOOR_POLICIES: dict[tuple[type[ConcernConfig], str], str] = {
    (DatabaseConfig, "backup_retention_days"): "aws-rds-instance-configure-backup-retention",
    (CacheConfig, "snapshot_retention_limit"): "aws-elasticache-serverless-cache-configure-snapshot-retention",
    (NetworkConfig, "flow_log_retention_days"): "aws-cloudwatch-log-group-configure-retention",
    (DatabaseConfig, "log_retention_days"): "aws-cloudwatch-log-group-configure-retention",
    (DailyRule, "delete_after_days"): "aws-backup-plan-configure-daily-retention",
    (WeeklyRule, "delete_after_days"): "aws-backup-plan-configure-weekly-retention",
    (MonthlyRule, "delete_after_days"): "aws-backup-plan-configure-monthly-retention",
}


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(
    ("model_field", "policy"), FLOOR_POLICIES.items(), ids=[f"{m.__name__}.{f}" for m, f in FLOOR_POLICIES]
)
def test_floor_equals_the_policy_packs_minimum(
    stack: str, model_field: tuple[type[ConcernConfig], str], policy: str
) -> None:
    model, field = model_field
    floor = model.floors[stack][field].minimum  # type: ignore[index]
    assert configured_minimum(policy, stack) == floor, f"{model.__name__}.{field} in {stack} vs {policy}"


def test_every_floor_has_a_policy() -> None:
    floored = {(model, field) for model in CONCERN_MODELS.values() for floors in model.floors.values()
               for field in floors}
    assert floored <= set(FLOOR_POLICIES), f"floors without a policy minimum: {floored - set(FLOOR_POLICIES)}"
