"""A small EventBridge event-pattern matcher for the operators the stack's rules use, so a rule's pattern can be
tested against AWS's sample events.

Semantics (Amazon EventBridge User Guide, "Creating event patterns" and "Content filtering in Amazon EventBridge
event patterns", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
.../eb-create-pattern-operators.html):

- every field named in the pattern must match (AND across fields); nested objects match nested objects;
- a field's value in the pattern is an array of alternatives (OR); the event matches when its value, or any
  element of its value if that is an array, matches one alternative;
- an alternative is an exact value (string, number, boolean, null: compared by type and value, so "0" is not 0),
  or one of `{"prefix": "..."}`, `{"anything-but": value | [values] | {"prefix": "..."}}` and
  `{"exists": true|false}`;
- a field the event lacks matches only `{"exists": false}` (and nothing else, anything-but included).

Other operators (numeric, cidr, suffix, equals-ignore-case, wildcard, $or) raise: a pattern using them needs this
matcher extended first, not a silent mismatch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_MISSING = object()


class UnsupportedPattern(ValueError):
    """The pattern uses an operator this matcher does not implement."""


def _same(expected: Any, actual: Any) -> bool:
    # JSON's types: a string never equals a number, a boolean never equals a number.
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    return type(expected) is type(actual) and expected == actual


def _scalar_matches(alternative: Any, value: Any) -> bool:
    if not isinstance(alternative, Mapping):
        return _same(alternative, value)
    if len(alternative) != 1:
        raise UnsupportedPattern(f"an operator object has one key: {alternative!r}")
    ((operator, operand),) = alternative.items()
    if operator == "prefix":
        return isinstance(value, str) and isinstance(operand, str) and value.startswith(operand)
    if operator == "anything-but":
        if isinstance(operand, Mapping):
            if set(operand) != {"prefix"}:
                raise UnsupportedPattern(f"anything-but supports a value, a list or a prefix: {operand!r}")
            return not (isinstance(value, str) and value.startswith(operand["prefix"]))
        operands = operand if isinstance(operand, list) else [operand]
        return not any(_same(o, value) for o in operands)
    raise UnsupportedPattern(f"operator {operator!r} is not implemented here")


def _field_matches(alternatives: list[Any], value: Any) -> bool:
    for alternative in alternatives:
        if isinstance(alternative, Mapping) and set(alternative) == {"exists"}:
            if alternative["exists"] is (value is not _MISSING):
                return True
            continue
        if value is _MISSING:
            continue
        values = value if isinstance(value, list) else [value]
        if any(_scalar_matches(alternative, v) for v in values):
            return True
    return False


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Does `event` match `pattern`?"""
    for field, expected in pattern.items():
        if field.startswith("$"):
            raise UnsupportedPattern(f"{field} is not implemented here")
        value = event.get(field, _MISSING) if isinstance(event, Mapping) else _MISSING
        if isinstance(expected, Mapping):
            if not isinstance(value, Mapping) or not matches(expected, value):
                return False
        elif isinstance(expected, list):
            if not _field_matches(expected, value):
                return False
        else:
            raise UnsupportedPattern(f"{field}: a pattern's leaf is an array of alternatives, not {expected!r}")
    return True
