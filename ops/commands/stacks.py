"""`ops stacks`: the project's stacks, from its `Pulumi.<stack>.yaml` files (ops/stacks.py).

    python -m ops stacks            # a table: stack, environment, policy config
    python -m ops stacks --json     # the same as JSON on stdout, with the workflows' matrices

The workflows' first job runs `ops stacks --json` and deploys, plans, checks and copies exactly these stacks:
adding a stack is adding its stack file. Needs no SDK (PyYAML and typer only). Exit 0; 2 when a stack file's
name or environment is bad (the message names the file), or there is no stack file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from ..project import load_project
from ..stacks import StackEntry, discover_stacks
from .common import Outcome, run_command

REPO_ROOT = Path(__file__).resolve().parents[2]

HELP = (
    "List the project's stacks (every Pulumi.<stack>.yaml), non-prod environments first, then prod: each with its "
    "environment (from its name, else the file's <project>:environment) and its policy config "
    "(<pack>/config/<stack>.json if it exists, else <pack>/config/<environment>.json). --json prints JSON for the "
    "workflows' matrices. Offline, with PyYAML and typer only.\n\n"
    "Exit codes: 0 listed; 2 a stack file whose name or environment is bad, or none."
)


def _shown(path: Path | None, base: Path) -> str | None:
    """A path as the workflows use it: relative to the project directory when inside it."""
    if path is None:
        return None
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def stacks_document(project: str, entries: list[StackEntry], base: Path) -> dict[str, Any]:
    """`stacks` in deploy order; `non_prod` and `prod` split it for deploy.yml's two jobs (each may be empty)."""
    rows = [
        {
            "stack": e.stack,
            "environment": e.environment,
            "file": _shown(e.file, base),
            "policy_config": _shown(e.policy_config, base),
        }
        for e in entries
    ]
    return {
        "project": project,
        "stacks": rows,
        "non_prod": [row for row, e in zip(rows, entries, strict=True) if not e.is_prod],
        "prod": [row for row, e in zip(rows, entries, strict=True) if e.is_prod],
    }


def _render_table(document: dict[str, Any], stream: IO[str]) -> None:
    rows = [(r["stack"], r["environment"], r["policy_config"] or "(none)") for r in document["stacks"]]
    header = ("stack", "environment", "policy config")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(2)]
    for row in [header, *rows]:
        stream.write(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}\n")


def stacks(
    json_output: Annotated[
        bool, typer.Option("--json", "-j", help="Print JSON (for the workflows) instead of a table.")
    ] = False,
    program: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Program directory (holds Pulumi.yaml). Default: the repository root."),
    ] = None,
    policy_pack: Annotated[
        Path | None,
        typer.Option(metavar="DIR",
                     help="Policy pack directory whose config/ is searched. Default: <repository>/policies."),
    ] = None,
) -> None:
    def body() -> Outcome:
        base = (program or REPO_ROOT).resolve()
        pack = (policy_pack or REPO_ROOT / "policies").resolve()
        project = load_project(base).name
        document = stacks_document(project, discover_stacks(base, pack, project), base)

        def render(stream: IO[str]) -> None:
            if json_output:
                stream.write(json.dumps(document, indent=2) + "\n")
            else:
                _render_table(document, stream)

        return Outcome(exit_code=0, render=render)

    raise typer.Exit(run_command(None, body))
