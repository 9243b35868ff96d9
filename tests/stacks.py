"""Helpers to read the repository's stack files the way the engine hands config to the program."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from components.config import StackConfig, build_stack_config

ROOT = Path(__file__).resolve().parent.parent
STACKS = ("preview", "prod")


def stack_config_map(stack: str) -> dict[str, Any]:
    """The flat config map of Pulumi.<stack>.yaml, objects as JSON strings (as the CLI passes them)."""
    raw = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {key: json.dumps(value) if isinstance(value, dict | list) else str(value) for key, value in raw.items()}


def load_stack(stack: str, **overrides: Any) -> StackConfig:
    """The validated config of a repository stack, with optional concern overrides merged in."""
    config = stack_config_map(stack)
    for concern, values in overrides.items():
        key = f"platform:{concern}"
        merged = {**json.loads(config.get(key, "{}")), **values} if isinstance(values, dict) else values
        config[key] = json.dumps(merged) if isinstance(merged, dict) else merged
    return build_stack_config(config, project="platform", stack=stack)
