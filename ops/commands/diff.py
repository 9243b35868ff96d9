"""`ops diff`: what a change changes, from two offline plans.

    python -m ops plan --stack prod --json base.json        # on the target branch
    python -m ops plan --stack prod --json head.json        # on the pull request
    python -m ops diff base.json head.json --report diff.md

No cloud account, no state: this is the review a fork's pull request can get. It exits 1 when something needs
attention (a stateful resource removed or replaced, protection or a deletion guard turned off, a replacement,
a purchase made anew or again, a policy that now fails), so a workflow can require a second look; 0 otherwise;
2 for unreadable input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import PlannerConfigError
from .common import Outcome, run_command

HELP = (
    "Compare two plans written by `ops plan --json` (base, then head): resources added, removed and changed with "
    "the property paths that differ, the changes that matter most first, and a Mermaid diagram of the stack with "
    "the changed parts marked. Offline: no Pulumi CLI, state or credentials.\n\n"
    "Exit codes: 0 nothing needs attention; 1 something needs attention (a stateful resource removed or replaced, "
    "protection or a deletion guard turned off, a replacement, a purchase made anew or again (a subscription, a "
    "per-hour resource), a policy that now fails); 2 could not run (an "
    "unreadable plan file, bad options); 130 interrupted."
)


def _read(path: Path) -> dict[str, Any]:
    from ..changes import PlanDocumentError, read_plan_document  # noqa: PLC0415

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlannerConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return read_plan_document(text, str(path))
    except PlanDocumentError as exc:
        raise PlannerConfigError(str(exc)) from None


def diff(
    base: Annotated[
        Path, typer.Argument(metavar="BASE", help="The base plan (`ops plan --json` on the target branch).")
    ],
    head: Annotated[Path, typer.Argument(metavar="HEAD", help="The head plan (`ops plan --json` on the change).")],
    json_file: Annotated[
        Path | None,
        typer.Option("--json", "-j", metavar="FILE", help="Also write the changes as JSON to FILE; - for stdout."),
    ] = None,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", "-r", metavar="FILE",
                     help="Also write markdown for a pull-request comment to FILE; - for stdout."),
    ] = None,
) -> None:
    def body() -> Outcome:
        from dataclasses import asdict  # noqa: PLC0415

        from ..changes import compare, json_value  # noqa: PLC0415
        from ..cost.report import (  # noqa: PLC0415
            delta_json,
            delta_markdown_lines,
            delta_text_lines,
            document_delta,
            purchase_attention,
        )
        from ..reports.diagram import mermaid  # noqa: PLC0415
        from ..reports.diff_report import render_diff_markdown, render_diff_text  # noqa: PLC0415

        base_document, head_document = _read(base), _read(head)
        changes = compare(base_document, head_document)
        # What the change costs a month: both plans priced with the same (current) table (ops/cost).
        cost = document_delta(base_document, head_document, changes)
        # A purchase the change makes (a subscription bought again, NAT gateways re-created) needs attention: the
        # monthly delta of a replacement is zero.
        changes.add_attention(purchase_attention(cost))

        def document() -> dict[str, Any]:
            return {
                "project": changes.project,
                "stack": changes.stack,
                "baseStack": changes.base_stack,
                "attention": [asdict(a) for a in changes.attention],
                "changes": [
                    {
                        "urn": c.urn,
                        "type": c.type,
                        "name": c.name,
                        "kind": c.kind,
                        "replacementKnown": c.replacement_known,
                        "properties": [
                            {
                                "path": p.path,
                                "old": json_value(p.old),
                                "new": json_value(p.new),
                                "uncertain": p.uncertain,
                            }
                            for p in c.properties
                        ],
                    }
                    for c in changes.changes
                ],
                "policy": [asdict(p) for p in changes.policy],
                "mermaid": mermaid(changes),
                "cost": delta_json(cost),
            }

        return Outcome(
            exit_code=1 if changes.needs_attention else 0,
            render=lambda stream: stream.write(render_diff_text(changes, cost_lines=delta_text_lines(cost))),
            json_document=document,
            report_document=lambda: render_diff_markdown(changes, cost_lines=delta_markdown_lines(cost)),
        )

    raise typer.Exit(run_command(json_file, body, report_path=report_file))

