"""`ops drift`: has anything changed in the cloud behind Pulumi's back?

    python -m ops drift --stack prod [--stack preview ...] [--json drift.json] [--report drift.md]

Unlike `plan` and `diff` this needs the Pulumi CLI, the state backend (`pulumi login`) and cloud credentials: it
runs a refresh preview of each stack through the Automation API (`ops.drift.runner`), which reads every resource
from its provider and writes nothing. Stacks are checked concurrently. Exit 0 no drift, 1 drift in some stack,
2 some stack's check could not run (the worst wins), 130 interrupted.

`--json` and `--report` are written for a run that checked its stacks, including a stack whose check failed
(its status is `error`, so a workflow does not close that stack's issue); a run that could not start (no CLI,
no Pulumi.yaml) writes neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import PlannerConfigError
from .common import Outcome, on_interrupt, run_command

if TYPE_CHECKING:  # the SDK is imported only when a check runs
    from pulumi.automation import PulumiCommand

    from ..drift.model import DriftReport
    from ..drift.runner import LockRetry

REPO_ROOT = Path(__file__).resolve().parents[2]

HELP = (
    "Check stacks for drift: a refresh preview (`pulumi refresh --preview-only`, through the Automation API; "
    "nothing is written) of each stack, concurrently, listing every resource changed or deleted outside Pulumi "
    "with the property paths that differ (secrets masked). Needs the Pulumi CLI, `pulumi login` and cloud "
    "credentials.\n\nExit codes: 0 no drift; 1 drift found; 2 a check could not run (missing CLI, login or "
    "credentials, unknown stack, locked stack, provider error); 130 interrupted."
)


def run_drift(
    stacks: list[str],
    *,
    work_dir: Path = REPO_ROOT,
    command: PulumiCommand | None = None,
    retry: LockRetry | None = None,
) -> DriftReport:
    """Check the stacks; `command` is the Automation API's seam for the CLI (tests pass a fake one)."""
    from ..drift.runner import check_stacks, interrupt_children, make_command  # noqa: PLC0415 - loads the SDK
    from ..project import load_project  # noqa: PLC0415

    if not stacks or any(not s.strip() for s in stacks):
        raise PlannerConfigError("name each stack to check: --stack NAME (repeat for several)")
    project = load_project(work_dir).name  # Pulumi.yaml must be readable before anything runs
    on_interrupt(interrupt_children)  # Ctrl-C asks the running refreshes to cancel
    return check_stacks(stacks, project=project, work_dir=work_dir, command=command or make_command(), retry=retry)


def outcome_of(report: DriftReport) -> Outcome:
    from ..reports.drift_text import drift_document, render_drift_markdown, render_drift_text  # noqa: PLC0415

    return Outcome(
        exit_code=report.exit_code,
        render=lambda stream: stream.write(render_drift_text(report)),
        json_document=lambda: drift_document(report),
        report_document=lambda: render_drift_markdown(report),
    )


def drift(
    stack: Annotated[
        list[str], typer.Option("--stack", "-s", metavar="NAME", help="A stack to check (repeat for several).")
    ],
    json_file: Annotated[
        Path | None,
        typer.Option("--json", "-j", metavar="FILE", help="Also write the result as JSON to FILE; - for stdout."),
    ] = None,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", "-r", metavar="FILE",
                     help="Also write markdown (one GitHub issue body per stack) to FILE; - for stdout."),
    ] = None,
    lock_retries: Annotated[
        int, typer.Option("--lock-retries", metavar="N", min=0, show_default=True,
                          help="Retries while another update holds a stack's lock.")
    ] = 3,
    lock_backoff: Annotated[
        float, typer.Option("--lock-backoff", metavar="SECONDS", min=0.0, show_default=True,
                            help="Seconds before the first lock retry (then doubled).")
    ] = 10.0,
) -> None:
    def body() -> Outcome:
        from ..drift.runner import LockRetry  # noqa: PLC0415

        return outcome_of(run_drift(stack, retry=LockRetry(retries=lock_retries, backoff=lock_backoff)))

    raise typer.Exit(run_command(json_file, body, report_path=report_file))
