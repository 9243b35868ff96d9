"""docs/tearing-down.md's first two steps, done exactly as written, give a prod plan the pack lets through.

The page lists the protection policies to relax and the keys to turn off; a list that misses one leaves a mandatory
violation, and a key the loader does not know fails the plan (exit 2). Both are read from the page itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from tests.support.stacks import ROOT
from tests.test_plan_stacks import plan

PAGE = ROOT / "docs" / "tearing-down.md"


def _steps() -> tuple[list[str], dict[str, dict[str, bool]]]:
    text = PAGE.read_text()
    step1 = text[text.index("1. In `policies/config/prod.json`"):text.index("2. Turn off")]
    step2 = text[text.index("2. Turn off"):text.index("3. Run `pulumi state unprotect`")]
    policies = [name for name in re.findall(r"`([a-z0-9-]+)`", step1) if "-" in name]
    keys: dict[str, dict[str, bool]] = {}
    for concern, key in re.findall(r"`platform:(\w+)\.(\w+): false`", step2):
        keys.setdefault(concern, {})[key] = False
    return policies, keys


def _teardown_plan(tmp_path: Path, *, relax: bool) -> set[str]:
    policies, keys = _steps()
    data = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    for concern, values in keys.items():
        data["config"][f"platform:{concern}"] = {**data["config"].get(f"platform:{concern}", {}), **values}
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump(data))
    policy_config = json.loads((ROOT / "policies" / "config" / "prod.json").read_text())
    if relax:
        for name in policies:
            assert name in policy_config, f"{name} (docs/tearing-down.md) is not a policy of the pack"
            policy_config[name] = "advisory"
    (tmp_path / "policy.json").write_text(json.dumps(policy_config))
    run = plan(tmp_path, "prod", "--config", str(tmp_path / "Pulumi.prod.yaml"),
               "--policy-config", str(tmp_path / "policy.json"))
    assert run.code in (0, 1), run.stderr
    return run.violated()


def test_the_pages_keys_and_policies_plan_clean(tmp_path: Path) -> None:
    policies, keys = _steps()
    assert len(policies) >= 9
    assert len(keys) >= 6
    assert _teardown_plan(tmp_path, relax=True) == set()


def test_without_relaxing_the_policies_the_pack_refuses_it(tmp_path: Path) -> None:
    assert _teardown_plan(tmp_path, relax=False) >= {"aws-rds-instance-enable-deletion-protection",
                                                     "stack-require-protect-stateful-resources"}
