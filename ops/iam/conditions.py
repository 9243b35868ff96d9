"""The Condition element: operators, `...IfExists`, `ForAllValues:`/`ForAnyValue:`, and `Null`.

Semantics, from the IAM User Guide's "Condition operators" and "Multivalued context keys" pages:
- within one operator, several keys are ANDed and a key's several policy values are ORed;
- a key absent from the request makes an operator false, a negated operator (`StringNotEquals`, `ArnNotLike`,
  `NotIpAddress`, ...) true, and any `...IfExists` operator true;
- a negated operator is true when no context value matches any policy value;
- `ForAnyValue:` is true when at least one context value matches (false for an absent or empty key);
  `ForAllValues:` is true when every context value matches (true for an absent or empty key);
- `Null` "true" holds when the key is absent, "false" when it is present;
- String operators compare case-sensitively (except `...IgnoreCase`); `Bool` takes "true"/"false";
  `Date` takes ISO 8601 or epoch seconds; `Arn...` compare segment by segment.
"""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .patterns import has_unknown, match_arn, match_text
from .request import Context
from .tri import Tri, t_and, t_not, t_or


class PolicyError(ValueError):
    """A policy document that AWS would reject or that cannot be read as a policy at all."""


# lowered base operator -> (family, test, negated)
_OPERATORS: dict[str, tuple[str, str, bool]] = {
    "stringequals": ("string", "equals", False),
    "stringnotequals": ("string", "equals", True),
    "stringequalsignorecase": ("string", "iequals", False),
    "stringnotequalsignorecase": ("string", "iequals", True),
    "stringlike": ("string", "like", False),
    "stringnotlike": ("string", "like", True),
    "bool": ("bool", "eq", False),
    "binaryequals": ("binary", "eq", False),
    "ipaddress": ("ip", "in", False),
    "notipaddress": ("ip", "in", True),
    "arnequals": ("arn", "like", False),
    "arnlike": ("arn", "like", False),
    "arnnotequals": ("arn", "like", True),
    "arnnotlike": ("arn", "like", True),
    "null": ("null", "null", False),
}
for _family in ("numeric", "date"):
    _OPERATORS[f"{_family}equals"] = (_family, "eq", False)
    _OPERATORS[f"{_family}notequals"] = (_family, "eq", True)
    for _name, _test in (
        ("lessthan", "lt"),
        ("lessthanequals", "le"),
        ("greaterthan", "gt"),
        ("greaterthanequals", "ge"),
    ):
        _OPERATORS[f"{_family}{_name}"] = (_family, _test, False)

_SET_PREFIXES = {"forallvalues:": "all", "foranyvalue:": "any"}
_EPOCH = re.compile(r"-?\d+(\.\d+)?")


def parse_number(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None


def parse_date(text: str) -> datetime | None:
    """ISO 8601 (date, or date and time; no zone means UTC) or epoch seconds."""
    text = text.strip()
    if _EPOCH.fullmatch(text):
        try:
            return datetime.fromtimestamp(float(text), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _check_value(family: str, operator: str, key: str, value: str) -> None:
    if has_unknown(value) or "${" in value:
        return
    ok = True
    if family == "numeric":
        ok = parse_number(value) is not None
    elif family == "date":
        ok = parse_date(value) is not None
    elif family in ("bool", "null"):
        ok = value.lower() in ("true", "false")
    elif family == "ip":
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            ok = False
    if not ok:
        raise PolicyError(f"{operator} {key!r}: {value!r} is not a valid {family} value")


@dataclass(frozen=True)
class Condition:
    """One operator/key pair of a Condition block with its policy values."""

    operator: str
    key: str
    values: tuple[str, ...]
    family: str
    test: str
    negated: bool
    if_exists: bool
    set_op: str | None

    @classmethod
    def parse(cls, operator: str, key: str, values: tuple[str, ...]) -> Condition:
        rest = operator
        set_op = None
        for prefix, name in _SET_PREFIXES.items():
            if rest.lower().startswith(prefix):
                set_op, rest = name, rest[len(prefix) :]
                break
        if_exists = rest.lower().endswith("ifexists") and rest.lower() != "ifexists"
        if if_exists:
            rest = rest[: -len("IfExists")]
        spec = _OPERATORS.get(rest.lower())
        if spec is None or (if_exists and spec[0] == "null"):
            raise PolicyError(f"unsupported condition operator {operator!r}")
        family, test, negated = spec
        for value in values:
            _check_value(family, operator, key, value)
        return cls(operator, key, values, family, test, negated, if_exists, set_op)

    def evaluate(self, context: Context) -> Tri:
        present = context.values(self.key) or ()
        if self.family == "null":
            # An unknown value is still a value: the key is present.
            return t_or((value.lower() == "true") == (not present) for value in self.values)
        if not present:
            return self._absent()

        def one(context_value: str) -> Tri:
            matched = t_or(self._compare(context_value, value, context) for value in self.values)
            return t_not(matched) if self.negated else matched

        if self.set_op == "all":
            return t_and(one(value) for value in present)
        if self.set_op == "any":
            return t_or(one(value) for value in present)
        matched = t_or(self._compare(c, v, context) for c in present for v in self.values)
        return t_not(matched) if self.negated else matched

    def _absent(self) -> bool:
        """The key is not in the request (or is an empty set)."""
        if self.set_op == "all" or self.if_exists:
            return True
        return False if self.set_op == "any" else self.negated

    def _compare(self, actual: str, expected: str, context: Context) -> Tri:
        if self.family == "string":
            return match_text(
                expected, actual, context.resolve, wildcards=self.test == "like", ignore_case=self.test == "iequals"
            )
        if self.family == "arn":
            return match_arn(expected, actual, context.resolve)
        if has_unknown(actual) or has_unknown(expected):
            return None
        return _COMPARE[self.family](self.test, actual, expected)


def _ordered(parse: Callable[[str], Any]) -> Callable[[str, str, str], bool]:
    def compare(test: str, actual: str, expected: str) -> bool:
        left, right = parse(actual), parse(expected)
        if left is None or right is None:
            return False
        return bool(_ORDER[test](left, right))

    return compare


def _bool(_test: str, actual: str, expected: str) -> bool:
    return actual.lower() == expected.lower()


def _binary(_test: str, actual: str, expected: str) -> bool:
    return actual == expected


def _ip(_test: str, actual: str, expected: str) -> bool:
    return _in_network(actual, expected)


def _in_network(address: str, network: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip()) in ipaddress.ip_network(network.strip(), strict=False)
    except ValueError:
        return False


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
_COMPARE: dict[str, Callable[[str, str, str], bool]] = {
    "numeric": _ordered(parse_number),
    "date": _ordered(parse_date),
    "bool": _bool,
    "binary": _binary,
    "ip": _ip,
}
