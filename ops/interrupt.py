"""Ctrl-C: what a run stops, which of its outputs it removes, and how it ends (exit 130, "interrupted").

Standard library only, and imported by `ops/__main__.py` before anything else: the SIGINT handler is installed
before the CLI loads, so it must not import anything itself. A handler that imported `ops.commands.common`
failed with "cannot import name ... from partially initialized module" (a traceback instead of exit 130) when
the signal arrived while that very module was loading.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

#: exit code of an interrupted run; the exit-code table is `ops.errors.ExitCode` (a test keeps them equal)
INTERRUPTED = 130

#: `--json -` / `--report -`: the document goes to stdout (as `pulumi preview --json` writes it), the report to stderr.
STDOUT = "-"

_interrupted = threading.Event()
_reported = threading.Event()
_cleanups: list[Callable[[], None]] = []
_output_paths: list[Path] = []  # the current command's --json / --report, for an exit forced after Ctrl-C


def is_stdout(path: Path | None) -> bool:
    return path is not None and str(path) == STDOUT


def print_error(message: str) -> None:
    if sys.stderr is not None:
        with contextlib.suppress(OSError, ValueError):
            print(message, file=sys.stderr)


def on_interrupt(cleanup: Callable[[], None]) -> None:
    """Register something to stop when the run is interrupted (the policy pack process)."""
    _cleanups.append(cleanup)


def run_cleanups() -> None:
    for cleanup in list(_cleanups):
        with contextlib.suppress(Exception):
            cleanup()


def set_output_paths(paths: list[Path | None]) -> None:
    """The current command's output files, removed if the run is interrupted or fails."""
    _output_paths[:] = [path for path in paths if path is not None and not is_stdout(path)]


def output_paths_from_argv(argv: list[str]) -> list[Path]:
    """`--json FILE` / `--report FILE` (or `-j FILE`, `-r FILE`) from the command line, for an interrupt before the
    options are parsed."""
    found = []
    for i, arg in enumerate(argv):
        for option in ("--json", "--report", "-j", "-r"):
            # `--json FILE`, `--json=FILE`, `-j FILE`, `-jFILE`
            attached = option + "=" if option.startswith("--") else option
            if arg == option and i + 1 < len(argv):
                found.append(Path(argv[i + 1]))
            elif arg.startswith(attached) and len(arg) > len(attached):
                found.append(Path(arg[len(attached) :]))
    return [path for path in found if not is_stdout(path)]


def remove_stale(path: Path | None) -> None:
    # A plan file left from an earlier run must not be read as this run's result.
    if path is not None and not is_stdout(path):
        with contextlib.suppress(OSError):
            if path.is_file():
                path.unlink()


def remove_stale_outputs() -> None:
    for path in _output_paths or output_paths_from_argv(sys.argv):
        remove_stale(path)


def interrupted_exit() -> int:
    """Stop what was started, drop partial output and say so, once; returns 130."""
    run_cleanups()
    remove_stale_outputs()
    if not _reported.is_set():
        _reported.set()
        print_error("interrupted")
    return INTERRUPTED


def was_interrupted() -> bool:
    return _interrupted.is_set()


def handle_sigint(signum: int, frame: FrameType | None) -> None:
    """SIGINT handler: stop what was started (the pack process), drop partial output, and end at once.

    It does not raise KeyboardInterrupt: that would unwind through whatever runs at that instant, and an
    import of a C extension (grpc, protobuf) interrupted half-way can crash the interpreter (seen as a
    SIGSEGV exit instead of 130). The cleanups are plain process and file operations, safe from here.
    """
    _interrupted.set()
    os._exit(interrupted_exit())
