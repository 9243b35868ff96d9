"""`config <concern>`: the reference table of a concern's keys, generated from its pydantic model.

One row per key path: `platform:database.proxy.max_connections_percent`, `[]` for a list's items,
`<name>` for a mapping's keys, nested models expanded. Columns: the type in words, the default per environment
(`default_for`, so the per-environment defaults the model declares; "required" when there is none), the floor
per environment with its source, the field's description and an example (its `examples[0]`, else what a
repository stack file sets).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from components.concern import ENVIRONMENTS, ConcernConfig, Environment
from components.stack import CONCERN_MODELS
from components.state_backend.config import PROJECT as BOOTSTRAP_PROJECT
from components.state_backend.config import BootstrapConfig

from .derived import derived_default
from .errors import UnknownArgument
from .markdown import code, compact, table
from .sources import PROJECT, project_config, stack_config, stack_files

STACK = "stack"
BOOTSTRAP = "bootstrap"
_PATTERN_LIMIT = 40


@dataclass(frozen=True)
class Key:
    """One key path of a model: the stack file's key (`platform:database`) and the parts inside its value."""

    config_key: str
    parts: tuple[str, ...]
    model: type[BaseModel]
    name: str
    field: FieldInfo
    expanded: bool  # a nested model: its keys follow as rows of their own
    parent: bool = False  # a list or mapping of models: its items' keys follow

    @property
    def label(self) -> str:
        return self.config_key + "".join(part if part == "[]" else f".{part}" for part in self.parts)


@dataclass(frozen=True)
class Row:
    key: str
    type: str
    defaults: tuple[str, ...]  # one per environment (or a single one for the bootstrap project)
    floor: str
    description: str
    example: str


def arguments() -> list[str]:
    return [STACK, *CONCERN_MODELS, BOOTSTRAP]


def render(arg: str) -> str:
    if arg == STACK:
        return _table(_stack_rows(), ENVIRONMENTS)
    if arg == BOOTSTRAP:
        return _table([_row(key, ()) for key in model_keys(BootstrapConfig, f"{BOOTSTRAP_PROJECT}:")], ())
    model = CONCERN_MODELS.get(arg)
    if model is None:
        raise UnknownArgument("config", arg, arguments())
    return _table([_row(key, ENVIRONMENTS) for key in model_keys(model, f"{PROJECT}:{arg}")], ENVIRONMENTS)


# --------------------------------------------------------------------------------------------------
# Walking a model
# --------------------------------------------------------------------------------------------------
def model_keys(model: type[BaseModel], root: str) -> Iterator[Key]:
    """Every key path of `model`. `root` ending in ':' makes each field a stack-file key of its own
    (`platform-bootstrap:<field>`); otherwise the fields live inside the value of the key `root`."""
    for name, field in model.model_fields.items():
        config_key, parts = (root + name, ()) if root.endswith(":") else (root, (name,))
        yield from _field_keys(model, name, field, config_key, parts)


def _field_keys(
    model: type[BaseModel], name: str, field: FieldInfo, config_key: str, parts: tuple[str, ...]
) -> Iterator[Key]:
    annotation, _ = _without_none(field.annotation)
    nested = _model(annotation)
    if nested is not None:
        yield Key(config_key, parts, model, name, field, expanded=True, parent=True)
        yield from _nested(nested, config_key, parts)
        return
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (list, typing.Sequence) and args and (item := _model(_without_none(args[0])[0])) is not None:
        yield Key(config_key, parts, model, name, field, expanded=False, parent=True)
        yield from _nested(item, config_key, (*parts, "[]"))
    elif origin in (dict, typing.Mapping) and len(args) == 2 and (value := _model(args[1])) is not None:
        yield Key(config_key, parts, model, name, field, expanded=False, parent=True)
        yield from _nested(value, config_key, (*parts, "<name>"))
    else:
        yield Key(config_key, parts, model, name, field, expanded=False)


def _nested(model: type[BaseModel], config_key: str, parts: tuple[str, ...]) -> Iterator[Key]:
    for name, field in model.model_fields.items():
        yield from _field_keys(model, name, field, config_key, (*parts, name))


