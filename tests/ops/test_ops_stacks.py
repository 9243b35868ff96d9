"""`python -m ops stacks`: the stacks the workflows deploy, plan, check and copy, from the stack files alone.

Also the two things `ops plan` takes from the same rules: its default policy config (the stack's own file, else its
environment's) and the warning for a stack file without a secrets provider.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from components.concern import ENVIRONMENTS
from components.stack import _environment, environment_of_stack
from ops import stacks as ops_stacks
from ops.project import load_project, read_stack_file
from tests.support.cli import REPO, TINY_PROGRAM, run_plan

TINY_STACK = (TINY_PROGRAM / "Pulumi.dev.yaml").read_text()


def run_stacks(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ops", "stacks", *args],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )


def project(tmp_path: Path, stacks: dict[str, str], configs: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """A project `platform` with the given stack files (name -> body) and a pack with the given config files."""
    (tmp_path / "Pulumi.yaml").write_text("name: platform\nruntime: python\n")
    for name, body in stacks.items():
        (tmp_path / f"Pulumi.{name}.yaml").write_text(body)
    pack = tmp_path / "pack"
    (pack / "config").mkdir(parents=True)
    for name in configs:
        (pack / "config" / f"{name}.json").write_text("{}")
    return tmp_path, pack


def listed(program: Path, pack: Path) -> dict[str, Any]:
    run = run_stacks("--json", "--program", str(program), "--policy-pack", str(pack))
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


# ------------------------------------------------------------------------------------------------ the repository
def test_the_repositorys_stacks_with_their_environments_and_policy_configs() -> None:
    run = run_stacks("--json")
    assert run.returncode == 0, run.stderr
    preview = {"stack": "preview", "environment": "preview", "file": "Pulumi.preview.yaml",
               "policy_config": "policies/config/preview.json"}
    prod = {"stack": "prod", "environment": "prod", "file": "Pulumi.prod.yaml",
            "policy_config": "policies/config/prod.json"}
    assert json.loads(run.stdout) == {"project": "platform", "stacks": [preview, prod], "non_prod": [preview],
                                      "prod": [prod]}


def test_every_listed_stack_file_and_policy_config_exists() -> None:
    doc = json.loads(run_stacks("--json").stdout)
    assert {row["file"] for row in doc["stacks"]} == {p.name for p in REPO.glob("Pulumi.*.yaml")}
    for row in doc["stacks"]:
        assert (REPO / row["policy_config"]).is_file()


def test_the_table_names_each_stack() -> None:
    run = run_stacks()
    assert run.returncode == 0
    assert run.stdout.splitlines() == [
        "stack    environment  policy config",
        "preview  preview      policies/config/preview.json",
        "prod     prod         policies/config/prod.json",
    ]


def test_listing_stacks_loads_no_sdk_and_no_component() -> None:
    # The workflows' first job installs PyYAML and typer only (recent typer brings and imports pydantic itself;
    # the config models in components/ are not loaded).
    probe = (
        "import sys, contextlib, io\n"
        "from ops.cli import app\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    app(['stacks', '--json'], prog_name='ops')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pulumi', 'grpc', 'components', 'rich'}))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60,
                         check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


# ------------------------------------------------------------------------------------------------ order and configs
def test_non_prod_stacks_come_first_then_prod_each_by_name(tmp_path: Path) -> None:
    program, pack = project(tmp_path, {
        "prod": "config: {}\n",
        "prod-eu": "config: {}\n",
        "staging": "config:\n  platform:environment: preview\n",
        "preview": "config: {}\n",
        "eu.preview": "",
    }, configs=("preview", "prod"))
    doc = listed(program, pack)
    assert [row["stack"] for row in doc["stacks"]] == ["eu.preview", "preview", "staging", "prod", "prod-eu"]
    assert [row["stack"] for row in doc["non_prod"]] == ["eu.preview", "preview", "staging"]
    assert [row["stack"] for row in doc["prod"]] == ["prod", "prod-eu"]
    assert {row["stack"]: row["environment"] for row in doc["stacks"]}["staging"] == "preview"


def test_a_stacks_own_policy_config_wins_over_its_environments(tmp_path: Path) -> None:
    program, pack = project(tmp_path, {"prod": "", "prod-eu": "", "preview": ""}, configs=("prod", "prod-eu"))
    configs = {row["stack"]: row["policy_config"] for row in listed(program, pack)["stacks"]}
    assert configs == {"prod": "pack/config/prod.json", "prod-eu": "pack/config/prod-eu.json", "preview": None}


def test_an_empty_environment_list_is_an_empty_matrix(tmp_path: Path) -> None:
    program, pack = project(tmp_path, {"prod": ""})
    doc = listed(program, pack)
    assert (doc["non_prod"], [row["stack"] for row in doc["prod"]]) == ([], ["prod"])


# ------------------------------------------------------------------------------------------------ refused
@pytest.mark.parametrize(("name", "body", "fragment"), [
    ("staging", "config: {}\n", "names no environment and it sets no environment key"),
    ("staging", "config:\n  platform:environment: qa\n", "its environment is 'qa'"),
    ("prod-preview", "", "names both preview and prod"),
    ("prod", "config:\n  platform:environment: preview\n", "makes it a prod stack, but it declares"),
    ("Prod", "", "must match"),
    ("prod", "config: [1]\n", "must be a mapping"),
    ("prod", "config:\n  a: 1\n  a: 2\n", "duplicate key 'a'"),
])
def test_a_stack_whose_environment_cannot_be_told_is_refused_naming_its_file(
    tmp_path: Path, name: str, body: str, fragment: str
) -> None:
    program, pack = project(tmp_path, {"preview": "", name: body})
    run = run_stacks("--json", "--program", str(program), "--policy-pack", str(pack))
    assert run.returncode == 2
    assert run.stdout == ""
    assert f"Pulumi.{name}.yaml" in run.stderr
    assert fragment in run.stderr
    assert "Traceback" not in run.stderr


def test_a_project_without_stack_files_is_refused(tmp_path: Path) -> None:
    program, pack = project(tmp_path, {})
    run = run_stacks("--program", str(program), "--policy-pack", str(pack))
    assert run.returncode == 2
    assert "no stack file" in run.stderr


# ------------------------------------------------------------------------------------------------ the copied rule
@pytest.mark.parametrize("stack", [
    "prod", "preview", "prod-eu", "eu.preview", "PROD_us", "staging", "production", "preview-pr-42", "prod-preview",
    "a.b-c_d", "prodx", "x-prod-y",
])
@pytest.mark.parametrize("declared", [None, "prod", "preview", "qa"])
def test_the_environment_rule_is_the_stack_configs(stack: str, declared: str | None) -> None:
    """ops/stacks.py copies components/stack.py's rule (to stay pydantic-free): they must agree."""
    assert ops_stacks.ENVIRONMENTS == ENVIRONMENTS
    assert ops_stacks.environment_of_stack(stack) == environment_of_stack(stack)
    problems: list[str] = []
    theirs = _environment(declared, stack, "platform", problems)
    ours, problem = ops_stacks.stack_environment(stack, declared)
    assert (ours is None) == bool(problems), (problem, problems)
    if ours is not None:
        assert ours == theirs


