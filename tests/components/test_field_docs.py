"""Every config key is documented where it is declared: the config reference and the stack files' JSON Schema
are generated from the models, so a field without a description is an empty row in the reference, and a
required field without an example is a key nobody can fill in from the docs alone."""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from components.stack import CONCERN_MODELS
from components.state_backend.config import PROJECT as BOOTSTRAP_PROJECT
from components.state_backend.config import BootstrapConfig
from tests.support.configs import problems_with

ROOTS: dict[str, type[BaseModel]] = {
    **{f"platform:{concern}": model for concern, model in CONCERN_MODELS.items()},
    BOOTSTRAP_PROJECT: BootstrapConfig,
}


def _models_in(annotation: Any, suffix: str = "") -> Iterator[tuple[str, type[BaseModel]]]:
    """The models an annotation holds, with the path suffix that reaches each: '' the model itself, '[]' an item
    of a list, tuple or set, '.<name>' a value of a dict. Walks Optional, unions, Annotated and containers."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield suffix, annotation
        return
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        yield from _models_in(args[0], suffix)
    elif origin in (Union, types.UnionType):
        for arg in args:
            yield from _models_in(arg, suffix)
    elif isinstance(origin, type) and issubclass(origin, Mapping):
        if args:
            yield from _models_in(args[-1], f"{suffix}.<name>")
    elif isinstance(origin, type) and issubclass(origin, (Sequence, AbstractSet)) and not issubclass(origin, str):
        for arg in args:
            if arg is not Ellipsis:
                yield from _models_in(arg, f"{suffix}[]")


def walk(
    path: str, model: type[BaseModel], seen: frozenset[type[BaseModel]] = frozenset()
) -> Iterator[tuple[str, FieldInfo]]:
    """(key path, field) of every field of `model` and of the models its fields hold, depth first."""
    if model in seen:
        return
    separator = ":" if path == BOOTSTRAP_PROJECT else "."
    for name, field in model.model_fields.items():
        key = f"{path}{separator}{name}"
        yield key, field
        for suffix, inner in _models_in(field.annotation):
            yield from walk(f"{key}{suffix}", inner, seen | {model})


FIELDS = [entry for root, model in ROOTS.items() for entry in walk(root, model)]


def test_the_walk_reaches_nested_list_dict_and_optional_models() -> None:
    keys = {key for key, _ in FIELDS}
    assert {
        "platform:database.proxy.max_connections_percent",  # nested model
        "platform:alerts.slack.workspace_id",  # Optional model
        "platform:edge.dns_records[].ttl",  # list items
        "platform:edge.rate_limits[].window_seconds",
        "platform:jobs.jobs.<name>.schedule",  # dict values
        "platform:backup.vault_lock.changeable_for_days",  # Optional model with a per-environment default
        "platform:backup_storage.monthly.azure_tier",  # a subclass of a shared model
        "platform-bootstrap:admin_principal_arn",
    } <= keys
    assert len(FIELDS) > 200


def test_every_field_has_a_description() -> None:
    missing = [key for key, field in FIELDS if not (field.description or "").strip()]
    assert not missing, f"{len(missing)} of {len(FIELDS)} config keys have no description:\n" + "\n".join(missing)


def test_every_required_field_has_an_example() -> None:
    missing = [key for key, field in FIELDS if field.is_required() and not field.examples]
    assert not missing, "required config keys without examples=[...]:\n" + "\n".join(missing)


def test_examples_have_the_fields_type() -> None:
    # The examples land in the JSON Schema and the reference as they are: each must be a value of the field's type
    # in strict mode, as a stack file would give it (the models' own cross-field checks are not run here).
    wrong = []
    for key, field in FIELDS:
        for example in field.examples or []:
            try:
                TypeAdapter(field.annotation).validate_python(
                    example, strict=True, context={"environment": "prod", "aws_region": "eu-west-1"}
                )
            except ValidationError as error:
                wrong.append(f"{key}: example {example!r}: {error.errors()[0]['msg']}")
    assert not wrong, "examples that are not values of their field's type:\n" + "\n".join(wrong)


def test_descriptions_are_short_plain_text() -> None:
    # One or two sentences each: short enough for a reference row, and no markdown table inside.
    too_long = [f"{key} ({len(field.description)} characters)" for key, field in FIELDS
                if field.description and len(field.description) > 300]
    tables = [key for key, field in FIELDS if field.description and "|" in field.description]
    assert not too_long, "descriptions over 300 characters:\n" + "\n".join(too_long)
    assert not tables, "descriptions with a '|' (a markdown table?):\n" + "\n".join(tables)


@pytest.mark.parametrize(
    ("concern", "values", "container"),
    [
        ("backup", {"vault_lock": {"mode": "compliance", "changeable_for_days": 1}}, "vault_lock"),
        ("alerts", {"emails": ["oncall@example.com"], "health_check": {"fqdn": "app.example.com"},
                    "slack": {"workspace_id": "T07EA123LEP", "channel_id": 5}}, "slack"),
        ("edge", {"dns_records": [{"name": "www", "type": "CNAME", "content": "origin.example.net", "ttl": 0}]},
         "dns_records"),
        ("jobs", {"jobs": {"cleanup": {"schedule": "cron(0 5 * * ? *)", "path": 5}}}, "jobs"),
    ],
)
def test_a_problem_inside_a_held_model_is_not_explained_by_the_container(
    concern: str, values: dict[str, Any], container: str
) -> None:
    # The loader appends a field's description to some problems as a hint. Inside an optional model, or a list or
    # mapping of models, the holding field's description is about the container, never about the key that is wrong.
    hint = CONCERN_MODELS[concern].model_fields[container].description.split(". ")[0][:60]
    problems = problems_with("prod", concern, values)
    assert problems
    assert not [problem for problem in problems if hint in problem], problems
