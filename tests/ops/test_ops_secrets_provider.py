"""The missing-secrets-provider warning names the stack file's path, and the bootstrap gets its own advice: it
creates the platform stacks' secrets provider, so telling it to use that provider is circular."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from ops.project import BOOTSTRAP_PROJECT, secrets_provider_warnings
from tests.support.cli import REPO


def test_the_bootstrap_project_constant_is_the_bootstraps_pulumi_yaml_name() -> None:
    assert yaml.safe_load((REPO / "bootstrap" / "Pulumi.yaml").read_text())["name"] == BOOTSTRAP_PROJECT


def test_a_platform_stack_is_told_to_init_with_the_bootstraps_provider_and_which_file() -> None:
    [warning] = secrets_provider_warnings("prod", REPO / "Pulumi.prod.yaml", {}, "platform")
    assert "pulumi stack init prod --secrets-provider <the bootstrap's secrets_provider>" in warning


def test_the_bootstraps_own_stack_is_told_its_state_stays_with_the_administrator() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ops", "plan", "--program", "bootstrap", "--stack", "preview", "--no-policy"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    [line] = [line for line in proc.stdout.splitlines() if "secretsprovider" in line]
    assert "stack file bootstrap/Pulumi.preview.yaml has no `secretsprovider`" in line
    assert "--secrets-provider <the bootstrap's secrets_provider>" not in line  # circular for the bootstrap
    assert "its own state stays with the administrator (docs/state-backend.md" in line
    assert "pulumi login --local && pulumi stack select preview --create" in line
    # An encryptionsalt (the passphrase provider) is what the bootstrap's stack is meant to have.
    assert secrets_provider_warnings("preview", Path("bootstrap/Pulumi.preview.yaml"),
                                     {"encryptionsalt": "v1:abc"}, BOOTSTRAP_PROJECT) == []
