"""The drift check through the Pulumi Automation API: one LocalWorkspace per stack, `Stack.preview_refresh`.

`preview_refresh` runs `pulumi refresh --preview-only`: the provider reads every resource and the engine reports
what differs from the state, writing nothing (`refresh(preview_only=True)` is its deprecated spelling, and
`preview(refresh=True)` would also report undeployed code changes, which are not drift). The stack is selected
with `select_stack(name, work_dir=<repo root>)`, so Pulumi.yaml names the project and the user's `pulumi login`
backend and secrets provider apply.

Every failure becomes a `StackDrift` with status `error`, a kind and a message that says what to do; the raw
CLI output (`CommandError`'s text holds all of stdout and stderr) is never printed, only its error lines,
redacted.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pulumi import automation as auto
from pulumi.automation import errors as auto_errors

from ..errors import OpsError
from .events import DriftCollector, clean_message
from .model import CLEAN, DRIFT, ERROR, DriftReport, StackDrift

INSTALL_HINT = "install it (https://www.pulumi.com/docs/iac/download-install/) and put `pulumi` on PATH"
_MAX_QUOTED_LINES = 20
_MAX_LINE = 500

# Text the Pulumi CLI prints when it cannot reach or open the state backend or the secrets provider.
_LOGIN_PATTERNS = (
    "PULUMI_ACCESS_TOKEN must be set for login",
    "problem logging in",
    "getting user info",
    "401 HTTP error",
    "Unauthorized: No credentials provided or are invalid",
    "PULUMI_CONFIG_PASSPHRASE",
    "incorrect passphrase",
    "constructing secrets manager",
    "could not read access token",
    "failed to decrypt",
)
# Text cloud providers print when they have no credentials or refuse them (AWS, Azure, Cloudflare).
_CREDENTIAL_PATTERNS = (
    "NoCredentialProviders",
    "no valid credential sources",
    "failed to refresh cached credentials",
    "ExpiredToken",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "security token included in the request is invalid",
    "AccessDenied",
    "UnauthorizedOperation",
    "AuthorizationFailed",
    "DefaultAzureCredential",
    "az login",
    "Invalid access token",
    "CLOUDFLARE_API_TOKEN",
)
_COMMAND_ERROR_TEXT = re.compile(r"\n code: (-?\d+)\n stdout: (.*)\n stderr: (.*)\Z", re.DOTALL)


@dataclass(frozen=True)
class LockRetry:
    """How long to wait for another update's lock: `retries` more tries, the delay doubling from `backoff`."""

    retries: int = 3
    backoff: float = 10.0  # seconds before the first retry
    max_delay: float = 60.0

    def delays(self) -> list[float]:
        return [min(self.backoff * 2**i, self.max_delay) for i in range(self.retries)]


def make_command(root: str | None = None) -> auto.PulumiCommand:
    """The CLI the workspaces run: `pulumi` on PATH (or `<root>/bin/pulumi`), version-checked once."""
    try:
        # The SDK runs `pulumi version` here: a missing executable is a FileNotFoundError from subprocess.
        return auto.PulumiCommand(root=root)
    except FileNotFoundError:
        where = f"{root}/bin/pulumi" if root else "`pulumi` on PATH"
        raise OpsError(f"the Pulumi CLI was not found ({where}): {INSTALL_HINT}. Nothing was checked.") from None
    except PermissionError:
        raise OpsError(f"the Pulumi CLI is not executable: {INSTALL_HINT}. Nothing was checked.") from None
    except auto_errors.InvalidVersionError as exc:
        raise OpsError(f"the Pulumi CLI cannot be used by the Automation API: {exc}. Nothing was checked.") from None
    except subprocess.CalledProcessError as exc:
        raise OpsError(
            f"`pulumi version` failed (exit code {exc.returncode}): reinstall the Pulumi CLI. Nothing was checked."
        ) from None


@dataclass
class _Captured:
    """The CLI's stdout and stderr lines, as the SDK hands them to `on_output` / `on_error`."""

    stdout: list[str]
    stderr: list[str]


