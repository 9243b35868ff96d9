"""`ops diff` as text (logs, terminals) and as markdown (a pull-request comment, `$GITHUB_STEP_SUMMARY`).

Both open with what needs attention, most severe first, then the counts, then each added, removed and changed
resource with the property paths that differ (old -> new). Values come from plan documents, where secrets are
already `[secret]`; nothing here can show a secret's plaintext.
"""

from __future__ import annotations

from ..changes import Attention, ChangeSet, ResourceChange, clipped, shown, shown_pair
from .diagram import mermaid
from .plan_markdown import COMMENT_LIMIT, cell, code, fenced

_KIND_WORD = {"add": "added", "remove": "removed", "update": "changed", "replace": "replaced"}
_SEVERITY_WORD = {
    "data-loss": "DATA LOSS",
    "data-at-risk": "data at risk",
    "protection": "protection",
    "replacement": "replacement",
    "may-replace": "may replace",
    "purchase": "purchase",
    "cost": "cost",
    "policy": "policy",
}


def marker(project: str, stack: str) -> str:
    return f"<!-- ops-diff-report: {project}/{stack} -->"


def _counts(changes: ChangeSet) -> str:
    parts = [f"{len(changes.of_kind(k))} {_KIND_WORD[k]}" for k in ("add", "remove", "update", "replace")]
    maybe = sum(1 for c in changes.changes if c.may_replace)
    if maybe:
        parts.append(f"{maybe} may be replaced")
    fails = sum(1 for p in changes.policy if p.now == "fails")
    passes = sum(1 for p in changes.policy if p.now == "passes")
    return f"{', '.join(parts)}; policy: {fails} newly failing, {passes} newly passing"


def _label(changes: ChangeSet, urn: str) -> str:
    rec = changes.head_resources.get(urn) or changes.base_resources.get(urn)
    return f"{rec['type']} {rec['name']}" if rec else urn


def attention_text(item: Attention) -> str:
    """The line, and the config key that causes or fixes it when the line does not start with it."""
    keys = [k for k in item.config_keys if k not in item.message]
    if not keys:
        return item.message
    return f"{item.message} (config key{'s' if len(keys) > 1 else ''}: {', '.join(keys)})"


def stack_mismatch(changes: ChangeSet) -> str | None:
    """Plans of two different stacks: every difference between the stacks would read as this change's."""
    if not changes.base_stack or changes.base_stack == changes.stack:
        return None
    return (f"warning: the base plan is of stack {changes.base_stack} and the head plan of stack {changes.stack}: "
            "every difference between the two stacks shows as a change below; compare two plans of the same stack "
            "(`ops plan --stack S --json` on the target branch and on the change)")


def render_diff_text(changes: ChangeSet, *, cost_lines: list[str] | None = None) -> str:
    out = [f"Changes to project {changes.project}, stack {changes.stack} (base: {changes.base_stack})", ""]
    if (mismatch := stack_mismatch(changes)) is not None:
        out += [mismatch, ""]
    if changes.attention:
        out.append("Needs attention:")
        out += [f"  [{_SEVERITY_WORD[a.severity]}] {attention_text(a)}" for a in changes.attention]
    else:
        out.append("Needs attention: nothing (no data loss, protection, replacement, purchase, hourly cost change or "
                   "new policy failure)")
    out += ["", f"Summary: {_counts(changes)}"]
    out += cost_lines or []  # what the change costs a month (ops/cost/report.py)
    for kind in ("replace", "remove", "add", "update"):
        items = changes.of_kind(kind)
        if not items:
            continue
        out += ["", f"{_KIND_WORD[kind].capitalize()}:"]
        for c in items:
            inputs = f"  ({_key_inputs(c)})" if c.key_inputs else ""
            out.append(f"  {'-+~±'[['remove', 'add', 'update', 'replace'].index(kind)]} {c.type}  {c.name}{inputs}")
            out += [f"      {line}" for line in _property_lines(c)]
    if changes.policy:
        out += ["", "Policy:"]
        out += [f"  {p.now}: [{p.level}] {p.policy}  {_label(changes, p.urn)}: {p.message}" for p in changes.policy]
    return "\n".join(out) + "\n"


def _key_inputs(change: ResourceChange) -> str:
    return ", ".join(f"{k}: {shown(v, 60)}" for k, v in change.key_inputs.items())


