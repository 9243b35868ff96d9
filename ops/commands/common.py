"""The run/exit/JSON logic every `ops` command shares, written once.

A command module (`ops/commands/<name>.py`) parses its options, does its work and hands `run_command` an
`Outcome`: its exit code, how to print its report and how to build its JSON document. `run_command` turns
everything else into the exit-code table of `ops.errors`, never a traceback:
- an `OpsError` prints its message and exits with its code (2);
- any other exception is a bug: one line naming it, exit 2 (`OPS_DEBUG=1` shows the traceback);
- Ctrl-C stops the policy pack, removes partial output and exits 130 at once; a second Ctrl-C, or
  cleanup taking longer than a few seconds, ends the process immediately;
- `--json FILE` and `--report FILE.md` are written atomically and only for a completed run (a run that found
  violations is complete); after a failure no (stale) FILE is left. A FILE that is not a regular file (a device
  such as /dev/null, a FIFO, `>(jq .)`) is written into, never renamed over; `-` is stdout, and the report a
  person reads then goes to stderr;
- a closed or broken stdout loses the printed report, not the verdict.

Keep imports here light: the plan's wall time is budgeted.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import ExitCode, OpsError, PlannerConfigError
from ..interrupt import (
    interrupted_exit,
    is_stdout,
    on_interrupt,
    print_error,
    remove_stale_outputs,
    set_output_paths,
    was_interrupted,
)

# What the commands and the CLI take from here; Ctrl-C's state lives in ops.interrupt.
__all__ = [
    "Outcome", "check_output_path", "interrupted_exit", "on_interrupt", "print_error", "run_command",
    "was_interrupted", "write_text_atomically",
]


@dataclass
class Outcome:
    """What a command produced: its exit code, its printed report, its JSON document."""

    exit_code: int
    render: Callable[[IO[str]], None]
    json_document: Callable[[], dict[str, Any]] | None = None
    report_document: Callable[[], str] | None = None  # markdown for `--report`


def _special_file(path: Path) -> bool:
    """An existing path that is not a regular file or a directory (after symlinks): a device, a FIFO, a socket."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def check_output_path(path: Path | None, option: str = "--json") -> None:
    """Fail before any work if an output file (`--json`, `--report`) cannot be written."""
    if path is None or is_stdout(path):
        return
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise PlannerConfigError(f"{option} {path}: is a directory")
    if _special_file(path):
        # Written into where it is (its directory, e.g. /dev, need not be writable).
        if not os.access(path, os.W_OK):
            raise PlannerConfigError(f"{option} {path}: not writable")
        return
    if not parent.is_dir():
        raise PlannerConfigError(f"{option} {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise PlannerConfigError(f"{option} {path}: not writable")


def write_text_atomically(path: Path, text: str) -> None:
    """Replace a regular file (or create one) in one rename, so a reader never sees half a document. Anything
    else is written into: renamed over, a device (`/dev/null`, `/dev/full`) or a FIFO would become a regular file
    holding the plan. A symlink keeps pointing where it did; the file it names is replaced."""
    if _special_file(path):
        with open(path, "w", encoding="utf-8") as fp:
            fp.write(text)
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fp:
            fp.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _print(render: Callable[[IO[str]], None], *, to_stderr: bool = False) -> None:
    stream = sys.stderr if to_stderr else sys.stdout
    if stream is None:  # started with stdout closed
        return
    # A reader that went away (`| head`) or a closed stdout must not turn a verdict into a traceback.
    with contextlib.suppress(BrokenPipeError, ValueError, OSError):
        render(stream)
        stream.flush()


def _write_outputs(outcome: Outcome, json_path: Path | None, report_path: Path | None) -> str | None:
    """Write `--json` and `--report` files; returns the document that goes to stdout (`-`), if any."""
    to_stdout = None
    documents = []
    if json_path is not None and outcome.json_document is not None:
        json_document = outcome.json_document
        documents.append((json_path, "--json", lambda: json.dumps(json_document(), indent=2) + "\n"))
    if report_path is not None and outcome.report_document is not None:
        documents.append((report_path, "--report", outcome.report_document))
    for path, option, text in documents:
        if is_stdout(path):
            to_stdout = text()
            continue
        try:
            write_text_atomically(path, text())
        except OSError as exc:
            raise PlannerConfigError(f"{option} {path}: cannot write: {exc.strerror or exc}") from None
    return to_stdout


def run_command(json_path: Path | None, body: Callable[[], Outcome], report_path: Path | None = None) -> int:
    """Run a command's body under the shared exit-code table; returns the exit code."""
    set_output_paths([json_path, report_path])
    try:
        if is_stdout(json_path) and is_stdout(report_path):
            raise PlannerConfigError("--json - and --report -: only one of them can go to stdout; name a FILE")
        check_output_path(json_path, "--json")
        check_output_path(report_path, "--report")
        outcome = body()
        if was_interrupted():
            # Some library code swallowed the KeyboardInterrupt; the run was still interrupted.
            raise KeyboardInterrupt
        document_to_stdout = _write_outputs(outcome, json_path, report_path)
    except KeyboardInterrupt:
        return interrupted_exit()
    except OpsError as exc:
        if was_interrupted():
            return interrupted_exit()
        remove_stale_outputs()
        print_error(exc.message)
        return exc.exit_code
    except Exception as exc:
        if was_interrupted():
            return interrupted_exit()
        remove_stale_outputs()
        if os.environ.get("OPS_DEBUG"):
            print_error("".join(traceback.format_exception(exc)))
        print_error(f"internal error in ops: {type(exc).__name__}: {exc} (run with OPS_DEBUG=1 for the traceback)")
        return ExitCode.CANNOT_RUN
    if document_to_stdout is not None:
        # stdout carries the document alone, for `| jq`; the report a person reads goes to stderr.
        _print(outcome.render, to_stderr=True)
        _print(lambda stream: stream.write(document_to_stdout))
    else:
        _print(outcome.render)
    return outcome.exit_code


