"""The plan as markdown (`ops plan --report FILE.md`): a pull-request comment and a `$GITHUB_STEP_SUMMARY`.

It opens with the verdict and the counts, then a table of the violations (policy, resource, level, message,
remediation), then collapsed details: each violation in full, what the stack creates, the resource tree and
the warnings. The first line is a hidden marker naming project and stack, so a workflow can find and update its
own comment (one sticky comment per stack). Secret plaintexts never appear: every free text goes through the
plan's redactor, and values are not shown at all.

GitHub refuses comments over 65,536 characters; the sections that matter least are dropped first to fit.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ..cost.report import markdown_details as cost_details
from ..cost.report import markdown_head as cost_head
from ..findings import findings_of, fix_text, shown_value, undecided_headline, undecided_mandatory
from ..model import Diagnostic, PlanReport, PolicyInfo, ResourceRecord
from ..values import Redactor
from .common import (
    children,
    output_lines,
    plan_redactor,
    resource_flags,
    sorted_diagnostics,
    type_counts,
    walk,
)
from .plan_text import MANUAL_STEPS_OUTPUT, unpriced_region_note

COMMENT_LIMIT = 65_536  # GitHub's limit for an issue or pull-request comment body
_MESSAGE_CELL = 300  # characters of a violation's message shown in the table; the details hold all of it


def marker(project: str, stack: str) -> str:
    """The hidden first line a workflow searches for to update this stack's comment instead of adding one."""
    return f"<!-- ops-plan-report: {project}/{stack} -->"


def cell(text: str, limit: int | None = None) -> str:
    """Text made safe for one markdown table cell: HTML escaped, pipes escaped, lines joined with <br>."""
    text = text.strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    escaped = html.escape(text, quote=False).replace("|", "\\|")
    return "<br>".join(line.strip() for line in escaped.splitlines() if line.strip())


def code(text: str) -> str:
    """An inline code span, or escaped text where a backtick would end the span early."""
    return f"`{text}`" if "`" not in text and "\n" not in text else cell(text)


def _resource(urn: str, report: PlanReport) -> str:
    rec = report.plan.by_urn().get(urn)
    if rec is None:
        return code(urn)
    return f"{code(rec.name)} ({code(rec.type)})"


def _verdict(report: PlanReport) -> str:
    if report.policy is None:
        return f"**Not evaluated**: {cell(report.policy_skipped_reason or 'no policy pack')}"
    findings = findings_of(report)
    expected = findings.expected_count()
    note = f" ({expected} expected for a {findings.environment} stack, collapsed below)" if expected else ""
    if report.mandatory:
        plural = "violation" if report.mandatory == 1 else "violations"
        return f"**Failed**: {report.mandatory} mandatory {plural}, {report.advisory} advisory{note}"
    undecided = undecided_mandatory(report)
    if undecided:
        return (f"**Passed, but {undecided_headline(undecided)}**: 0 mandatory, {report.advisory} advisory{note}")
    return f"**Passed**: 0 mandatory, {report.advisory} advisory{note}"


def _by_config_key(report: PlanReport, redact: Redactor) -> list[str]:
    """One row per config key that explains violations: what it is, where from, what to set, what it trips."""
    findings = findings_of(report).actionable
    if not findings:
        return []
    stack_file = report.plan.config.path.name
    rows = ["#### By the config key that fixes them", "",
            "| config key | value | what to do | policies it trips |", "|---|---|---|---|"]
    for f in findings:
        tripped = "<br>".join(f"{code(d.policy)} ({d.level}): {_resource(d.urn, report)}" for d in f.diagnostics)
        rows.append(f"| {code(f.key)} | {code(shown_value(f.value))} ({cell(f.origin)}) | "
                    f"{cell(redact(fix_text(f, stack_file)))} | {tripped} |")
    return [*rows, ""]


