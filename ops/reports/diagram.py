"""The stack as a Mermaid flowchart (GitHub renders it in comments): its components and the data paths between
them, with what a change adds, removes or changes marked.

Nodes are the stack's top-level components (and its top-level custom resources, grouped per type), plus the two
parties the stack serves but does not create: the users on the internet and the app's own compute. Edges are the
data paths the components are built for, declared once below by component type; a component of a type not
listed is drawn without edges. Node ids are derived from URNs so they are stable and valid Mermaid identifiers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..changes import ChangeSet

USERS = "users"
APP = "app"

# (from, to, label) by component type token; USERS and APP are the parties outside the stack.
# A type token ending in ":*" matches every type of that package module.
DATA_PATHS: tuple[tuple[str, str, str], ...] = (
    (USERS, "platform:edge:CloudflareEdge", "HTTPS"),
    ("platform:edge:CloudflareEdge", APP, "HTTPS, Full (strict) TLS"),
    (APP, "platform:data:PostgresDatabase", "SQL over TLS, IAM auth (RDS Proxy)"),
    (APP, "platform:data:RedisCache", "Redis over TLS"),
    (APP, "platform:data:BackupBucket", "logical dumps"),
    ("platform:data:BackupBucket", "platform:data:OffsiteBackupCopy", "off-site copy (GitHub workflow)"),
    ("platform:data:PostgresDatabase", "platform:data:DatabaseBackup", "AWS Backup"),
    ("platform:app:CronJobs", APP, "scheduled HTTPS calls"),
    # The VPC holds what runs inside it: the database (and its proxy) and the cache. S3, AWS Backup vaults and
    # Azure storage are regional or Azure services outside it.
    ("platform:network:Network", "platform:data:PostgresDatabase", "hosts (subnets, security groups)"),
    ("platform:network:Network", "platform:data:RedisCache", "hosts (subnets, security groups)"),
    ("platform:ops:Alerting", USERS, "alerts (email)"),
    ("platform:edge:EdgeNotifications", USERS, "Cloudflare notifications (email)"),
)

_CLASSES = {
    "added": "fill:#dafbe1,stroke:#1a7f37,stroke-width:2px",
    "removed": "fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray: 4 3",
    "changed": "fill:#fff8c5,stroke:#9a6700,stroke-width:2px",
    "outside": "fill:#f6f8fa,stroke:#8c959f",
}


def node_id(urn: str) -> str:
    return "n" + hashlib.sha1(urn.encode()).hexdigest()[:10]


def _label(text: str) -> str:
    # Inside "..." Mermaid takes entity codes; quotes and angle brackets would end or open markup.
    return re.sub(r'["<>#&]', lambda m: f"#{ord(m.group())};", text)


def _matches(pattern: str, type_: str) -> bool:
    if pattern.endswith(":*"):
        return type_.startswith(pattern[:-1])
    return pattern == type_


def _top_level(resources: Mapping[str, Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    stacks = {u for u, r in resources.items() if r.get("type") == "pulumi:pulumi:Stack"}
    return [r for r in resources.values() if r.get("parent") in stacks and not r.get("defaultProvider")]


def _owner(urn: str, resources: Mapping[str, Mapping[str, Any]], tops: set[str]) -> str | None:
    seen = set()
    while urn and urn not in tops and urn not in seen:
        seen.add(urn)
        urn = str((resources.get(urn) or {}).get("parent") or "")
    return urn if urn in tops else None


def _change_marks(changes: ChangeSet, merged: Mapping[str, Mapping[str, Any]], tops: set[str]) -> dict[str, str]:
    """Top-level URN -> added / removed / changed."""
    state: dict[str, str] = {}
    for change in changes.changes:
        owner = _owner(change.urn, merged, tops)
        if owner is None:
            continue
        if change.urn == owner and change.kind in ("add", "remove"):
            state[owner] = "added" if change.kind == "add" else "removed"
        else:
            state.setdefault(owner, "changed")
    return state


def mermaid(changes: ChangeSet) -> str:
    """The flowchart of the head plan plus what the change removed, with classes per change."""
    merged: dict[str, Mapping[str, Any]] = {**changes.base_resources, **changes.head_resources}
    tops = {r["urn"]: r for r in _top_level(merged)}
    state = _change_marks(changes, merged, set(tops))
    lines = ["flowchart LR", f'  {USERS}(["Users on the internet"])', f'  {APP}["App compute (not in this stack)"]']
    components = [r for r in tops.values() if r.get("custom") is False]
    loose = [r for r in tops.values() if r.get("custom") is not False]
    for rec in components:
        lines.append(f'  {node_id(rec["urn"])}["{_label(rec["name"])}<br/><small>{_label(rec["type"])}</small>"]')
    for type_, recs in _by_type(loose).items():
        urn = recs[0]["urn"]
        label = f"{len(recs)} x {type_}" if len(recs) > 1 else f"{recs[0]['name']}<br/><small>{type_}</small>"
        lines.append(f'  {node_id(urn)}["{_label(label)}"]')
        marks = {state.pop(r["urn"]) for r in recs if r["urn"] in state}
        if marks:
            # One node stands for the group: added or removed only when every changed member was.
            state[urn] = marks.pop() if len(marks) == 1 else "changed"
    for source, target, label in DATA_PATHS:
        lines += [
            f'  {a} -->|"{_label(label)}"| {b}'
            for a in _ends(source, components)
            for b in _ends(target, components)
            if a != b
        ]
    lines += [f"  classDef {name} {style}" for name, style in _CLASSES.items()]
    lines.append(f"  class {USERS},{APP} outside")
    for kind in ("added", "removed", "changed"):
        ids = sorted(node_id(u) for u, s in state.items() if s == kind)
        if ids:
            lines.append(f"  class {','.join(ids)} {kind}")
    return "\n".join(lines) + "\n"


def _by_type(recs: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    out: dict[str, list[Mapping[str, Any]]] = {}
    for rec in recs:
        out.setdefault(str(rec["type"]), []).append(rec)
    return out


def _ends(pattern: str, components: list[Mapping[str, Any]]) -> list[str]:
    if pattern in (USERS, APP):
        return [pattern]
    return [node_id(r["urn"]) for r in components if _matches(pattern, str(r["type"]))]
