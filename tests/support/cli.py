"""The planner as a user runs it: `python -m ops ...` in a subprocess, fixture paths, and the files it reads."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.stacks import ROOT as REPO

FIXTURES = REPO / "tests" / "fixtures"
RAW_PROGRAM = FIXTURES / "raw_program"
TINY_PROGRAM = FIXTURES / "tiny_program"
TOY_PACK = FIXTURES / "toy_policy_pack"


@dataclass
class PlanRun:
    code: int
    stdout: str
    stderr: str
    json_path: Path

    @property
    def doc(self) -> dict[str, Any]:
        return json.loads(self.json_path.read_text())

    def resource(self, name: str) -> dict[str, Any]:
        matches = [r for r in self.doc["resources"] if r["name"] == name]
        assert len(matches) == 1, f"{name}: {len(matches)} matches"
        return matches[0]

    def diagnostics(self, policy: str) -> list[dict[str, Any]]:
        return [d for d in self.doc["policy"]["diagnostics"] if d["policy"] == policy]


def run_plan(tmp: Path, *args: str, stack: str = "dev") -> PlanRun:
    """`python -m ops plan` in the repo root, as a user runs it; plain text because stdout is a pipe."""
    json_path = tmp / "plan.json"
    proc = subprocess.run(
        [sys.executable, "-m", "ops", "plan", "--stack", stack, "--json", str(json_path), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return PlanRun(proc.returncode, proc.stdout, proc.stderr, json_path)


def write_policy_config(tmp: Path, config: dict[str, Any]) -> Path:
    path = tmp / "policy-config.json"
    path.write_text(json.dumps(config))
    return path


def write_stack_file(tmp: Path, text: str, name: str = "Pulumi.dev.yaml") -> Path:
    path = tmp / name
    path.write_text(text)
    return path
