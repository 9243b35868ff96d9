"""The stack's config: one field per concern, and the one loader that validates a stack's config.

Every key lives under the project's namespace (`platform:`). Object-valued keys (`platform:database`, ...)
arrive from the engine as JSON strings; the Pulumi.yaml project schema only types scalars and arrays, so the
concern models (`components/<concern>/config.py`) are the validation for everything inside them. Each
concern model declares its own per-environment defaults and floors. A bad config stops the program before
any resource is registered, with one message that lists every problem by its key path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pulumi
from pydantic import BaseModel, ConfigDict, ValidationError

from components.cache.config import CacheConfig
from components.concern import ENVIRONMENTS, ConcernConfig, Environment
from components.network.config import NetworkConfig
from components.postgres.config import DatabaseConfig


class ConfigError(pulumi.RunError):
    """Raised before any resource is registered; the language host prints RunError messages without a traceback."""

    def __init__(self, stack: str, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        plural = "problem" if len(problems) == 1 else "problems"
        super().__init__(
            f"invalid configuration for stack '{stack}' ({len(problems)} {plural}); nothing was created:\n{lines}"
        )


class StackConfig(BaseModel):
    """Everything the program reads from config, validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project: str
    stack: str
    environment: Environment
    aws_region: str
    owner: str
    cost_center: str
    network: NetworkConfig
    database: DatabaseConfig
    cache: CacheConfig

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def name_prefix(self) -> str:
        """Physical-name prefix: unique per project and stack, valid for RDS, ElastiCache and IAM names."""
        return f"{self.project}-{self.stack}"[:40].rstrip("-")

    def tags(self, component: str) -> dict[str, str]:
        """The required tags (tagging baseline) plus the component that owns the resource."""
        return {
            "environment": self.environment,
            "owner": self.owner,
            "cost-center": self.cost_center,
            "managed-by": "pulumi",
            "pulumi-project": self.project,
            "pulumi-stack": self.stack,
            "component": component,
        }


# Scalar keys and the object-valued concern keys, with their models.
SCALAR_KEYS = ("environment", "owner", "cost_center")
CONCERN_MODELS: dict[str, type[ConcernConfig]] = {
    "network": NetworkConfig,
    "database": DatabaseConfig,
    "cache": CacheConfig,
}
_AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")


def build_stack_config(raw: Mapping[str, Any], *, project: str, stack: str) -> StackConfig:
    """Validate a flat `{"<ns>:<key>": value}` config map (values as the engine sends them: scalars as
    strings, objects as JSON) into a StackConfig, or raise ConfigError listing every problem."""
    problems: list[str] = []
    prefix = f"{project}:"
    own = {key[len(prefix):]: value for key, value in raw.items() if key.startswith(prefix)}

    for key in sorted(set(own) - set(SCALAR_KEYS) - set(CONCERN_MODELS)):
        allowed = ", ".join(f"{project}:{k}" for k in (*SCALAR_KEYS, *CONCERN_MODELS))
        problems.append(f"{project}:{key}: unknown key; allowed keys are {allowed}")

    environment = own.get("environment", stack)
    if environment not in ENVIRONMENTS:
        problems.append(
            f"{project}:environment = {environment!r}: must be one of {', '.join(ENVIRONMENTS)} "
            f"(it defaults to the stack name)"
        )
        environment = "prod"  # validate the rest against the strictest floors

    region = raw.get("aws:region")
    if not isinstance(region, str) or not _AWS_REGION.match(region):
        problems.append(f"aws:region = {region!r}: must be an AWS region such as 'eu-west-1' (set aws:region)")

    scalars: dict[str, str] = {}
    for key in ("owner", "cost_center"):
        value = own.get(key)
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ._@+-]{0,127}", value):
            problems.append(
                f"{project}:{key} = {value!r}: required; 1-128 letters, digits, spaces or ._@+- "
                f"(used as the '{key.replace('_', '-')}' tag)"
            )
        else:
            scalars[key] = value

    concerns: dict[str, ConcernConfig] = {}
    for key, model in CONCERN_MODELS.items():
        data = _decode_object(own.get(key, {}), f"{project}:{key}", problems)
        if data is None:
            continue
        try:
            # The region lets a model check region-shaped values (AZ names and ids); an invalid one is withheld.
            valid_region = region.isascii() and _AWS_REGION.fullmatch(region) if isinstance(region, str) else False
            context = {"environment": environment, "aws_region": region if valid_region else None}
            concerns[key] = model.model_validate(data, context=context)
        except ValidationError as error:
            problems.extend(_describe(error, f"{project}:{key}", model))

    if problems:
        raise ConfigError(stack, problems)
    return StackConfig(
        project=project,
        stack=stack,
        environment=environment,
        aws_region=region,
        **scalars,
        **concerns,
    )


def _decode_object(value: Any, key: str, problems: list[str]) -> dict[str, Any] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            problems.append(f"{key} = {_short(value)}: must be an object (a YAML mapping under the key)")
            return None
    if not isinstance(value, dict):
        problems.append(f"{key} = {_short(value)}: must be an object (a YAML mapping under the key)")
        return None
    return value


def _describe(error: ValidationError, root: str, model: type[BaseModel]) -> list[str]:
    problems = []
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item["loc"]]
        path = ".".join([root, *loc]) if loc else root
        if item["type"] == "extra_forbidden":
            allowed = ", ".join(_fields_at(model, loc[:-1]))
            problems.append(f"{path}: unknown key; allowed keys here are {allowed}")
        elif item["type"] == "missing":
            problems.append(f"{path}: required")
        else:
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{path} = {_short(item['input'])}: {message}")
    return problems


def _fields_at(model: type[BaseModel], loc: Iterable[str]) -> list[str]:
    for part in loc:
        annotation = model.model_fields[part].annotation if part in model.model_fields else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def load_stack_config() -> StackConfig:
    """Read this stack's config from the Pulumi runtime and validate it. The one place config is loaded."""
    project = pulumi.get_project()
    stack = pulumi.get_stack()
    raw: dict[str, Any] = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    return build_stack_config(raw, project=project, stack=stack)
