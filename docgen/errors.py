"""The errors docgen reports as one line and exit code 2 (never a traceback)."""

from __future__ import annotations


class DocgenError(Exception):
    """Something docgen cannot generate: an unknown block kind or argument, or a malformed marker."""


class UnknownArgument(DocgenError):
    """A block's argument names nothing its kind knows."""

    def __init__(self, kind: str, arg: str, allowed: list[str]) -> None:
        super().__init__(f"generated:{kind} has no argument {arg!r}; known: {', '.join(allowed)}")
