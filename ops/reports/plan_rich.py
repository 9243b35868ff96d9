"""The plan report for terminals, rendered with rich (see `plan_text.render`)."""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from ..findings import findings_of, undecided_mandatory
from ..model import PlanReport, ResourceRecord
from ..values import Redactor
from .common import (
    children,
    output_text,
    plan_redactor,
    policy_config_line,
    resource_flags,
    resource_label,
    sorted_diagnostics,
    summary_line,
    type_counts,
)
from .plan_text import config_key_lines, expected_lines, terminal_output_lines


def render_rich(report: PlanReport, file: IO[str], redact: Redactor | None = None) -> None:
    plan, policy = report.plan, report.policy
    redact = redact or plan_redactor(plan)
    # No automatic highlighting: numbers and URNs inside messages would be coloured at random.
    console = Console(file=file, highlight=False)
    console.print(
        f"[bold]Plan[/] for project [cyan]{escape(plan.project)}[/], stack [cyan]{escape(plan.stack)}[/] "
        f"[dim](offline preview, {plan.elapsed:.2f}s)[/]"
    )

    def label(rec: ResourceRecord) -> str:
        marks = resource_flags(rec)
        tail = f" [yellow]\\[{escape(', '.join(marks))}][/]" if marks else ""
        return f"[green]+[/] [dim]{escape(rec.type)}[/] [bold]{escape(rec.name)}[/]{tail}"

    roots, kids = children(plan)
    tree = Tree("[bold]Resources[/]")

    def add(node: Tree, rec: ResourceRecord) -> None:
        branch = node.add(label(rec))
        for child in kids.get(rec.urn, []):
            add(branch, child)

    for root in roots:
        add(tree, root)
    console.print(tree)

    types = Table(title="Resource types", show_edge=False)
    types.add_column("count", justify="right")
    types.add_column("type")
    for t, n in type_counts(plan):
        types.add_row(str(n), escape(t))
    console.print(types)

    if plan.outputs:
        outputs = Table(title="Outputs", show_edge=False)
        outputs.add_column("name")
        outputs.add_column("value")
        for k, v in sorted(plan.outputs.items()):
            lines = terminal_output_lines(k, v)
            outputs.add_row(escape(k), escape(output_text(v) if lines is None else "\n".join(lines)))
        console.print(outputs)
    for w in report.warnings:
        console.print(f"[yellow]warning:[/] {escape(redact(w))}")
    if policy:
        console.print(escape(str(policy_config_line(report))))
        styles = {"mandatory": "bold red", "advisory": "yellow"}
        if not policy.diagnostics:
            console.print("[green]No policy violations[/]")
        findings = findings_of(report)
        grouped = {id(d) for f in findings.by_key for d in f.diagnostics}
        for line in config_key_lines(findings, plan.config.path.name, redact):
            console.print(escape(line))
        for d in sorted_diagnostics(policy.diagnostics):
            if id(d) in grouped:
                continue
            style = styles.get(d.level, "magenta")
            severity = f" ({d.severity})" if d.severity else ""
            console.print(
                f"[{style}]\\[{d.level}][/] [bold]{escape(d.policy)}[/]{severity} "
                f"[dim]{escape(d.pack)}@{escape(d.pack_version)}[/]\n"
                f"    resource: {escape(resource_label(d.urn, plan))}\n"
                + "\n".join(f"    {escape(line)}" for line in redact(d.message).splitlines())
            )
        for line in expected_lines(findings):
            console.print(f"[dim]{escape(line)}[/]")
        for r in policy.remediations:
            console.print(f"remediated by {escape(r.policy)}: {escape(resource_label(r.urn, plan))}")
    style = "bold red" if report.exit_code else "bold yellow" if undecided_mandatory(report) else "bold green"
    console.print(f"[{style}]{escape(summary_line(report))}[/]")
