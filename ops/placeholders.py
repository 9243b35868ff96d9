"""The sample values a stack file still holds, so that none reaches `pulumi up`.

Two kinds, one list:
- every value marked `# PLACEHOLDER: <what>` (the comment belongs to the last key that starts on its line, as in
  `- {name: www, ..., content: x}  # PLACEHOLDER: ...`, or to the sequence item that starts there when no key does);
- the sample values this repository ships, marked or not (`SAMPLES`): reserved example domains, the sample
  Cloudflare account and zone, `example-org/...`, AWS's documentation account `123456789012`, team `1234567`.
  A marker deleted while the value stayed is still caught.

`ops plan` lists each as a warning (counted in its summary line); `ops plan --refuse-placeholders` refuses them
with exit 2, which the deploy workflow runs before `pulumi up`. docgen's `placeholders` block (the going-live
runbook's list) is the marked ones. The file is composed with PyYAML to know where each key and value is; values
are read as the Pulumi CLI reads them (ops.yamlfile), after `ops plan` has already refused a malformed file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .yamlfile import parse_yaml

_COMMENT = re.compile(r"#\s*PLACEHOLDER:\s*(?P<text>.*?)\s*$")


@dataclass(frozen=True)
class Sample:
    """A value this repository ships as a sample: where it comes from, and how to find it in any value."""

    what: str
    pattern: re.Pattern[str]


SAMPLES: tuple[Sample, ...] = (
    # RFC 2606, section 3: example.com, example.net and example.org are reserved for documentation; section 2
    # reserves the whole `.example` top-level domain.
    Sample("a domain reserved for documentation (RFC 2606)",
           re.compile(r"(?<![a-z0-9-])example\.(?:com|net|org)(?![a-z0-9-])|\.example(?![a-z0-9.-])", re.I)),
    Sample("the sample preview domain", re.compile(r"(?<![a-z0-9-])example-preview\.com(?![a-z0-9-])", re.I)),
    Sample("the sample GitHub owner", re.compile(r"(?<![\w.-])example-org(?:/|$)", re.I)),
    Sample("the sample Cloudflare id", re.compile(r"0123456789abcdef0123456789abcdef|fedcba9876543210fedcba9876543210",
                                                  re.I)),
    # The account id AWS's documentation uses in its examples (docs.aws.amazon.com, "AWS account identifiers").
    Sample("the sample AWS account id", re.compile(r"(?<!\d)123456789012(?!\d)")),
    Sample("the sample GitHub team id", re.compile(r"^1234567$")),
)


@dataclass(frozen=True)
class Placeholder:
    """One sample value in a stack file. `key` is None for a PLACEHOLDER comment that follows no key."""

    key: str | None  # platform:edge.dns_records[0].content
    value: Any
    line: int  # 1-based
    marked: str | None = None  # the PLACEHOLDER comment's text
    sample: str | None = None  # which of SAMPLES it is

    def message(self, file: str) -> str:
        why = "; ".join(part for part in (
            f"marked PLACEHOLDER: {self.marked}" if self.marked is not None else None,
            self.sample,
        ) if part)
        if self.key is None:
            return f"placeholder at {file}:{self.line}: a PLACEHOLDER comment that follows no key"
        return f"placeholder at {file}:{self.line}: {self.key} = {_compact(self.value)} ({why})"


def _compact(value: Any) -> str:
    """A value as the stack file writes it: a scalar as its text, a list or mapping in YAML's flow style."""
    if isinstance(value, list | dict):
        text = yaml.safe_dump(value, default_flow_style=True, width=1 << 16).strip()
    elif isinstance(value, bool) or value is None:
        text = {True: "true", False: "false", None: "null"}[value]
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


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


def _value_at(config: Any, parts: tuple[str | int, ...]) -> Any:
    value = config
    for part in parts:
        value = value[part]
    return value


def _config_of(text: str, path: Path) -> tuple[list[_Entry], dict[str, Any]]:
    """Where each key of the `config:` mapping starts, and the mapping as the CLI reads it."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    config_node = next(
        (value for key, value in (root.value if isinstance(root, yaml.MappingNode) else []) if key.value == "config"),
        None,
    )
    entries = list(_entries(config_node, ())) if config_node is not None else []
    data = parse_yaml(text, "stack file", path) or {}
    config = data.get("config") if isinstance(data, dict) else None
    return entries, config if isinstance(config, dict) else {}


def marked_placeholders(text: str, entries: list[_Entry], config: dict[str, Any]) -> list[Placeholder]:
    """The values a `# PLACEHOLDER: <what>` comment marks, in file order."""
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
            found.append(Placeholder(None, None, number + 1, marked=match.group("text")))
            continue
        found.append(Placeholder(key_path(entry.parts), _value_at(config, entry.parts), number + 1,
                                 marked=match.group("text")))
    return found


def _scalars(value: Any, parts: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return  # ciphertext: never a sample, never shown
        for key, item in value.items():
            yield from _scalars(item, (*parts, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _scalars(item, (*parts, index))
    elif value is not None and not isinstance(value, bool):
        yield parts, value


def sample_of(value: Any) -> str | None:
    """Which of this repository's sample values `value` is or holds, if any."""
    text = str(value)
    return next((sample.what for sample in SAMPLES if sample.pattern.search(text)), None)


def stack_placeholders(path: Path, text: str | None = None) -> list[Placeholder]:
    """Every sample value of one stack file, marked or not, in file order; one entry per key."""
    text = path.read_text(encoding="utf-8") if text is None else text
    entries, config = _config_of(text, path)
    lines = {entry.parts: entry.line + 1 for entry in entries}
    found = {placeholder.key or f"#{placeholder.line}": placeholder
             for placeholder in marked_placeholders(text, entries, config)}
    for parts, value in _scalars(config, ()):
        sample = sample_of(value)
        if sample is None:
            continue
        key = key_path(parts)
        # The marked key itself, or the marked list or mapping that holds the value (`emails: [...]  # PLACEHOLDER`).
        holder = next((key_path(parts[:end]) for end in range(len(parts), 0, -1) if key_path(parts[:end]) in found),
                      None)
        if holder is not None:
            marked = found[holder]
            found[holder] = Placeholder(holder, marked.value, marked.line, marked=marked.marked,
                                        sample=marked.sample or sample)
        else:
            # A list item's own line, else its key's (a flow sequence `[a, b]` starts on its key's line).
            line = lines.get(parts) or lines.get(parts[:-1]) or 0
            found[key] = Placeholder(key, value, line, sample=sample)
    return sorted(found.values(), key=lambda placeholder: placeholder.line)
