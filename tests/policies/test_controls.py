"""Every Required control of the security baseline has a policy, mandatory in prod, and the all-insecure fixture
program breaks every one of them with at least one mandatory violation."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from baseline.catalog import effective_level
from baseline.controls import REQUIRED_CONTROLS
from baseline.pack import all_policies

from tests.policies.harness import PACK_DIR
from tests.support.cli import FIXTURES, REPO

INSECURE_PROGRAM = FIXTURES / "insecure_program"
# security-baseline.md marks 55 controls Required (rows with "Required" in its last column).
REQUIRED_COUNT = 55


def test_the_map_holds_every_required_control_once() -> None:
    ids = [c.id for c in REQUIRED_CONTROLS]
    assert len(ids) == REQUIRED_COUNT
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert all(c.policies for c in REQUIRED_CONTROLS)


def test_every_mapped_policy_exists_and_is_mandatory_in_prod() -> None:
    policies = {p.name: p for p in all_policies()}
    prod = json.loads((PACK_DIR / "config" / "prod.json").read_text())
    for control in REQUIRED_CONTROLS:
        for name in control.policies:
            assert name in policies, f"{control.id}: no policy {name}"
            assert effective_level(policies[name], prod) == "mandatory", f"{control.id}: {name} is not mandatory"


@pytest.fixture(scope="module")
def insecure(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("insecure") / "plan.json"
    run = subprocess.run(
        [sys.executable, "-m", "ops", "plan", "--stack", "prod", "--program", str(INSECURE_PROGRAM), "--json",
         str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    return json.loads(Path(out).read_text())


def test_the_all_insecure_fixture_breaks_every_required_control(insecure: dict) -> None:
    mandatory = Counter(
        d["policy"] for d in insecure["policy"]["diagnostics"] if d["enforcementLevel"] == "mandatory"
    )
    unbroken = [c.id for c in REQUIRED_CONTROLS if not any(mandatory[p] for p in c.policies)]
    assert unbroken == []
