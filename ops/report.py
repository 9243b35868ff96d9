"""The plan report: a resource tree, counts, outputs, warnings, policy diagnostics and a summary.

Plain text when stdout is not a terminal (tests and CI read it), rich when it is. Secret values
are never rendered: wire values go through `values.to_display`, and every free text (policy
messages, warnings) goes through a `Redactor` that knows the plan's secret plaintexts.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from .values import Redactor, secret_strings, to_display

if TYPE_CHECKING:
    from .analyzer import Diagnostic, PolicyResult
    from .engine import Plan, ResourceRecord

LEVEL_ORDER = ("mandatory", "remediate", "advisory", "disabled")


@dataclass
class PlanReport:
    """Everything a plan produced, and the exit code it implies."""

    plan: Plan
    policy: PolicyResult | None
    policy_skipped_reason: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def mandatory(self) -> int:
        return self.policy.count("mandatory") if self.policy else 0

    @property
    def advisory(self) -> int:
        return self.policy.count("advisory") if self.policy else 0

    @property
    def exit_code(self) -> int:
        # Like `pulumi preview`: mandatory violations fail, advisory ones are only shown.
        return 1 if self.mandatory else 0


def plan_redactor(plan: Plan) -> Redactor:
    """A redactor for every secret plaintext the plan holds (config, inputs, outputs)."""
    redact = Redactor(plan.config.secret_values())
    for rec in plan.resources:
        redact.add(secret_strings(rec.inputs))
        if rec.outputs is not None:
            redact.add(secret_strings(rec.outputs))
    redact.add(secret_strings(plan.outputs))
    return redact


def _scrub(value: Any, redact: Redactor) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_scrub(v, redact) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, redact) for k, v in value.items()}
    return value


def _resource_json(rec: ResourceRecord) -> dict[str, Any]:
    return {
        "urn": rec.urn,
        "type": rec.type,
        "name": rec.name,
        "custom": rec.custom,
        "parent": rec.parent,
        "provider": rec.provider,
        "inputs": to_display(rec.inputs),
        "dependencies": list(rec.dependencies),
        "propertyDependencies": {k: list(v) for k, v in rec.property_dependencies.items()},
        "protect": rec.protect,
        "retainOnDelete": rec.retain_on_delete,
        "ignoreChanges": list(rec.ignore_changes),
        "deleteBeforeReplace": rec.delete_before_replace,
        "additionalSecretOutputs": list(rec.additional_secret_outputs),
        "replaceOnChanges": list(rec.replace_on_changes),
        "aliases": list(rec.aliases),
        "customTimeouts": dict(rec.custom_timeouts),
        "version": rec.version or None,
        "defaultProvider": rec.default_provider,
        "read": rec.read,
        "outputs": to_display(rec.outputs) if rec.outputs is not None else None,
    }


def _diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    return {
        "policy": d.policy,
        "pack": d.pack,
        "packVersion": d.pack_version,
        "enforcementLevel": d.level,
        "severity": d.severity,
        "urn": d.urn,
        "message": d.message,
        "description": d.description,
    }


def sorted_diagnostics(diags: list[Diagnostic]) -> list[Diagnostic]:
    rank = {level: i for i, level in enumerate(LEVEL_ORDER)}
    return sorted(diags, key=lambda d: rank.get(d.level, len(rank)))


def build_json(report: PlanReport, redact: Redactor | None = None) -> dict[str, Any]:
    plan, policy = report.plan, report.policy
    redact = redact or plan_redactor(plan)
    doc: dict[str, Any] = {
        "project": plan.project,
        "stack": plan.stack,
        "organization": plan.organization,
        "resources": [_resource_json(r) for r in plan.resources],
        "outputs": to_display(plan.outputs),
        "warnings": list(plan.warnings),
        "policy": {
            "packs": list(policy.packs) if policy else [],
            "diagnostics": [_diagnostic_json(d) for d in sorted_diagnostics(policy.diagnostics)] if policy else [],
            "remediations": [
                {"policy": r.policy, "pack": r.pack, "urn": r.urn, "description": r.description}
                for r in policy.remediations
            ]
            if policy
            else [],
            "enforcementLevels": {k: v.level for k, v in policy.config.items()} if policy else {},
            "skipped": report.policy_skipped_reason,
        },
        "summary": {
            "resources": len(plan.resources),
            "defaultProviders": sum(1 for r in plan.resources if r.default_provider),
            "mandatory": report.mandatory,
            "advisory": report.advisory,
            "exitCode": report.exit_code,
        },
        "timings": dict(report.timings),
    }
    # Belt and braces: no string anywhere in the document may carry a secret's plaintext.
    return _scrub(doc, redact)


def write_json(report: PlanReport, fp: IO[str], redact: Redactor | None = None) -> None:
    json.dump(build_json(report, redact), fp, indent=2, sort_keys=False)
    fp.write("\n")


# --------------------------------------------------------------------------------------------------
# Shared pieces of both renderings


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


def _walk(
    rec: ResourceRecord, kids: dict[str, list[ResourceRecord]], depth: int = 0
) -> Iterator[tuple[int, ResourceRecord]]:
    yield depth, rec
    for child in kids.get(rec.urn, []):
        yield from _walk(child, kids, depth + 1)


def type_counts(plan: Plan) -> list[tuple[str, int]]:
    counts = Counter(r.type for r in plan.resources)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def output_text(value: Any) -> str:
    shown = to_display(value)
    return shown if isinstance(shown, str) else json.dumps(shown, sort_keys=True)


def resource_label(urn: str, plan: Plan) -> str:
    rec = plan.by_urn().get(urn)
    return f"{rec.type} {rec.name}" if rec else urn


def summary_line(report: PlanReport) -> str:
    plan = report.plan
    defaults = sum(1 for r in plan.resources if r.default_provider)
    parts = [f"{len(plan.resources)} resources to create ({defaults} default providers)"]
    if report.policy:
        packs = ", ".join(f"{p['name']}@{p['version']}" for p in report.policy.packs)
        parts.append(f"policy {packs}: {report.mandatory} mandatory, {report.advisory} advisory")
    else:
        parts.append(f"policy: not evaluated ({report.policy_skipped_reason or 'no pack'})")
    verdict = "FAILED: mandatory policy violations" if report.exit_code else "OK"
    return f"Summary: {'; '.join(parts)}; {verdict}"


# --------------------------------------------------------------------------------------------------
# Plain text


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
        for depth, rec in _walk(root, kids):
            marks = resource_flags(rec)
            suffix = f"  [{', '.join(marks)}]" if marks else ""
            out.append(f"  {'    ' * depth}+ {rec.type}  {rec.name}{suffix}")
    out += ["", "Resource types:"]
    out += [f"  {n:>4}  {t}" for t, n in type_counts(plan)]
    if plan.outputs:
        out += ["", "Outputs:"]
        out += [f"  {k}: {output_text(v)}" for k, v in sorted(plan.outputs.items())]
    if plan.warnings:
        out += ["", "Warnings:"]
        out += [f"  warning: {redact(w)}" for w in plan.warnings]
    if policy:
        out += ["", "Policy diagnostics:"]
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
    out += ["", summary_line(report)]
    return "\n".join(out) + "\n"


def render(report: PlanReport, file: IO[str], *, color: bool | None = None) -> None:
    """Print the report: rich on a terminal, plain text otherwise."""
    redact = plan_redactor(report.plan)
    use_rich = file.isatty() if color is None else color
    if use_rich:
        # rich costs ~0.1 s to import; only terminals get it.
        from .report_rich import render_rich  # noqa: PLC0415

        render_rich(report, file, redact)
    else:
        file.write(render_text(report, redact))
