"""`placeholders all`: every stack-file value marked `# PLACEHOLDER: <what>`, one row per stack and key path.

The comment belongs to the last key that starts on its line (`content` in `- {name: www, ..., content: x}  #
PLACEHOLDER: ...`), or to the sequence item that starts there when no key does. The YAML is composed with PyYAML
to know where each key and value is; values are read as the Pulumi CLI reads them (ops.yamlfile). A PLACEHOLDER
comment docgen cannot attach to a key is an error, not a silent omission.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import DocgenError, UnknownArgument
from .markdown import code, compact, table
from .sources import stack_config, stack_files, stack_label

ALL = "all"
_COMMENT = re.compile(r"#\s*PLACEHOLDER:\s*(?P<text>.*?)\s*$")


@dataclass(frozen=True)
class Placeholder:
    stack: str
    key: str  # platform:edge.dns_records[0].content
    value: Any
    text: str


@dataclass(frozen=True)
class _Entry:
    parts: tuple[str | int, ...]
    line: int  # 0-based line where the key (or the sequence item) starts
    column: int
    end: yaml.Mark  # where the value ends
    keyed: bool


def key_path(parts: tuple[str | int, ...]) -> str:
    head, *rest = parts
    return str(head) + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in rest)


def _entries(node: yaml.Node, parts: tuple[str | int, ...]) -> Iterator[_Entry]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*parts, str(key.value))
            yield _Entry(here, key.start_mark.line, key.start_mark.column, value.end_mark, keyed=True)
            yield from _entries(value, here)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            here = (*parts, index)
            yield _Entry(here, item.start_mark.line, item.start_mark.column, item.end_mark, keyed=False)
            yield from _entries(item, here)


def _value_at(config: dict[str, Any], parts: tuple[str | int, ...]) -> Any:
    value: Any = config
    for part in parts:
        value = value[part]
    return value


def stack_placeholders(path: Path) -> list[Placeholder]:
    """The PLACEHOLDER-marked values of one stack file, in file order."""
    text = path.read_text(encoding="utf-8")
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    config_node = next(
        (value for key, value in (root.value if isinstance(root, yaml.MappingNode) else []) if key.value == "config"),
        None,
    )
    entries = list(_entries(config_node, ())) if config_node is not None else []
    config = stack_config(path)
    found = []
    for number, line in enumerate(text.splitlines()):
        if "PLACEHOLDER:" not in line:
            continue
        on_line = [entry for entry in entries if entry.line == number]
        keyed = [entry for entry in on_line if entry.keyed]
        candidates = keyed or on_line
        entry = max(candidates, key=lambda entry: entry.column) if candidates else None
        # The comment must follow the value: a '#' inside a quoted scalar is not a comment.
        after = entry.end.column if entry is not None and entry.end.line == number else 0
        match = _COMMENT.search(line, after)
        if match is None:
            continue  # the word inside a value, not a comment
        if entry is None:
            raise DocgenError(f"{path.name}:{number + 1}: a PLACEHOLDER comment that follows no key on its line")
        found.append(Placeholder(stack_label(path), key_path(entry.parts), _value_at(config, entry.parts),
                                 match.group("text")))
    return found


def placeholders() -> list[Placeholder]:
    return [placeholder for path in stack_files() for placeholder in stack_placeholders(path)]


def render(arg: str) -> str:
    if arg != ALL:
        raise UnknownArgument("placeholders", arg, [ALL])
    return table(
        ["stack", "key", "current value", "replace with"],
        ([item.stack, code(item.key), code(compact(item.value)), item.text] for item in placeholders()),
    )
