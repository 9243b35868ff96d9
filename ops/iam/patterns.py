"""Wildcard, policy-variable and ARN matching, with the planner's unknown values.

Policy text may hold `*` and `?` wildcards (Action, Resource, `...Like` and `Arn...` operators), policy
variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, the escapes `${*}`, `${?}`, `${$}`) and, in a
plan, the planner's unknown-value sentinel where a provider computes the value later. An unknown part matches
like a `*`: where even that cannot match the answer is a definite False, otherwise it is None ("unknown").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from ..values import UNKNOWN, UNKNOWN_TEXT
from .tri import Tri

# The engine's sentinel (wire form) and its display text (`ops plan --json`): both mean "not known yet".
UNKNOWN_MARKERS: tuple[str, ...] = (UNKNOWN, UNKNOWN_TEXT)

# A policy variable's value: the single value of a context key, or None when the key is absent or multivalued.
Resolver = Callable[[str], str | None]

_LIT, _STAR, _ONE, _UNK = "lit", "star", "one", "unk"
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


def has_unknown(text: str) -> bool:
    return any(marker in text for marker in UNKNOWN_MARKERS)


def no_variables(_key: str) -> str | None:
    return None


def _variable(inner: str, resolve: Resolver) -> str | None:
    """The text a `${...}` stands for, or None when it cannot be resolved (the element then matches nothing)."""
    inner = inner.strip()
    if inner in _ESCAPES:
        return _ESCAPES[inner]
    key, _, default = inner.partition(",")
    value = resolve(key.strip())
    if value is not None:
        return value
    default = default.strip()
    if len(default) >= 2 and default[0] == default[-1] == "'":
        return default[1:-1]
    return None


def tokens(text: str, resolve: Resolver) -> list[tuple[str, str]] | None:
    """Split pattern text into literal, `*`, `?` and unknown tokens; None if a policy variable is unresolvable."""
    out: list[tuple[str, str]] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            out.append((_LIT, "".join(buf)))
            buf.clear()

    i = 0
    while i < len(text):
        marker = next((m for m in UNKNOWN_MARKERS if text.startswith(m, i)), None)
        if marker is not None:
            flush()
            out.append((_UNK, ""))
            i += len(marker)
            continue
        if text.startswith("${", i) and (end := text.find("}", i + 2)) != -1:
            value = _variable(text[i + 2 : end], resolve)
            if value is None:
                return None
            if has_unknown(value):
                flush()
                out.append((_UNK, ""))
            else:
                buf.append(value)
            i = end + 1
            continue
        char = text[i]
        if char in "*?":
            flush()
            out.append((_STAR if char == "*" else _ONE, char))
        else:
            buf.append(char)
        i += 1
    flush()
    return out


@lru_cache(maxsize=4096)
def _regex(parts: tuple[tuple[str, str], ...], wildcards: bool, ignore_case: bool) -> re.Pattern[str]:
    pieces: list[str] = []
    for kind, text in parts:
        if kind == _UNK or (kind == _STAR and wildcards):
            pieces.append(".*")
        elif kind == _ONE and wildcards:
            pieces.append(".")
        else:
            pieces.append(re.escape(text))
    return re.compile("".join(pieces), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _match_tokens(parts: list[tuple[str, str]], value: str, *, wildcards: bool, ignore_case: bool) -> Tri:
    if _regex(tuple(parts), wildcards, ignore_case).fullmatch(value) is None:
        return False
    return None if any(kind == _UNK for kind, _ in parts) else True


def match_text(
    pattern: str, value: str, resolve: Resolver = no_variables, *, wildcards: bool = True, ignore_case: bool = False
) -> Tri:
    """Does `value` match `pattern` (whole string)? `wildcards` False makes `*`/`?` literal (StringEquals)."""
    if has_unknown(value):
        return True if (wildcards and pattern == "*") else None
    parts = tokens(pattern, resolve)
    if parts is None:
        return False
    return _match_tokens(parts, value, wildcards=wildcards, ignore_case=ignore_case)


def _arn_segments(parts: list[tuple[str, str]]) -> list[list[tuple[str, str]]] | None:
    """Split pattern tokens at the first five colons of literal text; None if it is not six segments."""
    segments: list[list[tuple[str, str]]] = [[]]
    for kind, text in parts:
        if kind != _LIT or len(segments) == 6:
            segments[-1].append((kind, text))
            continue
        pieces = text.split(":", 6 - len(segments))
        segments[-1].append((_LIT, pieces[0]))
        for piece in pieces[1:]:
            segments.append([(_LIT, piece)])
    return segments if len(segments) == 6 else None


def match_arn(pattern: str, value: str, resolve: Resolver = no_variables) -> Tri:
    """ArnEquals/ArnLike: each of the six colon-separated segments matched on its own, wildcards allowed,
    case-sensitive. A value that is not an ARN never matches."""
    if has_unknown(value):
        return None
    values = value.split(":", 5)
    parts = tokens(pattern, resolve)
    if parts is None or len(values) != 6 or not value.startswith("arn:"):
        return False
    segments = _arn_segments(parts)
    if segments is None:
        # An unknown token may hide colons: fall back to the whole-string match, which can only say False/None.
        if any(kind == _UNK for kind, _ in parts):
            result = _match_tokens(parts, value, wildcards=True, ignore_case=False)
            return None if result else result
        return False
    results = [
        _match_tokens(segment, text, wildcards=True, ignore_case=False)
        for segment, text in zip(segments, values, strict=True)
    ]
    if False in results:
        return False
    return None if None in results else True


def match_resource(pattern: str, value: str, resolve: Resolver = no_variables) -> Tri:
    """The Resource/NotResource element: `*` matches anything; ARNs are matched segment by segment (a wildcard
    stays within its segment, the sixth segment takes the rest); anything else is a whole-string wildcard match."""
    if pattern == "*":
        return True
    if value.startswith("arn:") and pattern.startswith("arn:") and len(value.split(":", 5)) == 6:
        parts = tokens(pattern, resolve)
        if parts is not None and _arn_segments(parts) is not None:
            return match_arn(pattern, value, resolve)
    return match_text(pattern, value, resolve)


def match_action(pattern: str, action: str) -> Tri:
    """Action/NotAction: `service:Action` with wildcards, case-insensitive; no policy variables."""
    if has_unknown(action):
        return True if pattern == "*" else None
    parts = tokens(pattern, no_variables)
    if parts is None:  # a `${...}` in an action names no real action
        return False
    return _match_tokens(parts, action, wildcards=True, ignore_case=True)
