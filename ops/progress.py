"""What a long command is doing, for a person watching a terminal, and nothing for anyone else.

One status line on stderr, rewritten at each phase and erased before the report is printed, so the report and
the JSON are the same whether or not it was shown. Silent when stderr is not a terminal (a pipe, a file, a CI
log), when the `CI` variable is set (GitHub Actions, GitLab CI and most CI services set `CI=true`; some attach a
pseudo-terminal) and with `TERM=dumb`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import IO

_ERASE_LINE = "\r\x1b[2K"


def watched(stream: IO[str] | None, environ: dict[str, str] | None = None) -> bool:
    """Whether a person is watching `stream`: a terminal, outside CI, not a dumb terminal."""
    environ = dict(os.environ) if environ is None else environ
    if stream is None or environ.get("TERM") == "dumb":
        return False
    if environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    try:
        return stream.isatty()
    except (ValueError, OSError):  # a closed stream
        return False


class Progress:
    """`phase("running the program")` shows `running the program (1.2s)`; `done()` erases it."""

    def __init__(self, stream: IO[str] | None = None, *, enabled: bool | None = None) -> None:
        self._stream = sys.stderr if stream is None else stream
        self._enabled = watched(self._stream) if enabled is None else enabled
        self._start = time.monotonic()
        self._shown = False

    @classmethod
    def silent(cls) -> Progress:
        return cls(enabled=False)

    def phase(self, text: str) -> None:
        if self._enabled:
            self._write(f"{_ERASE_LINE}{text} ({time.monotonic() - self._start:.1f}s)")
            self._shown = True

    def done(self) -> None:
        if self._shown:
            self._write(_ERASE_LINE)
            self._shown = False

    def _write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._stream.write(text)
            self._stream.flush()
