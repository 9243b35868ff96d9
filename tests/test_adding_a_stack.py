"""A third stack just works (issue 20, item 1): docs/configuration.md's "Adding a stack", run as a new user runs it,
in a copy of the project (the repository's own stack list stays preview and prod).

Copy the preview stack file to `staging`, which names no environment: the plan asks for `platform:environment`
and nothing else. Set it, the region and the AZ ids: `ops stacks` lists it with its environment's policy config,
and `ops plan` plans it clean with that file and says so (before, a stack without a file of its own got the
pack's defaults and 35 mandatory violations).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.stacks import ROOT

POLICIES = ROOT / "policies"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The program as a fresh copy has it (the repository's files, linked), without its stack files."""
    directory = tmp_path_factory.mktemp("project")
    for name in ("Pulumi.yaml", "__main__.py", "components", "schemas"):
        (directory / name).symlink_to(ROOT / name)
    return directory


def ops(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ops", *args, "--program", str(project)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def the_docs_staging_file() -> str:
    """The preview file with the walk-through's edit, exactly as docs/configuration.md shows it: its yaml block
    replaces the file from `config:` through the network block."""
    section = (ROOT / "docs" / "configuration.md").read_text().split("## Adding a stack", 1)[1].split("\n## ", 1)[0]
    shown = re.search(r"```yaml\n(config:\n.*?)```", section, re.DOTALL)
    assert shown is not None, "the walk-through shows its edit of the stack file in a yaml block"
    text = (ROOT / "Pulumi.preview.yaml").read_text()
    replaced = re.search(r"^config:\n(?:.*\n)*?    app_subnet_cidrs: .*\n", text, re.MULTILINE)
    assert replaced is not None
    return text[: replaced.start()] + shown.group(1) + text[replaced.end():]


def test_a_copied_stack_without_an_environment_is_told_only_to_set_it(project: Path) -> None:
    (project / "Pulumi.staging.yaml").write_text((ROOT / "Pulumi.preview.yaml").read_text())
    run = ops(project, "plan", "--stack", "staging")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "invalid configuration for stack 'staging' (1 problem)" in run.stdout + run.stderr
    assert "platform:environment: required, since the stack name staging names no environment" in run.stderr
    assert "reviewers" not in run.stderr


def test_the_walk_through_plans_clean_with_the_environments_policy_config(project: Path, tmp_path: Path) -> None:
    text = the_docs_staging_file()
    assert "platform:environment: preview" in text
    (project / "Pulumi.staging.yaml").write_text(text)

    listed = ops(project, "stacks", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = [row for row in json.loads(listed.stdout)["stacks"] if row["stack"] == "staging"]
    assert (row["environment"], row["policy_config"]) == ("preview", str(POLICIES / "config" / "preview.json"))

    plan_file = tmp_path / "staging.json"
    run = ops(project, "plan", "--stack", "staging", "--json", str(plan_file))
    assert run.returncode == 0, run.stdout + run.stderr
    document = json.loads(plan_file.read_text())
    assert document["summary"]["mandatory"] == 0
    # The workflows' file, and the plan says which it used.
    assert document["policy"]["configFile"] == row["policy_config"]
    assert (f"Policy config: {POLICIES / 'config' / 'preview.json'} (the preview environment's: there is no "
            "config/staging.json)") in run.stdout
    (provider,) = [r for r in document["resources"] if r["type"] == "pulumi:providers:aws"]
    assert provider["inputs"]["region"] == "eu-central-1"
    subnets = [r for r in document["resources"] if r["type"] == "aws:ec2/subnet:Subnet"]
    assert {s["inputs"].get("availabilityZoneId") for s in subnets} == {"euc1-az1", "euc1-az2"}
