"""The JSON Schemas of the stack files, generated from the same models as the config reference.

`schemas/pulumi-stack.schema.json` (Pulumi.preview.yaml, Pulumi.prod.yaml) and
`schemas/pulumi-bootstrap.schema.json` (bootstrap/Pulumi.<stack>.yaml), referenced from each stack file's first
line (`# yaml-language-server: $schema=...`) so that YAML editors validate and complete the keys.

What a stack file may hold besides config: `secretsprovider`, `encryptedkey` (strings) and `environment` (Pulumi
ESC environments: a string or a list of them); nothing else. Inside `config`: the project's keys with their
models (unknown keys refused at every level: the models forbid extras), `aws:region`, and any key of another
namespace (`aws:`, `cloudflare:`, ...) with any value; an unknown key of the project's namespace is refused.
Any value, at any depth, may be a Pulumi secret (`{secure: <ciphertext>}`).

JSON Schema has one `default`: where a model declares per-environment defaults, the default is left out and
the description says both; per-environment floors are in the description too. Checks that only code can make
(cron expressions, CIDR overlaps, cross-key rules) stay with the models: the schema is the editor's first line,
`components/stack.py` the real validation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import PydanticUndefined, core_schema

from components.concern import ENVIRONMENTS, Environment
from components.stack import CONCERN_MODELS
from components.state_backend.config import PROJECT as BOOTSTRAP_PROJECT
from components.state_backend.config import BootstrapConfig

from .derived import derived_default
from .markdown import compact
from .sources import PROJECT

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SECURE = "secure"
_SECURE_REF = {"$ref": f"#/$defs/{SECURE}"}
_SECURE_DEF = {
    "description": "A Pulumi secret: the ciphertext `pulumi config set --secret` writes.",
    "type": "object",
    "properties": {SECURE: {"type": "string"}},
    "required": [SECURE],
    "additionalProperties": False,
}
_TAG = r"^[A-Za-z0-9][A-Za-z0-9 ._@+-]{0,127}$"


@dataclass(frozen=True)
class SchemaFile:
    """One generated schema: where it goes (relative to the repository) and what it holds."""

    path: str
    build: Any  # () -> dict

    def text(self) -> str:
        return json.dumps(self.build(), indent=2, ensure_ascii=False) + "\n"


class _Generator(GenerateJsonSchema):
    """pydantic's schema, with the models' per-environment defaults and floors said in the descriptions, the
    fields those defaults fill no longer required, and no generated titles."""

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        json_schema = super().model_schema(schema)
        cls = schema["cls"]
        json_schema.pop("title", None)
        defaults: Mapping[str, Mapping[str, Any]] = getattr(cls, "defaults", {})
        floors: Mapping[str, Mapping[str, Any]] = getattr(cls, "floors", {})
        properties: dict[str, Any] = json_schema.get("properties", {})
        for name, prop in properties.items():
            prop.pop("title", None)
            notes = []
            if any(name in defaults.get(env, {}) for env in ENVIRONMENTS):
                by_environment = {env: cls.default_for(name, env) for env in ENVIRONMENTS}
                prop.pop("default", None)
                shown = "; ".join(f"{env} {_default_text(cls, name, env, value)}"
                                  for env, value in by_environment.items())
                notes.append(f"Default: {shown}.")
            limits = [f"{env} >= {floor.minimum} ({floor.source})"
                      for env in ENVIRONMENTS if (floor := floors.get(env, {}).get(name)) is not None]
            if limits:
                notes.append("Floor: " + "; ".join(limits) + ".")
            if notes:
                prop["description"] = " ".join([prop.get("description", ""), *notes]).strip()
        filled = {name for env in ENVIRONMENTS for name in defaults.get(env, {})}
        if "required" in json_schema:
            json_schema["required"] = [name for name in json_schema["required"] if name not in filled]
            if not json_schema["required"]:
                del json_schema["required"]
        json_schema["additionalProperties"] = False
        return json_schema

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _default_text(model: type[BaseModel], name: str, environment: Environment, value: Any) -> str:
    derived = derived_default(model, name, environment)
    if derived is not None:
        return derived
    return "required" if value is PydanticUndefined else compact(value)


def _model_schemas(models: Mapping[str, type[BaseModel]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each model's schema (a $ref or inline) by key, and the shared $defs."""
    key_map, combined = models_json_schema(
        [(model, "validation") for model in models.values()],
        ref_template="#/$defs/{model}",
        schema_generator=_Generator,
    )
    by_key = {key: dict(key_map[(model, "validation")]) for key, model in models.items()}
    return by_key, dict(combined.get("$defs", {}))


# --------------------------------------------------------------------------------------------------
# Secrets: any value may be {secure: ...}
# --------------------------------------------------------------------------------------------------
_META = ("description", "default", "examples", "deprecated")


