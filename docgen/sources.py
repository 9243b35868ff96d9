"""Where docgen reads from: the repository's stack files (parsed as the Pulumi CLI reads them) and paths."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from ops.yamlfile import read_yaml

REPO = Path(__file__).resolve().parents[1]
PROJECT = "platform"
BOOTSTRAP_DIR = REPO / "bootstrap"


def stack_files() -> list[Path]:
    """Every stack file of both projects: `Pulumi.<stack>.yaml` beside each `Pulumi.yaml`, sorted."""
    found = sorted(REPO.glob("Pulumi.*.yaml")) + sorted(BOOTSTRAP_DIR.glob("Pulumi.*.yaml"))
    return [path for path in found if path.name != "Pulumi.yaml"]


def stack_label(path: Path) -> str:
    """`prod` for Pulumi.prod.yaml, `bootstrap/prod` for the bootstrap project's stack."""
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    if path.parent == REPO or not path.parent.is_relative_to(REPO):
        return stack
    return f"{path.parent.relative_to(REPO).as_posix()}/{stack}"


@cache
def stack_config(path: Path) -> dict[str, Any]:
    """A stack file's `config:` mapping, as the CLI decodes it (YAML 1.2 core scalars)."""
    data = read_yaml(path, "stack file") or {}
    config = data.get("config") if isinstance(data, dict) else None
    return config if isinstance(config, dict) else {}


@cache
def project_config(directory: Path = REPO) -> dict[str, Any]:
    """The project file's `config:` declarations (types, defaults, descriptions of scalar keys)."""
    data = read_yaml(directory / "Pulumi.yaml", "project file") or {}
    config = data.get("config") if isinstance(data, dict) else None
    return config if isinstance(config, dict) else {}
