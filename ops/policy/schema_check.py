"""Policy config validation in a helper process, so `jsonschema`'s import (~0.1 s) never delays a plan.

The engine validates the reconciled policy config before Configure (`validatePolicyPackConfig`). Done in the
planner's process, importing `jsonschema` would add its import time to the plan's critical path (the main
thread is busy running the program, and a thread would only contend for the GIL). So once the pack is
configured (it has booted, and its core is idle until the program's resources arrive), `SchemaChecker`
starts `python -m ops.policy.schema_check` there, which validates while the program runs and answers on
stdout. Started earlier, it would slow the pack's boot and the program on a two-core machine. If the
helper cannot be used, the check runs in process: slower, same verdict.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..model import PolicyConfigEntry, PolicyInfo
from .config import validate_policy_config

_ROOT = Path(__file__).resolve().parents[2]  # the directory holding the `ops` package


def _request(policies: list[PolicyInfo], effective: dict[str, PolicyConfigEntry], pack: str, version: str) -> str:
    return json.dumps(
        {
            "policies": [asdict(p) for p in policies],
            "config": {name: asdict(entry) for name, entry in effective.items()},
            "pack": pack,
            "version": version,
        }
    )


def _answer(raw: str) -> list[str]:
    data: dict[str, Any] = json.loads(raw)
    policies = [PolicyInfo(**{**p, "required": tuple(p["required"])}) for p in data["policies"]]
    effective = {name: PolicyConfigEntry(**entry) for name, entry in data["config"].items()}
    return validate_policy_config(policies, effective, data["pack"], data["version"])


class SchemaChecker:
    """One validation, answered by a helper process started early; falls back to validating in process."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._request: str | None = None
        self._needed = False  # some policy has a schema to validate against
        self._sent = False

    def start(self) -> SchemaChecker:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), env.get("PYTHONPATH")]))
        with contextlib.suppress(OSError):
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "ops.policy.schema_check"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=env,
                start_new_session=True,  # a Ctrl-C is the planner's to handle
            )
        return self

    def submit(self, policies: list[PolicyInfo], effective: dict[str, PolicyConfigEntry], pack: str,
               version: str) -> None:
        """Hand the reconciled config to the helper (started now); `errors()` reads the answer."""
        self._request = _request(policies, effective, pack, version)
        self._needed = any(p.has_schema for p in policies)
        if not self._needed:
            return
        if self._proc is None:
            self.start()
        if self._proc is not None and self._proc.stdin is not None:
            try:
                self._proc.stdin.write(self._request)
                self._proc.stdin.close()
                self._sent = True
            except OSError:
                self._sent = False

    def errors(self, timeout: float = 60.0) -> list[str]:
        """The engine's validation messages (empty if the config is valid)."""
        if self._request is None or not self._needed:
            return []
        if self._sent and self._proc is not None:
            try:
                out, _ = self._proc.communicate(timeout=timeout)
                if self._proc.returncode == 0:
                    return list(json.loads(out))
            except (subprocess.TimeoutExpired, ValueError, OSError):
                self.close()
        return _answer(self._request)

    def close(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)


def main() -> None:
    import jsonschema  # noqa: F401, PLC0415 - the point of this process: import it while the plan runs

    sys.stdout.write(json.dumps(_answer(sys.stdin.read())))


if __name__ == "__main__":
    main()
