"""The project's stacks, derived from its stack files: the one list the workflows, `ops stacks` and `ops plan` share.

Every `Pulumi.<stack>.yaml` beside `Pulumi.yaml` is a stack. Its environment follows the rule of
`components/stack.py` (`environment_of_stack` and `_environment`): the stack's name, when it names exactly one
environment (the whole name, or one of its '-', '_' or '.' separated parts, in any case); otherwise the file's
`<project>:environment`. Its policy config is `<pack>/config/<stack>.json` when the stack has its own, else
`<pack>/config/<environment>.json`: the file `pulumi up --policy-pack-config` gets in deploy.yml and the one
`ops plan` reads by default.

SDK-free and pydantic-free on purpose (the workflows' first job runs it with PyYAML and typer only):
`ENVIRONMENTS` and the name rule are copies of `components/concern.py`'s and `components/stack.py`'s, and
tests/ops/test_ops_stacks.py fails when the copies differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import PlannerConfigError
from .yamlfile import YamlFileError, read_yaml

#: components/concern.py's ENVIRONMENTS, least strict first (the deploy order: every non-prod stack before prod).
ENVIRONMENTS: tuple[str, ...] = ("preview", "prod")
PROD = "prod"
#: A stack name the workflows accept: it becomes a GitHub environment name (`infra-<stack>`), a concurrency
#: group, an artifact name and part of IAM names, so no upper case, no '/', nothing a shell would read.
#: pr-comment.yml validates an artifact's stack name with the same pattern.
STACK_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")
_STACK_FILE = re.compile(r"Pulumi\.(?P<stack>.+)\.yaml")


@dataclass(frozen=True)
class StackEntry:
    """One stack: its name, its environment, its stack file and the policy config it is planned and deployed with."""

    stack: str
    environment: str
    file: Path
    policy_config: Path | None  # None: neither <pack>/config/<stack>.json nor <pack>/config/<environment>.json

    @property
    def is_prod(self) -> bool:
        return self.environment == PROD


def environment_of_stack(stack: str) -> set[str]:
    """The environments a stack's name names (components/stack.py's rule, copied: see the module's docstring)."""
    parts = {part.lower() for part in re.split(r"[-_.]", stack)}
    return {environment for environment in ENVIRONMENTS if environment in parts}


def stack_environment(stack: str, declared: Any) -> tuple[str | None, str | None]:
    """`(environment, None)`, or `(None, why not)`: the rule of components/stack.py's `_environment`.

    `declared` is the file's `<project>:environment` (None when absent; an empty string counts as absent, as
    Pulumi.yaml's empty defaults do)."""
    if declared == "":
        declared = None
    allowed = " or ".join(ENVIRONMENTS)
    if declared is not None and declared not in ENVIRONMENTS:
        return None, f"its environment is {declared!r}: it must be {allowed}"
    named = environment_of_stack(stack)
    if len(named) > 1:
        return None, f"its name names both {' and '.join(sorted(named))}: name it after one environment"
    if named:
        (environment,) = named
        if declared is not None and declared != environment:
            return None, (f"its name makes it a {environment} stack, but it declares environment {declared!r}: "
                          "remove that key")
        return environment, None
    if declared is None:
        return None, (f"its name names no environment and it sets no environment key: name the stack after its "
                      f"environment (e.g. 'prod-eu') or set the key to {allowed}")
    return str(declared), None


def declared_environment(path: Path, project: str) -> Any:
    """The stack file's `<project>:environment`, or None. Raises PlannerConfigError for an unreadable file."""
    try:
        data = read_yaml(path, "stack config file")
    except YamlFileError as exc:
        raise PlannerConfigError(str(exc)) from None
    if data is None:
        return None
    if not isinstance(data, dict):
        raise PlannerConfigError(f"stack config file {path} must be a mapping")
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise PlannerConfigError(f"`config` in stack config file {path} must be a mapping")
    return config.get(f"{project}:environment")


def policy_config_for(pack: Path, stack: str, environment: str | None) -> Path | None:
    """The stack's own `<pack>/config/<stack>.json` if it exists, else its environment's, else None."""
    candidates = [pack / "config" / f"{stack}.json"]
    if environment is not None:
        candidates.append(pack / "config" / f"{environment}.json")
    return next((path for path in candidates if path.is_file()), None)


def stack_files(program: Path) -> dict[str, Path]:
    """`{stack: Pulumi.<stack>.yaml}` of the project directory (Pulumi.yaml itself is the project, not a stack)."""
    found: dict[str, Path] = {}
    for path in sorted(program.glob("Pulumi.*.yaml")):
        match = _STACK_FILE.fullmatch(path.name)
        if match is not None and path.is_file():
            found[match["stack"]] = path
    return found


def discover_stacks(program: Path, pack: Path, project: str) -> list[StackEntry]:
    """Every stack of the project, non-prod environments first (in ENVIRONMENTS' order), then prod; by name within
    an environment. Raises PlannerConfigError (exit 2) naming each file whose stack name or environment is bad."""
    entries: list[StackEntry] = []
    problems: list[str] = []
    for stack, path in stack_files(program).items():
        if not STACK_NAME.fullmatch(stack):
            problems.append(f"{path}: stack name {stack!r} must match {STACK_NAME.pattern} (lower case; it names "
                            "GitHub environments and concurrency groups)")
            continue
        environment, problem = stack_environment(stack, declared_environment(path, project))
        if environment is None:
            problems.append(f"{path}: cannot tell the environment of stack {stack!r}: {problem}")
            continue
        entries.append(StackEntry(stack, environment, path, policy_config_for(pack, stack, environment)))
    if problems:
        raise PlannerConfigError("; ".join(problems))
    if not entries:
        raise PlannerConfigError(f"no stack file (Pulumi.<stack>.yaml) in {program}")
    return sorted(entries, key=lambda e: (e.is_prod, ENVIRONMENTS.index(e.environment), e.stack))
