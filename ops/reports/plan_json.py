"""The plan as JSON (`ops plan --json FILE`): every resource, the policy verdict and the summary."""

from __future__ import annotations

import datetime as dt
import json
from typing import IO, Any

from ..cost.report import estimate_json
from ..findings import findings_of, undecided_mandatory
from ..model import Diagnostic, PlanReport, ResourceRecord
from ..values import Redactor, to_display
from .common import plan_redactor, sorted_diagnostics


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
        "deletedWith": rec.deleted_with or None,
        "ignoreChanges": list(rec.ignore_changes),
        "deleteBeforeReplace": rec.delete_before_replace,
        "additionalSecretOutputs": list(rec.additional_secret_outputs),
        "replaceOnChanges": list(rec.replace_on_changes),
        "aliases": list(rec.aliases),
        "requestedAliases": list(rec.requested_aliases),
        "customTimeouts": dict(rec.custom_timeouts),
        "version": rec.version or None,
        "defaultProvider": rec.default_provider,
        "read": rec.read,
        "transformed": rec.transformed,
        "outputOnly": list(rec.output_only),
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


def _with_config_keys(report: PlanReport, d: Diagnostic) -> dict[str, Any]:
    findings = findings_of(report)
    keys = [f.key for f in findings.by_key if d in f.diagnostics]
    return {**_diagnostic_json(d), "configKeys": keys, "expectedForEnvironment": findings.is_expected(d)}


def build_json(report: PlanReport, redact: Redactor | None = None) -> dict[str, Any]:
    plan, policy = report.plan, report.policy
    redact = redact or plan_redactor(plan)
    findings = findings_of(report) if policy else None
    doc: dict[str, Any] = {
        "project": plan.project,
        "stack": plan.stack,
        "organization": plan.organization,
        "resources": [_resource_json(r) for r in plan.resources],
        "outputs": to_display(plan.outputs),
        "warnings": list(report.warnings),
        "policy": {
            "packs": list(policy.packs) if policy else [],
            "configFile": policy.config_source if policy else None,
            "diagnostics": [_with_config_keys(report, d) for d in sorted_diagnostics(policy.diagnostics)]
            if policy
            else [],
            # One entry per config key that explains diagnostics: its value, where it comes from, what to set, and
            # whether it is the environment's expected relaxation (docs/planner.md, "Findings by config key").
            "findings": [f.to_json() for f in findings.by_key] if findings else [],
            "expectedForEnvironment": findings.expected_count() if findings else 0,
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
            "reads": sum(1 for r in plan.resources if r.read),
            "mandatory": report.mandatory,
            "advisory": report.advisory,
            # Mandatory policies that could not decide (the SDK's "can't run policy" note): passed, not proven.
            "undecidedMandatory": [{"policy": u.policy, "reason": u.reason} for u in undecided_mandatory(report)],
            "warnings": len(report.warnings),
            "placeholders": len(report.placeholders),
            "exitCode": report.exit_code,
        },
        "timings": dict(report.timings),
        # The monthly estimate (ops/cost): `monthly_cost_usd` is the known part; charges of unknown price are
        # listed under `unknown`, never counted as zero.
        "cost": estimate_json(report.cost, dt.date.today()) if report.cost is not None else None,
    }
    # Belt and braces: no string anywhere in the document may carry a secret's plaintext.
    return _scrub(doc, redact)


def write_json(report: PlanReport, fp: IO[str], redact: Redactor | None = None) -> None:
    json.dump(build_json(report, redact), fp, indent=2, sort_keys=False)
    fp.write("\n")