def _or_secret(schema: Any) -> Any:
    """`schema` or a Pulumi secret, recursively (properties, items, mapping values). Annotations stay on the
    outside, where editors show them."""
    if not isinstance(schema, dict):
        return schema
    schema = _secret_inside(schema)
    if schema in ({}, _SECURE_REF):
        return schema
    meta = {key: schema.pop(key) for key in _META if key in schema}
    options = schema["anyOf"] if set(schema) == {"anyOf"} else [schema]
    return {**meta, "anyOf": [*options, _SECURE_REF]}


def _secret_inside(schema: dict[str, Any]) -> dict[str, Any]:
    schema = dict(schema)
    if isinstance(schema.get("properties"), dict):
        schema["properties"] = {name: _or_secret(prop) for name, prop in schema["properties"].items()}
    if isinstance(schema.get("items"), dict):
        schema["items"] = _or_secret(schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        schema["additionalProperties"] = _or_secret(schema["additionalProperties"])
    if isinstance(schema.get("anyOf"), list):
        schema["anyOf"] = [_secret_inside(option) if isinstance(option, dict) else option
                           for option in schema["anyOf"]]
    return schema


def _defs_with_secrets(defs: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _secret_inside(definition) for name, definition in defs.items()}


# --------------------------------------------------------------------------------------------------
# The two files
# --------------------------------------------------------------------------------------------------
def _stack_file_schema(title: str, keys: Mapping[str, Any], required: list[str], defs: Mapping[str, Any],
                       own_namespace: str) -> dict[str, Any]:
    other = rf"^(?!{own_namespace}:)[A-Za-z0-9][A-Za-z0-9_.-]*:.+$"
    return {
        "$schema": DRAFT,
        "title": title,
        "description": "Generated by `python -m docgen --write` from the config models; do not edit.",
        "type": "object",
        "properties": {
            "secretsprovider": {"type": "string", "description": "The stack's secrets provider (e.g. awskms://...)."},
            "encryptedkey": {"type": "string", "description": "The stack's data key, encrypted by the provider."},
            "environment": {
                "description": "Pulumi ESC environments the stack imports.",
                "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            },
            "config": {
                "type": "object",
                "description": f"The stack's config: `{own_namespace}:*` keys as below; other namespaces' keys "
                               "(aws:, cloudflare:, ...) are free.",
                "properties": {key: _or_secret(schema) for key, schema in keys.items()},
                "required": required,
                "patternProperties": {other: {}},
                "additionalProperties": False,
            },
        },
        "required": ["config"],
        "additionalProperties": False,
        "$defs": {**_defs_with_secrets(defs), SECURE: _SECURE_DEF},
    }


def stack_schema() -> dict[str, Any]:
    models, defs = _model_schemas(CONCERN_MODELS)
    keys: dict[str, Any] = {
        f"{PROJECT}:environment": {
            "description": "preview or prod; best left unset: the stack's name sets it (a stack named 'prod' or "
                           "'prod-<suffix>' is prod).",
            "enum": list(ENVIRONMENTS),
        },
        f"{PROJECT}:owner": {"description": "Team or person accountable for the stack; the 'owner' tag.",
                             "type": "string", "pattern": _TAG},
        f"{PROJECT}:cost_center": {"description": "Cost center billed for the stack; the 'cost-center' tag.",
                                   "type": "string", "pattern": _TAG},
        "aws:region": {"description": "The AWS region of the stack's regional resources, e.g. 'eu-west-1'.",
                       "type": "string"},
    }
    for concern, schema in models.items():
        model = CONCERN_MODELS[concern]
        keys[f"{PROJECT}:{concern}"] = {"description": (model.__doc__ or "").strip().splitlines()[0], **schema}
    required = [f"{PROJECT}:owner", f"{PROJECT}:cost_center", "aws:region"]
    return _stack_file_schema(f"Pulumi stack file of the '{PROJECT}' project", keys, required, defs, PROJECT)


def bootstrap_schema() -> dict[str, Any]:
    generated = BootstrapConfig.model_json_schema(schema_generator=_Generator, ref_template="#/$defs/{model}")
    keys = {f"{BOOTSTRAP_PROJECT}:{name}": prop for name, prop in generated["properties"].items()}
    keys["aws:region"] = {"description": "The account's region for the state bucket and key, e.g. 'eu-west-1'.",
                          "type": "string"}
    required = [f"{BOOTSTRAP_PROJECT}:{name}" for name in generated.get("required", [])] + ["aws:region"]
    return _stack_file_schema(f"Pulumi stack file of the '{BOOTSTRAP_PROJECT}' project", keys, required,
                              generated.get("$defs", {}), BOOTSTRAP_PROJECT)


SCHEMA_FILES = (
    SchemaFile("schemas/pulumi-stack.schema.json", stack_schema),
    SchemaFile("schemas/pulumi-bootstrap.schema.json", bootstrap_schema),
)


def schema_files() -> Iterator[tuple[Path, str]]:
    for item in SCHEMA_FILES:
        yield Path(item.path), item.text()