def _expected(report: PlanReport) -> list[str]:
    """A non-prod stack's expected relaxations, collapsed: one row per config key."""
    findings = findings_of(report)
    expected = findings.expected
    if not expected:
        return []
    environment = findings.environment
    out = [f"<details><summary>Expected for a {environment} stack: {findings.expected_count()} advisory findings "
           f"from {len(expected)} config keys at their {environment} defaults (prod's differ)</summary>", "",
           f"| config key | {environment} | prod | policies |", "|---|---|---|---|"]
    out += [f"| {code(f.key)} | {code(shown_value(f.value))} | {code(shown_value(f.fix))} | "
            f"{', '.join(code(p) for p in f.policies)} |" for f in expected]
    return [*out, "", "</details>", ""]


def _counts(report: PlanReport) -> list[str]:
    plan = report.plan
    reads = sum(1 for r in plan.resources if r.read)
    defaults = sum(1 for r in plan.resources if r.default_provider)
    custom = [r for r in plan.resources if r.custom and not r.read and not r.is_provider]
    rows = [
        "| | |",
        "|---|---|",
        f"| resources to create | {len(plan.resources) - reads} ({len(custom)} cloud resources, {defaults} default "
        f"providers) |",
        f"| protected (`protect`) | {sum(1 for r in plan.resources if r.protect)} |",
        f"| kept on delete (`retainOnDelete`) | {sum(1 for r in plan.resources if r.retain_on_delete)} |",
    ]
    if reads:
        rows.append(f"| read, not created | {reads} |")
    if report.policy is not None:
        packs = ", ".join(f"{p['name']}@{p['version']}" for p in report.policy.packs)
        rows.append(f"| policy pack | {code(packs)} |")
        source = report.policy.config_source
        shown = code(_relative(source)) if source else "none (the pack's own levels)"
        if source and report.policy_config_note:
            shown += f" ({cell(report.policy_config_note)})"
        rows.append(f"| policy config | {shown} |")
        rows.append(f"| mandatory / advisory | {report.mandatory} / {report.advisory} |")
    return rows


def _relative(path: str) -> str:
    # A reviewer reads repository paths, not the CI runner's checkout directory.
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def _finding(d: Diagnostic) -> str:
    """The message without the policy's description it opens with (pulumi_policy prepends it): the table and
    the details name the policy already."""
    message = d.message.strip()
    if d.description and message.startswith(d.description.strip()):
        rest = message[len(d.description.strip()) :].strip()
        return rest or message
    return message


def _violations_table(report: PlanReport, diags: list[Diagnostic], redact: Redactor) -> list[str]:
    infos = _infos(report)
    config_fix = _config_fixes(report)
    rows = ["| level | policy | resource | message | remediation |", "|---|---|---|---|---|"]
    previous = None
    for d in diags:
        info = infos.get(d.policy)
        # A finding a config key explains is fixed in the stack file, not in Python: the policy's own advice
        # (`Set deletion_protection=True ...`) only where no config key sets the value.
        remediation = config_fix.get(id(d)) or (info.remediation if info else "")
        policy = f"[{code(d.policy)}]({info.url})" if info and info.url else code(d.policy)
        # A policy's remediation is the same on each of its rows (diagnostics are sorted by policy): once is enough,
        # and a table of many violations then still fits a comment with its details.
        same = (d.policy, remediation) == previous and remediation
        shown = "same as above" if same else cell(redact(remediation), _MESSAGE_CELL)
        previous = (d.policy, remediation)
        rows.append(
            f"| {d.level} | {policy} | {_resource(d.urn, report)} | {cell(redact(_finding(d)), _MESSAGE_CELL)} "
            f"| {shown or '—'} |"
        )
    return rows


def _config_fixes(report: PlanReport) -> dict[int, str]:
    """Per diagnostic (by identity) that a config key explains: the config change that fixes it."""
    stack_file = report.plan.config.path.name
    return {id(d): f"{fix_text(f, stack_file)[0].upper()}{fix_text(f, stack_file)[1:]}."
            for f in findings_of(report).by_key for d in f.diagnostics}