# ------------------------------------------------------------------------------------------------ ops plan
def test_ops_plan_defaults_to_the_environments_policy_config_and_says_so(tmp_path: Path) -> None:
    """A `prod-eu` stack without a file of its own is planned with prod's, as deploy.yml deploys it."""
    program = tmp_path / "program"
    program.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        (program / name).write_text((TINY_PROGRAM / name).read_text())
    (program / "Pulumi.prod-eu.yaml").write_text(TINY_STACK)
    pack = tmp_path / "pack"
    (pack / "config").mkdir(parents=True)
    for name in ("PulumiPolicy.yaml", "__main__.py"):
        (pack / name).write_text((REPO / "tests" / "fixtures" / "toy_policy_pack" / name).read_text())
    (pack / "config" / "prod.json").write_text("{}")
    run = run_plan(tmp_path, "--program", str(program), "--policy-pack", str(pack), stack="prod-eu")
    assert run.code == 0, run.stderr
    assert f"Policy config: {pack / 'config' / 'prod.json'} (the prod environment's" in run.stdout
    assert run.doc["policy"]["configFile"] == str(pack / "config" / "prod.json")
    # The stack's own file, once it has one, wins.
    (pack / "config" / "prod-eu.json").write_text("{}")
    run = run_plan(tmp_path, "--program", str(program), "--policy-pack", str(pack), stack="prod-eu")
    assert f"Policy config: {pack / 'config' / 'prod-eu.json'} (stack prod-eu's own)" in run.stdout


def test_ops_plan_warns_when_the_stack_file_names_no_secrets_provider(tmp_path: Path) -> None:
    bare = tmp_path / "Pulumi.dev.yaml"
    bare.write_text(TINY_STACK)
    run = run_plan(tmp_path, "--program", str(TINY_PROGRAM), "--config", str(bare), "--no-policy")
    assert run.code == 0, run.stderr
    [warning] = [w for w in run.doc["warnings"] if "secretsprovider" in w]
    assert "would fall back to the passphrase provider" in warning
    assert "commit the `secretsprovider` and `encryptedkey` lines" in warning
    assert f"  warning: {warning}" in run.stdout  # printed with the other warnings

    kms = tmp_path / "kms" / "Pulumi.dev.yaml"
    kms.parent.mkdir()
    kms.write_text("secretsprovider: awskms://alias/platform-pulumi-state?region=eu-west-1\n"
                   "encryptedkey: AQICAHhFixtureNotARealKey==\n" + TINY_STACK)
    run = run_plan(tmp_path, "--program", str(TINY_PROGRAM), "--config", str(kms), "--no-policy")
    assert run.code == 0, run.stderr
    assert not [w for w in run.doc["warnings"] if "secretsprovider" in w]

    kms.write_text("secretsprovider: awskms://alias/platform-pulumi-state?region=eu-west-1\n" + TINY_STACK)
    run = run_plan(tmp_path, "--program", str(TINY_PROGRAM), "--config", str(kms), "--no-policy")
    [warning] = [w for w in run.doc["warnings"] if "secretsprovider" in w]
    assert "no `encryptedkey`" in warning

    passphrase = tmp_path / "Pulumi.pass.yaml"
    passphrase.write_text("encryptionsalt: v1:fixture:salt\n" + TINY_STACK)
    run = run_plan(tmp_path, "--program", str(TINY_PROGRAM), "--config", str(passphrase), "--no-policy")
    assert not [w for w in run.doc["warnings"] if "secretsprovider" in w]


def test_the_repositorys_stacks_warn_until_their_secrets_provider_lines_are_committed() -> None:
    # The two lines need a real KMS call (`pulumi stack init --secrets-provider awskms://...`), so they cannot be
    # committed from here: the plan says so for every stack file that lacks them.
    loaded = load_project(REPO)
    for path in sorted(REPO.glob("Pulumi.*.yaml")):
        stack = path.name.split(".", 1)[1].removesuffix(".yaml")
        warnings = read_stack_file(loaded, stack, path).warnings
        has_provider = "secretsprovider:" in path.read_text()
        assert any("has no `secretsprovider`" in w for w in warnings) is not has_provider, path.name
