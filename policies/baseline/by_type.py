"""Analyze a resource with the resource policies that judge its type, not with all of them.

pulumi_policy 1.21's `Analyze` loops over every policy of the pack for every resource, and each iteration pays
for the policy's options, report closure and argument objects before the policy's own type check returns: with
84 resource policies that loop is most of the pack's time per resource. Every policy built by
`common.resource_policy` returns at once for a type outside its `TARGETS`, so leaving those out of the loop
gives exactly the same diagnostics.

`PoliciesByType` is the policy list handed to `PolicyPack`: iterated during an `Analyze` call on this thread, it
yields the policies of that request's type (plus every policy not in `TARGETS`: those judge all types); iterated
anywhere else (GetAnalyzerInfo, Configure, Remediate, AnalyzeStack), it is the whole list. `install()` wraps
`Analyze` to say which type is being analyzed. If pulumi_policy's layout changes, nothing is patched and the
whole list is used.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import Policy

from .common import TARGETS

_current = threading.local()
_installed = False


class PoliciesByType(list):  # type: ignore[type-arg] - pulumi_policy asserts isinstance(policies, list)
    """The pack's policies; during an Analyze call, only those that judge the request's resource type."""

    def __init__(self, policies: list[Policy]) -> None:
        super().__init__(policies)
        self._by_type: dict[str, list[Policy]] = {}

    def _for(self, resource_type: str) -> list[Policy]:
        found = self._by_type.get(resource_type)
        if found is None:
            found = [
                p for p in list.__iter__(self) if p.name not in TARGETS or resource_type in TARGETS[p.name]
            ]
            self._by_type[resource_type] = found
        return found

    def __iter__(self) -> Iterator[Policy]:
        resource_type = getattr(_current, "resource_type", None)
        if resource_type is None:
            return list.__iter__(self)
        return iter(self._for(resource_type))


@contextlib.contextmanager
def analyzing(resource_type: str) -> Iterator[None]:
    _current.resource_type = resource_type
    try:
        yield
    finally:
        _current.resource_type = None


def _wrap(analyze: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(self: Any, request: Any, context: Any) -> Any:
        with analyzing(request.type):
            return analyze(self, request, context)

    wrapped.__wrapped__ = analyze  # type: ignore[attr-defined]
    return wrapped


def install() -> bool:
    """Wrap the SDK servicer's Analyze once; returns whether its layout allowed it."""
    global _installed  # noqa: PLW0603 - one patch per process
    if _installed:
        return True
    from pulumi_policy import policy  # noqa: PLC0415 - only the pack's process pays for the SDK

    servicer = getattr(policy, "_PolicyAnalyzerServicer", None)
    if servicer is None or not callable(getattr(servicer, "Analyze", None)):
        return False
    servicer.Analyze = _wrap(servicer.Analyze)
    _installed = True
    return True
