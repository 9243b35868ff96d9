"""`python -m ops ...`: the typer app; each command lives in `ops/commands/<name>.py`.

The shared run/exit/JSON logic is `ops.commands.common.run_command`. Keep imports here light: the plan's
wall time is budgeted.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import Annotated

import typer
from typer.core import TyperCommand

from . import __version__
from .commands import diff, drift, plan, stacks
from .commands.common import interrupted_exit, print_error, was_interrupted
from .errors import EXIT_CODES_HELP, ExitCode

HELP = (
    "Operations for this Pulumi project: plan, diff and stacks run offline (no Pulumi CLI, provider plugins or "
    "cloud credentials); drift runs `pulumi refresh --preview-only` and needs the Pulumi CLI, `pulumi login` and "
    "cloud credentials.\n\n" + EXIT_CODES_HELP + "\n\nRun `python -m ops COMMAND -h` for a command's options and "
    "its own exit codes. Documentation: docs/planner.md."
)

# Plain help, as pulumi, terraform and tflint print it: `-h`, short flags beside long ones, a metavar for each value
# and none for a flag (typer's rich help printed `<bool>` after every flag).
class PlainUsageCommand(TyperCommand):
    """Usage lines as click, pulumi and terraform write them (`diff [OPTIONS] BASE HEAD`); typer marks a required
    argument `{BASE}`, which reads like a placeholder for a set."""

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        return [piece.removeprefix("{").removesuffix("}") for piece in super().collect_usage_pieces(ctx)]


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help=HELP,
)
app.command(name="plan", cls=PlainUsageCommand, help=plan.HELP,
            short_help="Plan a stack and evaluate the policy pack. Offline.")(plan.plan)
app.command(name="diff", cls=PlainUsageCommand, help=diff.HELP,
            short_help="Compare two plans from `plan --json`. Offline.")(diff.diff)
app.command(name="drift", cls=PlainUsageCommand, help=drift.HELP,
            short_help="Find changes made outside Pulumi. Needs the Pulumi CLI, login, credentials.")(drift.drift)
app.command(name="stacks", cls=PlainUsageCommand, help=stacks.HELP,
            short_help="List the stacks, their environments and policy configs. Offline.")(stacks.stacks)


def _print_version(value: bool) -> None:
    if value:
        print(f"ops {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Operations for this Pulumi project."""


def main() -> None:
    """Run the CLI and leave without the interpreter's teardown.

    A plan imports thousands of provider SDK modules; finalizing them takes ~0.5 s and does
    nothing useful once the report and the JSON file are written and flushed. Ctrl-C's handler is installed by
    `ops/__main__.py` before this module loads (ops/interrupt.py).
    """
    # The process ends with os._exit below, right after its report: a cyclic collection over the provider SDKs'
    # objects (re-enabled after the program's run, see commands/plan.py) would cost ~0.5 s and free nothing
    # that matters. In-process callers of run_plan keep their collector.
    gc.disable()
    try:
        app(prog_name="python -m ops")
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print_error(str(exc.code))
            code = ExitCode.CANNOT_RUN
    except KeyboardInterrupt:
        code = interrupted_exit()
    if was_interrupted():
        # Typer turns a KeyboardInterrupt outside a command's body into a silent exit 130.
        code = interrupted_exit()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with contextlib.suppress(BrokenPipeError, ValueError, OSError):
                stream.flush()
    os._exit(code)
