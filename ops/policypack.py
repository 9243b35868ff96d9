"""A policy pack: its PulumiPolicy.yaml, its process, and its configuration.

`PolicyPackProcess` starts `python -u -m pulumi.policy 127.0.0.1:0 <pack>` the way the CLI's
analyzer host does, and needs only the standard library: the CLI starts it before it imports the
Pulumi SDK, so the pack boots while the program runs. The configuration helpers reproduce the
engine's `ReconcilePolicyPackConfig` (pkg/resource/analyzer/config.go).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, PolicyPackError

LEVELS = ("advisory", "mandatory", "remediate", "disabled")

# --------------------------------------------------------------------------------------------------
# The pack and its process


@dataclass(frozen=True)
class PolicyPackSpec:
    """What PulumiPolicy.yaml says about a pack."""

    directory: Path
    runtime: str
    version: str | None
    description: str | None
    python: str


def load_policy_pack(directory: Path) -> PolicyPackSpec:
    path = directory / "PulumiPolicy.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no PulumiPolicy.yaml in policy pack directory {directory}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"malformed YAML in {path}: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must be a mapping")
    runtime = data.get("runtime", "python")
    options: dict[str, Any] = {}
    if isinstance(runtime, dict):
        options = runtime.get("options") or {}
        runtime = runtime.get("name", "python")
    if runtime != "python":
        raise ConfigError(f"policy pack {directory} uses runtime '{runtime}'; only python packs are supported")
    python = sys.executable
    venv = options.get("virtualenv")
    if venv:
        candidate = (directory / str(venv) / "bin" / "python").resolve()
        if candidate.exists():
            python = str(candidate)
    version = data.get("version")
    description = data.get("description")
    return PolicyPackSpec(
        directory=directory,
        runtime="python",
        version=str(version) if version is not None else None,
        description=str(description) if description is not None else None,
        python=python,
    )


class PolicyPackProcess:
    """The analyzer plugin process. Start it early; `address()` waits for its port."""

    def __init__(
        self,
        spec: PolicyPackSpec,
        *,
        project: str,
        stack: str,
        organization: str,
        config: Mapping[str, str],
        dry_run: bool = True,
    ) -> None:
        self.spec = spec
        env = dict(os.environ)
        # The same variables the CLI's analyzer host sets (constructEnv in analyzer_plugin.go).
        env.update(
            {
                "PULUMI_CONFIG": json.dumps(dict(config)),
                "PULUMI_PROJECT": project,
                "PULUMI_STACK": stack,
                "PULUMI_DRY_RUN": "true" if dry_run else "false",
                "PULUMI_ORGANIZATION": organization,
            }
        )
        self._env = env
        self._proc: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self._port_ready = threading.Event()
        self._stderr: deque[str] = deque(maxlen=200)
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        # `-u` matters: PolicyPack writes its port without flushing.
        self._proc = subprocess.Popen(
            [self.spec.python, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(self.spec.directory)],
            cwd=self.spec.directory,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for target in (self._read_stdout, self._read_stderr):
            t = threading.Thread(target=target, daemon=True)
            t.start()
            self._threads.append(t)

    def _read_stdout(self) -> None:
        stdout = self._proc.stdout if self._proc else None
        if stdout is None:
            return
        first = True
        for raw in stdout:
            if first:
                first = False
                try:
                    self._port = int(raw.strip())
                except ValueError:
                    self._stderr.append(raw.decode(errors="replace").rstrip())
                self._port_ready.set()
            # Keep draining, so a chatty policy cannot block on a full pipe.
        self._port_ready.set()

    def _read_stderr(self) -> None:
        stderr = self._proc.stderr if self._proc else None
        if stderr is None:
            return
        for raw in stderr:
            self._stderr.append(raw.decode(errors="replace").rstrip())

    def stderr_text(self) -> str:
        return "\n".join(self._stderr).strip()

    def address(self, timeout: float = 60.0) -> str:
        if self._proc is None:
            self.start()
        if not self._port_ready.wait(timeout):
            raise PolicyPackError(f"policy pack {self.spec.directory} did not report a port within {timeout:.0f}s")
        if self._port is None:
            # Let the reader threads collect the pack's last words before quoting them.
            if self._proc is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(timeout=5)
            for t in self._threads:
                t.join(timeout=2)
            detail = self.stderr_text() or "(no output)"
            raise PolicyPackError(f"policy pack {self.spec.directory} failed to start:\n{detail}")
        return f"127.0.0.1:{self._port}"

    def close(self) -> None:
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        # PolicyPack sleeps in its main thread; SIGTERM ends it at once, which is all it needs.
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def __enter__(self) -> PolicyPackProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------------------------------
# Policy configuration


@dataclass(frozen=True)
class PolicyConfigEntry:
    level: str | None
    properties: dict[str, Any] = field(default_factory=dict)


def parse_policy_config(data: Any, source: str) -> dict[str, PolicyConfigEntry]:
    """Parse a policy config document like the CLI's `parsePolicyPackConfig`."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"policy config {source} must be a JSON object")
    result: dict[str, PolicyConfigEntry] = {}
    for name, value in data.items():
        if isinstance(value, str):
            if value not in LEVELS:
                raise ConfigError(
                    f"policy config {source}: '{value}' is not a valid enforcement level for '{name}' "
                    f"(expected one of {', '.join(LEVELS)})"
                )
            result[name] = PolicyConfigEntry(value)
        elif isinstance(value, dict):
            props = dict(value)
            level = props.pop("enforcementLevel", None)
            if level is not None and level not in LEVELS:
                raise ConfigError(
                    f"policy config {source}: '{level}' is not a valid enforcement level for '{name}' "
                    f"(expected one of {', '.join(LEVELS)})"
                )
            if level is None and not props:
                continue
            result[name] = PolicyConfigEntry(level, props)
        else:
            raise ConfigError(
                f"policy config {source}: the value of '{name}' must be an enforcement level or an object"
            )
    return result


