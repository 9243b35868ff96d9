"""Structural facts of the delivery workflows (.github/workflows/), read as YAML.

actionlint and zizmor (`make workflows-lint`) check the syntax and the known attack patterns; these tests pin
this repository's own rules: pinned actions, least privilege, no untrusted expression in a script, the OIDC
subjects the roles trust (the environment each job declares), every Pulumi step able to decrypt with the
state's secrets manager, and the stacks taken from the stack files (`ops stacks`), never listed by hand.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.commands.stacks import stacks_document
from ops.stacks import STACK_NAME, discover_stacks
from tests.support.stacks import load_stack

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml"))
REQUIRED = {"pr-review.yml", "pr-comment.yml", "deploy.yml", "offsite-copy.yml", "drift.yml"}

# `uses: owner/repo[/path]@<40 hex> # v1.2.3`
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s+v\d+(?:\.\d+){0,2}\s*$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s")
# Also the matrix and job outputs: stack names come from file names (ops stacks refuses odd ones), but a script
# still reads them from `env:`, never spliced into its text.
UNTRUSTED = re.compile(r"\$\{\{[^}]*(github\.event|github\.head_ref|inputs\.|matrix\.|needs\.)", re.IGNORECASE)


FALLBACK = "PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER"
# A `run:` that starts the Pulumi CLI (`pulumi login`, `pulumi up`, ...) or the Automation API (`ops drift`).
PULUMI_RUN = re.compile(r"(?:^|[\s;&|(])(?:pulumi\s|(?:-m\s+)?ops\s+drift\b)", re.MULTILINE)
MATRIX_FROM_STACKS = re.compile(r"^\$\{\{ fromJSON\(needs\.stacks\.outputs\.(\w+)\) \}\}$")


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
    # The stack name: ops stacks' pattern (the names it lets through are the only ones pr-review plans), not a list.
    assert f"const STACK_NAME = /^{STACK_NAME.pattern}$/;" in script
    assert "'preview'" not in script
    assert "'prod'" not in script
    assert "STACK_NAME.test(stack)" in script
    # It reads the artifacts of the run that triggered it: that run's name is pr-review's.
    assert load(path)["on"]["workflow_run"]["workflows"] == [load(workflow("pr-review.yml"))["name"]]




# ------------------------------------------------------------------------------------------------ Pulumi steps
def effective_env(path: Path, job: dict[str, Any], step: dict[str, Any]) -> dict[str, Any]:
    """What a step's process sees: the workflow's `env:`, then the job's, then the step's."""
    return {**load(path).get("env", {}), **job.get("env", {}), **step.get("env", {})}


def pulumi_steps(path: Path) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Every step that runs the Pulumi CLI or the Automation API, found by its shape, not its name: pulumi/actions
    with a `command` (without one it only installs the CLI), or a `run:` invoking `pulumi ...` or `ops drift`."""
    found = []
    for name, job in jobs(path).items():
        for step in job.get("steps", []):
            action = str(step.get("uses", "")).startswith("pulumi/actions@") and step.get("with", {}).get("command")
            if action or PULUMI_RUN.search(str(step.get("run", ""))):
                found.append((name, job, step))
    return found


def missing_fallback(path: Path) -> list[str]:
    return [
        f"{path.name}: job {name}, step {step.get('name') or step.get('uses') or step['run'].splitlines()[0]}"
        for name, job, step in pulumi_steps(path)
        if effective_env(path, job, step).get(FALLBACK) != "true"
    ]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_pulumi_step_falls_back_to_the_state_secrets_manager(path: Path) -> None:
    """Without PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true a stack file lacking `secretsprovider` gets the DIY
    backend's default, the passphrase provider, and the step stops on a missing PULUMI_CONFIG_PASSPHRASE
    (pulumi/pulumi pkg/cmd/pulumi/stack/secrets.go, SecretsManagerLoader.GetSecretsManager; pulumi/pulumi#17236)."""
    assert missing_fallback(path) == []


def test_the_pulumi_steps_are_found() -> None:
    # The check above is not vacuous: these are the steps it holds to the rule.
    found = {p.name: [(name, step.get("name") or step["uses"].split("@")[0]) for name, _, step in pulumi_steps(p)]
             for p in WORKFLOWS}
    assert found == {
        "deploy.yml": [("non-prod", "pulumi/actions"), ("prod", "pulumi/actions")],
        "drift.yml": [("drift", "ops drift")],
        "offsite-copy.yml": [],
        "pr-comment.yml": [],
        "pr-review.yml": [],
    }


