"""Pieces every rendering of a plan shares: secret redaction, the resource tree, counts, labels, the summary.

Secret values are never rendered: wire values go through `values.to_display`, and every free text
(policy messages, warnings) goes through a `Redactor` that knows the plan's secret plaintexts.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ..findings import undecided_headline, undecided_mandatory
from ..model import LEVEL_ORDER, Diagnostic, Plan, PlanReport, ResourceRecord
from ..values import Redactor, secret_strings, to_display


def plan_redactor(plan: Plan) -> Redactor:
    """A redactor for every secret plaintext the plan holds (config, inputs, outputs)."""
    redact = Redactor(plan.config.secret_values())
    for rec in plan.resources:
        redact.add(secret_strings(rec.inputs))
        if rec.outputs is not None:
            redact.add(secret_strings(rec.outputs))
    redact.add(secret_strings(plan.outputs))
    return redact


def sorted_diagnostics(diags: list[Diagnostic]) -> list[Diagnostic]:
    rank = {level: i for i, level in enumerate(LEVEL_ORDER)}
    return sorted(diags, key=lambda d: rank.get(d.level, len(rank)))


def resource_flags(rec: ResourceRecord) -> list[str]:
    flags = []
    if rec.is_stack:
        flags.append("stack")
    elif rec.default_provider:
        flags.append("default provider")
    elif not rec.custom:
        flags.append("component")
    if rec.read:
        flags.append("read")
    if rec.protect:
        flags.append("protect")
    if rec.retain_on_delete:
        flags.append("retainOnDelete")
    if rec.deleted_with:
        flags.append("deletedWith")
    if rec.transformed:
        flags.append("transformed")
    return flags


def children(plan: Plan) -> tuple[list[ResourceRecord], dict[str, list[ResourceRecord]]]:
    known = {r.urn for r in plan.resources}
    roots: list[ResourceRecord] = []
    kids: dict[str, list[ResourceRecord]] = {}
    for rec in plan.resources:
        if rec.parent and rec.parent in known:
            kids.setdefault(rec.parent, []).append(rec)
        else:
            roots.append(rec)
    # The stack first, then the providers the engine adds outside it.
    roots.sort(key=lambda r: (not r.is_stack, r.default_provider))
    return roots, kids


def walk(
    rec: ResourceRecord, kids: dict[str, list[ResourceRecord]], depth: int = 0
) -> Iterator[tuple[int, ResourceRecord]]:
    yield depth, rec
    for child in kids.get(rec.urn, []):
        yield from walk(child, kids, depth + 1)


def type_counts(plan: Plan) -> list[tuple[str, int]]:
    counts = Counter(r.type for r in plan.resources)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def output_text(value: Any) -> str:
    shown = to_display(value)
    return shown if isinstance(shown, str) else json.dumps(shown, sort_keys=True)


# A list of strings longer than this on one line is shown one item per line (e.g. the `manual_steps` output).
LIST_LINE_LIMIT = 120


def output_lines(value: Any) -> list[str] | None:
    """A list-of-strings output too long for one line, as its items (one per line); None for any other value."""
    shown = to_display(value)
    if not (isinstance(shown, list) and shown and all(isinstance(item, str) for item in shown)):
        return None
    return shown if len(json.dumps(shown)) > LIST_LINE_LIMIT else None


def resource_label(urn: str, plan: Plan) -> str:
    rec = plan.by_urn().get(urn)
    return f"{rec.type} {rec.name}" if rec else urn


def policy_config_line(report: PlanReport) -> str | None:
    if report.policy is None:
        return None
    source = report.policy.config_source
    # The default (<pack>/config/<stack>.json, else <environment>.json) is used exactly as `--policy-pack-config
    # <file>` would be; the note says which of them it was.
    if not source:
        return "Policy config: none (the pack's own levels and initial config)"
    note = f" ({report.policy_config_note})" if report.policy_config_note else ""
    return f"Policy config: {source}{note}"


def summary_line(report: PlanReport) -> str:
    plan = report.plan
    defaults = sum(1 for r in plan.resources if r.default_provider)
    reads = sum(1 for r in plan.resources if r.read)
    creates = len(plan.resources) - reads
    parts = [f"{creates} resources to create ({defaults} default providers)"]
    if reads:
        parts.append(f"{reads} read")
    if report.policy:
        packs = ", ".join(f"{p['name']}@{p['version']}" for p in report.policy.packs)
        parts.append(f"policy {packs}: {report.mandatory} mandatory, {report.advisory} advisory")
    else:
        parts.append(f"policy: not evaluated ({report.policy_skipped_reason or 'no pack'})")
    warnings = len(report.warnings)
    if warnings:
        count = len(report.placeholders)
        placeholders = f" ({count} placeholder{'s' if count > 1 else ''})" if count else ""
        parts.append(f"{warnings} warning{'s' if warnings > 1 else ''}{placeholders}")
    undecided = undecided_mandatory(report)
    verdict = ("FAILED: mandatory policy violations" if report.exit_code
               else f"passed, but {undecided_headline(undecided)}" if undecided else "OK")
    return f"Summary: {'; '.join(parts)}; {verdict}"
