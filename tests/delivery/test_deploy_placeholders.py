"""The deploy workflow's gate: no sample value reaches `pulumi up` (issue 20, item 2).

Each deploy job plans its stack offline with `ops plan --refuse-placeholders`, with the policy config `pulumi up`
gets, after the virtualenv exists and before any credential or Pulumi step; the command it runs refuses this
repository's own sample stack files (exit 2) and passes a stack file whose samples are replaced.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ops.placeholders import stack_placeholders
from tests.delivery.test_workflows import ROOT, jobs, workflow

GATE = re.compile(r"-m ops plan --stack \"\$STACK\" --refuse-placeholders")


def _gate(job: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    found = [(index, step) for index, step in enumerate(job["steps"]) if GATE.search(step.get("run", ""))]
    assert len(found) == 1, f"{len(found)} placeholder gates"
    return found[0]


@pytest.mark.parametrize("name", ["non-prod", "prod"])
def test_each_deploy_job_refuses_placeholders_before_any_credential_or_pulumi_step(name: str) -> None:
    job = jobs(workflow("deploy.yml"))[name]
    index, step = _gate(job)
    assert step["env"] == {"STACK": "${{ matrix.stack }}", "POLICY_CONFIG": "${{ matrix.policy_config }}"}
    assert '${POLICY_CONFIG:+--policy-config "$POLICY_CONFIG"}' in step["run"]  # the file pulumi up gets
    uses = [(i, s.get("uses", "")) for i, s in enumerate(job["steps"])]
    venv = next(i for i, s in enumerate(job["steps"]) if "make .venv/.installed" in s.get("run", ""))
    credentials = next(i for i, u in uses if u.startswith("aws-actions/"))
    pulumi = next(i for i, u in uses if u.startswith("pulumi/actions@"))
    assert venv < index < credentials < pulumi


def _run_gate(stack: str, policy_config: str | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The gate's `run:` line as the runner's shell runs it, with the job's environment."""
    (_, step) = _gate(jobs(workflow("deploy.yml"))["prod"])
    command = step["run"].replace(".venv/bin/python", shlex.quote(sys.executable))
    env = {**os.environ, "STACK": stack, "POLICY_CONFIG": policy_config or "", "CI": "true"}
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=180,
                          check=False)


def test_the_gate_refuses_the_repositorys_sample_stack_files() -> None:
    run = _run_gate("prod", "policies/config/prod.json", ROOT)
    assert run.returncode == 2, run.stdout + run.stderr
    count = len(stack_placeholders(ROOT / "Pulumi.prod.yaml"))
    assert run.stderr.startswith(f"--refuse-placeholders: Pulumi.prod.yaml still holds {count} sample values; "
                                 "replace each")
    assert re.search(r"placeholder at Pulumi\.prod\.yaml:\d+: platform:edge\.domain = example\.com \(marked "
                     r"PLACEHOLDER: the app's apex domain; a domain reserved for documentation \(RFC 2606\)\)",
                     run.stderr)
    assert run.stdout == ""
