"""Errors that end a command with exit code 2, each carrying a complete human message."""

from __future__ import annotations


class OpsError(Exception):
    """A failure the CLI reports as its message alone (no traceback), exiting with `exit_code`."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(OpsError):
    """Pulumi.yaml, the stack file or the policy config file is missing, malformed or invalid."""


class ProgramError(OpsError):
    """The Pulumi program raised, or logged an error, while it was being planned."""


class PolicyPackError(OpsError):
    """The policy pack failed to boot, or failed (a policy raised) while being evaluated."""
