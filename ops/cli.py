"""`python -m ops ...`: the typer app; each command lives in `ops/commands/<name>.py`.

The shared run/exit/JSON logic is `ops.commands.common.run_command`. Keep imports here light: the plan's
wall time is budgeted.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys

import typer

from .commands import diff, drift, plan, stacks
from .commands.common import handle_sigint, interrupted_exit, print_error, was_interrupted
from .errors import EXIT_CODES_HELP, ExitCode

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Offline operations for this Pulumi project (no Pulumi CLI, plugins or credentials). " + EXIT_CODES_HELP,
)
app.command(name="plan", help=plan.HELP)(plan.plan)
app.command(name="diff", help=diff.HELP)(diff.diff)
app.command(name="drift", help=drift.HELP)(drift.drift)
app.command(name="stacks", help=stacks.HELP)(stacks.stacks)


@app.callback()
def _root() -> None:
    """Offline operations for this Pulumi project."""


def main() -> None:
    """Run the CLI and leave without the interpreter's teardown.

    A plan imports thousands of provider SDK modules; finalizing them takes ~0.5 s and does
    nothing useful once the report and the JSON file are written and flushed.
    """
    signal.signal(signal.SIGINT, handle_sigint)
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
