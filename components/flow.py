"""A config value as every message shows it: YAML flow style, the way a stack file writes it (`null`, `true`,
`db.t4g.medium`, `{mode: compliance}`, `[a, b]`), never a Python repr.

A value too long for the budget loses whole items, never part of one: a list keeps the items that fit and says how
many it holds (`[a, b, … (5 items)]`), a mapping likewise (`{name: api, … (9 keys)}`), and a list of mappings
shows each by its first key (`[{name: auth, …}, {name: api, …}]`). Only a single string longer than the whole
budget is shortened, and says so with its length. No dependency beyond PyYAML (already loaded by whoever reads a
stack file), so the offline tools and the config loader share it.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

import yaml

#: The default budget of one shown value, in characters.
LIMIT = 60
_ELLIPSIS = "…"


def flow(value: Any, limit: int | None = LIMIT) -> str:
    """`value` (JSON-like: None, bool, numbers, strings, lists, mappings) in YAML flow style, within `limit`
    characters where whole items allow it (None: no limit)."""
    budget = limit if limit is not None else math.inf
    text = _render(value, budget, 0)
    return text if text is not None else _count(value)


#: Containers nested deeper than this are shown by their size (a value's depth is the stack file's, any size).
_MAX_DEPTH = 4


def _entries(value: Any) -> tuple[bool, list[Any]] | None:
    """(is a mapping, its entries) of a container, else None."""
    if isinstance(value, Mapping):
        return True, list(value.items())
    if isinstance(value, list | tuple):
        return False, list(value)
    if isinstance(value, set | frozenset):
        return False, sorted(value, key=str)
    return None


def _full(value: Any, budget: float, depth: int) -> str | None:
    """`value` in full, or None as soon as it exceeds `budget`."""
    container = _entries(value)
    if container is None:
        text = scalar(value)
        return text if len(text) <= budget else None
    if depth >= _MAX_DEPTH:
        return None
    is_mapping, entries = container
    parts: list[str] = []
    used = 2
    for item in entries:
        room = budget - used - (2 if parts else 0)
        part = _entry(item, is_mapping, room, depth, _full)
        if part is None:
            return None
        used += len(part) + (2 if parts else 0)
        parts.append(part)
    if used > budget:
        return None
    return ("{%s}" if is_mapping else "[%s]") % ", ".join(parts)


def _entry(item: Any, is_mapping: bool, room: float, depth: int,
           show: Callable[[Any, float, int], str | None]) -> str | None:
    """One entry of a container within `room`: a list item, or a mapping's `key: value`; None when it does not fit."""
    if not is_mapping:
        return show(item, room, depth + 1)
    key = scalar(item[0])
    inner = show(item[1], room - len(key) - 2, depth + 1)
    return None if inner is None else f"{key}: {inner}"


def _render(value: Any, budget: float, depth: int) -> str | None:
    """The fullest rendering within `budget`, or None when not even an elided one fits."""
    text = _full(value, budget, depth)
    if text is not None:
        return text
    container = _entries(value)
    if container is None:
        return _long_string(value, budget) if isinstance(value, str) else None
    count = _count(value)
    elided = _elided(container, value, budget, depth) if depth < _MAX_DEPTH else None
    return elided if elided is not None else count if len(count) <= budget else None


def _long_string(value: str, budget: float) -> str | None:
    """One string longer than the whole budget: its start, marked, and its length (never silently cut)."""
    if budget < 20:
        return None
    note = f"{_ELLIPSIS}' ({len(value)} characters)"
    start = value[: int(budget) - len(note) - 1]
    if not start.isprintable():
        return f"<a {len(value)}-character string>"
    return "'" + start.replace("'", "''")[: int(budget) - len(note) - 1] + note


def _elided(container: tuple[bool, list[Any]], value: Any, budget: float, depth: int) -> str | None:
    is_mapping, entries = container
    # A list of mappings: each item by its first entry (`{name: api, …}`), as many as fit.
    named = not is_mapping and bool(entries) and all(isinstance(i, Mapping) and i for i in entries)
    if named:
        text = f"[{', '.join(_first_entry(item, depth + 1) for item in entries)}]" if len(entries) <= budget else ""
        if text and len(text) <= budget:
            return text
    # The leading items that fit whole (their own items elided if need be), then how many there are.
    tail = f", {_ELLIPSIS} ({_count_words(value)})"
    kept: list[str] = []
    used = 2 + len(tail)
    for item in entries:
        room = budget - used - (2 if kept else 0)
        part = _first_entry(item, depth + 1) if named else _entry(item, is_mapping, room, depth, _render)
        if part is None or len(part) > room:
            break
        used += len(part) + (2 if kept else 0)
        kept.append(part)
    if not kept:
        return None
    return ("{%s%s}" if is_mapping else "[%s%s]") % (", ".join(kept), tail if len(kept) < len(entries) else "")


def _first_entry(item: Mapping[Any, Any], depth: int) -> str:
    """An item by what names it: its `name` entry where it has one (a DNS record, a rate-limit tier), else its first."""
    key, inner = ("name", item["name"]) if "name" in item else next(iter(item.items()))
    shown = _full(inner, 30, depth + 1)
    more = f", {_ELLIPSIS}" if len(item) > 1 else ""
    return f"{{{scalar(key)}: {shown if shown is not None else _count(inner)}{more}}}"


def _count_words(value: Any) -> str:
    size = len(value)
    noun = ("key" if isinstance(value, Mapping) else "item") + ("" if size == 1 else "s")
    return f"{size} {noun}"


def _count(value: Any) -> str:
    """The shortest honest form: `[3 items]`, `{9 keys}`, or a scalar's kind."""
    if isinstance(value, Mapping):
        return f"{{{_count_words(value)}}}"
    if isinstance(value, list | tuple | set | frozenset):
        return f"[{_count_words(value)}]"
    return f"<{type(value).__name__}>"


def scalar(value: Any) -> str:
    """One scalar in YAML: `null`, `true`, `42`, `.nan`, a plain string where YAML reads it back as the same string,
    else a quoted one (single quotes; double quotes with escapes for control and non-ASCII characters)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    text = repr(value)  # an object that names itself (`<a 5000-digit integer>`), else its text
    return text if text.startswith("<") and text.endswith(">") and len(text) < 60 else _string(str(value))


def _number(value: float) -> str:
    if isinstance(value, int):
        # repr() of an int over 4,300 digits raises ValueError.
        digits = int(value.bit_length() * math.log10(2)) + 1
        return str(value) if value.bit_length() <= 128 else f"<a {digits}-digit integer>"
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


@functools.lru_cache(maxsize=1024)
def _string(text: str) -> str:
    if not (text.isascii() and text.isprintable()):
        # A YAML double-quoted scalar, escaped: a control character, or a look-alike of ASCII made visible.
        return json.dumps(text)
    if text and len(text) <= 200 and _reads_back(text):
        return text
    return "'" + text.replace("'", "''") + "'"


def _reads_back(text: str) -> bool:
    """Whether YAML reads `text`, unquoted inside a flow sequence, as this very string (not a number, a boolean,
    a date, a mapping, a comment, or an error)."""
    try:
        return yaml.safe_load(f"[{text}]") == [text]
    except yaml.YAMLError:
        return False
