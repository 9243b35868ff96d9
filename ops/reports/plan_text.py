"""The plan report as plain text: what tests, CI logs and pipes get (`plan_rich` is for terminals)."""

from __future__ import annotations

import datetime as dt
from typing import IO

from ..cost.report import text_lines as cost_text_lines
from ..model import PlanReport
from ..values import Redactor
from .common import (
    children,
    output_lines,
    output_text,
    plan_redactor,
    policy_config_line,
    resource_flags,
    resource_label,
    sorted_diagnostics,
    summary_line,
    type_counts,
    walk,
)


def render_text(report: PlanReport, redact: Redactor | None = None) -> str:
    plan, policy = report.plan, report.policy
    redact = redact or plan_redactor(plan)
    out: list[str] = [
        f"Plan for project {plan.project}, stack {plan.stack} (offline preview, {plan.elapsed:.2f}s)",
        "",
        "Resources:",
    ]
    roots, kids = children(plan)
    for root in roots:
        for depth, rec in walk(root, kids):
            marks = resource_flags(rec)
            suffix = f"  [{', '.join(marks)}]" if marks else ""
            out.append(f"  {'    ' * depth}+ {rec.type}  {rec.name}{suffix}")
    out += ["", "Resource types:"]
    out += [f"  {n:>4}  {t}" for t, n in type_counts(plan)]
    if plan.outputs:
        out += ["", "Outputs:"]
        for k, v in sorted(plan.outputs.items()):
            lines = output_lines(v)
            if lines is None:
                out.append(f"  {k}: {output_text(v)}")
            else:
                out.append(f"  {k}:")
                out += [f"    {line}" for line in lines]
    if report.warnings:
        out += ["", "Warnings:"]
        out += [f"  warning: {redact(w)}" for w in report.warnings]
    if policy:
        out += ["", str(policy_config_line(report)), "", "Policy diagnostics:"]
        if not policy.diagnostics:
            out.append("  none")
        current = None
        for d in sorted_diagnostics(policy.diagnostics):
            if d.level != current:
                current = d.level
                out.append(f"  {d.level}:")
            severity = f" ({d.severity})" if d.severity else ""
            out.append(f"    [{d.level}] {d.policy}{severity}  {d.pack}@{d.pack_version}")
            out.append(f"      resource: {resource_label(d.urn, plan)}")
            out += [f"      {line}" for line in redact(d.message).splitlines()]
        for r in policy.remediations:
            out.append(f"  remediated by {r.policy}: {resource_label(r.urn, plan)}")
    out += _cost(report)
    out += ["", summary_line(report)]
    return "\n".join(out) + "\n"


def _cost(report: PlanReport) -> list[str]:
    """The monthly estimate (ops/cost), just above the summary: what a terminal shows last."""
    return ["", *cost_text_lines(report.cost, dt.date.today())] if report.cost is not None else []


def render(report: PlanReport, file: IO[str], *, color: bool | None = None) -> None:
    """Print the report: rich on a terminal, plain text otherwise."""
    redact = plan_redactor(report.plan)
    use_rich = file.isatty() if color is None else color
    if use_rich:
        # rich costs ~0.1 s to import; only terminals get it.
        from .plan_rich import render_rich  # noqa: PLC0415

        render_rich(report, file, redact)
    else:
        file.write(render_text(report, redact))