def _violation_details(report: PlanReport, diags: list[Diagnostic], redact: Redactor) -> list[str]:
    """Per policy: what it checks, its framework and remediation once, then each finding in full."""
    infos = _infos(report)
    out = [f"<details><summary>Each violation in full ({len(diags)})</summary>", ""]
    by_policy: dict[str, list[Diagnostic]] = {}
    for d in diags:
        by_policy.setdefault(d.policy, []).append(d)
    for name, found in by_policy.items():
        info = infos.get(name)
        first = found[0]
        severity = f", severity {first.severity}" if first.severity else ""
        out += [f"#### {code(name)} ({first.level}{severity})", ""]
        if first.description:
            out += [cell(redact(first.description)), ""]
        if info and info.framework:
            out += [f"Framework: {cell(info.framework)}", ""]
        for d in found:
            out += [f"- {_resource(d.urn, report)}: {cell(redact(_finding(d)))}"]
        out.append("")
        if info and info.remediation:
            out += ["Remediation:", "", "```text", *fenced(redact(info.remediation)), "```", ""]
    out.append("</details>")
    return out


def fenced(text: str) -> list[str]:
    # A line of backticks inside would close the fence.
    return [line.replace("```", "` ` `") for line in text.splitlines()] or [""]


def _infos(report: PlanReport) -> dict[str, PolicyInfo]:
    return {p.name: p for p in report.policy.policies} if report.policy else {}


def _descendants(rec: ResourceRecord, kids: dict[str, list[ResourceRecord]]) -> Iterable[ResourceRecord]:
    for child in kids.get(rec.urn, []):
        yield child
        yield from _descendants(child, kids)


