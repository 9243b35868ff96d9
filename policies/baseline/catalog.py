"""The table of policies (docs/policy-pack.md, and per concern on each docs page), generated from the pack and its
stack config files.

    cd policies && ../.venv/bin/python -m baseline.catalog            # prints the full table
    cd policies && ../.venv/bin/python -m baseline.catalog --write    # = python -m docgen --write --only policy-table

docgen (the repository's `docgen/` package) writes the tables into the marker blocks of docs/*.md;
tests/policies/test_policy_table_doc.py fails when docs/policy-pack.md's table differs from this output.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, StackValidationPolicy

from .common import CATALOG
from .pack import MODULES
from .thresholds import CONFIG_DIR, THRESHOLDS, configured_minimum

STACKS = ("preview", "prod")
_HEADER = (
    "| policy | resource type | kind | preview | prod | sources |\n"
    "|---|---|---|---|---|---|"
)


def effective_level(policy: Policy, config: Mapping[str, Any]) -> str:
    """The level the engine gives `policy` for a `--policy-pack-config` document: the policy's own level, then
    `all`, then the policy's entry (pulumi `pkg/resource/analyzer/config.go`)."""
    level = policy.enforcement_level.value if isinstance(policy.enforcement_level, EnforcementLevel) else "mandatory"
    everything = config.get("all")
    if isinstance(everything, str):
        level = everything
    entry = config.get(policy.name)
    if isinstance(entry, str):
        level = entry
    elif isinstance(entry, Mapping) and isinstance(entry.get("enforcementLevel"), str):
        level = entry["enforcementLevel"]
    return level


def _cell(policy: Policy, stack: str, config: Mapping[str, Any]) -> str:
    level = effective_level(policy, config)
    threshold = THRESHOLDS.get(policy.name)
    if threshold is None or level == "disabled":
        return level
    return f"{level}, >= {configured_minimum(policy.name, stack)} {threshold.unit}"


def _sources(policy: Policy) -> str:
    return ", ".join(str(ref) for ref in CATALOG[policy.name].refs)


def markdown_table(config_dir: Path = CONFIG_DIR, resource_types: Collection[str] | None = None) -> str:
    """One row per policy, in pack order: name, resource type, resource/stack, level per stack, control IDs
    (only the policies of `resource_types` when given: a docs page's share of the pack)."""
    configs = {stack: json.loads((config_dir / f"{stack}.json").read_text()) for stack in STACKS}
    rows = [_HEADER]
    for module in MODULES:
        if resource_types is not None and module.RESOURCE_TYPE not in resource_types:
            continue
        for policy in module.POLICIES:
            kind = "stack" if isinstance(policy, StackValidationPolicy) else "resource"
            levels = " | ".join(_cell(policy, stack, configs[stack]) for stack in STACKS)
            rows.append(f"| `{policy.name}` | `{module.RESOURCE_TYPE}` | {kind} | {levels} | {_sources(policy)} |")
    return "\n".join(rows)


REPO: Path = CONFIG_DIR.parents[1]


def write_docs() -> int:
    """Rewrite the policy tables in docs/*.md: docgen owns the marker blocks, so this runs it for them."""
    return subprocess.call([sys.executable, "-m", "docgen", "--write", "--only", "policy-table", "--only", "policies"],
                           cwd=REPO)


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        raise SystemExit(write_docs())
    print(markdown_table())
