"""Keep "this value was a secret" visible to the pack's policies.

pulumi_policy 1.21's `Analyze` and `AnalyzeStack` (`pulumi_policy/policy.py`) call
`deserialize_properties(...)` without `proxy_secrets`, so a secret arrives as its plain value and a policy cannot
tell it was secret (only `Remediate` keeps the marks). `install()` wraps that function, for
`pulumi_policy.policy`'s view only: a string under the engine's secret signature comes out as `SecretStr`, a
`str` subclass equal to the plain string (every other policy reads it exactly as before), which
`is_secret()` recognises. Non-string secrets (numbers, booleans) are unwrapped as before; unknowns are left alone.

If pulumi_policy's layout changes, nothing is patched and `installed()` is False: the secrets policy then treats
every value as plain (fail closed) and says so in its messages.
"""

from __future__ import annotations

from typing import Any, Final

SIG_KEY: Final = "4dabf18193072939515e22adb298388d"  # pulumi/sdk/go/common/resource/properties.go
SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"
_UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

_installed = False


class SecretStr(str):
    """A string value the engine sent as a secret."""

    __slots__ = ()


def is_secret(value: Any) -> bool:
    return isinstance(value, SecretStr)


def installed() -> bool:
    return _installed


def _mark(value: Any) -> Any:
    """The value inside a secret wrapper, with its strings marked."""
    if isinstance(value, str):
        return value if value == _UNKNOWN else SecretStr(value)
    if isinstance(value, list):
        return [_mark(v) for v in value]
    if isinstance(value, dict):
        if SIG_KEY in value:
            return _mark(value.get("value")) if value.get(SIG_KEY) == SECRET_SIG else value
        return {k: _mark(v) for k, v in value.items()}
    return value


def _unwrap(value: Any) -> Any:
    """`value` with every secret wrapper replaced by its marked content (other signatures left to the SDK)."""
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, dict):
        if SIG_KEY in value:
            return _mark(value.get("value")) if value.get(SIG_KEY) == SECRET_SIG and "value" in value else value
        return {k: _unwrap(v) for k, v in value.items()}
    return value


def install() -> bool:
    """Patch `pulumi_policy.policy.deserialize_properties` once; returns whether the layout allowed it."""
    global _installed  # noqa: PLW0603 - one patch per process
    if _installed:
        return True
    from pulumi_policy import policy  # noqa: PLC0415 - only the pack's process pays for the SDK

    original = getattr(policy, "deserialize_properties", None)
    if not callable(original):
        return False
    from .convert_once import _last_calls_cache  # noqa: PLC0415 - same identity cache, whichever is installed first

    def deserialize(props: Any, proxy_secrets: bool = False) -> Any:
        if proxy_secrets or not isinstance(props, dict):
            return original(props, proxy_secrets)
        return original(_unwrap(props), proxy_secrets)

    policy.deserialize_properties = _last_calls_cache(deserialize)  # type: ignore[assignment]
    _installed = True
    return True