def _property_lines(change: ResourceChange, limit: int | None = 80) -> list[str]:
    """Each changed property, old -> new; long values are cut visibly (`limit`), or shown whole (None)."""
    lines = []
    for p in change.properties:
        note = "  (may change: unknown until deploy)" if p.uncertain else ""
        old, new = shown_pair(p.old, p.new, limit)
        lines.append(f"{p.path}: {old} -> {new}{note}")
    lines += [f"{prop}: changes at deploy time (a replaced resource's new id)" for prop in change.from_replaced]
    if change.kind == "replace":
        lines.append(f"(replaced: {change.because})")
    elif change.may_replace:
        lines.append(f"(may be replaced: {change.because}; `pulumi preview` decides)")
    elif change.kind == "update" and not change.replacement_known and change.input_changes:
        # Option-only changes (protect, retainOnDelete) never replace anything.
        lines.append("(whether this replaces the resource is decided by the provider at `pulumi preview`)")
    return lines


def render_diff_markdown(
    changes: ChangeSet, *, limit: int = COMMENT_LIMIT, cost_lines: list[str] | None = None
) -> str:
    head = [
        marker(changes.project, changes.stack),
        f"### What this change changes: {code(changes.project)} / {code(changes.stack)}",
        "",
        *([f"> **{cell(mismatch)}**", ""] if (mismatch := stack_mismatch(changes)) is not None else []),
    ]
    if changes.attention:
        head += ["**Needs attention**, most severe first:", ""]
        head += [f"- **{_SEVERITY_WORD[a.severity]}**: {cell(attention_text(a))}" for a in changes.attention]
    else:
        head.append("Nothing needs attention: no data loss, no protection turned off, no replacement, no purchase, no "
                    "change of an hourly charge, no new policy failure.")
    head += ["", f"{_counts(changes)}.", ""]
    head += cost_lines or []  # what the change costs a month, on the first screen (ops/cost/report.py)
    table = ["| change | resource | type | properties |", "|---|---|---|---|"]
    for kind in ("replace", "remove", "add", "update"):
        for c in changes.of_kind(kind):
            paths = ", ".join(code(p.path) for p in c.properties[:8])
            more = f" and {len(c.properties) - 8} more" if len(c.properties) > 8 else ""
            if not c.properties and c.from_replaced:
                paths = ", ".join(cell(prop) for prop in c.from_replaced)
            if c.key_inputs:
                paths = cell(_key_inputs(c))
            elif c.may_replace:
                paths += " (may be replaced)"
            table.append(f"| {_KIND_WORD[kind]} | {code(c.name)} | {code(c.type)} | {paths}{more} |")
    sections = []
    if changes.changes:
        sections.append([*table, ""])
    sections.append(["```mermaid", *mermaid(changes).splitlines(), "```", ""])
    details = _details(changes)
    if details:
        sections.append(details)
    footer = ["<sub>`python -m ops diff`: two offline plans compared; secrets are never shown, and what only a "
              "provider knows (replacements of other types, values computed at deploy) is marked as such.</sub>", ""]
    while True:
        text = "\n".join(head + [line for s in sections for line in s] + footer)
        if len(text) <= limit or len(sections) <= 1:
            break
        sections.pop()  # the per-property details go first, then the diagram
        footer = ["<sub>Some details were left out to fit a comment: see the uploaded diff report.</sub>", ""]
    if len(text) <= limit:
        return text
    kept = text[: limit - 200].rsplit("\n", 1)[0]
    left_out = text.count("\n") - kept.count("\n")
    return (f"{kept}\n\n<sub>… ({left_out} more lines) left out to fit a comment: see the uploaded diff report or "
            "`ops diff` in the job log.</sub>\n")


def _details(changes: ChangeSet) -> list[str]:
    changed = [c for c in changes.changes if c.properties or c.from_replaced]
    if not changed and not changes.policy:
        return []
    out = ["<details><summary>Property changes and policy results</summary>", ""]
    for c in changed:
        out += [f"**{_KIND_WORD[c.kind]}** {code(c.name)} ({code(c.type)})", "", "```text"]
        out += fenced("\n".join(_property_lines(c, limit=None)))  # in full: the details are folded
        out += ["```", ""]
    if changes.policy:
        out += ["| now | level | policy | resource | finding |", "|---|---|---|---|---|"]
        out += [
            f"| {p.now} | {p.level} | {code(p.policy)} | {cell(_label(changes, p.urn))} "
            f"| {cell(clipped(p.message, 300))} |"
            for p in changes.policy
        ]
        out.append("")
    return [*out, "</details>", ""]
