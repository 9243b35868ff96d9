"""`python -m ops ...`: a thin typer layer over `ops.commands`.

Keep imports here light: the plan's wall time is budgeted, and rich is only needed on a terminal.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from .commands import PlanOptions, run_plan
from .errors import OpsError
from .report import plan_redactor, render, write_json

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Offline operations for this Pulumi project (no Pulumi CLI, plugins or credentials).",
)


@app.callback()
def _root() -> None:
    """Offline operations for this Pulumi project."""


@app.command()
def plan(
    *,
    stack: Annotated[str, typer.Option("--stack", "-s", help="Stack name, e.g. dev or prod.")],
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Also write the plan as JSON to this file.", dir_okay=False)
    ] = None,
    program: Annotated[
        Path | None, typer.Option(help="Program directory (holds Pulumi.yaml). Default: the repo root.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="Stack config file. Default: <program>/Pulumi.<stack>.yaml.")
    ] = None,
    policy_pack: Annotated[
        Path | None, typer.Option(help="Policy pack directory. Default: <repo>/policies if it is a pack.")
    ] = None,
    policy_config: Annotated[
        Path | None,
        typer.Option(help="Policy config JSON. Default: <policy pack>/config/<stack>.json if present."),
    ] = None,
    no_policy: Annotated[bool, typer.Option("--no-policy", help="Skip policy evaluation.")] = False,
    organization: Annotated[str, typer.Option(help="Organization name the program sees.")] = "organization",
) -> None:
    """Preview the program offline and evaluate the policy pack, like `pulumi preview --policy-pack`.

    Exit codes: 0 no mandatory violation, 1 mandatory violations, 2 invalid config or program/pack failure.
    """
    opts = PlanOptions(
        stack=stack,
        program=program,
        config=config,
        policy_pack=policy_pack,
        policy_config=policy_config,
        no_policy=no_policy,
        organization=organization,
    )
    try:
        report = run_plan(opts)
    except OpsError as exc:
        print(exc.message, file=sys.stderr)
        raise typer.Exit(exc.exit_code) from None

    redact = plan_redactor(report.plan)
    if json_file is not None:
        try:
            with json_file.open("w", encoding="utf-8") as fp:
                write_json(report, fp, redact)
        except OSError as exc:
            print(f"cannot write {json_file}: {exc.strerror}", file=sys.stderr)
            raise typer.Exit(2) from None
    # A reader that went away (`| head`) must not turn a verdict into a traceback.
    with contextlib.suppress(BrokenPipeError):
        render(report, sys.stdout)
    raise typer.Exit(report.exit_code)


def main() -> None:
    """Run the CLI and leave without the interpreter's teardown.

    A plan imports thousands of provider SDK modules; finalizing them takes ~0.5 s and does
    nothing useful once the report and the JSON file are written and flushed.
    """
    try:
        app(prog_name="python -m ops")
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):
            stream.flush()
    os._exit(code)
