"""Three-valued (Kleene) logic: True, False, or None for "depends on a value the plan does not know yet"."""

from __future__ import annotations

from collections.abc import Iterable

Tri = bool | None


def t_and(values: Iterable[Tri]) -> Tri:
    """False if any is False, else None if any is None, else True (True for no values)."""
    result: Tri = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def t_or(values: Iterable[Tri]) -> Tri:
    """True if any is True, else None if any is None, else False (False for no values)."""
    result: Tri = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def t_not(value: Tri) -> Tri:
    return None if value is None else not value
