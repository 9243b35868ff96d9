"""pr-review.yml on a pull request that adds a stack: the base branch has no stack file, so its plan cannot run;
the change diff is then against an empty plan ("new stack: everything is added"), not "did not produce a JSON plan".
The step's own script runs here, in a folder laid out as the job's workspace."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.support.cli import REPO

HEAD_PLAN = {
    "project": "platform", "stack": "staging", "organization": "organization", "outputs": {},
    "resources": [{"urn": "urn:pulumi:staging::platform::aws:s3/bucket:Bucket::b", "type": "aws:s3/bucket:Bucket",
                   "name": "b", "custom": True, "inputs": {}}],
}


def _diff_step() -> str:
    jobs = yaml.safe_load((REPO / ".github" / "workflows" / "pr-review.yml").read_text())["jobs"]
    (step,) = [step for step in jobs["plan"]["steps"] if step.get("id") == "diff"]
    return step["run"]


def _workspace(tmp_path: Path) -> Path:
    for name in ("ops", "components", ".venv"):  # what `ops diff` imports from the checkout
        (tmp_path / name).symlink_to(REPO / name)
    (tmp_path / "Pulumi.staging.yaml").write_text("config: {}\n")
    (tmp_path / "base").mkdir()  # the base branch's checkout: no Pulumi.staging.yaml there
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "head.json").write_text(json.dumps(HEAD_PLAN))
    return tmp_path


def test_a_stack_the_pull_request_adds_is_diffed_against_an_empty_plan(tmp_path: Path) -> None:
    assert shutil.which("jq"), "the runner image has jq; so must this machine"
    workspace = _workspace(tmp_path)
    output = workspace / "github-output"
    proc = subprocess.run(["bash", "-e", "-c", _diff_step()], cwd=workspace, capture_output=True, text=True,
                          env={**os.environ, "STACK": "staging", "GITHUB_OUTPUT": str(output)}, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert output.read_text() == "exit=0\n"
    report = (workspace / "out" / "diff.md").read_text()
    assert report.splitlines()[0] == "<!-- ops-diff-report: platform/staging -->"  # the sticky comment's marker
    assert ("**New stack**: the base branch has no `Pulumi.staging.yaml`, so this is the diff against an empty "
            "plan: everything is added.") in report
    assert "1 added, 0 removed" in report
    assert "did not produce a JSON plan" not in report
