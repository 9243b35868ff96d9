"""What every concern's config model shares: unknown keys refused, values frozen, and the concern's
per-environment defaults and floors declared once, beside the model that uses them.

Concern config modules (`components/<concern>/config.py`) import this module and pydantic only: loading
and validating a stack's config never pays for a provider SDK import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from components.flow import flow

PROJECT = "platform"
Environment = Literal["preview", "prod"]
ENVIRONMENTS: tuple[Environment, ...] = ("preview", "prod")


@dataclass(frozen=True)
class Floor:
    """A minimum no stack of an environment may go below, and the control it comes from."""

    minimum: int
    source: str


def environment_of(info: ValidationInfo) -> Environment:
    """The environment a model is being validated for (passed as validation context by the stack loader)."""
    context = info.context or {}
    return context.get("environment", "preview")


def full_match(pattern: re.Pattern[str] | str, value: object) -> bool:
    """An ASCII-only full match: `\\d` never admits other scripts' digits and `$` never a trailing newline."""
    return isinstance(value, str) and value.isascii() and re.fullmatch(pattern, value) is not None


class OversizedInteger:
    """A JSON integer too long for Python to convert (over 4,300 digits): kept as its length, never as text."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<a {self.digits}-digit integer>"


SHOWN_LIMIT = 60


def as_config(value: object, depth: int = 0) -> object:
    """A value as a stack file holds it: a model as the mapping it came from (its non-default keys), within lists
    and mappings as deep as a message shows them (a value from a stack file may nest any depth)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if depth > _SHOWN_DEPTH:
        return value
    if isinstance(value, list | tuple):
        return [as_config(item, depth + 1) for item in value]
    if isinstance(value, Mapping):
        return {key: as_config(item, depth + 1) for key, item in value.items()}
    return value


_SHOWN_DEPTH = 5


def shown(value: object, limit: int = SHOWN_LIMIT) -> str:
    """A value as every config message echoes it: YAML flow style (`null`, `{mode: compliance}`, `[a, b]`), one line,
    at most `limit` characters by dropping whole items (`[a, b, … (5 items)]`), never cut mid-value, safe for any
    size or depth; a model or a list of them as their config, never their Python repr (components/flow.py)."""
    return flow(as_config(value), limit)


#: The context entry of a cross-field error that names the key to change (see `key_error`).
KEY_CONTEXT = "key"


def key_error(
    key: str | int, error_type: str, message: str, context: Mapping[str, Any] | None = None
) -> PydanticCustomError:
    """A validator's error about one of the model's keys (`key`, relative to the model), or about one item of the
    list a field validator checks (`key`, its index): the stack loader reports it at that key's path (`...[2]`) with
    the value the stack file gives it, not at the whole object or list."""
    return PydanticCustomError(error_type, message, {**(context or {}), KEY_CONTEXT: key})


class ConcernConfig(BaseModel):
    """Base for one concern's config. Subclasses declare `defaults` and `floors` per environment."""

    # Strict: object-valued config arrives as JSON, so numbers are numbers and booleans are booleans; a
    # `true` is never an interval of 1 and a "yes" never a flag.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    #: The concern's key under the project namespace (`platform:<concern>`), dotted for nested models.
    concern: ClassVar[str]
    #: Per-environment values for fields that differ between environments; stack files override them.
    defaults: ClassVar[Mapping[Environment, Mapping[str, Any]]] = {}
    #: Per-environment minimums of numeric fields; a stack file cannot go below them.
    floors: ClassVar[Mapping[Environment, Mapping[str, Floor]]] = {}
    #: Keys a stack file might try that are deliberately not settings (always on, or never allowed): the key, and
    #: why not with the docs anchor that says so. The loader answers "not configurable by design", not "unknown key".
    not_configurable: ClassVar[Mapping[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _apply_environment_defaults(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, Mapping):
            return data
        return {**cls.defaults.get(environment_of(info), {}), **data}

    @field_validator("*", mode="before")
    @classmethod
    def _literal_of_its_own_type(cls, value: Any, info: ValidationInfo) -> Any:
        # Literal[1, 5] admits True and 1.0 (they compare equal to 1), even in strict mode.
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and get_origin(field.annotation) is Literal:
            members = get_args(field.annotation)
            if not any(type(value) is type(member) and value == member for member in members):
                raise PydanticCustomError(
                    "literal_error", "must be one of {allowed}",
                    {"allowed": ", ".join(shown(member) for member in members)},
                )
        return value

    @field_validator("*")
    @classmethod
    def _environment_floor(cls, value: Any, info: ValidationInfo) -> Any:
        environment = environment_of(info)
        floor = cls.floors.get(environment, {}).get(info.field_name or "")
        if floor is not None and isinstance(value, int) and value < floor.minimum:
            raise PydanticCustomError(
                "environment_floor",
                "must be >= {floor} in {environment} ({source})",
                {"floor": floor.minimum, "environment": environment, "source": floor.source},
            )
        return value

    @classmethod
    def default_for(cls, field: str, environment: Environment) -> Any:
        """The value a stack of `environment` gets for `field` when its stack file does not set it."""
        env_defaults = cls.defaults.get(environment, {})
        if field in env_defaults:
            return env_defaults[field]
        info = cls.model_fields[field]
        return info.get_default(call_default_factory=True)
