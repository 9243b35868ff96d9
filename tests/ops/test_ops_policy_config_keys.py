"""A typo'd threshold key in a policy config is refused (exit 2) naming the key, the policy and the file; before,
the plan was OK and the intended threshold silently not applied."""

from __future__ import annotations

import json
from pathlib import Path

from ops.model import PolicyConfigEntry, PolicyInfo
from ops.policy.config import validate_policy_config
from tests.support.cli import REPO, run_plan


def test_a_property_the_policy_does_not_declare_is_an_error() -> None:
    policy = PolicyInfo("p", "d", "mandatory", None, "resource", {"minimumRetentionDays": {"type": "integer"}}, ())
    bare = PolicyInfo("q", "d", "mandatory", None, "resource", {}, ())
    effective = {"p": PolicyConfigEntry("mandatory", {"minimumRetentionDay": 14}),
                 "q": PolicyConfigEntry("mandatory", {"minimum": 1})}
    assert validate_policy_config([policy, bare], effective, "pack", "1.0") == [
        "validating policy config: pack 1.0  p: minimumRetentionDay: unknown property (the policy would ignore it "
        "and keep its default); did you mean 'minimumRetentionDays'? its properties are minimumRetentionDays",
        "validating policy config: pack 1.0  q: minimum: unknown property (the policy would ignore it and keep its "
        "default); it takes no properties, only enforcementLevel",
    ]


def test_a_typod_threshold_in_the_stacks_policy_config_stops_the_plan(tmp_path: Path) -> None:
    config = json.loads((REPO / "policies" / "config" / "prod.json").read_text())
    entry = config["aws-rds-instance-configure-backup-retention"]
    entry["minimumRetentionDay"] = entry.pop("minimumRetentionDays")
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(config))
    run = run_plan(tmp_path, "--policy-config", str(path), stack="prod")
    assert run.code == 2, run.stdout + run.stderr
    assert f"invalid policy config ({path}):" in run.stderr
    assert "aws-rds-instance-configure-backup-retention: minimumRetentionDay: unknown property" in run.stderr
    assert "did you mean 'minimumRetentionDays'?" in run.stderr
    assert "Traceback" not in run.stderr
