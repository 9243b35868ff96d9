"""What a change changes: two plans (`ops plan --json`) compared resource by resource. SDK-free.

Resources are matched by URN (a renamed or re-parented resource is a removal plus an addition, as the engine
sees it without an alias). For each resource present in both, the inputs are compared path by path. Values are
compared as the plans show them: secrets are `[secret]` on both sides (a changed secret is not visible, and never
printed), and `[unknown]` values (computed at deploy time) cannot be compared, so a path unknown on either side is
reported as "may change", not as a change.

Some changes matter more than others and are called out first, most severe first:
- a stateful resource (database, cache, bucket, vault, storage account, zone, key) removed, or replaced because a
  property that forces replacement changed;
- `protect`, `retainOnDelete` or a provider-level deletion guard turned off;
- a property that forces replacement changed on any resource (known only for the types in `FORCES_REPLACEMENT`;
  for other types the provider decides at `pulumi preview`, and the report says so);
- a policy that now fails (a mandatory or advisory diagnostic the base plan did not have).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

UNKNOWN = "[unknown]"

# Types whose loss loses data (or, for a zone, its DNS). Keep in step with the policy pack's stateful table.
STATEFUL_TYPES: frozenset[str] = frozenset(
    {
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
        "aws:elasticache/serverlessCache:ServerlessCache",
        "aws:s3/bucket:Bucket",
        "aws:backup/vault:Vault",
        "aws:kms/key:Key",
        "aws:dynamodb/table:Table",
        "azure-native:storage:StorageAccount",
        "azure-native:storage:BlobContainer",
        "cloudflare:index/zone:Zone",
    }
)

# Input properties whose change makes the provider replace the resource (delete and create), by type: the
# Terraform schema's ForceNew attributes, for the types where a replacement loses data. Source: the bridged
# providers' Terraform schemas (terraform-provider-aws internal/service/rds/instance.go, s3/bucket.go, kms/key.go;
# read 2026-12). For any other type the offline diff cannot tell an update from a replacement.
FORCES_REPLACEMENT: dict[str, frozenset[str]] = {
    "aws:rds/instance:Instance": frozenset(
        {
            "availabilityZone",
            "characterSetName",
            "customIamInstanceProfile",
            "dbName",
            "engine",
            "identifier",
            "identifierPrefix",
            "kmsKeyId",
            "ncharCharacterSetName",
            "restoreToPointInTime",
            "snapshotIdentifier",
            "storageEncrypted",
            "timezone",
            "username",
        }
    ),
    "aws:s3/bucket:Bucket": frozenset({"bucket", "bucketPrefix", "objectLockEnabled"}),
    "aws:kms/key:Key": frozenset({"customerMasterKeySpec", "keyUsage", "multiRegion"}),
}

# Provider-level deletion guards: input property -> (the value that guards, the provider's default when unset).
DELETION_GUARDS: dict[str, dict[str, tuple[Any, Any]]] = {
    "aws:rds/instance:Instance": {"deletionProtection": (True, False), "skipFinalSnapshot": (False, False)},
    "aws:rds/cluster:Cluster": {"deletionProtection": (True, False), "skipFinalSnapshot": (False, False)},
    "aws:dynamodb/table:Table": {"deletionProtectionEnabled": (True, False)},
    "aws:s3/bucket:Bucket": {"forceDestroy": (False, False)},
}

SEVERITY_ORDER = ("data-loss", "protection", "replacement", "policy")


@dataclass(frozen=True)
class PropertyChange:
    path: str
    old: Any
    new: Any
    uncertain: bool = False  # one side is unknown until deploy time

    @property
    def missing_old(self) -> bool:
        return self.old is _ABSENT

    @property
    def missing_new(self) -> bool:
        return self.new is _ABSENT


class _Absent:
    def __repr__(self) -> str:
        return "(not set)"


_ABSENT: Any = _Absent()


@dataclass
class ResourceChange:
    urn: str
    type: str
    name: str
    kind: str  # "add" | "remove" | "update" | "replace"
    properties: list[PropertyChange] = field(default_factory=list)
    replacement_known: bool = True  # False: the type's replace-forcing properties are unknown offline
    parent: str | None = None


@dataclass(frozen=True)
class Attention:
    """A change called out first."""

    severity: str  # one of SEVERITY_ORDER
    urn: str
    message: str


@dataclass(frozen=True)
class PolicyChange:
    policy: str
    urn: str
    level: str
    message: str
    now: str  # "fails" | "passes"


@dataclass
class ChangeSet:
    project: str
    stack: str
    base_stack: str
    changes: list[ResourceChange]
    attention: list[Attention]
    policy: list[PolicyChange]
    base_resources: dict[str, dict[str, Any]]
    head_resources: dict[str, dict[str, Any]]

    def of_kind(self, kind: str) -> list[ResourceChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention)

    def changed_urns(self) -> set[str]:
        return {c.urn for c in self.changes}


class PlanDocumentError(ValueError):
    """A file that is not an `ops plan --json` document."""


def read_plan_document(text: str, source: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanDocumentError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("resources"), list) or "stack" not in doc:
        raise PlanDocumentError(f"{source}: not a plan written by `ops plan --json` (no 'stack' and 'resources')")
    return doc


def _walk(old: Any, new: Any, path: str) -> Iterator[PropertyChange]:
    if old == new:
        return
    if UNKNOWN in (old, new):
        yield PropertyChange(path, old, new, uncertain=True)
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            yield from _walk(old.get(key, _ABSENT), new.get(key, _ABSENT), f"{path}.{key}" if path else key)
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _walk(a, b, f"{path}[{i}]")
        return
    yield PropertyChange(path, old, new)


def _top(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def _flag_changes(base: Mapping[str, Any], head: Mapping[str, Any]) -> list[PropertyChange]:
    out = []
    for key in ("protect", "retainOnDelete", "deleteBeforeReplace"):
        if bool(base.get(key)) != bool(head.get(key)):
            out.append(PropertyChange(f"(option) {key}", bool(base.get(key)), bool(head.get(key))))
    for key in ("ignoreChanges", "replaceOnChanges", "additionalSecretOutputs"):
        if sorted(base.get(key) or []) != sorted(head.get(key) or []):
            out.append(PropertyChange(f"(option) {key}", base.get(key) or [], head.get(key) or []))
    if base.get("provider") != head.get("provider"):
        # Default providers' URNs carry the plugin version; their own records show that change.
        old, new = str(base.get("provider", "")), str(head.get("provider", ""))
        if old.rsplit("::", 1)[0] != new.rsplit("::", 1)[0]:
            out.append(PropertyChange("(option) provider", old.rsplit("::", 1)[0], new.rsplit("::", 1)[0]))
    return out


def _guard_off(type_: str, base: Mapping[str, Any], head: Mapping[str, Any]) -> list[str]:
    found = []
    for prop, (guarding, default) in DELETION_GUARDS.get(type_, {}).items():
        was, now = base.get(prop, default), head.get(prop, default)
        if was == guarding and now not in (guarding, UNKNOWN):
            found.append(f"{prop} {json.dumps(was)} -> {json.dumps(now)}")
    return found


def _label(rec: Mapping[str, Any]) -> str:
    return f"{rec.get('type')} {rec.get('name')}"


def compare(base: Mapping[str, Any], head: Mapping[str, Any]) -> ChangeSet:
    """Compare two `ops plan --json` documents: `base` (e.g. the target branch) and `head` (the change)."""
    old = {r["urn"]: r for r in base.get("resources", []) if not r.get("defaultProvider")}
    new = {r["urn"]: r for r in head.get("resources", []) if not r.get("defaultProvider")}
    changes: list[ResourceChange] = []
    attention: list[Attention] = []

    for urn in sorted(set(new) - set(old)):
        rec = new[urn]
        changes.append(ResourceChange(urn, rec["type"], rec["name"], "add", parent=rec.get("parent")))
    for urn in sorted(set(old) - set(new)):
        rec = old[urn]
        changes.append(ResourceChange(urn, rec["type"], rec["name"], "remove", parent=rec.get("parent")))
        if rec["type"] in STATEFUL_TYPES:
            protected = " (it is protected: `pulumi up` refuses until protect is removed)" if rec.get("protect") else ""
            message = f"stateful {_label(rec)} is removed: its data goes with it{protected}"
            attention.append(Attention("data-loss", urn, message))

    for urn in sorted(set(old) & set(new)):
        a, b = old[urn], new[urn]
        props = list(_walk(a.get("inputs") or {}, b.get("inputs") or {}, ""))
        props += _flag_changes(a, b)
        if not props:
            continue
        type_ = b["type"]
        forcing = FORCES_REPLACEMENT.get(type_)
        replaced = sorted(
            {_top(p.path) for p in props if not p.uncertain and forcing is not None and _top(p.path) in forcing}
        )
        kind = "replace" if replaced else "update"
        changes.append(
            ResourceChange(urn, type_, b["name"], kind, props, replacement_known=forcing is not None,
                           parent=b.get("parent"))
        )
        if replaced and type_ in STATEFUL_TYPES:
            attention.append(Attention("data-loss", urn, f"stateful {_label(b)} is replaced (delete, then create) "
                                       f"because {', '.join(replaced)} changed: its data does not move to the new one"))
        elif replaced:
            attention.append(Attention("replacement", urn, f"{_label(b)} is replaced because {', '.join(replaced)} "
                                       "changed"))
        for flag in ("protect", "retainOnDelete"):
            if a.get(flag) and not b.get(flag):
                attention.append(Attention("protection", urn, f"{flag} turned off on {_label(b)}"))
        for guard in _guard_off(type_, a.get("inputs") or {}, b.get("inputs") or {}):
            attention.append(Attention("protection", urn, f"deletion guard off on {_label(b)}: {guard}"))

    policy = _policy_changes(base, head)
    for p in policy:
        if p.now == "fails":
            attention.append(Attention("policy", p.urn, f"{p.level} policy {p.policy} now fails: {p.message}"))
    attention.sort(key=lambda x: SEVERITY_ORDER.index(x.severity))
    return ChangeSet(
        project=str(head.get("project", "")),
        stack=str(head.get("stack", "")),
        base_stack=str(base.get("stack", "")),
        changes=changes,
        attention=attention,
        policy=policy,
        base_resources=old,
        head_resources=new,
    )


def _diagnostics(doc: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    diags = (doc.get("policy") or {}).get("diagnostics") or []
    return {(d["policy"], d["urn"]): d for d in diags if d.get("enforcementLevel") in ("mandatory", "advisory")}


def _policy_changes(base: Mapping[str, Any], head: Mapping[str, Any]) -> list[PolicyChange]:
    before, after = _diagnostics(base), _diagnostics(head)
    out = [
        PolicyChange(k[0], k[1], d["enforcementLevel"], _first_line(d.get("message", "")), "fails")
        for k, d in sorted(after.items(), key=lambda kv: (kv[1]["enforcementLevel"] != "mandatory", kv[0]))
        if k not in before
    ]
    out += [
        PolicyChange(k[0], k[1], d["enforcementLevel"], _first_line(d.get("message", "")), "passes")
        for k, d in sorted(before.items())
        if k not in after
    ]
    return out


def _first_line(message: str) -> str:
    # pulumi_policy puts the policy's description first and the finding after it.
    lines = [line for line in message.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def shown(value: Any, limit: int = 80) -> str:
    """A value as the diff prints it: JSON, shortened; secrets are already `[secret]` in a plan document."""
    if value is _ABSENT:
        return "(not set)"
    text = value if isinstance(value, str) and value in (UNKNOWN, "[secret]") else json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_value(value: Any) -> Any:
    """A value for `ops diff --json`: as in the plan document, or `"(not set)"` for a property one side lacks."""
    return "(not set)" if value is _ABSENT else value
