"""Policy documents as the plan holds them: JSON text or dicts, possibly unknown, read into statements.

Accepted shapes: a JSON string, a dict, the engine's wire wrappers (a secret or an output value around either),
the unknown sentinel (wire form) or its `[unknown]` display text for the whole document, and the sentinel
inside any string of the document. A single statement object works like a one-element list; every element
takes a string or a list of strings. A document AWS would reject (no Statement, an Effect other than
Allow/Deny, both or neither of Action/NotAction, a Principal in an identity policy, an unknown condition
operator, ...) raises `PolicyError` naming the policy and the statement.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..values import OUTPUT_VALUE_SIG, SECRET_SIG, SECRET_TEXT, SIG_KEY
from .conditions import Condition, PolicyError
from .patterns import UNKNOWN_MARKERS, has_unknown


class PolicyKind(StrEnum):
    IDENTITY = "identity"
    BOUNDARY = "boundary"
    RESOURCE = "resource"


@dataclass(frozen=True)
class PrincipalSpec:
    """A Principal/NotPrincipal element: `"*"`, or typed entries (type lowered: aws, service, federated, ...)."""

    wildcard: bool
    entries: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Statement:
    index: int
    sid: str | None
    effect: str | None  # "Allow", "Deny", or None when the plan does not know it yet
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principal: PrincipalSpec | None
    not_principal: PrincipalSpec | None
    conditions: tuple[Condition, ...]

    @property
    def label(self) -> str:
        return f"statement {self.index}" + (f" ({self.sid})" if self.sid else "")


@dataclass(frozen=True)
class Policy:
    """A parsed policy document. `unknown` is set when the plan does not know the document at all."""

    name: str
    kind: PolicyKind
    statements: tuple[Statement, ...]
    unknown: str | None = None
    raw: Any = None

    @classmethod
    def parse(cls, document: Any, *, name: str, kind: PolicyKind = PolicyKind.IDENTITY) -> Policy:
        return parse_policy(document, name=name, kind=kind)


def _unwrap(value: Any) -> Any:
    """Drop the engine's secret/output-value wrappers (an output value without a value is unknown)."""
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if not isinstance(value, Mapping):
        return value
    sig = value.get(SIG_KEY)
    if sig == SECRET_SIG:
        return _unwrap(value.get("value"))
    if sig == OUTPUT_VALUE_SIG:
        return _unwrap(value["value"]) if "value" in value else UNKNOWN_MARKERS[0]
    return {k: _unwrap(v) for k, v in value.items()}


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item:
            raise PolicyError(f"{where}: expected a non-empty string or a list of them, got {item!r}")
        out.append(item)
    return tuple(out)


def _condition_values(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, int | float):
            out.append(str(item))
        elif isinstance(item, str):
            out.append(item)
        else:
            raise PolicyError(f"{where}: condition values are strings, numbers or booleans, got {item!r}")
    return tuple(out)


def _principal(value: Any, where: str) -> PrincipalSpec:
    if isinstance(value, str):
        if value == "*":
            return PrincipalSpec(True, ())
        if has_unknown(value):
            return PrincipalSpec(False, (("unknown", value),))
        raise PolicyError(f'{where}: a Principal string must be "*", got {value!r}')
    if not isinstance(value, Mapping) or not value:
        raise PolicyError(f'{where}: expected "*" or a map of principal types, got {value!r}')
    entries: list[tuple[str, str]] = []
    for kind, names in value.items():
        lowered = str(kind).lower()
        if lowered not in ("aws", "service", "federated", "canonicaluser"):
            raise PolicyError(f"{where}: unknown principal type {kind!r}")
        entries.extend((lowered, name) for name in _strings(names, f"{where}.{kind}"))
    wildcard = any(kind == "aws" and name == "*" for kind, name in entries)
    return PrincipalSpec(wildcard, tuple(entries))


def _effect(raw: Mapping[str, Any], where: str) -> str | None:
    effect = raw.get("Effect")
    if isinstance(effect, str) and has_unknown(effect):
        return None
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f'{where}: Effect must be "Allow" or "Deny", got {effect!r}')
    return str(effect)


