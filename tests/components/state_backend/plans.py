"""The bootstrap planned offline, once per sample account and once for a shared account (shared by the tests)."""

from __future__ import annotations

import atexit
import shutil
from functools import cache
from pathlib import Path
from tempfile import mkdtemp

from tests.support.cli import PlanRun, run_plan
from tests.support.stacks import ROOT

BOOTSTRAP = ROOT / "bootstrap"
ACCOUNT = "123456789012"
REPO = "example-org/web-app"
SHARED_ACCOUNT_LINES = (
    "  platform-bootstrap:stacks: [preview, prod]\n"
    "  platform-bootstrap:shared_account_acknowledged: true\n"
)


def shared_account_file(directory: Path) -> Path:
    """Pulumi.prod.yaml with both stacks in one account, acknowledged."""
    text = (BOOTSTRAP / "Pulumi.prod.yaml").read_text()
    lines = [line for line in text.splitlines(keepends=True) if "platform-bootstrap:stacks:" not in line]
    at = next(i for i, line in enumerate(lines) if line.startswith("config:")) + 1
    path = directory / "Pulumi.shared.yaml"
    path.write_text("".join(lines[:at]) + SHARED_ACCOUNT_LINES + "".join(lines[at:]))
    return path


@cache
def bootstrap_plan(account: str) -> PlanRun:
    """`prod`/`preview`: the sample stack files; `shared`: both stacks in one account (acknowledged)."""
    tmp = Path(mkdtemp(prefix=f"bootstrap-{account}-"))
    # Cached for the whole session (the tests share the plan), so removed when the session ends.
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    if account == "shared":
        return run_plan(tmp, "--program", str(BOOTSTRAP), "--config", str(shared_account_file(tmp)), stack="prod")
    return run_plan(tmp, "--program", str(BOOTSTRAP), stack=account)