def test_a_pulumi_step_without_the_fallback_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\npermissions: {}\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: pulumi/actions@" + "0" * 40 + " # v7.0.0\n        with: {command: preview}\n"
        "      - run: cd x && pulumi stack ls\n"
        "      - run: .venv/bin/python -m ops drift --stack prod\n"
        "      - uses: pulumi/actions@" + "0" * 40 + " # v7.0.0\n"  # install only: no command, no rule
        "      - run: .venv/bin/python -m ops plan --stack prod\n"  # offline: no rule
        "      - env: {PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: 'true'}\n        run: pulumi whoami\n"
    )
    assert missing_fallback(bad) == [
        "bad.yml: job j, step pulumi/actions@" + "0" * 40,
        "bad.yml: job j, step cd x && pulumi stack ls",
        "bad.yml: job j, step .venv/bin/python -m ops drift --stack prod",
    ]


# ------------------------------------------------------------------------------------------------ the stacks
def stacks_doc() -> dict[str, Any]:
    """What the workflows' `stacks` job outputs: `ops stacks --json` on this repository."""
    return stacks_document("platform", discover_stacks(ROOT, ROOT / "policies", "platform"), ROOT)


def matrix_rows(job: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The rows a job's matrix expands to, evaluated from `ops stacks --json` (None: the job has no matrix)."""
    matrix = job.get("strategy", {}).get("matrix")
    if matrix is None:
        return None
    assert set(matrix) == {"include"}, "a matrix of stacks comes from ops stacks, never a list written here"
    source = MATRIX_FROM_STACKS.match(str(matrix["include"]))
    assert source is not None, matrix
    assert "stacks" in ([job["needs"]] if isinstance(job["needs"], str) else job["needs"])
    return stacks_doc()[source.group(1)]


STACKS_JOB_WORKFLOWS = ["deploy.yml", "drift.yml", "offsite-copy.yml", "pr-review.yml"]


@pytest.mark.parametrize("name", STACKS_JOB_WORKFLOWS)
def test_the_stacks_job_lists_the_stack_files_with_ops_stacks_and_nothing_else(name: str) -> None:
    job = jobs(workflow(name))["stacks"]
    # The same job in every workflow (a difference would be an edit made in one place only).
    assert {k: v for k, v in job.items() if k != "if"} == {
        k: v for k, v in jobs(workflow("deploy.yml"))["stacks"].items() if k != "if"
    }
    assert job["permissions"] == {"contents": "read"}
    assert set(job["outputs"]) == {"stacks", "non_prod", "prod"}
    runs = [step["run"] for step in job["steps"] if "run" in step]
    install, listing = runs
    # ops stacks is SDK-free (tests/ops/test_ops_stacks.py): PyYAML and typer, at the requirements' versions.
    assert "make" not in install
    assert "-r " not in install
    assert "grep -E '^typer' requirements-dev.txt" in install
    assert "grep -E '^PyYAML' requirements.txt" in install
    assert "python -m ops stacks --json" in listing
    for output in ("stacks", "non_prod", "prod"):
        assert f'echo "{output}=$(jq -c .{output} ' in listing


def test_the_stacks_output_covers_every_stack_file_non_prod_first() -> None:
    doc = stacks_doc()
    files = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in ROOT.glob("Pulumi.*.yaml"))
    assert sorted(row["stack"] for row in doc["stacks"]) == files
    assert doc["stacks"] == doc["non_prod"] + doc["prod"]
    assert {row["environment"] for row in doc["prod"]} == {"prod"}
    assert "prod" not in {row["environment"] for row in doc["non_prod"]}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_workflow_names_a_stack_by_hand(path: Path) -> None:
    """Adding a stack is adding its stack file: no workflow lists stacks (`[preview, prod]`, `--stack prod`)."""
    text = path.read_text()
    for row in stacks_doc()["stacks"]:
        stack = re.escape(row["stack"])
        assert not re.search(rf"--stack[ =]{stack}\b|\[{stack}[,\]]|, {stack}\]|[:-]{stack}$", text, re.MULTILINE)
    for job in jobs(path).values():
        matrix_rows(job)  # every matrix comes from ops stacks


def test_each_workflow_runs_every_stack_once() -> None:
    every = [row["stack"] for row in stacks_doc()["stacks"]]
    covered = {}
    for name, job_names in {
        "deploy.yml": ["non-prod", "prod"], "drift.yml": ["drift"], "offsite-copy.yml": ["copy"],
        "pr-review.yml": ["plan"],
    }.items():
        rows = [row for job in job_names for row in matrix_rows(jobs(workflow(name))[job]) or []]
        covered[name] = [row["stack"] for row in rows]
    assert covered == dict.fromkeys(covered, every)