def _creates(report: PlanReport) -> list[str]:
    """What the stack creates: each top-level component with its cloud resources, then the types."""
    plan = report.plan
    roots, kids = children(plan)
    stack = next((r for r in roots if r.is_stack), None)
    top = kids.get(stack.urn, []) if stack else []
    out = ["<details><summary>What this stack creates</summary>", ""]
    components = [r for r in top if not r.custom]
    if components:
        out += ["| component | type | cloud resources | protected | of which types |", "|---|---|---|---|---|"]
        for component in components:
            inner = [r for r in _descendants(component, kids) if r.custom]
            protected = sum(1 for r in inner if r.protect)
            kinds = Counter(r.type.rsplit(":", 1)[-1] for r in inner)
            summary = ", ".join(f"{n} x {t}" if n > 1 else t for t, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
            out.append(
                f"| {code(component.name)} | {code(component.type)} | {len(inner)} | {protected} | {cell(summary)} |"
            )
        loose = [r for r in top if r.custom]
        if loose:
            out.append(f"| (stack level) | | {len(loose)} | {sum(1 for r in loose if r.protect)} | |")
        out.append("")
    out += ["| count | resource type |", "|---:|---|"]
    out += [f"| {n} | {code(t)} |" for t, n in type_counts(plan)]
    out += ["", "</details>"]
    return out


def _tree(report: PlanReport) -> list[str]:
    roots, kids = children(report.plan)
    lines = []
    for root in roots:
        for depth, rec in walk(root, kids):
            flags = resource_flags(rec)
            suffix = f"  [{', '.join(flags)}]" if flags else ""
            lines.append(f"{'    ' * depth}+ {rec.type}  {rec.name}{suffix}")
    return ["<details><summary>Resource tree</summary>", "", "```text", *fenced("\n".join(lines)), "```", "",
            "</details>"]


def _manual_steps(report: PlanReport, redact: Redactor) -> list[str]:
    """The stack's manual steps in full (the terminal shows one line each; docs/going-live.md is the runbook)."""
    steps = output_lines(report.plan.outputs.get(MANUAL_STEPS_OUTPUT))
    if not steps:
        return []
    out = [f"<details><summary>Manual steps ({len(steps)}; runbook: docs/going-live.md)</summary>", ""]
    out += [f"{cell(redact(step))}" for step in steps]
    return [*out, "", "</details>"]


def _warnings(report: PlanReport, redact: Redactor) -> list[str]:
    if not report.warnings:
        return []
    out = [f"<details><summary>Warnings ({len(report.warnings)})</summary>", ""]
    out += [f"- {cell(redact(w))}" for w in report.warnings]
    return [*out, "", "</details>"]


def render_markdown(report: PlanReport, redact: Redactor | None = None, *, limit: int = COMMENT_LIMIT) -> str:
    plan = report.plan
    redact = redact or plan_redactor(plan)
    all_diags = sorted_diagnostics(report.policy.diagnostics) if report.policy else []
    # The environment's expected relaxations are not violations to review: they are collapsed on their own.
    diags = [d for d in all_diags if not findings_of(report).is_expected(d)] if report.policy else []
    head = [
        marker(plan.project, plan.stack),
        f"### Offline plan: {code(plan.project)} / {code(plan.stack)}",
        "",
        _verdict(report),
        "",
        *_counts(report),
        "",
    ]
    if report.cost is not None:
        # On the first screen: the monthly figure, the purchases and the charges that run every hour.
        cost = cost_head(report.cost, dt.date.today())
        missing = unpriced_region_note(report)
        if missing:
            cost[2:2] = [f"> **Warning**: {cell(missing)}", ""]  # after the heading, before the figure it qualifies
        head += cost
    if diags:
        head += [*_by_config_key(report, redact)]
        head += ["#### Policy violations", "", *_violations_table(report, diags, redact), ""]
    elif report.policy is not None:
        head += ["No policy violations." if not all_diags else "No policy violations to review.", ""]
    if report.policy is not None:
        head += _expected(report)
    # Shown in this order, and kept in this order while they fit a comment; the violation details are cut at a
    # policy when they do not fit whole.
    details = _violation_details(report, diags, redact) if diags else []
    costs = cost_details(report.cost) if report.cost is not None else []
    optional = [_creates(report), costs, _warnings(report, redact), _manual_steps(report, redact), details,
                _tree(report)]
    footer = ["", "<sub>`python -m ops plan`: the program under the Pulumi SDK's mock runtime, the policy pack over "
              "its Analyzer protocol; no cloud account was used.</sub>", ""]
    left_out = ["", "<sub>Some details were left out to fit a comment: see the uploaded plan report.</sub>", ""]
    text = "\n".join(head + [line for section in optional if section for line in (*section, "")] + footer)
    if len(text) > limit:
        # Keep the sections in order of use while they fit; the first that does not is cut at a heading.
        kept: list[str] = []
        budget = limit - len("\n".join(head + left_out)) - 2
        for section in optional:
            if not section:
                continue
            size = len("\n".join(section)) + 2
            if size <= budget:
                kept += [*section, ""]
                budget -= size
            elif section is details and budget > 500:
                kept += [*_cut_at_heading(section, budget), ""]
                budget = 0
        text = "\n".join(head + kept + left_out)
    if len(text) > limit:
        # Only the violation table is left and it is still too long: keep as many rows as fit.
        text = text[: limit - 200].rsplit("\n", 1)[0] + "\n\n<sub>…truncated: see the uploaded plan report.</sub>\n"
    return text


def _cut_at_heading(section: list[str], budget: int) -> list[str]:
    """The longest prefix of a <details> section that fits `budget`, ending before a `####` heading."""
    closing = ["", "_(more in the uploaded plan report)_", "", "</details>"]
    room = budget - len("\n".join(closing)) - 1
    kept: list[str] = []
    size = 0
    cut = 0
    for i, line in enumerate(section):
        if line.startswith("#### "):
            cut = len(kept)
        if line == "</details>" or size + len(line) + 1 > room:
            break
        kept.append(line)
        size += len(line) + 1
        if i == len(section) - 1:
            cut = len(kept)
    return [*kept[: max(cut, 2)], *closing]
