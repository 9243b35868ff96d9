"""The drift check's result: per stack a status, the drifted resources and what differs, or an error.

Values here are already masked for display (`[secret]`, `[unknown]`, `(not set)`): nothing downstream of this
module can print a secret's plaintext. No Pulumi SDK import, so the reports stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ExitCode

NOT_SET = "(not set)"

# A stack's status, and the exit code it contributes (the run exits with the worst).
CLEAN = "clean"
DRIFT = "drift"
ERROR = "error"
STATUS_EXIT = {CLEAN: ExitCode.CLEAN, DRIFT: ExitCode.FOUND, ERROR: ExitCode.CANNOT_RUN}

# What went wrong, for the message and for a workflow that reads `--json`.
ERROR_KINDS = (
    "cli-missing",  # no `pulumi` executable, or one too old for the Automation API
    "login",  # not logged in to the state backend, or the secrets provider cannot be opened
    "credentials",  # the cloud provider refused or found no credentials
    "stack-not-found",
    "locked",  # another update held the stack's lock through every retry
    "provider",  # a step failed: the provider's diagnostics are quoted
    "failed",  # anything else the CLI reported
)


@dataclass(frozen=True)
class PropertyDrift:
    """One property path whose value in the cloud differs from the state: old (state) -> new (cloud)."""

    path: str
    old: Any  # display value; NOT_SET when the state did not have it
    new: Any  # display value; NOT_SET when the cloud no longer has it


@dataclass
class DriftedResource:
    urn: str
    type: str
    name: str
    kind: str  # "update": changed out of band; "delete": deleted out of band
    properties: list[PropertyDrift] = field(default_factory=list)


@dataclass
class StackDrift:
    """One stack's check."""

    stack: str
    project: str
    status: str = CLEAN
    resources: list[DriftedResource] = field(default_factory=list)
    unchanged: int = 0  # resources the refresh found as recorded
    error: str | None = None  # the message: what failed and what to do
    error_kind: str | None = None
    diagnostics: list[str] = field(default_factory=list)  # the engine's error lines, redacted
    attempts: int = 1  # refresh previews run (more than one when the stack was locked)
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return int(STATUS_EXIT[self.status])

    @property
    def short_stack(self) -> str:
        """`prod` for `prod`, `acme/platform/prod` alike: the name the issue marker uses."""
        return self.stack.rsplit("/", 1)[-1]

    def of_kind(self, kind: str) -> list[DriftedResource]:
        return [r for r in self.resources if r.kind == kind]


@dataclass
class DriftReport:
    project: str
    stacks: list[StackDrift]

    @property
    def exit_code(self) -> int:
        # The worst stack wins: a failed check must not be read as "no drift" because another stack was clean.
        return max((s.exit_code for s in self.stacks), default=int(ExitCode.CLEAN))
