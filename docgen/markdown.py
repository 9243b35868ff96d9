"""Markdown table cells: single-line, with `|` escaped, and values in their compact JSON form."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel


def jsonable(value: Any) -> Any:
    """A config value as a stack file would hold it: a model as the fields it was given (the others take their
    defaults) or, when it was given none, as all of them; tuples as lists."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True) or value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def compact(value: Any) -> str:
    """A value as compact JSON on one line: `"16"`, `7`, `true`, `null`, `["a", "b"]`, `{"k": 1}`."""
    return json.dumps(jsonable(value), ensure_ascii=False, separators=(", ", ": "))


def code(text: str) -> str:
    """`text` as an inline code span (a longer fence when it holds backticks)."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell(text: str) -> str:
    """One table cell: on one line, with every `|` escaped (GFM needs it inside code spans too)."""
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip().replace("|", "\\|")


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)
