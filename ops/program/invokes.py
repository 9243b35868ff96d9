"""Offline answers for well-known provider functions (invokes).

A preview calls invokes for real; offline there is no provider, so each token the planner can
answer gets a small, plausible, deterministic function here. Any other token fails the plan with a
message naming it: a silently invented answer could hide a real mistake.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

PLACEHOLDER_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class InvokeContext:
    """What an offline invoke may know: the stack's provider config, nothing from a cloud."""

    project: str
    stack: str
    package_config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def aws_region(self, args: Mapping[str, Any]) -> str:
        # pulumi-aws v7 accepts a per-call `region`; otherwise the provider's `aws:region`.
        region = args.get("region") or self.package_config.get("aws", {}).get("region")
        return str(region) if region else DEFAULT_REGION


InvokeFn = Callable[[Mapping[str, Any], InvokeContext], dict[str, Any]]

_DIRECTIONS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


def _partition(region: str) -> tuple[str, str]:
    if region.startswith("cn-"):
        return "aws-cn", "amazonaws.com.cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov", "amazonaws.com"
    return "aws", "amazonaws.com"


def _zone_id_prefix(region: str) -> str:
    # us-east-1 -> use1, ap-southeast-2 -> apse2: the shape of real AZ ids.
    parts = region.split("-")
    if len(parts) < 3:
        return region.replace("-", "")
    return parts[0] + "".join(_DIRECTIONS.get(p, p[:1]) for p in parts[1:-1]) + parts[-1]


def get_availability_zones(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    region = ctx.aws_region(args)
    prefix = _zone_id_prefix(region)
    zones = [(f"{region}{s}", f"{prefix}-az{i}") for i, s in enumerate("abc", start=1)]
    exclude_names = set(args.get("excludeNames") or [])
    exclude_ids = set(args.get("excludeZoneIds") or [])
    zones = [(n, z) for n, z in zones if n not in exclude_names and z not in exclude_ids]
    return {
        "id": region,
        "region": region,
        "names": [n for n, _ in zones],
        "zoneIds": [z for _, z in zones],
        "groupNames": [region],
        "state": args.get("state"),
        "allAvailabilityZones": args.get("allAvailabilityZones"),
        "excludeNames": sorted(exclude_names),
        "excludeZoneIds": sorted(exclude_ids),
        "filters": args.get("filters"),
    }


def get_caller_identity(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    partition, _ = _partition(ctx.aws_region(args))
    return {
        "id": PLACEHOLDER_ACCOUNT_ID,
        "accountId": PLACEHOLDER_ACCOUNT_ID,
        "arn": f"arn:{partition}:iam::{PLACEHOLDER_ACCOUNT_ID}:user/ops-plan-offline",
        "userId": "AIDAOPSPLANOFFLINE0000",
    }


def get_region(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    region = str(args.get("name") or ctx.aws_region(args))
    _, suffix = _partition(region)
    return {
        "id": region,
        "name": region,
        "region": region,
        "description": region,
        "endpoint": f"ec2.{region}.{suffix}",
    }


def get_partition(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    partition, suffix = _partition(ctx.aws_region(args))
    return {
        "id": partition,
        "partition": partition,
        "dnsSuffix": suffix,
        "reverseDnsPrefix": ".".join(reversed(suffix.split("."))),
    }


def _one_or_many(values: list[str]) -> str | list[str]:
    # The provider writes a single-element list as a bare string.
    ordered = sorted(set(values))
    return ordered[0] if len(ordered) == 1 else ordered


def _principals(items: list[Mapping[str, Any]]) -> str | dict[str, Any]:
    out: dict[str, list[str]] = {}
    for p in items:
        out.setdefault(str(p.get("type")), []).extend(str(i) for i in p.get("identifiers") or [])
    if list(out) == ["*"] and out["*"] == ["*"]:
        return "*"
    return {k: _one_or_many(v) for k, v in sorted(out.items())}


def _statement(st: Mapping[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if st.get("sid"):
        doc["Sid"] = st["sid"]
    doc["Effect"] = st.get("effect") or "Allow"
    for src, dst in (("actions", "Action"), ("notActions", "NotAction")):
        if st.get(src):
            doc[dst] = _one_or_many([str(a) for a in st[src]])
    for src, dst in (("resources", "Resource"), ("notResources", "NotResource")):
        if st.get(src):
            doc[dst] = _one_or_many([str(r) for r in st[src]])
    for src, dst in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        if st.get(src):
            doc[dst] = _principals(st[src])
    conditions: dict[str, dict[str, Any]] = {}
    for c in st.get("conditions") or []:
        conditions.setdefault(str(c["test"]), {})[str(c["variable"])] = _one_or_many(
            [str(v) for v in c.get("values") or []]
        )
    if conditions:
        doc["Condition"] = conditions
    return doc


def get_policy_document(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """Render an IAM policy document locally: it is a pure function of its arguments."""
    doc: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        doc["Id"] = args["policyId"]
    statements: list[dict[str, Any]] = []
    for source in args.get("sourcePolicyDocuments") or []:
        statements.extend(json.loads(source).get("Statement", []))
    by_sid = {s.get("Sid"): i for i, s in enumerate(statements) if s.get("Sid")}
    for st in args.get("statements") or []:
        rendered = _statement(st)
        sid = rendered.get("Sid")
        if sid and sid in by_sid:
            statements[by_sid[sid]] = rendered
        else:
            statements.append(rendered)
    for override in args.get("overridePolicyDocuments") or []:
        for st in json.loads(override).get("Statement", []):
            sid = st.get("Sid")
            if sid and sid in by_sid:
                statements[by_sid[sid]] = st
            else:
                statements.append(st)
    doc["Statement"] = statements
    text = json.dumps(doc, indent=2)
    return {
        "id": str(zlib.crc32(text.encode())),
        "json": text,
        "minifiedJson": json.dumps(doc, separators=(",", ":")),
        "statements": args.get("statements"),
        "version": doc["Version"],
        "policyId": args.get("policyId"),
        "sourcePolicyDocuments": args.get("sourcePolicyDocuments"),
        "overridePolicyDocuments": args.get("overridePolicyDocuments"),
    }


BUILTIN_INVOKES: dict[str, InvokeFn] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": get_availability_zones,
    "aws:index/getCallerIdentity:getCallerIdentity": get_caller_identity,
    "aws:index/getRegion:getRegion": get_region,
    "aws:index/getPartition:getPartition": get_partition,
    "aws:iam/getPolicyDocument:getPolicyDocument": get_policy_document,
}
