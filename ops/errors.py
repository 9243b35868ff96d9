"""The exit codes of every `ops` command, and the errors that end a command with one.

One table for `plan`, `diff`, `drift` and `stacks`, which the workflows read:

| code | meaning                                                                                   |
|------|-------------------------------------------------------------------------------------------|
| 0    | clean: the command ran and its check found nothing                                        |
| 1    | the command's check found something (`plan`: a mandatory policy violation; `drift`: drift) |
| 2    | could not run: bad input, a program or policy pack failure, missing tools or credentials  |
| 130  | interrupted (Ctrl-C / SIGINT)                                                             |

The Pulumi CLI differs: `pulumi preview` exits 1 for a policy violation, a program error and bad
stack config alike (`pkg/cmd/pulumi/cmd/exit_codes.go`: ExitCodeError = 1 is the fallback; only bad
flags map to 2, a missing stack to 6, cancellation to 8). A CI job reading `ops` can tell
"policy violated" from "did not run"; one reading `pulumi preview` cannot.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    CLEAN = 0
    FOUND = 1  # the check found something: a mandatory violation (plan), drift (drift)
    CANNOT_RUN = 2
    INTERRUPTED = 130


EXIT_CODES_HELP = (
    "Exit codes, for every command: 0 clean; 1 the command's check found something (plan: a mandatory policy "
    "violation; diff: a change that needs attention; drift: drift); 2 could not run (bad input or options, a "
    "program or policy pack failure, missing tools or credentials); 130 interrupted. Unlike `pulumi preview`, which "
    "exits 1 for a policy violation, a program error and bad config alike."
)


class OpsError(Exception):
    """A failure the CLI reports as its message alone (no traceback), exiting with `exit_code`."""

    exit_code: int = ExitCode.CANNOT_RUN

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PlannerConfigError(OpsError):
    """Bad input: Pulumi.yaml, the stack file, the policy config, a path or an option."""


class ProgramError(OpsError):
    """The Pulumi program raised, or logged an error, while it was being planned."""


class PolicyPackError(OpsError):
    """The policy pack failed to boot, or failed (a policy raised) while being evaluated."""
