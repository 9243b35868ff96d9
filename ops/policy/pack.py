"""A policy pack: its PulumiPolicy.yaml and its process.

`PolicyPackProcess` starts `python -u -m pulumi.policy 127.0.0.1:0 <pack>` the way the CLI's
analyzer host does, and needs only the standard library: the CLI starts it before it imports the
Pulumi SDK, so the pack boots while the program runs.

The stack's config reaches the pack through `PULUMI_CONFIG` in its environment, as `constructEnv` in
pkg/resource/plugin/analyzer_plugin.go passes it. Linux limits one environment string to 128 KiB
(MAX_ARG_STRLEN) and all of them together to ARG_MAX: a larger config is refused up front with its size,
where the CLI would fail to start the pack.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PlannerConfigError, PolicyPackError
from ..yamlfile import YamlFileError, read_yaml

MAX_ENV_STRING = 128 * 1024  # Linux MAX_ARG_STRLEN, including "NAME=" and the terminating NUL
_LIVE: set[PolicyPackProcess] = set()  # started and not yet closed, for the interrupt handler


def close_all() -> None:
    """Stop every pack process still running (Ctrl-C, or a failure before the normal close)."""
    for proc in list(_LIVE):
        proc.close()

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
    if not path.is_file():
        raise PlannerConfigError(f"no PulumiPolicy.yaml in policy pack directory {directory}")
    try:
        data = read_yaml(path, "policy pack file")
    except YamlFileError as exc:
        raise PlannerConfigError(str(exc)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PlannerConfigError(f"{path} must be a mapping")
    runtime = data.get("runtime", "python")
    options: dict[str, Any] = {}
    if isinstance(runtime, dict):
        options = runtime.get("options") or {}
        runtime = runtime.get("name", "python")
    if runtime != "python":
        raise PlannerConfigError(f"policy pack {directory} uses runtime '{runtime}'; only python packs are supported")
    python = sys.executable
    venv = options.get("virtualenv")
    if venv:
        # Resolve the virtualenv's directory, never its interpreter: bin/python is a symlink to the base Python,
        # and started through the resolved path it would not see the virtualenv's packages.
        candidate = (directory / str(venv)).resolve() / "bin" / "python"
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
        _check_environment_size(env)
        _check_environment_size(env)
        self._proc: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self._port_ready = threading.Event()
        self._stderr: deque[str] = deque(maxlen=200)
        self._threads: list[threading.Thread] = []
        self._started_at: float | None = None
        self.boot_seconds: float | None = None  # from start to the pack reporting its port
        self.cpu_seconds: float | None = None  # the pack's own CPU time (boot and every call), read at close

    def start(self) -> None:
        # `-u` matters: PolicyPack writes its port without flushing. Its own session: a Ctrl-C in the
        # terminal reaches only the planner, which stops the pack itself (no KeyboardInterrupt noise there).
        try:
            self._proc = subprocess.Popen(
                [self.spec.python, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(self.spec.directory)],
                cwd=self.spec.directory,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise PolicyPackError(f"cannot start policy pack {self.spec.directory}: {exc.strerror or exc}") from None
        self._started_at = time.perf_counter()
        _LIVE.add(self)
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
                if self._started_at is not None:
                    self.boot_seconds = time.perf_counter() - self._started_at
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
            detail = trim_traceback(self.stderr_text()) or "(no output)"
            raise PolicyPackError(f"policy pack {self.spec.directory} failed to start:\n{detail}")
        return f"127.0.0.1:{self._port}"

    def close(self) -> None:
        _LIVE.discard(self)
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        self.cpu_seconds = _cpu_seconds(proc.pid)
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


def _check_environment_size(env: Mapping[str, str]) -> None:
    config = env.get("PULUMI_CONFIG", "")
    size = len(b"PULUMI_CONFIG=") + len(config.encode()) + 1
    if size > MAX_ENV_STRING:
        raise PlannerConfigError(
            f"the stack config is {size:,} bytes as PULUMI_CONFIG, over the {MAX_ENV_STRING:,}-byte limit for one "
            "environment variable: the policy pack receives config through its environment (as from the Pulumi "
            "CLI), so it could not start. Move large values out of stack config."
        )
    total = sum(len(k.encode()) + len(v.encode()) + 2 for k, v in env.items())
    limit = os.sysconf("SC_ARG_MAX") if hasattr(os, "sysconf") else 2 * 1024 * 1024
    if total > limit - 64 * 1024:  # leave room for the command line
        raise PlannerConfigError(
            f"the policy pack's environment would be {total:,} bytes (the stack config is {size:,} of them), "
            f"over this system's limit of about {limit:,} bytes; shrink the stack config"
        )


def trim_traceback(text: str, keep: int = 12) -> str:
    """A pack's boot failure: the exception and the frames in the pack's own files, not the SDK's."""
    lines = [line for line in text.splitlines() if line.strip()]
    if "Traceback (most recent call last):" not in text:
        return "\n".join(lines[-keep:])
    start = max(i for i, line in enumerate(lines) if line.startswith("Traceback"))
    kept: list[str] = []
    skipping = False
    for line in lines[start + 1 :]:
        if line.startswith("  File "):
            skipping = "site-packages" in line or "<frozen " in line
        if not (skipping and line.startswith("  ")):
            kept.append(line)
    return "\n".join(kept[-keep:])


def _cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a running process (Linux /proc; None elsewhere). For the bench."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None
