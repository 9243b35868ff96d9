"""Fixtures for the ops planner's tests."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

# The planner is a top-level package of the repo; make it importable however pytest is started.
_REPO = str(Path(__file__).resolve().parents[2])
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from ops_testlib import RAW_PROGRAM, TOY_PACK, PlanRun, run_plan  # noqa: E402


@pytest.fixture(scope="session")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> PlanRun:
    """The raw program with the toy pack and no policy config: one plan shared by many tests."""
    tmp = tmp_path_factory.mktemp("default-run")
    return run_plan(tmp, "--program", str(RAW_PROGRAM), "--policy-pack", str(TOY_PACK))


@pytest.fixture
def toy_pack_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "toy_policy_pack"
    shutil.copytree(TOY_PACK, dest)
    return dest
