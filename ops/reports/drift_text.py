"""`ops drift` as text (stdout), as JSON (`--json`) and as markdown (`--report`, one GitHub issue body per stack).

Values come from `ops.drift.model`, already masked (`[secret]`); nothing here can show a secret's plaintext.
The markdown has, per stack, a hidden marker line (`<!-- ops-drift-report: platform/prod -->`) and a title line:
the delivery workflow finds the stack's open issue by the marker, updates it with that section while there is
drift (or the check fails) and closes it when the stack is clean.
"""

from __future__ import annotations

import json
from typing import Any

from ..drift.model import CLEAN, DRIFT, NOT_SET, DriftedResource, DriftReport, PropertyDrift, StackDrift
from ..values import SECRET_TEXT, UNKNOWN_TEXT
from .plan_markdown import COMMENT_LIMIT, cell, code

_VALUE_LIMIT = 120  # characters of a value shown; the JSON document has all of it
_KIND_TEXT = {"update": "changed out of band", "delete": "deleted out of band"}
_KIND_SIGN = {"update": "~", "delete": "-"}
_EXIT_TEXT = {
    0: "exit 0: no drift",
    1: "exit 1: drift found",
    2: "exit 2: a check could not run (see the error)",
}


def marker(project: str, stack: str) -> str:
    """The hidden line a workflow searches for to find this stack's issue."""
    return f"<!-- ops-drift-report: {project}/{stack} -->"


def shown(value: Any, limit: int = _VALUE_LIMIT) -> str:
    if value in (NOT_SET, SECRET_TEXT, UNKNOWN_TEXT):
        return value  # markers, not values: unquoted
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _drift_counts(s: StackDrift) -> str:
    return (
        f"{_plural(len(s.resources), 'resource')} drifted ({len(s.of_kind('update'))} changed, "
        f"{len(s.of_kind('delete'))} deleted); {s.unchanged} unchanged"
    )


def title(s: StackDrift) -> str:
    """The issue title: what the stack's check found, in one line."""
    where = f"{s.project}/{s.short_stack}"
    if s.status == DRIFT:
        return f"Drift in {where}: {_plural(len(s.resources), 'resource')} changed outside Pulumi"
    if s.status == CLEAN:
        return f"No drift in {where}"
    return f"Drift check failed for {where} ({s.error_kind})"


def _remedy(s: StackDrift) -> str:
    return (
        f"to keep the cloud's values, change the code to match and run `pulumi refresh --stack {s.stack}`; "
        f"to restore the code's values, run `pulumi up --stack {s.stack}` (review its preview first)"
    )


# ---- text


def _text_property(p: PropertyDrift) -> str:
    return f"      {p.path or '(value)'}: {shown(p.old)} -> {shown(p.new)}"


def _text_resource(r: DriftedResource) -> list[str]:
    lines = [f"  {_KIND_SIGN.get(r.kind, '?')} {r.type} {r.name} ({r.kind}: {_KIND_TEXT.get(r.kind, r.kind)})"]
    if r.kind == "update" and not r.properties:
        lines.append("      (the engine did not say which properties differ)")
    lines += [_text_property(p) for p in r.properties]
    return lines


def _text_stack(s: StackDrift) -> list[str]:
    retried = f" after {s.attempts} tries (the stack was locked)" if s.attempts > 1 else ""
    if s.status == DRIFT:
        lines = [f"{s.stack}: DRIFT, {_drift_counts(s)}{retried}"]
        for r in s.resources:
            lines += _text_resource(r)
        lines.append(f"  what to do: {_remedy(s)}")
    elif s.status == CLEAN:
        lines = [f"{s.stack}: clean, {_plural(s.unchanged, 'resource')} as recorded in the state{retried}"]
    else:
        lines = [f"{s.stack}: ERROR ({s.error_kind}): {s.error}"]
        lines += [f"    {line}" for line in s.diagnostics]
    lines += [f"  warning: {w}" for w in s.warnings]
    return lines