def load_policy_config(path: Path) -> dict[str, PolicyConfigEntry]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"policy config file not found: {path}") from None
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"malformed JSON in policy config {path}: {exc}") from None
    return parse_policy_config(data, str(path))


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    level: str  # the policy's own default, or the pack's
    severity: str | None
    kind: str  # "resource" | "stack" | "unknown"
    schema_properties: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()


def _is_json_type(kind: str, value: Any) -> bool:
    # JSON numbers arrive as floats through a Struct; 7.0 is an integer to JSON schema.
    if kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return kind == "number" or float(value).is_integer()
    expected = {"string": str, "boolean": bool, "array": list, "object": dict}.get(kind)
    if expected is None:
        return value is None if kind == "null" else True
    return isinstance(value, expected)


def _schema_errors(policy: PolicyInfo, props: Mapping[str, Any]) -> list[str]:
    """The subset of JSON-schema checks the engine's validation applies most often."""
    errors = [f"{policy.name}: {r} is required" for r in policy.required if r not in props]
    for key, value in props.items():
        schema = policy.schema_properties.get(key)
        if not isinstance(schema, dict):
            continue
        types = schema.get("type")
        allowed = [types] if isinstance(types, str) else list(types or [])
        if allowed and not any(_is_json_type(t, value) for t in allowed):
            errors.append(f"{policy.name}: {key}: invalid type, expected {' or '.join(allowed)}")
        if "enum" in schema and value not in schema["enum"]:
            errors.append(f"{policy.name}: {key} must be one of {schema['enum']}")
    return errors


def reconcile_policy_config(
    policies: list[PolicyInfo],
    initial: Mapping[str, PolicyConfigEntry],
    user: Mapping[str, PolicyConfigEntry],
    *,
    source: str = "policy config",
) -> dict[str, PolicyConfigEntry]:
    """Every policy's effective level and config, in the engine's order of precedence.

    Schema defaults and the policy's own level (or the pack's), then the pack's initial config,
    then the user's file, where `all` sets every policy's level before per-policy entries apply.
    The result always carries an explicit level: a PolicyConfig without one decodes as advisory.
    """
    known = {p.name for p in policies}
    unknown = sorted(k for k in user if k != "all" and k not in known)
    if unknown:
        raise ConfigError(
            f"{source} names unknown polic{'ies' if len(unknown) > 1 else 'y'} {', '.join(unknown)}; "
            f"the pack has: {', '.join(sorted(known))}"
        )
    result: dict[str, PolicyConfigEntry] = {}
    for p in policies:
        defaults = {k: v["default"] for k, v in p.schema_properties.items() if isinstance(v, dict) and "default" in v}
        result[p.name] = PolicyConfigEntry(p.level, defaults)

    def apply(config: Mapping[str, PolicyConfigEntry]) -> None:
        everything = config.get("all")
        if everything is not None and everything.level is not None:
            for name, entry in result.items():
                result[name] = PolicyConfigEntry(everything.level, entry.properties)
        for name, given in config.items():
            if name == "all" or name not in result:
                continue
            current = result[name]
            result[name] = PolicyConfigEntry(given.level or current.level, {**current.properties, **given.properties})

    apply(initial)
    apply(user)
    errors = [e for p in policies for e in _schema_errors(p, result[p.name].properties or {})]
    if errors:
        raise ConfigError(f"{source} is invalid: " + "; ".join(errors))
    return result
