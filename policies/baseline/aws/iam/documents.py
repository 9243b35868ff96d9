"""Reading IAM policy documents (identity, trust and bucket policies) as the engine sends them: a JSON string,
or already an object. Never raises on what it reads: an unknown document (computed from outputs not known
during a preview) is `UNKNOWN`, and the policies that read it skip it (no violation, no "can't run" note)
rather than guess; it is checked at `up`, when it is known."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from ...common import MISSING, UNKNOWN, as_list, get, is_set, is_unknown


class PolicyDocumentError(ValueError):
    """The value is not a JSON policy document."""


def listify(value: Any) -> list[Any]:
    """A JSON policy field that may be one value or a list of them, as a list (absent -> [])."""
    if value is MISSING or value is UNKNOWN or value is None:
        return []
    items = as_list(value)
    return items if isinstance(items, list) else [value]


def statements(raw: Any) -> list[Mapping[str, Any]] | None:
    """The statements of a policy document; None when absent or unknown; PolicyDocumentError when malformed."""
    if not is_set(raw) or is_unknown(raw):
        return None
    document: Any = raw
    if isinstance(document, str):
        if UNKNOWN_STRING_VALUE in document:
            return None
        try:
            document = json.loads(document)
        except (ValueError, RecursionError) as exc:
            raise PolicyDocumentError("the policy is not valid JSON") from exc
    if not isinstance(document, Mapping):
        raise PolicyDocumentError("the policy is not a JSON object")
    return [s for s in listify(get(document, "Statement")) if isinstance(s, Mapping)]


def label(i: int, statement: Mapping[str, Any]) -> str:
    sid = get(statement, "Sid")
    return f"statement {i} ({sid})" if isinstance(sid, str) and sid else f"statement {i}"


def effect(statement: Mapping[str, Any]) -> str:
    value = get(statement, "Effect")
    return value.strip() if isinstance(value, str) else ""


def allows(statement: Mapping[str, Any]) -> bool:
    return effect(statement) == "Allow"


def denies(statement: Mapping[str, Any]) -> bool:
    return effect(statement) == "Deny"


def lowered(statement: Mapping[str, Any], key: str) -> set[str]:
    return {v.strip().lower() for v in listify(get(statement, key)) if isinstance(v, str) and not is_unknown(v)}


def stripped(statement: Mapping[str, Any], key: str) -> set[str]:
    return {v.strip() for v in listify(get(statement, key)) if isinstance(v, str) and not is_unknown(v)}


def principals(statement: Mapping[str, Any], kind: str) -> list[str]:
    """The principals of one kind (`AWS`, `Service`, `Federated`); the bare `"*"` principal counts as AWS."""
    principal = get(statement, "Principal")
    if isinstance(principal, str):
        return [principal.strip()] if kind == "AWS" else []
    if not isinstance(principal, Mapping):
        return []
    return [p.strip() for p in listify(get(principal, kind)) if isinstance(p, str) and not is_unknown(p)]


def is_wildcard_principal(statement: Mapping[str, Any]) -> bool:
    """`"Principal": "*"` or `{"AWS": "*"}` (anyone, any account), or any NotPrincipal."""
    return "*" in principals(statement, "AWS") or is_set(get(statement, "NotPrincipal"))


def has_condition(statement: Mapping[str, Any]) -> bool:
    condition = get(statement, "Condition")
    return isinstance(condition, Mapping) and len(condition) > 0


def condition_values(statement: Mapping[str, Any], operator: str, key: str) -> list[Any]:
    """The values a condition operator tests for a key (keys are case-insensitive in IAM)."""
    condition = get(statement, "Condition")
    if not isinstance(condition, Mapping):
        return []
    block = next((get(condition, k) for k in condition if isinstance(k, str) and k == operator), MISSING)
    if not isinstance(block, Mapping):
        return []
    for k in block:
        if isinstance(k, str) and k.lower() == key.lower():
            return listify(get(block, k))
    return []
