"""The repository's stack files, read the way the engine hands config to the program, with overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from components.stack import StackConfig, build_stack_config

ROOT = Path(__file__).resolve().parents[2]
STACKS = ("preview", "prod")
PROJECT = "platform"


def stack_file(stack: str, **overrides: Any) -> dict[str, Any]:
    """Pulumi.<stack>.yaml as data, each `concern=value` merged into `platform:<concern>` (a dict value is
    merged key by key; any other value, `None` included, replaces the key; `None` deletes it)."""
    data = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    config = data.setdefault("config", {})
    for concern, values in overrides.items():
        key = f"{PROJECT}:{concern}"
        if values is None:
            config.pop(key, None)
        elif isinstance(values, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **values}
        else:
            config[key] = values
    return data


def wire_config(data: dict[str, Any]) -> dict[str, str]:
    """A stack file's config as the CLI passes it to the program: objects and lists as JSON, scalars as text."""
    return {
        key: json.dumps(value) if isinstance(value, dict | list) else str(value)
        for key, value in data.get("config", {}).items()
    }


def stack_config_map(stack: str, **overrides: Any) -> dict[str, str]:
    """The flat wire config map of a repository stack, with overrides."""
    return wire_config(stack_file(stack, **overrides))


def load_stack(stack: str, **overrides: Any) -> StackConfig:
    """The validated config of a repository stack, with optional concern overrides merged in."""
    return build_stack_config(stack_config_map(stack, **overrides), project=PROJECT, stack=stack)