# ------------------------------------------------------------------------------------------------ identities
@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_that_asks_for_an_oidc_token_declares_its_own_environment(path: Path) -> None:
    """No role trusts `ref:refs/heads/main` or `pull_request` any more: every OIDC subject is an environment, and
    each infrastructure job's environment is one no other job uses (docs/workflows.md)."""
    expected = {
        ("deploy.yml", "non-prod"): "infra-${{ matrix.stack }}",
        ("deploy.yml", "prod"): "infra-${{ matrix.stack }}",
        ("drift.yml", "drift"): "infra-drift-${{ matrix.stack }}",
        ("offsite-copy.yml", "copy"): "backup-copy-${{ matrix.stack }}",
    }
    for name, job in jobs(path).items():
        if job["permissions"].get("id-token") == "write":
            assert job.get("environment") == expected[(path.name, name)], name
        else:
            assert (path.name, name) not in expected


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_secrets_are_read_only_by_jobs_in_an_environment(path: Path) -> None:
    """Every secret but the run's own GITHUB_TOKEN is an environment secret (no zizmor secrets-outside-env
    exception left): a job without an environment cannot read it."""
    assert "ignore[secrets-outside-env]" not in path.read_text()
    for name, job in jobs(path).items():
        names = set(re.findall(r"secrets\.([A-Z][A-Z0-9_]*)", yaml.safe_dump(job))) - {"GITHUB_TOKEN"}
        if names:
            assert job.get("environment"), (name, names)


