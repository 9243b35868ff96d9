"""Which of a resource's properties arrived as Pulumi secrets: the one fact pulumi_policy does not pass on.

The engine sends a secret input signature-wrapped (`{"4dabf18193072939515e22adb298388d":
"1b47061264138c4ac30d75fd1eb44270", "value": ...}`), and pulumi_policy 1.21's `Analyze` / `AnalyzeStack`
(`pulumi_policy/policy.py`) unwrap it in `deserialize_properties` without a trace: a policy sees the plaintext
and cannot tell that it was secret (only `Remediate` keeps a marker). The GitHub control "values come from
Pulumi secrets" (CKV_GIT_4) needs exactly that fact, so `install()` wraps the two functions that module calls
on every resource's properties: `deserialize_properties` notes which top-level properties were secret on the
wire, and `unknown_checking_proxy` hands that note on to the proxy the policy receives as `args.props`.
`secret_properties(args.props)` then answers; None means "cannot tell" (the SDK's layout changed, nothing was
patched), which the policies turn into "can't run" rather than a guess.

The notes are per thread and keep only the last few calls (each object is held with its note, so an identity
comparison cannot be fooled by a recycled `id()`); nothing is written into the properties themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# Enough for a whole AnalyzeStack request (every resource, as a dict and as a proxy); emptied when full.
_CAPACITY = 4096

_local = threading.local()
_installed = False


def _notes() -> dict[int, tuple[Any, frozenset[str]]]:
    return _local.__dict__.setdefault("notes", {})


def _remember(obj: Any, secret: frozenset[str]) -> None:
    notes = _notes()
    if len(notes) >= _CAPACITY:
        notes.clear()
    notes[id(obj)] = (obj, secret)  # kept alive with its note, so its id() cannot be recycled


def _note(obj: Any) -> frozenset[str] | None:
    held = _notes().get(id(obj))
    return held[1] if held is not None and held[0] is obj else None


def wire_secrets(raw: Any) -> frozenset[str]:
    """The top-level keys of an engine-sent property map whose values are secret-wrapped."""
    if not isinstance(raw, Mapping):
        return frozenset()
    return frozenset(
        key for key, value in raw.items()
        if isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG
    )


def secret_properties(props: Any) -> frozenset[str] | None:
    """The top-level properties of `props` (a policy's `args.props`) that arrived as secrets; None: unknown."""
    return _note(props) if _installed else None


def _noting_deserialize(function: Callable[..., Any]) -> Callable[..., Any]:
    def deserialize(props: Any, *args: Any, **kwargs: Any) -> Any:
        result = function(props, *args, **kwargs)
        if _note(result) is None:  # the conversion is cached (convert_once): note each result once
            _remember(result, wire_secrets(props))
        return result

    deserialize.__wrapped__ = function  # type: ignore[attr-defined]
    return deserialize


def _noting_proxy(function: Callable[..., Any]) -> Callable[..., Any]:
    def proxy(value: Any, *args: Any, **kwargs: Any) -> Any:
        result = function(value, *args, **kwargs)
        secret = _note(value)
        if secret is not None and _note(result) is None:
            _remember(result, secret)
        return result

    proxy.__wrapped__ = function  # type: ignore[attr-defined]
    return proxy


def install() -> bool:
    """Patch `pulumi_policy.policy` once (after convert_once, whose caches it wraps); whether it could."""
    global _installed  # noqa: PLW0603 - one patch per process
    if _installed:
        return True
    from pulumi_policy import policy  # noqa: PLC0415 - only the pack's process pays for the SDK

    names = ("deserialize_properties", "unknown_checking_proxy")
    if not all(callable(getattr(policy, name, None)) for name in names):
        return False
    policy.deserialize_properties = _noting_deserialize(policy.deserialize_properties)  # type: ignore[attr-defined]
    policy.unknown_checking_proxy = _noting_proxy(policy.unknown_checking_proxy)  # type: ignore[attr-defined]
    _installed = True
    return True