def _pair(
    raw: Mapping[str, Any], element: str, where: str, *, required: bool
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """An element and its Not form (Action/NotAction, Resource/NotResource): at most one of them."""
    has, has_not = element in raw, f"Not{element}" in raw
    if has and has_not:
        raise PolicyError(f"{where}: has both {element} and Not{element}")
    if required and not (has or has_not):
        raise PolicyError(f"{where}: needs {element} or Not{element}")
    return (
        _strings(raw[element], f"{where}.{element}") if has else None,
        _strings(raw[f"Not{element}"], f"{where}.Not{element}") if has_not else None,
    )


def _principals(
    raw: Mapping[str, Any], where: str, kind: PolicyKind
) -> tuple[PrincipalSpec | None, PrincipalSpec | None]:
    if kind != PolicyKind.RESOURCE:
        if "Principal" in raw or "NotPrincipal" in raw:
            raise PolicyError(f"{where}: an identity-based policy (or boundary) cannot name a Principal")
        return None, None
    if ("Principal" in raw) == ("NotPrincipal" in raw):
        raise PolicyError(f"{where}: a resource-based policy statement needs Principal or NotPrincipal (one)")
    if "Principal" in raw:
        return _principal(raw["Principal"], f"{where}.Principal"), None
    return None, _principal(raw["NotPrincipal"], f"{where}.NotPrincipal")


def _conditions(raw: Mapping[str, Any], where: str) -> tuple[Condition, ...]:
    block = raw.get("Condition", {})
    if not isinstance(block, Mapping):
        raise PolicyError(f"{where}: Condition must be a map of operators, got {block!r}")
    conditions: list[Condition] = []
    for operator, keys in block.items():
        if not isinstance(keys, Mapping):
            raise PolicyError(f"{where}: Condition {operator!r} must map keys to values, got {keys!r}")
        for key, values in keys.items():
            location = f"{where}: Condition {operator} {key}"
            try:
                conditions.append(Condition.parse(str(operator), str(key), _condition_values(values, location)))
            except PolicyError as exc:
                raise PolicyError(f"{where}: {exc}") from None
    return tuple(conditions)


def _statement(raw: Any, index: int, policy: str, kind: PolicyKind) -> Statement:
    where = f"{policy}: statement {index}"
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: a statement is a JSON object, got {raw!r}")
    sid = None if raw.get("Sid") is None else str(raw["Sid"])
    if sid is not None:
        where += f" ({sid})"
    effect = _effect(raw, where)
    actions, not_actions = _pair(raw, "Action", where, required=True)
    for pattern in (actions or ()) + (not_actions or ()):
        if pattern != "*" and ":" not in pattern and not has_unknown(pattern):
            raise PolicyError(f'{where}: action {pattern!r} is not "*" or service:action')
    resources, not_resources = _pair(raw, "Resource", where, required=kind != PolicyKind.RESOURCE)
    principal, not_principal = _principals(raw, where, kind)
    return Statement(
        index,
        sid,
        effect,
        actions,
        not_actions,
        resources,
        not_resources,
        principal,
        not_principal,
        _conditions(raw, where),
    )


def parse_policy(document: Any, *, name: str, kind: PolicyKind) -> Policy:
    """Read a policy document in any of the plan's shapes (see the module docstring)."""
    if isinstance(document, Policy):
        if (document.kind == PolicyKind.RESOURCE) == (kind == PolicyKind.RESOURCE):
            return (
                document
                if document.kind == kind
                else Policy(document.name, kind, document.statements, document.unknown, document.raw)
            )
        if document.unknown is not None:
            return Policy(document.name, kind, (), document.unknown, document.raw)
        return parse_policy(document.raw, name=document.name, kind=kind)
    raw = _unwrap(document)
    if isinstance(raw, str):
        text = raw.strip()
        if text in UNKNOWN_MARKERS:
            return Policy(name, kind, (), "the plan does not know this document yet", document)
        if text == SECRET_TEXT:
            return Policy(name, kind, (), "the plan shows this document only as [secret]", document)
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyError(f"{name}: not a JSON policy document ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{name}: a policy document is a JSON object, got {type(raw).__name__}")
    if "Statement" not in raw:
        raise PolicyError(f"{name}: the document has no Statement")
    statements = raw["Statement"]
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        raise PolicyError(f"{name}: Statement must be an object or a list, got {statements!r}")
    parsed = tuple(_statement(s, i, name, kind) for i, s in enumerate(statements))
    return Policy(name, kind, parsed, None, raw)
