"""The README's table of policies, generated from the pack and its stack config files.

    cd policies && ../.venv/bin/python -m baseline.catalog            # prints the table
    cd policies && ../.venv/bin/python -m baseline.catalog --write    # rewrites it in ../README.md

tests/policies/test_readme.py fails when README.md's table differs from this output.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
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


def markdown_table(config_dir: Path = CONFIG_DIR) -> str:
    """One row per policy, in pack order: name, resource type, resource/stack, level per stack, control IDs."""
    configs = {stack: json.loads((config_dir / f"{stack}.json").read_text()) for stack in STACKS}
    rows = [_HEADER]
    for module in MODULES:
        for policy in module.POLICIES:
            kind = "stack" if isinstance(policy, StackValidationPolicy) else "resource"
            levels = " | ".join(_cell(policy, stack, configs[stack]) for stack in STACKS)
            rows.append(f"| `{policy.name}` | `{module.RESOURCE_TYPE}` | {kind} | {levels} | {_sources(policy)} |")
    return "\n".join(rows)


README: Path = CONFIG_DIR.parents[1] / "README.md"
README_TABLE = re.compile(r"(<!-- policy-table:start[^>]*-->\n)(.*?)(\n<!-- policy-table:end -->)", re.DOTALL)


def write_readme(readme: Path = README) -> None:
    """Replace the table between README.md's policy-table markers with `markdown_table()`."""
    text = readme.read_text()
    if not README_TABLE.search(text):
        raise SystemExit(f"{readme}: no policy-table markers")
    readme.write_text(README_TABLE.sub(lambda m: m.group(1) + markdown_table() + m.group(3), text, count=1))


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_readme()
    else:
        print(markdown_table())
