"""The pack refuses a policy config property no policy declares: a typo'd threshold (`minimumRetentionDay` for
`minimumRetentionDays`) would otherwise be ignored, and the policy would silently keep its default.

The engine cannot refuse it from the schema: the protocol's `PolicyConfigSchema` carries only `properties` and
`required`, and the engine validates each policy's config against `{type: object, properties, required}`
(`convertSchema`, pkg/resource/analyzer/config.go in pulumi/pulumi), so `additionalProperties` never reaches it.
`install()` wraps the SDK servicer's `Configure`, which receives every policy's reconciled properties: an unknown
one fails Configure with INVALID_ARGUMENT, so `pulumi preview/up --policy-pack-config <file>` stops before any
resource is analyzed. `ops plan` says the same earlier, naming the file (ops/policy/config.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

_installed = False


def unknown_properties(policies: Iterable[Any], config: Mapping[str, Iterable[str]]) -> list[str]:
    """One message per property of `config` (policy name -> its property names) that the policy does not declare."""
    declared = {
        policy.name: set(policy.config_schema.properties) if policy.config_schema is not None else set()
        for policy in policies
    }
    problems = []
    for name, keys in sorted(config.items()):
        known = declared.get(name)
        if known is None:
            continue  # a policy the pack does not have: the engine ignores it
        for key in sorted(set(keys) - known - {"enforcementLevel"}):
            close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            allowed = f"its properties are {', '.join(sorted(known))}" if known else "it takes no properties"
            problems.append(f"{name}: {key}: unknown property (it would be ignored); {hint}{allowed}")
    return problems


def install() -> bool:
    """Wrap `_PolicyAnalyzerServicer.Configure` once; returns whether the SDK's layout allowed it."""
    global _installed  # noqa: PLW0603 - one patch per process
    if _installed:
        return True
    from pulumi_policy import policy  # noqa: PLC0415 - only the pack's process pays for the SDK

    servicer = getattr(policy, "_PolicyAnalyzerServicer", None)
    configure = getattr(servicer, "Configure", None)
    if servicer is None or not callable(configure):
        return False

    def checked_configure(self: Any, request: Any, context: Any) -> Any:
        given = {name: list(entry.properties.keys()) for name, entry in request.policyConfig.items()}
        problems = unknown_properties(getattr(self, "_PolicyAnalyzerServicer__policies", ()), given)
        if problems:
            message = "invalid policy config: " + "; ".join(problems)
            if context is not None:
                import grpc  # noqa: PLC0415 - the SDK's own dependency

                context.abort(grpc.StatusCode.INVALID_ARGUMENT, message)
            raise ValueError(message)
        return configure(self, request, context)

    servicer.Configure = checked_configure
    _installed = True
    return True