def render_drift_text(report: DriftReport) -> str:
    counts = {k: sum(1 for s in report.stacks if s.status == k) for k in (DRIFT, CLEAN, "error")}
    head = (
        f"ops drift: {report.project}, {_plural(len(report.stacks), 'stack')}: {counts[DRIFT]} drifted, "
        f"{counts[CLEAN]} clean, {counts['error']} failed"
    )
    lines = [head, ""]
    for s in report.stacks:
        lines += [*_text_stack(s), ""]
    lines.append(_EXIT_TEXT.get(report.exit_code, f"exit {report.exit_code}"))
    return "\n".join(lines) + "\n"


# ---- JSON


def stack_document(s: StackDrift) -> dict[str, Any]:
    return {
        "stack": s.stack,
        "project": s.project,
        "status": s.status,
        "exitCode": s.exit_code,
        "title": title(s),
        "marker": marker(s.project, s.short_stack),
        "attempts": s.attempts,
        "unchanged": s.unchanged,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "kind": r.kind,
                "properties": [{"path": p.path, "old": p.old, "new": p.new} for p in r.properties],
            }
            for r in s.resources
        ],
        "error": None if s.error is None else {"kind": s.error_kind, "message": s.error, "diagnostics": s.diagnostics},
        "warnings": s.warnings,
        "issueBody": issue_body(s),
    }


def drift_document(report: DriftReport) -> dict[str, Any]:
    return {
        "project": report.project,
        "exitCode": report.exit_code,
        "stacks": [stack_document(s) for s in report.stacks],
    }


# ---- markdown


def _md_rows(s: StackDrift, limit: int | None) -> list[str]:
    rows = ["| | resource | type | property | state (old) | cloud (new) |", "|---|---|---|---|---|---|"]
    shown_rows = 0
    total = 0
    for r in s.resources:
        props = r.properties or [None]
        for p in props:
            total += 1
            if limit is not None and shown_rows >= limit:
                continue
            shown_rows += 1
            sign = "deleted" if r.kind == "delete" else "changed"
            if p is None:
                detail = "the whole resource" if r.kind == "delete" else "(not named by the engine)"
                rows.append(f"| {sign} | {code(r.name)} | {code(r.type)} | {detail} | | |")
            else:
                rows.append(
                    f"| {sign} | {code(r.name)} | {code(r.type)} | {code(p.path or '(value)')} "
                    f"| {cell(shown(p.old))} | {cell(shown(p.new))} |"
                )
    if total > shown_rows:
        rows.append(f"| | | | … {total - shown_rows} more rows in the `--json` document | | |")
    return rows


def render_stack_markdown(s: StackDrift, row_limit: int | None = None) -> str:
    """One stack's section: the marker, the title, then what drifted (or what failed)."""
    out = [marker(s.project, s.short_stack), f"## {cell(title(s))}", ""]
    if s.status == DRIFT:
        out += [
            f"`ops drift` ran a refresh preview of {code(s.stack)} (nothing was written): {_drift_counts(s)}.",
            "",
            *_md_rows(s, row_limit),
            "",
            f"**What to do**: {cell(_remedy(s))}.",
            "",
        ]
    elif s.status == CLEAN:
        out += [f"The refresh preview of {code(s.stack)} found every resource as recorded ({s.unchanged}).", ""]
    else:
        out += [f"**The check could not run** ({code(s.error_kind or 'failed')}): {cell(s.error or '')}", ""]
        if s.diagnostics:
            out += ["```text", *[line.replace("```", "`\u200b``") for line in s.diagnostics], "```", ""]
    if s.attempts > 1:
        out += [f"The stack was locked; the check ran {s.attempts} times.", ""]
    out += [f"> warning: {cell(w)}" for w in s.warnings]
    return "\n".join(out).rstrip() + "\n"


def issue_body(s: StackDrift) -> str:
    """The stack's section, fitted to a GitHub issue body (table rows are dropped to fit)."""
    section = render_stack_markdown(s)
    limit = 200
    while len(section) > COMMENT_LIMIT and limit > 0:
        section = render_stack_markdown(s, row_limit=limit)
        limit //= 2
    return section


def render_drift_markdown(report: DriftReport) -> str:
    """Every stack's section, each starting with its marker line, so a workflow can split the file per stack."""
    return "\n".join(issue_body(s) for s in report.stacks)