def _command_text(exc: BaseException, captured: _Captured | None) -> tuple[int | None, str]:
    """The exit code and stderr+stdout of a failed command (from the callbacks, or parsed from the error)."""
    match = _COMMAND_ERROR_TEXT.search(str(exc))
    code = int(match.group(1)) if match else None
    if captured is not None and (captured.stdout or captured.stderr):
        return code, "\n".join(captured.stderr + captured.stdout)
    if match:
        return code, match.group(3) + "\n" + match.group(2)
    return code, ""


def _error_lines(text: str) -> list[str]:
    lines = [clean_message(line).strip() for line in text.splitlines()]
    picked = [line for line in lines if line.lower().startswith("error:") or " error: " in line.lower()]
    return picked or [line for line in lines if line][-3:]


def _quote(lines: Sequence[str], redact: Callable[[str], str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        for raw in line.splitlines():
            part = redact(raw.strip())
            if part and part not in out:
                out.append(part if len(part) <= _MAX_LINE else part[: _MAX_LINE - 1] + "…")
    return out[:_MAX_QUOTED_LINES]


class StackCheck:
    """One stack: its own workspace, selection, the refresh preview with lock retries, and the result."""

    def __init__(
        self,
        *,
        stack: str,
        project: str,
        work_dir: Path,
        command: auto.PulumiCommand,
        retry: LockRetry,
        sleep: Callable[[float], None],
    ) -> None:
        self.result = StackDrift(stack=stack, project=project)
        self._work_dir = work_dir
        self._command = command
        self._retry = retry
        self._sleep = sleep
        self._stack: auto.Stack | None = None

    def select(self) -> None:
        try:
            opts = auto.LocalWorkspaceOptions(pulumi_command=self._command)
            self._stack = auto.select_stack(stack_name=self.result.stack, work_dir=str(self._work_dir), opts=opts)
        except Exception as exc:  # every failure is reported per stack
            self._fail(exc, DriftCollector(), None)

    def run(self) -> StackDrift:
        if self._stack is None:
            return self.result
        delays = self._retry.delays()
        while True:
            collector = DriftCollector()
            captured = _Captured([], [])
            try:
                self._stack.preview_refresh(
                    on_event=collector.on_event,
                    on_output=captured.stdout.append,
                    on_error=captured.stderr.append,
                    color="never",
                    suppress_progress=True,
                )
            except auto_errors.ConcurrentUpdateError as exc:
                if delays:
                    # Another update holds the lock (a deploy, another drift check on an older CLI): wait and retry.
                    self._sleep(delays.pop(0))
                    self.result.attempts += 1
                    continue
                self._fail(exc, collector, captured)
                return self.result
            except Exception as exc:  # every failure is reported per stack
                self._fail(exc, collector, captured)
                return self.result
            self._succeed(collector)
            return self.result

    def _succeed(self, collector: DriftCollector) -> None:
        r = self.result
        r.resources = collector.drifted()
        r.unchanged = collector.unchanged
        counted = sum((collector.summary or {}).get(op, 0) for op in ("update", "delete"))
        if counted > len(r.resources):
            # The engine counted more drift than its events described: report drift, never a false "clean".
            r.warnings.append(
                f"the engine's summary counts {counted} drifted resources but described {len(r.resources)}"
            )
        if collector.callback_failures:
            r.warnings.append(f"{collector.callback_failures} engine events could not be read")
        r.status = DRIFT if r.resources or counted else CLEAN

    def _fail(self, exc: BaseException, collector: DriftCollector, captured: _Captured | None) -> None:
        r = self.result
        r.status = ERROR
        name = r.stack
        code, text = _command_text(exc, captured)
        redact = collector.redact
        if isinstance(exc, auto_errors.StackNotFoundError):
            r.error_kind = "stack-not-found"
            r.error = (
                f"stack {name} does not exist on the backend you are logged in to (`pulumi whoami -v` names it): "
                f"check the name, `pulumi login` to the right backend, or create it with `pulumi stack init {name}`"
            )
            return
        if isinstance(exc, auto_errors.ConcurrentUpdateError):
            r.error_kind = "locked"
            waited = sum(self._retry.delays())
            r.error = (
                f"stack {name} stayed locked by another update through {r.attempts} tries over {waited:g}s: "
                f"let that update finish and run `ops drift` again; if none is running, the lock is stale "
                f"(`pulumi cancel --stack {name}` on Pulumi Cloud, or remove the lock file the message names)"
            )
            # All of the CLI's lines: the ones after the error name the lock file and who holds it.
            r.diagnostics = _quote([line for line in text.splitlines() if line.strip()], redact)
            return
        if not isinstance(exc, auto_errors.CommandError):
            # Not the CLI's failure: the SDK's own (no summary event, a version it cannot parse) or a bug here.
            r.error_kind = "failed"
            r.error = f"the refresh preview of {name} could not run: {type(exc).__name__}: {redact(str(exc))}"
            return
        diagnostics = _quote(collector.errors or _error_lines(text), redact)
        text = "\n".join([text, *collector.errors])  # the engine's diagnostics name the cause as often as stderr
        r.diagnostics = diagnostics
        exit_text = f" (exit code {code})" if code is not None else ""
        if any(p in text for p in _LOGIN_PATTERNS):
            r.error_kind = "login"
            r.error = (
                f"{name}: the state backend or the secrets provider refused access{exit_text}: run `pulumi login` "
                "(CI: PULUMI_ACCESS_TOKEN or PULUMI_BACKEND_URL), and for a passphrase secrets provider set "
                "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE"
            )
        elif any(p in text for p in _CREDENTIAL_PATTERNS):
            r.error_kind = "credentials"
            r.error = (
                f"{name}: a cloud provider found no valid credentials or refused them{exit_text}: locally "
                "`aws sso login` / AWS_PROFILE (az login, CLOUDFLARE_API_TOKEN for the others), in CI the "
                "environment's OIDC role; a refusal (AccessDenied) means the role lacks read permission"
            )
        elif collector.errors or collector.failed_urns:
            r.error_kind = "provider"
            failed = ", ".join(u.rsplit("::", 1)[-1] for u in collector.failed_urns)
            which = f" (failed: {failed})" if failed else ""
            r.error = (
                f"{name}: a provider failed to read a resource{which}{exit_text}: see its error below; fix the "
                "cause (permissions, a resource the provider cannot read) and run again"
            )
        else:
            r.error_kind = "failed"
            r.error = f"{name}: `pulumi refresh --preview-only` failed{exit_text}: see its error below"


def interrupt_children() -> None:
    """Ctrl-C: ask the running `pulumi` processes to cancel (SIGINT is the CLI's graceful cancel).

    A terminal's Ctrl-C reaches the whole process group anyway; a SIGINT sent to this process alone (a CI
    runner cancelling the job) would otherwise leave the refreshes running. Linux `/proc` only; elsewhere a no-op.
    """
    for children in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        with contextlib.suppress(OSError, ValueError):
            for pid in children.read_text().split():
                with contextlib.suppress(OSError):
                    os.kill(int(pid), signal.SIGINT)


def check_stacks(
    stacks: Sequence[str],
    *,
    project: str,
    work_dir: Path,
    command: auto.PulumiCommand,
    retry: LockRetry | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DriftReport:
    """Check every stack, concurrently, each in its own workspace; the report lists them in the order given."""
    retry = retry or LockRetry()
    checks = [
        StackCheck(stack=s, project=project, work_dir=work_dir, command=command, retry=retry, sleep=sleep)
        for s in dict.fromkeys(stacks)  # a stack named twice is checked once
    ]
    # Selecting runs `pulumi stack select`, which rewrites the project's workspace file in PULUMI_HOME: one at a
    # time, and all before any refresh reads it. Every later command names its stack with `--stack`.
    for check in checks:
        check.select()
    with ThreadPoolExecutor(max_workers=max(1, len(checks)), thread_name_prefix="drift") as pool:
        results = list(pool.map(StackCheck.run, checks))
    return DriftReport(project=project, stacks=results)
