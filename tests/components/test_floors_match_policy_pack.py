"""One home for every threshold: each config model's floor equals the policy pack's minimum for its stack
(policies/config/<stack>.json), so the program refuses exactly what the policy pack would flag."""

from __future__ import annotations

import json

import pytest

from components.cache.config import CacheConfig
from components.concern import ConcernConfig
from components.postgres.config import DatabaseConfig
from components.stack import CONCERN_MODELS
from tests.support.stacks import ROOT, STACKS

# (concern model, field) -> (policy name, policy config property). Policy names as the pack names them today.
FLOOR_POLICIES: dict[tuple[type[ConcernConfig], str], tuple[str, str]] = {
    (DatabaseConfig, "backup_retention_days"): ("aws-rds-instance-backup-retention", "minimumRetentionDays"),
    (CacheConfig, "snapshot_retention_limit"): (
        "aws-elasticache-serverless-cache-snapshot-retention", "minimumSnapshotRetention",
    ),
}


def policy_config(stack: str) -> dict[str, object]:
    return json.loads((ROOT / "policies" / "config" / f"{stack}.json").read_text())


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(
    ("model_field", "policy"), FLOOR_POLICIES.items(), ids=[f"{m.__name__}.{f}" for m, f in FLOOR_POLICIES]
)
def test_floor_equals_the_policy_packs_minimum(
    stack: str, model_field: tuple[type[ConcernConfig], str], policy: tuple[str, str]
) -> None:
    (model, field), (name, prop) = model_field, policy
    floor = model.floors[stack][field].minimum  # type: ignore[index]
    settings = policy_config(stack)[name]
    assert isinstance(settings, dict), f"{name} in policies/config/{stack}.json has no properties"
    assert settings[prop] == floor, f"{model.__name__}.{field} floor {floor} != {name}.{prop} {settings[prop]}"


def test_every_floor_has_a_policy() -> None:
    floored = {(model, field) for model in CONCERN_MODELS.values() for floors in model.floors.values()
               for field in floors}
    assert floored <= set(FLOOR_POLICIES), f"floors without a policy minimum: {floored - set(FLOOR_POLICIES)}"
