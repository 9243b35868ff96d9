"""The marker blocks docgen fills, found in any text around them.

    <!-- generated:KIND ARG (python -m docgen --write) -->
    ...generated content...
    <!-- /generated:KIND -->

Only what lies between the opening line and the closing marker is ever replaced: the opening line is kept as
written and the text around the pair is never touched. The generated body is framed by one blank line on each
side, so that a markdown table neither runs into the closing comment nor follows the opening one directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_OPEN = re.compile(r"^<!-- generated:(?P<kind>[^\s>]*)(?P<rest>[^\n]*?)-->[ \t]*$", re.MULTILINE)
_CLOSE = re.compile(r"^<!-- /generated:(?P<kind>[^\s>]*) -->[ \t]*$", re.MULTILINE)
_ANY = re.compile(r"^<!-- /?generated:", re.MULTILINE)


class MarkerError(ValueError):
    """A marker that cannot be read: unclosed, closed by another kind, nested, or without its argument."""


@dataclass(frozen=True)
class Block:
    """One marker pair: its kind and argument, and where its body starts and ends in the text."""

    kind: str
    arg: str
    line: int  # 1-based line of the opening marker
    start: int  # offset just after the opening line's newline
    end: int  # offset of the closing marker line

    def body(self, text: str) -> str:
        return text[self.start : self.end]


def frame(content: str) -> str:
    """The text a block holds for `content`: one blank line, the content, one blank line."""
    return f"\n{content.strip(chr(10))}\n\n"


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def blocks(text: str, where: str = "<text>") -> Iterator[Block]:
    """Every marker pair of `text`, in order; MarkerError names the file and line of a malformed one."""
    position = 0
    while (opened := _ANY.search(text, position)) is not None:
        line = _line_of(text, opened.start())
        match = _OPEN.match(text, opened.start())
        if match is None:
            stray = text[opened.start() : text.find("\n", opened.start())].strip()
            raise MarkerError(f"{where}:{line}: closing marker without an opening one: {stray}")
        kind = match.group("kind")
        rest = match.group("rest").strip()
        arg = rest.split()[0] if rest else ""
        if not kind or not arg or arg.startswith("("):
            raise MarkerError(f"{where}:{line}: marker needs a kind and an argument: <!-- generated:KIND ARG ... -->")
        newline = text.find("\n", match.end())
        if newline < 0:
            raise MarkerError(f"{where}:{line}: generated:{kind} {arg} is not closed "
                              f"(expected <!-- /generated:{kind} -->)")
        start = newline + 1
        following = _ANY.search(text, start)
        closing = _CLOSE.match(text, following.start()) if following is not None else None
        if closing is None or closing.group("kind") != kind:
            raise MarkerError(f"{where}:{line}: generated:{kind} {arg} is not closed "
                              f"(expected <!-- /generated:{kind} --> before any other marker)")
        yield Block(kind, arg, line, start, closing.start())
        position = closing.end()


def rewrite(text: str, render: Callable[[Block], str], where: str = "<text>") -> str:
    """`text` with every block's body replaced by `frame(render(block))`; everything else byte for byte."""
    found = list(blocks(text, where))
    pieces, position = [], 0
    for block in found:
        pieces += [text[position : block.start], frame(render(block))]
        position = block.end
    pieces.append(text[position:])
    return "".join(pieces)
