"""Run the real program (or a small one) through the offline planner and look at what the engine would get."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.model import Plan, ResourceRecord
from ops.program import plan_program
from ops.project import load_project, read_stack_file
from tests.stacks import ROOT

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_SIG = "4dabf18193072939515e22adb298388d"


def is_unknown(value: Any) -> bool:
    return value == UNKNOWN


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and SECRET_SIG in value


@dataclass
class PlanView:
    plan: Plan

    def of_type(self, type_: str) -> list[ResourceRecord]:
        return [r for r in self.plan.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> ResourceRecord:
        matches = [r for r in self.of_type(type_) if name is None or r.name == name]
        assert len(matches) == 1, f"{type_} {name}: {len(matches)} matches"
        return matches[0]

    def urn(self, type_: str, name: str | None = None) -> str:
        return self.one(type_, name).urn

    @property
    def custom(self) -> list[ResourceRecord]:
        return [r for r in self.plan.resources if r.custom and not r.default_provider and not r.is_provider]

    @property
    def warnings(self) -> list[str]:
        return self.plan.warnings


def plan_stack(stack: str, **overrides: Any) -> PlanView:
    """Plan the repository's program on Pulumi.<stack>.yaml, with concern overrides merged into its config."""
    project = load_project(ROOT)
    data = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    for concern, values in overrides.items():
        key = f"platform:{concern}"
        data["config"][key] = {**data["config"].get(key, {}), **values}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"Pulumi.{stack}.yaml"
        path.write_text(yaml.safe_dump(data))
        return PlanView(plan_program(project, read_stack_file(project, stack, path)))


def plan_source(source: str, stack: str = "prod") -> PlanView:
    """Plan a small program (Python source) against the repository's project and stack config."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
        (directory / f"Pulumi.{stack}.yaml").write_text((ROOT / f"Pulumi.{stack}.yaml").read_text())
        (directory / "__main__.py").write_text(source)
        project = load_project(directory)
        return PlanView(plan_program(project, read_stack_file(project, stack)))


@pytest.fixture(scope="session")
def prod() -> PlanView:
    return plan_stack("prod")


@pytest.fixture(scope="session")
def preview() -> PlanView:
    return plan_stack("preview")


@pytest.fixture(scope="session", params=["preview", "prod"])
def each_stack(request: pytest.FixtureRequest, preview: PlanView, prod: PlanView) -> tuple[str, PlanView]:
    return request.param, {"preview": preview, "prod": prod}[request.param]


def wire(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


Check = Callable[[ResourceRecord], None]