def _model(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _without_none(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (typing.Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) < len(get_args(annotation)):
            return (members[0] if len(members) == 1 else typing.Union[tuple(members)]), True  # noqa: UP007
    return annotation, False


# --------------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------------
def type_text(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    """A type in words: `integer 1-100`, `one of 'a', 'b'`, `list of string`, `string (optional)`."""
    inner, optional = _without_none(annotation)
    text = _type_words(inner, metadata)
    return f"{text} (optional)" if optional else text


def _type_words(annotation: Any, metadata: Sequence[Any]) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is typing.Annotated:
        return _type_words(args[0], [*metadata, *annotation.__metadata__])
    if origin is Literal:
        return "one of " + ", ".join(repr(member) for member in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_text(arg) for arg in args)
    if origin in (list, tuple, typing.Sequence):
        return ("list of " + (type_text(args[0]) if args else "any value")) + _lengths(metadata, "items")
    if origin in (dict, typing.Mapping):
        return "map of name to " + (type_text(args[1]) if len(args) == 2 else "any value")
    return _scalar_words(annotation, metadata)


def _scalar_words(annotation: Any, metadata: Sequence[Any]) -> str:
    words = {bool: "boolean", int: "integer", float: "number", str: "string"}
    if annotation in words:
        if annotation is str:
            return "string" + _lengths(metadata, "characters") + _pattern(metadata)
        return words[annotation] + ("" if annotation is bool else _bounds(metadata))
    if _model(annotation) is not None:
        return "object"
    return "any value" if annotation is Any else getattr(annotation, "__name__", str(annotation))


def _bounds(metadata: Sequence[Any]) -> str:
    low = next((f"{m.ge}" for m in metadata if isinstance(m, Ge)), None)
    low_open = next((f"{m.gt}" for m in metadata if isinstance(m, Gt)), None)
    high = next((f"{m.le}" for m in metadata if isinstance(m, Le)), None)
    high_open = next((f"{m.lt}" for m in metadata if isinstance(m, Lt)), None)
    if low is not None and high is not None:
        return f" {low}-{high}"
    words = [f">= {low}" if low else "", f"> {low_open}" if low_open else "",
             f"<= {high}" if high else "", f"< {high_open}" if high_open else ""]
    text = ", ".join(word for word in words if word)
    return f" {text}" if text else ""


def _lengths(metadata: Sequence[Any], unit: str) -> str:
    low = next((m.min_length for m in metadata if isinstance(m, MinLen)), None)
    high = next((m.max_length for m in metadata if isinstance(m, MaxLen)), None)
    if low is not None and high is not None:
        return f", {low}-{high} {unit}"
    if low is not None:
        return f", at least {low} {unit}"
    if high is not None:
        return f", at most {high} {unit}"
    return ""


def _pattern(metadata: Sequence[Any]) -> str:
    pattern = next((m.pattern for m in metadata if isinstance(getattr(m, "pattern", None), str)), None)
    if pattern is None:
        return ""
    shown = pattern if len(pattern) <= _PATTERN_LIMIT else pattern[: _PATTERN_LIMIT - 3] + "..."
    return f" matching {code(shown)}"


def default_value(key: Key, environment: Environment | None) -> Any:
    """What a stack of `environment` gets for the key when its stack file does not set it (PydanticUndefined:
    required). Inside a list item or mapping value, the item's own default."""
    if environment is not None and issubclass(key.model, ConcernConfig):
        return key.model.default_for(key.name, environment)
    return key.field.get_default(call_default_factory=True)


def _default_cell(key: Key, environment: Environment | None) -> str:
    derived = derived_default(key.model, key.name, environment)
    if derived is not None:
        return derived
    value = default_value(key, environment)
    if value is PydanticUndefined:
        return "required"
    declared = environment is not None and key.name in getattr(key.model, "defaults", {}).get(environment, {})
    if key.expanded and isinstance(value, BaseModel) and not declared:
        return "its keys' defaults"
    return code(compact(value))


def _floor_cell(key: Key) -> str:
    floors: Mapping[str, Mapping[str, Any]] = getattr(key.model, "floors", {})
    return "; ".join(
        f"{environment}: >= {floor.minimum} ({floor.source})"
        for environment in ENVIRONMENTS
        if (floor := floors.get(environment, {}).get(key.name)) is not None
    )


def sample_value(config_key: str, parts: Sequence[str]) -> Any:
    """The value the first repository stack file that sets the key path gives it (prod before preview), or
    PydanticUndefined. `[]` reads the first item, `<name>` the first entry."""
    files = sorted(stack_files(), key=lambda path: path.name != "Pulumi.prod.yaml")
    for path in files:
        config = stack_config(path)
        if config_key not in config:
            continue
        value = config[config_key]
        for part in parts:
            if part == "[]":
                value = value[0] if isinstance(value, list) and value else PydanticUndefined
            elif part == "<name>":
                value = next(iter(value.values())) if isinstance(value, dict) and value else PydanticUndefined
            else:
                value = value.get(part, PydanticUndefined) if isinstance(value, dict) else PydanticUndefined
            if value is PydanticUndefined:
                break
        if value is not PydanticUndefined:
            return value
    return PydanticUndefined


def _example_cell(key: Key) -> str:
    if key.field.examples:
        return code(compact(key.field.examples[0]))
    if key.parent:
        return ""
    value = sample_value(key.config_key, key.parts)
    return "" if value is PydanticUndefined else code(compact(value))


def _row(key: Key, environments: Sequence[Environment]) -> Row:
    defaults = tuple(_default_cell(key, environment) for environment in environments) or (_default_cell(key, None),)
    return Row(
        key=code(key.label),
        type=type_text(key.field.annotation, key.field.metadata),
        defaults=defaults,
        floor=_floor_cell(key),
        description=key.field.description or "",
        example=_example_cell(key),
    )


# --------------------------------------------------------------------------------------------------
# The stack's own keys
# --------------------------------------------------------------------------------------------------
def _stack_rows() -> list[Row]:
    """`platform:environment`, `platform:owner`, `platform:cost_center` (components/stack.py reads them
    beside the concerns) and `aws:region`; descriptions from Pulumi.yaml where it declares the key."""
    declared = project_config()

    def described(name: str, fallback: str) -> str:
        entry = declared.get(name)
        text = entry.get("description") if isinstance(entry, dict) else None
        return text if isinstance(text, str) else fallback

    def example(key: str) -> str:
        value = sample_value(key, ())
        return "" if value is PydanticUndefined else code(compact(value))

    tag = "string, 1-128 ASCII letters, digits, spaces or `._@+-`, starting with a letter or digit"
    required = ("required", "required")
    return [
        Row(code(f"{PROJECT}:environment"), "one of " + ", ".join(map(repr, ENVIRONMENTS)) + " (optional)",
            tuple(f"the stack's name ({code(compact(environment))})" for environment in ENVIRONMENTS), "",
            described("environment", "The environment, only for a stack whose name names none ('prod-eu' is "
                      "prod); a stack named after one environment cannot declare another."),
            example(f"{PROJECT}:environment")),
        Row(code(f"{PROJECT}:owner"), tag, required, "", described("owner", ""), example(f"{PROJECT}:owner")),
        Row(code(f"{PROJECT}:cost_center"), tag, required, "", described("cost_center", ""),
            example(f"{PROJECT}:cost_center")),
        Row(code("aws:region"), "string, an AWS region such as 'eu-west-1'", required, "",
            "The AWS provider's region: every regional resource of the stack is created there.",
            example("aws:region")),
    ]


def _table(rows: Sequence[Row], environments: Sequence[Environment]) -> str:
    defaults = [f"default ({environment})" for environment in environments] or ["default"]
    floors = ["floor"] if environments else []
    header = ["key", "type", *defaults, *floors, "description", "example"]
    return table(
        header,
        ([row.key, row.type, *row.defaults, *([row.floor] if environments else []), row.description, row.example]
         for row in rows),
    )
