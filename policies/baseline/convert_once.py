"""Convert a resource's properties once per Analyze call, not once per policy.

pulumi_policy 1.21's `Analyze` (`pulumi_policy/policy.py`) turns the request's properties into a dict, then
into unknown-checking proxies, inside its loop over the policies: with 37 resource policies that is 37
identical conversions of every resource, about 95% of the pack's time per resource (3 ms of 3.2 ms on the
RDS instance). The results depend only on the request, and the policies here only read them (the readers in
`common.py` never write), so one conversion per request gives every policy exactly what it got before.

`install()` wraps the three functions that module calls with bounded per-thread identity caches (enough for a
whole AnalyzeStack request, whose loop converts every resource once per stack policy): each argument is kept
alive with its result, so an `is` comparison cannot be fooled by a recycled `id()`.
If pulumi_policy's layout changes, nothing is patched and the pack runs as before, only slower.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any

_installed = False


# AnalyzeStack converts every resource once per stack policy (policies outer, resources inner): the cache must
# hold a whole stack's resources, their providers and their proxies. Bounded, and emptied when full.
_CAPACITY = 4096


def _last_calls_cache(function: Callable[..., Any]) -> Callable[..., Any]:
    local = threading.local()

    def cached(value: Any, *args: Any) -> Any:
        cache: dict[tuple[int, tuple[Any, ...]], tuple[Any, Any]] = local.__dict__.setdefault("cache", {})
        try:
            key = (id(value), args)
            hit = cache.get(key)
        except TypeError:  # unhashable arguments: not cached
            return function(value, *args)
        # The cached value is kept alive with its result, so its id() cannot have been recycled.
        if hit is not None and hit[0] is value:
            return hit[1]
        result = function(value, *args)
        if len(cache) >= _CAPACITY:
            cache.clear()
        cache[key] = (value, result)
        return result

    cached.__wrapped__ = function  # type: ignore[attr-defined]
    return cached


def install() -> bool:
    """Patch `pulumi_policy.policy` once; returns whether its layout allowed it."""
    global _installed  # noqa: PLW0603 - one patch per process
    if _installed:
        return True
    from pulumi_policy import policy  # noqa: PLC0415 - only the pack's process pays for the SDK

    json_format = getattr(policy, "json_format", None)
    names = ("deserialize_properties", "unknown_checking_proxy")
    if not isinstance(json_format, ModuleType) or not all(callable(getattr(policy, n, None)) for n in names):
        return False
    message_to_dict = _last_calls_cache(json_format.MessageToDict)
    # A namespace, not the module: only pulumi_policy.policy's view of json_format changes.
    view = SimpleNamespace(**{k: getattr(json_format, k) for k in dir(json_format) if not k.startswith("__")})
    view.MessageToDict = message_to_dict
    policy.json_format = view  # type: ignore[assignment]
    for name in names:
        setattr(policy, name, _last_calls_cache(getattr(policy, name)))
    _installed = True
    return True