def test_deploys_run_per_stack_in_its_infra_environment_non_prod_first() -> None:
    deploy = jobs(workflow("deploy.yml"))
    for name in ("non-prod", "prod"):
        job = deploy[name]
        assert job["environment"] == "infra-${{ matrix.stack }}"  # the deploy role's OIDC subject
        assert job["concurrency"] == {"group": "deploy-${{ matrix.stack }}", "cancel-in-progress": False}
        assert job["strategy"]["fail-fast"] is False  # a sibling's failure never cancels an update mid-way
        credentials = next(s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/"))["with"]
        assert credentials["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
        assert credentials["aws-region"] == "${{ vars.AWS_REGION }}"
        action = next(s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@"))["with"]
        assert (action["command"], action["stack-name"]) == ("up", "${{ matrix.stack }}")
        assert action["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
        assert action["policyPacks"] == "policies"
        assert action["policyPackConfigs"] == "${{ matrix.policy_config }}"  # the file ops plan uses
    assert deploy["non-prod"]["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.stacks.outputs.non_prod) }}"
    assert deploy["prod"]["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.stacks.outputs.prod) }}"
    assert deploy["prod"]["needs"] == ["stacks", "non-prod"]
    # An empty matrix is an error: each job is skipped when its list is empty, and prod still runs after a
    # skipped (empty) non-prod job, never after a failed or cancelled one.
    assert "needs.stacks.outputs.non_prod != '[]'" in deploy["non-prod"]["if"]
    prod_if = deploy["prod"]["if"]
    for part in ("!cancelled()", "needs.stacks.outputs.prod != '[]'", "needs.non-prod.result == 'success'",
                 "needs.non-prod.result == 'skipped'", "needs.stacks.result == 'success'",
                 "vars.PROD_DEPLOY != 'dispatch'", "github.event_name == 'workflow_dispatch'"):
        assert part in prod_if


def test_the_drift_check_runs_per_stack_in_its_drift_environment() -> None:
    job = jobs(workflow("drift.yml"))["drift"]
    assert job["environment"] == "infra-drift-${{ matrix.stack }}"  # the read-only role's OIDC subject
    assert job["concurrency"] == {"group": "drift-${{ matrix.stack }}", "cancel-in-progress": False}
    credentials = next(s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/"))["with"]
    assert credentials["role-to-assume"] == "${{ vars.AWS_READONLY_ROLE_ARN }}"
    step = next(s for s in job["steps"] if "ops drift" in s.get("run", ""))
    assert step["env"]["STACK"] == "${{ matrix.stack }}"
    assert '-m ops drift --stack "$STACK" --json drift.json --report drift.md' in step["run"]
    assert any(s.get("uses", "").startswith("actions/github-script@") and "drift.json" in s["with"]["script"]
               for s in job["steps"])


def test_pull_requests_get_the_offline_plan_and_no_cloud_identity() -> None:
    """The real `pulumi preview` (pr-preview, PR_PREVIEW) is gone: a PR's code able to read the state could
    decrypt every stack secret through the state key (docs/workflows.md)."""
    path = workflow("pr-review.yml")
    review = jobs(path)
    assert set(review) == {"stacks", "test", "plan"}
    assert "PR_PREVIEW" not in path.read_text()
    for job in review.values():
        assert "id-token" not in job["permissions"]
        assert not [s for s in job["steps"] if s.get("uses", "").startswith(("pulumi/actions@", "aws-actions/"))]
    plan = review["plan"]
    assert plan["permissions"] == {"contents": "read"}
    assert plan["env"]["POLICY_CONFIG"] == "${{ matrix.policy_config }}"
    run = next(s["run"] for s in plan["steps"] if s.get("id") == "plan")
    assert 'policy=(--policy-config "$POLICY_CONFIG")' in run
    assert '.venv/bin/python -m ops plan --stack "$STACK" "${policy[@]}"' in run


def test_the_offsite_copy_runs_per_stack_in_the_environment_the_backup_identities_trust() -> None:
    """The copy role's `sub` and the Azure federated credential's subject (components/backup_storage) must be the
    copy job's: this repository (the one holding the workflow: platform:github.repository in the supported
    layout) and the environment the workflow names for the stack."""
    job = jobs(workflow("offsite-copy.yml"))["copy"]
    pattern = job["environment"]
    assert pattern == "backup-copy-${{ matrix.stack }}"
    assert job["concurrency"] == {"group": "offsite-copy-${{ matrix.stack }}", "cancel-in-progress": False}
    for row in stacks_doc()["stacks"]:
        config = load_stack(row["stack"])
        assert config.backup_storage.github_repository == config.github.repository, row["stack"]
        environment = pattern.replace("${{ matrix.stack }}", row["stack"])
        # Depends on the roles change (i16-roles): github_environment resolves to backup-copy-<stack>.
        assert config.backup_storage.oidc_subject(row["stack"]) == (
            f"repo:{config.github.repository}:environment:{environment}"
        ), row["stack"]
    assert "contents" not in job["permissions"]  # nothing is checked out
    script = next(s["run"] for s in job["steps"] if "run" in s)
    assert "--overwrite false" in script  # an existing blob is never replaced
    deleting = r"aws s3 (rm|mv|sync)|s3api delete|az storage (blob|container) delete|azcopy (rm|remove|sync)"
    assert not re.search(deleting, script)


def test_every_job_that_runs_the_pack_first_installs_the_interpreter_the_pack_names() -> None:
    """The Pulumi CLI starts a local Python pack with the virtualenv its PulumiPolicy.yaml names and installs nothing
    for it (pulumi-language-python's RunPlugin never calls EnsureVenv): that must be the repository's .venv, which
    `make .venv/.installed` creates (with policies/requirements.txt) before the Pulumi step."""
    from ops.policy.pack import load_policy_pack

    pack = ROOT / "policies"
    manifest = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text())
    assert (pack / manifest["runtime"]["options"]["virtualenv"]).resolve() == (ROOT / ".venv").resolve()
    assert "-r policies/requirements.txt" in (ROOT / "requirements-dev.txt").read_text()
    spec = load_policy_pack(pack)
    assert spec.python == str((ROOT / ".venv").resolve() / "bin" / "python"), "the venv's python, not its target"
    checked = 0
    for path in WORKFLOWS:
        for job in jobs(path).values():
            names = [step.get("run", "") for step in job.get("steps", [])]
            for i, step in enumerate(job.get("steps", [])):
                if "policyPacks" in (step.get("with") or {}):
                    checked += 1
                    assert any("make .venv/.installed" in run for run in names[:i]), f"{path.name}: {step}"
    assert checked >= 2


def test_each_job_that_assumes_an_infrastructure_role_first_checks_its_environment_has_the_bootstrap_settings() -> None:
    """pulumi/actions only warns when its login fails, so a missing backend URL would surface as a Pulumi Cloud
    token error: the deploy and drift jobs check the variables the bootstrap writes before using them."""
    checked = 0
    for name, role_var in (("deploy.yml", "AWS_DEPLOY_ROLE_ARN"), ("drift.yml", "AWS_READONLY_ROLE_ARN")):
        for job in jobs(workflow(name)).values():
            runs = [step.get("run", "") for step in job.get("steps", [])]
            uses = [step.get("uses", "") for step in job.get("steps", [])]
            if not any("configure-aws-credentials" in u for u in uses):
                continue
            at = next(i for i, u in enumerate(uses) if "configure-aws-credentials" in u)
            assert any(role_var in run and "PULUMI_BACKEND_URL" in run for run in runs[:at]), name
            checked += 1
    assert checked == 3


def test_no_job_with_an_environment_runs_on_a_pull_request_or_workflow_run_trigger() -> None:
    """GitHub checks an environment's branch policy against a pull request's head branch name, so a fork's branch
    named `main` would pass "main only" on pull_request_target / workflow_run runs: no such run enters one."""
    risky = {"pull_request", "pull_request_target", "workflow_run"}
    for path in WORKFLOWS:
        triggers = load(path)["on"]
        names = {triggers} if isinstance(triggers, str) else set(triggers)
        if names & risky:
            for name, job in jobs(path).items():
                assert "environment" not in job, f"{path.name}: job {name} enters an environment on {names & risky}"
