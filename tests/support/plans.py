"""Plan the real program (or a small one) with the offline planner and look at what the engine would get."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ops.model import Plan, ResourceRecord
from ops.program import plan_program
from ops.project import load_project, read_stack_file
from tests.support.stacks import ROOT, stack_file


@dataclass
class PlanView:
    plan: Plan

    def of_type(self, type_: str) -> list[ResourceRecord]:
        return [r for r in self.plan.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> ResourceRecord:
        matches = [r for r in self.of_type(type_) if name is None or r.name == name]
        assert len(matches) == 1, f"{type_} {name}: {len(matches)} matches"
        return matches[0]

    def named(self, name: str) -> ResourceRecord:
        matches = [r for r in self.plan.resources if r.name == name]
        assert len(matches) == 1, f"{name}: {len(matches)} matches"
        return matches[0]

    def urn(self, type_: str, name: str | None = None) -> str:
        return self.one(type_, name).urn

    @property
    def custom(self) -> list[ResourceRecord]:
        return [r for r in self.plan.resources if r.custom and not r.default_provider and not r.is_provider]

    @property
    def warnings(self) -> list[str]:
        return self.plan.warnings


def _plan_directory(directory: Path, stack: str, data: dict[str, Any], source: str | None) -> PlanView:
    (directory / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    path = directory / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(data))
    if source is not None:
        (directory / "__main__.py").write_text(source)
        project = load_project(directory)
    else:
        project = load_project(ROOT)
    return PlanView(plan_program(project, read_stack_file(project, stack, path)))


def plan_stack(stack: str, *, stack_name: str | None = None, **overrides: Any) -> PlanView:
    """Plan the repository's program on Pulumi.<stack>.yaml, with concern overrides merged into its config
    (as a stack called `stack_name`, when given)."""
    with tempfile.TemporaryDirectory() as tmp:
        return _plan_directory(Path(tmp), stack_name or stack, stack_file(stack, **overrides), None)


def plan_source(source: str, stack: str = "prod", **overrides: Any) -> PlanView:
    """Plan a small program (Python source) against the repository's project and stack config."""
    with tempfile.TemporaryDirectory() as tmp:
        return _plan_directory(Path(tmp), stack, stack_file(stack, **overrides), source)
