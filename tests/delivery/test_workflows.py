"""Structural facts of the delivery workflows (.github/workflows/), read as YAML.

actionlint and zizmor (`make workflows-lint`) check the syntax and the known attack patterns; these tests pin
this repository's own rules: pinned actions, least privilege, no untrusted expression in a script, and the
OIDC subjects the roles trust (the environment each job declares).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.stacks import load_stack

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml"))
REQUIRED = {"pr-review.yml", "pr-comment.yml", "deploy.yml", "offsite-copy.yml", "drift.yml"}

# `uses: owner/repo[/path]@<40 hex> # v1.2.3`
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s+v\d+(?:\.\d+){0,2}\s*$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s")
UNTRUSTED = re.compile(r"\$\{\{[^}]*(github\.event|github\.head_ref|inputs\.)", re.IGNORECASE)


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    # PyYAML reads the bare key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def jobs(path: Path) -> dict[str, dict[str, Any]]:
    return load(path)["jobs"]


def steps(path: Path) -> list[dict[str, Any]]:
    return [step for job in jobs(path).values() for step in job.get("steps", [])]


def workflow(name: str) -> Path:
    return WORKFLOW_DIR / name


def test_every_required_workflow_exists() -> None:
    assert {p.name for p in WORKFLOWS} >= REQUIRED


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    lines = [line for line in path.read_text().splitlines() if USES_LINE.match(line)]
    assert lines, "a workflow with no action is unexpected here"
    assert [line for line in lines if not PINNED.match(line)] == []
    # Every `uses:` the YAML holds is one of those lines (no flow-style `{uses: ...}` escaping the check).
    assert len([s for s in steps(path) if "uses" in s]) == len(lines)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_top_level_permissions_are_empty(path: Path) -> None:
    assert load(path)["permissions"] == {}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_has_a_timeout_and_its_own_permissions(path: Path) -> None:
    for name, job in jobs(path).items():
        assert isinstance(job.get("timeout-minutes"), int), name
        assert isinstance(job.get("permissions"), dict), name
        assert job["permissions"], name
        assert "write-all" not in str(job["permissions"]), name


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_untrusted_expression_in_a_script(path: Path) -> None:
    """Event fields, head_ref and dispatch inputs reach `run:` and github-script only through `env:`."""
    for step in steps(path):
        scripts = [step.get("run", "")]
        if str(step.get("uses", "")).startswith("actions/github-script@"):
            scripts.append(step["with"]["script"])
        for script in scripts:
            assert not UNTRUSTED.search(script), (step.get("name"), script)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_do_not_persist_the_token(path: Path) -> None:
    for step in steps(path):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, step


def test_the_commenter_never_checks_out_or_runs_the_pull_requests_code() -> None:
    path = workflow("pr-comment.yml")
    assert set(load(path)["on"]) == {"workflow_run"}
    assert "# zizmor: ignore[dangerous-triggers]" in path.read_text()
    for step in steps(path):
        assert "run" not in step
        assert not str(step.get("uses", "")).startswith("actions/checkout@")
    script = next(s["with"]["script"] for s in steps(path) if "github-script" in s.get("uses", ""))
    assert "eval(" not in script
    assert "/^[0-9]{1,10}$/" in script  # the PR number is validated
    # It reads the artifacts of the run that triggered it: that run's name is pr-review's.
    assert load(path)["on"]["workflow_run"]["workflows"] == [load(workflow("pr-review.yml"))["name"]]


def test_pr_review_plans_both_stacks_and_previews_only_same_repository_prs() -> None:
    review = jobs(workflow("pr-review.yml"))
    assert review["plan"]["strategy"]["matrix"]["stack"] == ["preview", "prod"]
    assert review["plan"]["permissions"] == {"contents": "read"}
    preview = review["pr-preview"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in preview["if"]
    action = next(s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions@"))["with"]
    assert action["command"] == "preview"
    assert action["comment-on-pr"] is True
    assert action["policyPacks"] == "policies"
    assert action["policyPackConfigs"] == "policies/config/${{ matrix.stack }}.json"


def test_deploys_are_serialized_per_stack_with_the_pack_and_prod_after_preview() -> None:
    deploy = jobs(workflow("deploy.yml"))
    for stack in ("preview", "prod"):
        job = deploy[stack]
        assert job["environment"] == stack  # the deploy role's OIDC subject
        assert job["concurrency"] == {"group": f"deploy-{stack}", "cancel-in-progress": False}
        action = next(s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@"))["with"]
        assert (action["command"], action["stack-name"]) == ("up", stack)
        assert action["policyPacks"] == "policies"
        assert action["policyPackConfigs"] == f"policies/config/{stack}.json"
    assert deploy["prod"]["needs"] == "preview"


def test_the_offsite_copy_runs_in_the_environment_the_backup_identities_trust() -> None:
    job = jobs(workflow("offsite-copy.yml"))["copy"]
    config = load_stack("prod").backup_storage
    subject = config.oidc_subject("prod")  # the copy role's `sub` and the Azure federated credential's subject
    assert subject.endswith(f":environment:{job['environment']}")
    assert "contents" not in job["permissions"]  # nothing is checked out
    script = next(s["run"] for s in job["steps"] if "run" in s)
    assert "--overwrite false" in script  # an existing blob is never replaced
    deleting = r"aws s3 (rm|mv|sync)|s3api delete|az storage (blob|container) delete|azcopy (rm|remove|sync)"
    assert not re.search(deleting, script)


def test_the_drift_check_runs_on_main_without_an_environment() -> None:
    job = jobs(workflow("drift.yml"))["drift"]
    assert "environment" not in job  # the read-only role trusts repo:OWNER/REPO:ref:refs/heads/main
    run = next(s["run"] for s in job["steps"] if "ops drift" in s.get("run", ""))
    assert "--stack preview --stack prod --json drift.json --report drift.md" in run
