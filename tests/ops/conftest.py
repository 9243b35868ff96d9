"""Fixtures for the ops planner's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli import RAW_PROGRAM, TOY_PACK, PlanRun, run_plan


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
