"""Rule expressions, generated from typed config and never pasted: strings escaped by the rules language's rules,
and every expression checked by Cloudflare's own parser (`wirefilter`, PyPI `octorules-wirefilter`).

Rules language (https://developers.cloudflare.com/ruleset-engine/rules-language/values/): a quoted string escapes
`"` as `\\"` and `\\` as `\\\\`; a raw string `r#"..."#` takes its content verbatim (used for regexes), with as
many `#` as needed so the content cannot close it. No provider import; `octorules_wirefilter` is imported on
first use only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from components.edge.plans import EXPRESSION_LIMIT

PATH = "http.request.uri.path"


def quoted(value: str) -> str:
    """A quoted string literal of the rules language holding exactly `value`."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def raw(value: str) -> str:
    """A raw string literal (`r#"..."#`) holding exactly `value`, for regexes: no escaping inside."""
    hashes = 1
    while '"' + "#" * hashes in value:
        hashes += 1
    fence = "#" * hashes
    return f'r{fence}"{value}"{fence}'


def string_set(values: Iterable[str]) -> str:
    return "{" + " ".join(quoted(v) for v in values) + "}"


def any_of(parts: Sequence[str]) -> str:
    """`a or b or c`, parenthesized when there is more than one part (so it nests under `and`)."""
    parts = [p for p in parts if p]
    if not parts:
        raise ValueError("no expression parts")
    return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"


def all_of(parts: Sequence[str]) -> str:
    parts = [p for p in parts if p]
    if not parts:
        raise ValueError("no expression parts")
    return parts[0] if len(parts) == 1 else " and ".join(parts)


def prefix_terms(prefixes: Sequence[str], field: str = PATH) -> list[str]:
    return [f"starts_with({field}, {quoted(p)})" for p in prefixes]


def contains_terms(fragments: Sequence[str], field: str = PATH) -> list[str]:
    return [f"{field} contains {quoted(f)}" for f in fragments]


def regex_terms(patterns: Sequence[str], field: str = PATH) -> list[str]:
    return [f"{field} matches {raw(p)}" for p in patterns]


def path_prefixes(prefixes: Sequence[str], field: str = PATH) -> str:
    return any_of(prefix_terms(prefixes, field))


def extensions(exts: Sequence[str]) -> str:
    return f"{PATH}.extension in {string_set(exts)}"


def header_equals(name: str, value_literal: str) -> str:
    """A request header (any of its values) equals a literal; header names are lower-cased in the map."""
    return f"any(http.request.headers[{quoted(name.lower())}][*] eq {value_literal})"


def response_header_present(name: str) -> str:
    """The response carries the header. `http.response.headers.names` keeps the origin's case, hence lower()."""
    return f"any(lower(http.response.headers.names[*])[*] eq {quoted(name.lower())})"


def methods(names: Sequence[str]) -> str:
    return f"http.request.method in {string_set(names)}"


def countries(codes: Sequence[str]) -> str:
    return f"ip.src.country in {string_set(codes)}"


@dataclass(frozen=True)
class Parsed:
    """What Cloudflare's parser read from an expression."""

    fields: frozenset[str]
    functions: frozenset[str]
    string_literals: tuple[str, ...]
    regex_literals: tuple[str, ...]
    operators: frozenset[str]


@functools.lru_cache(maxsize=4096)
def parse(expression: str) -> Parsed:
    """Parse `expression` with wirefilter (Cloudflare's engine, with Cloudflare's field scheme); raises ValueError
    with the parser's message when it does not parse, or when it is longer than Cloudflare accepts."""
    if len(expression) > EXPRESSION_LIMIT:
        raise ValueError(f"is {len(expression)} characters long; Cloudflare accepts at most {EXPRESSION_LIMIT}")
    from octorules_wirefilter import parse_expression  # noqa: PLC0415 - lazy: only when validating

    result: dict[str, Any] = parse_expression(expression)
    if result.get("error"):
        raise ValueError("does not parse: " + " ".join(str(result["error"]).split()))
    return Parsed(
        fields=frozenset(result.get("fields", [])),
        functions=frozenset(result.get("functions", [])),
        string_literals=tuple(result.get("string_literals", [])),
        regex_literals=tuple(result.get("regex_literals", [])),
        operators=frozenset(result.get("operators", [])),
    )
