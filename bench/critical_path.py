"""The first `pulumi up`, estimated: the critical path through the plan's dependency graph.

The engine creates a resource as soon as everything it depends on exists, so a first `pulumi up` takes at
least the longest chain of dependencies (dependencies and property dependencies, a dependency on a
component meaning all of its resources), weighted by typical creation times. The figure to watch is the
ratio of that chain to the slowest single resource: 1.0 means nothing waits on anything slow.

    python bench/critical_path.py [--stack prod]

Only `ops.program.plan_program`, `ops.project.load_project`, `read_stack_file` and the records' `urn, type,
dependencies, property_dependencies, parent, custom` (and `inputs`, for Multi-AZ) are used, so the planner
may change underneath.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent

# Typical creation times in minutes (issue 5, Part C). Components, providers and the stack take none.
CREATION_MINUTES: Mapping[str, float] = {
    "aws:rds/proxy:Proxy": 6,
    "aws:rds/proxyTarget:ProxyTarget": 3,
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": 0.5,
    "aws:elasticache/serverlessCache:ServerlessCache": 6,
    "aws:ec2/natGateway:NatGateway": 2,
}
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_INSTANCE_MINUTES = {True: 15.0, False: 10.0}  # Multi-AZ, single-AZ
OTHER_MINUTES = 0.1
GOAL_RATIO = 1.25


class Record(Protocol):
    urn: str
    type: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    parent: str | None
    custom: bool


@dataclass(frozen=True)
class CriticalPath:
    minutes: float
    path: tuple[tuple[str, float], ...]  # (urn, minutes) from the first resource created to the last
    slowest_urn: str
    slowest_minutes: float

    @property
    def ratio(self) -> float:
        return self.minutes / self.slowest_minutes if self.slowest_minutes else 1.0


def creation_minutes(record: Record) -> float:
    if not record.custom or record.type.startswith("pulumi:"):
        return 0.0  # components, providers, the stack
    if record.type == RDS_INSTANCE:
        inputs: Mapping[str, Any] = getattr(record, "inputs", None) or {}
        return RDS_INSTANCE_MINUTES[inputs.get("multiAz") is True]
    return CREATION_MINUTES.get(record.type, OTHER_MINUTES)


def _direct_dependencies(record: Record) -> set[str]:
    found = set(record.dependencies)
    for urns in record.property_dependencies.values():
        found.update(urns)
    return found


def critical_path(records: Iterable[Record]) -> CriticalPath:
    """The longest chain of creation times through the graph. Raises ValueError on a cycle."""
    by_urn = {record.urn: record for record in records}
    children: dict[str, list[str]] = {}
    for record in by_urn.values():
        if record.parent:
            children.setdefault(record.parent, []).append(record.urn)

    @cache
    def waits_for(urn: str) -> frozenset[str]:
        # Waiting for a component means waiting for everything inside it.
        found = {urn}
        for child in children.get(urn, ()):
            found |= waits_for(child)
        return frozenset(found)

    def predecessors(record: Record) -> set[str]:
        found: set[str] = set()
        for urn in _direct_dependencies(record):
            if urn in by_urn:
                found |= waits_for(urn)
        found.discard(record.urn)
        return found

    finish: dict[str, float] = {}
    came_from: dict[str, str | None] = {}
    visiting: set[str] = set()

    def finish_time(urn: str) -> float:
        if urn in finish:
            return finish[urn]
        if urn in visiting:
            raise ValueError(f"dependency cycle through {urn}")
        visiting.add(urn)
        record = by_urn[urn]
        start, before = 0.0, None
        for predecessor in sorted(predecessors(record)):
            done = finish_time(predecessor)
            if done > start:
                start, before = done, predecessor
        visiting.discard(urn)
        finish[urn] = start + creation_minutes(record)
        came_from[urn] = before
        return finish[urn]

    for urn in by_urn:
        finish_time(urn)
    if not by_urn:
        return CriticalPath(0.0, (), "", 0.0)
    last = max(sorted(by_urn), key=lambda urn: finish[urn])
    chain: list[tuple[str, float]] = []
    cursor: str | None = last
    while cursor is not None:
        minutes = creation_minutes(by_urn[cursor])
        if minutes:
            chain.append((cursor, minutes))
        cursor = came_from[cursor]
    slowest = max(sorted(by_urn), key=lambda urn: creation_minutes(by_urn[urn]))
    return CriticalPath(finish[last], tuple(reversed(chain)), slowest, creation_minutes(by_urn[slowest]))


def plan_records(stack: str, root: Path = ROOT) -> Sequence[Record]:
    """The resources of the repository's program planned on Pulumi.<stack>.yaml."""
    from ops.program import plan_program
    from ops.project import load_project, read_stack_file

    loaded = load_project(root)
    config = read_stack_file(loaded, stack, root / f"Pulumi.{stack}.yaml")
    return plan_program(loaded, config).resources


def _short(urn: str) -> str:
    # urn:pulumi:<stack>::<project>::<type chain>::<name> -> "<type> <name>"
    *_, types, name = urn.split("::")
    return f"{types.rsplit('$', 1)[-1]} {name}"


def report(result: CriticalPath) -> str:
    lines = [
        f"critical path: {result.minutes:.1f} min; slowest single resource: {result.slowest_minutes:.1f} min "
        f"({_short(result.slowest_urn)}); ratio {result.ratio:.2f} (goal <= {GOAL_RATIO})",
        "path:",
    ]
    elapsed = 0.0
    for urn, minutes in result.path:
        elapsed += minutes
        lines.append(f"  {elapsed:6.1f}  +{minutes:<4g} {_short(urn)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", default="prod")
    options = parser.parse_args(argv)
    result = critical_path(plan_records(options.stack))
    print(f"stack: {options.stack}")
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
