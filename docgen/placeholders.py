"""`placeholders all`: every stack-file value marked `# PLACEHOLDER: <what>`, one row per stack and key path.

Found by `ops.placeholders`, the same code `ops plan` warns with (and `--refuse-placeholders` refuses by); this
block is the marked ones. A PLACEHOLDER comment docgen cannot attach to a key is an error, not a silent omission.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ops import placeholders as found_in

from .errors import DocgenError, UnknownArgument
from .markdown import code, compact, table
from .sources import stack_files, stack_label

ALL = "all"


@dataclass(frozen=True)
class Placeholder:
    stack: str
    key: str  # platform:edge.dns_records[0].content
    value: Any
    text: str


def stack_placeholders(path: Path) -> list[Placeholder]:
    """The PLACEHOLDER-marked values of one stack file, in file order."""
    marked = []
    for item in found_in.stack_placeholders(path):
        if item.marked is None:
            continue
        if item.key is None:
            raise DocgenError(f"{path.name}:{item.line}: a PLACEHOLDER comment that follows no key on its line")
        marked.append(Placeholder(stack_label(path), item.key, item.value, item.marked))
    return marked


def placeholders() -> list[Placeholder]:
    return [placeholder for path in stack_files() for placeholder in stack_placeholders(path)]


def render(arg: str) -> str:
    if arg != ALL:
        raise UnknownArgument("placeholders", arg, [ALL])
    return table(
        ["stack", "key", "current value", "replace with"],
        ([item.stack, code(item.key), code(compact(item.value)), item.text] for item in placeholders()),
    )
