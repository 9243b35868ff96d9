"""The plan report as plain text: what tests, CI logs and pipes get (`plan_rich` is for terminals)."""

from __future__ import annotations

import datetime as dt
import re
from typing import IO

from ..cost.report import text_lines as cost_text_lines
from ..findings import Findings, findings_of, fix_text, shown_value
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

#: The stack output listing what a person must do (components/manual_steps.py): each step is hundreds of words, so
#: a terminal shows its headline only; the JSON and the --report keep every step in full.
MANUAL_STEPS_OUTPUT = "manual_steps"
MANUAL_STEPS_POINTER = "one line each; full instructions: --report FILE, --json FILE or docs/going-live.md"


def manual_step_headline(line: str) -> str:
    """`<n>. [<phase>] <title>: <instruction> (<key>)` (components/steps.py, `ManualStep.line`) as
    `<n>. [<phase>] <title> (<key>)`: the title ends at the first ': ' outside parentheses (a title may hold
    'mode: removable' in parentheses); a line of another shape is kept whole."""
    key = re.search(r" \(([a-z]+\.[a-z0-9-]+(?:\[[^\]]*\])?)\)$", line)
    depth = 0
    for index, char in enumerate(line):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        elif char == ":" and depth == 0 and line.startswith(": ", index):
            head = line[:index]
            return f"{head} ({key.group(1)})" if key else head
    return line


def terminal_output_lines(name: str, value: object) -> list[str] | None:
    """An output's lines as a terminal shows them (`output_lines`), the manual steps as their headlines."""
    lines = output_lines(value)
    if name == MANUAL_STEPS_OUTPUT and lines is not None:
        return [f"({MANUAL_STEPS_POINTER})", *(manual_step_headline(line) for line in lines)]
    return lines


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
            lines = terminal_output_lines(k, v)
            if lines is None:
                out.append(f"  {k}: {output_text(v)}")
            else:
                out.append(f"  {k}:")
                out += [f"    {line}" for line in lines]
    if report.warnings:
        out += ["", "Warnings:"]
        out += [f"  warning: {redact(w)}" for w in report.warnings]
    if policy:
        out += _policy_lines(report, redact)
    out += _cost(report)
    out += ["", summary_line(report)]
    return "\n".join(out) + "\n"


def _policy_lines(report: PlanReport, redact: Redactor) -> list[str]:
    plan, policy = report.plan, report.policy
    assert policy is not None
    out: list[str] = []
    out += ["", str(policy_config_line(report)), "", "Policy diagnostics:"]
    if not policy.diagnostics:
        out.append("  none")
    findings = findings_of(report)
    grouped = {id(d) for f in findings.by_key for d in f.diagnostics}
    out += config_key_lines(findings, plan.config.path.name, redact)
    current = None
    for d in sorted_diagnostics(policy.diagnostics):
        if id(d) in grouped:
            continue
        if d.level != current:
            current = d.level
            out.append(f"  {d.level}:")
        severity = f" ({d.severity})" if d.severity else ""
        out.append(f"    [{d.level}] {d.policy}{severity}  {d.pack}@{d.pack_version}")
        out.append(f"      resource: {resource_label(d.urn, plan)}")
        out += [f"      {line}" for line in redact(d.message).splitlines()]
    out += expected_lines(findings)
    for r in policy.remediations:
        out.append(f"  remediated by {r.policy}: {resource_label(r.urn, plan)}")
    return out


def config_key_lines(findings: Findings, stack_file: str, redact: Redactor) -> list[str]:
    """Findings one config key explains, one entry per key; the environment's expected relaxations last, one line
    each (collapsed)."""
    out = []
    if findings.actionable:
        out.append("  by the config key that fixes them:")
        for f in findings.actionable:
            levels = sorted({d.level for d in f.diagnostics}, key=("mandatory", "advisory").index)
            out.append(f"    [{'/'.join(levels)}] {f.key} is {shown_value(f.value)} ({f.origin}): "
                       f"{fix_text(f, stack_file)}")
            for d in f.diagnostics:
                finding = [line for line in redact(d.message).splitlines() if line.strip()]
                out.append(f"      {d.policy} ({d.level}): {finding[-1] if finding else ''}")
    return out


def expected_lines(findings: Findings) -> list[str]:
    """A non-prod environment's expected relaxations, collapsed to one line per config key."""
    out = []
    expected = findings.expected
    if expected:
        environment = findings.environment
        out.append(f"  expected for a {environment} stack ({findings.expected_count()} advisory, from "
                   f"{len(expected)} config keys at their {environment} defaults; prod's defaults differ):")
        for f in expected:
            out.append(f"    {f.key}: {shown_value(f.value)} (prod: {shown_value(f.fix)}): {', '.join(f.policies)}")
    return out


def _cost(report: PlanReport) -> list[str]:
    """The monthly estimate (ops/cost), just above the summary: what a terminal shows last. A region the price
    table does not cover is said first: its charges are all unknown, and the known figure is then no estimate."""
    if report.cost is None:
        return []
    lines = cost_text_lines(report.cost, dt.date.today())
    missing = unpriced_region_note(report)
    return ["", *lines[:1], *([f"  warning: {missing}"] if missing else []), *lines[1:]]


def unpriced_region_note(report: PlanReport, shown: int = 6) -> str | None:
    """`prices.json has no us-east-2 prices for NAT gateway-hours, ...: not counted` when charges in the stack's region
    (aws:region) are priced only for other regions; None when every such charge has its region's price, or there is
    no estimate. A region with some prices (us-east-1 has CloudWatch's) can still miss the large ones (NAT, RDS)."""
    estimate = report.cost
    region = report.plan.config.values.get("aws:region")
    if estimate is None or not isinstance(region, str) or not region:
        return None
    table = estimate.table
    # Each charge left out, weighed by what it would cost at another region's price: the largest first.
    missed: dict[str, float] = {}
    used: set[str] = set()
    count = 0
    for charge in (c for line in estimate.lines for c in line.charges):
        elsewhere = table.regions(charge.price_id)
        if charge.region != region or table.price(charge.price_id, region) is not None or not elsewhere:
            continue
        count += 1
        used.add(elsewhere[0])
        other = table.price(charge.price_id, elsewhere[0])
        weight = (charge.quantity or 0) * other.usd if other is not None else 0.0
        missed[charge.what] = missed.get(charge.what, 0.0) + weight
    if not missed:
        return None
    names = sorted(missed, key=lambda what: -missed[what])
    listed = ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")
    where = f"{next(iter(used))}'s" if len(used) == 1 else "other regions'"
    return (f"{table.path.name} has no {region} prices for {listed}: not counted ({count} charges, about "
            f"{sum(missed.values()):,.2f} USD/month at {where} prices), so the figure below leaves them out "
            "(docs/cost.md)")


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
