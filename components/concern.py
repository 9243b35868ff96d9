"""What every concern's config model shares: unknown keys refused, values frozen, and the concern's
per-environment defaults and floors declared once, beside the model that uses them.

Concern config modules (`components/<concern>/config.py`) import this module and pydantic only: loading
and validating a stack's config never pays for a provider SDK import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

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


def full_match(pattern: re.Pattern[str], value: str) -> bool:
    """An ASCII-only full match: `\\d` never admits other scripts' digits and `$` never a trailing newline."""
    return value.isascii() and pattern.fullmatch(value) is not None


class ConcernConfig(BaseModel):
    """Base for one concern's config. Subclasses declare `defaults` and `floors` per environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The concern's key under the project namespace (`platform:<concern>`), dotted for nested models.
    concern: ClassVar[str]
    #: Per-environment values for fields that differ between environments; stack files override them.
    defaults: ClassVar[Mapping[Environment, Mapping[str, Any]]] = {}
    #: Per-environment minimums of numeric fields; a stack file cannot go below them.
    floors: ClassVar[Mapping[Environment, Mapping[str, Floor]]] = {}

    @model_validator(mode="before")
    @classmethod
    def _apply_environment_defaults(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, Mapping):
            return data
        return {**cls.defaults.get(environment_of(info), {}), **data}

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
