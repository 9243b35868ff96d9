"""The engine's wire constants, as a policy or a resource registration sees them."""

from __future__ import annotations

from typing import Any

# The engine sends every unknown value (an output not known during preview) as this string sentinel.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# A secret travels as {SIG_KEY: SECRET_SIG, "value": ...}.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def is_unknown(value: Any) -> bool:
    return value == UNKNOWN


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def secret(value: Any) -> dict[str, Any]:
    return {SIG_KEY: SECRET_SIG, "value": value}
