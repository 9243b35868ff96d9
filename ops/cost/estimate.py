"""The monthly estimate: per resource, per component, per stack, from the price table and the usage assumptions.

Input is a list of resources in their display form (what `ops plan --json` writes: secrets `[secret]`, values
known only at deploy `[unknown]`), from a plan (`items_from_records`), a plan document (`items_from_document`)
or the policy pack's resources (which build the same dicts). Standard library only.

Each priced resource type has a rule that turns its inputs into charges: a quantity (hours, GB, requests) times a
price of the table in the resource's region. A charge whose price the table does not hold for that region, or
whose quantity is known only at deploy, is unknown: listed with why, never counted as zero. A type that costs
nothing of its own is free with the table's reason; any other type is unknown as a whole. Usage-driven quantities
(GB stored, data processed, requests) come from the program's `cost_usage` stack output, the validated
`platform:cost` assumptions; without it those charges are unknown too.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .table import Price, PriceTable, load_table

UNKNOWN = "[unknown]"
STACK_TYPE = "pulumi:pulumi:Stack"
BUDGET_TYPE = "aws:budgets/budget:Budget"
#: The stack output that carries the usage assumptions (components/cost/config.py, exported by __main__.py).
USAGE_OUTPUT = "cost_usage"
STACK_LEVEL = "(stack)"

FlagKind = Literal["purchase", "per-hour", "doubled", "minimum"]
#: Units of charges billed every hour a resource exists, whatever its traffic.
HOURLY_UNITS = frozenset({"hour", "vCPU-hour", "GB-hour"})


@dataclass(frozen=True)
class Item:
    """One resource as the estimate reads it."""

    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any]
    region: str | None
    component: str


@dataclass(frozen=True)
class Charge:
    """One billed quantity of a resource: `quantity` `unit`s at the table's price, per month."""

    what: str
    quantity: float | None
    unit: str
    price_id: str
    price: Price | None
    monthly_usd: float | None
    basis: str = ""
    unknown: str = ""  # why the monthly amount is unknown (no price for the region, a quantity known at deploy)
    region: str | None = None  # where it is priced; "" for a global service (Route 53, Cloudflare)
    # Which charge of its resource this is, the same before and after a change of class, plan or tier (whose
    # price id differs): `ops diff` compares a charge with itself, never with a neighbour.
    slot: str = ""

    @property
    def key(self) -> str:
        return self.slot or self.price_id


@dataclass(frozen=True)
class Flag:
    """Something a reviewer must see first: a purchase, or a charge that runs every hour whatever the load."""

    kind: FlagKind
    text: str
    urns: tuple[str, ...]
    monthly_usd: float | None


@dataclass
class ResourceCost:
    item: Item
    charges: list[Charge] = field(default_factory=list)
    free: str = ""  # why the type costs nothing of its own
    free_source: str = ""
    unpriced_type: bool = False  # no rule and not free: the whole resource is of unknown price

    @property
    def monthly_usd(self) -> float:
        """The known part (unknown charges are listed, not counted)."""
        return sum(c.monthly_usd for c in self.charges if c.monthly_usd is not None)

    @property
    def unknown_charges(self) -> list[Charge]:
        return [c for c in self.charges if c.monthly_usd is None]

    @property
    def has_cost(self) -> bool:
        return bool(self.charges) and not self.free


@dataclass(frozen=True)
class Budget:
    urn: str
    name: str
    monthly_usd: float | None  # None: not a monthly USD cost budget, or its amount is known only at deploy


@dataclass(frozen=True)
class UnknownGroup:
    """Unknown charges of one kind: the type, what is charged, the region, how many and why."""

    type: str
    what: str
    region: str
    count: int
    reason: str
    names: tuple[str, ...]
    unit: str = ""


@dataclass
class Estimate:
    lines: list[ResourceCost]
    flags: list[Flag]
    usage: Mapping[str, Any] | None
    table: PriceTable
    budgets: list[Budget]

    @property
    def monthly_usd(self) -> float:
        return round(sum(line.monthly_usd for line in self.lines), 2)

    def vendor_usd(self, vendor: str) -> float:
        return round(sum(line.monthly_usd for line in self.lines if vendor_of(line.item.type) == vendor), 2)

    @property
    def by_vendor(self) -> dict[str, float]:
        vendors = sorted({vendor_of(line.item.type) for line in self.lines})
        return {vendor: self.vendor_usd(vendor) for vendor in vendors}

    @property
    def by_component(self) -> dict[str, tuple[float, int]]:
        """Component -> (known USD/month, unknown charges), largest first."""
        totals: dict[str, float] = defaultdict(float)
        unknown: Counter[str] = Counter()
        for line in self.lines:
            totals[line.item.component] += line.monthly_usd
            unknown[line.item.component] += len(line.unknown_charges) + (1 if line.unpriced_type else 0)
        return {
            name: (round(totals[name], 2), unknown[name])
            for name in sorted(totals, key=lambda n: (-totals[n], n))
        }

    @property
    def priced_lines(self) -> list[ResourceCost]:
        """The resources with a cost (known or unknown), largest known cost first."""
        lines = [line for line in self.lines if line.has_cost or line.unpriced_type]
        return sorted(lines, key=lambda line: (-line.monthly_usd, line.item.type, line.item.name))

    def largest(self, count: int = 5) -> list[ResourceCost]:
        return [line for line in self.priced_lines if line.monthly_usd > 0][:count]

    @property
    def unknown(self) -> list[UnknownGroup]:
        groups: dict[tuple[str, str, str, str, str], list[str]] = defaultdict(list)
        for line in self.lines:
            if line.unpriced_type:
                groups[(line.item.type, "the whole resource", line.item.region or "-",
                        "no price rule for this type", "")].append(line.item.name)
            for charge in line.unknown_charges:
                region = "global" if charge.region == "" else charge.region or line.item.region or "-"
                groups[(line.item.type, charge.what, region, charge.unknown, charge.unit)].append(line.item.name)
        return [
            UnknownGroup(type=key[0], what=key[1], region=key[2], count=len(names), reason=key[3],
                         names=tuple(names), unit=key[4])
            for key, names in sorted(groups.items())
        ]

    @property
    def unknown_count(self) -> int:
        return sum(group.count for group in self.unknown)

    @property
    def unknown_hourly(self) -> list[UnknownGroup]:
        """The unknown charges billed every hour whatever the traffic (instance-, vCPU-, GB-hours), and the types
        with no price rule at all (they may be such a charge): a budget compared with an estimate that misses them
        proves nothing."""
        return [group for group in self.unknown
                if group.what == "the whole resource" or group.unit in HOURLY_UNITS]


# --------------------------------------------------------------------------------------------------------------
# Vendors and labels


def vendor_of(type_: str) -> str:
    package = type_.split(":", 1)[0]
    return {"azure-native": "azure", "random": "local", "tls": "local"}.get(package, package)


#: How a reviewer names a type: (singular, plural).
LABELS: Mapping[str, tuple[str, str]] = {
    "aws:ec2/natGateway:NatGateway": ("NAT gateway", "NAT gateways"),
    "aws:ec2/eip:Eip": ("public IPv4 address", "public IPv4 addresses"),
    "aws:rds/instance:Instance": ("RDS instance", "RDS instances"),
    "aws:rds/proxy:Proxy": ("RDS Proxy", "RDS Proxies"),
    "aws:elasticache/serverlessCache:ServerlessCache": ("serverless cache", "serverless caches"),
    "aws:kms/key:Key": ("KMS key", "KMS keys"),
    "aws:s3/bucket:Bucket": ("S3 bucket", "S3 buckets"),
    "aws:cloudwatch/logGroup:LogGroup": ("log group", "log groups"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("CloudWatch alarm", "CloudWatch alarms"),
    "aws:route53/healthCheck:HealthCheck": ("Route 53 health check", "Route 53 health checks"),
    "aws:sns/topic:Topic": ("SNS topic", "SNS topics"),
    "aws:sqs/queue:Queue": ("SQS queue", "SQS queues"),
    "aws:backup/vault:Vault": ("backup vault", "backup vaults"),
    "cloudflare:index/zoneSubscription:ZoneSubscription": ("Cloudflare plan subscription",
                                                            "Cloudflare plan subscriptions"),
    "cloudflare:index/zone:Zone": ("Cloudflare zone", "Cloudflare zones"),
    "azure-native:storage:StorageAccount": ("Azure storage account", "Azure storage accounts"),
}


def label(type_: str, count: int = 1) -> str:
    singular, plural = LABELS.get(type_, (type_, type_))
    return singular if count == 1 else plural


# --------------------------------------------------------------------------------------------------------------
# Building items from plans, plan documents and policy resources


def _region_of(resource: Mapping[str, Any], providers: Mapping[str, Mapping[str, Any]]) -> str | None:
    """A resource's own `region` (pulumi-aws v7 per-resource region) or `location` (Azure), else its provider's."""
    inputs = resource.get("inputs") if isinstance(resource.get("inputs"), Mapping) else {}
    for key in ("region", "location"):
        value = inputs.get(key)
        if isinstance(value, str) and value and value != UNKNOWN:
            return value
    provider_ref = resource.get("provider")
    provider = providers.get(provider_ref.rsplit("::", 1)[0]) if isinstance(provider_ref, str) else None
    provider_inputs = provider.get("inputs") if provider is not None else None
    if isinstance(provider_inputs, Mapping):
        value = provider_inputs.get("region")
        if isinstance(value, str) and value and value != UNKNOWN:
            return value
    return None


def build_items(resources: Sequence[Mapping[str, Any]]) -> list[Item]:
    """Items from resource dicts shaped like `ops plan --json`'s (`urn`, `type`, `name`, `custom`, `parent`,
    `provider`, `inputs`, `defaultProvider`, `read`): every custom resource that is not a provider or a read."""
    resources = [r for r in resources if isinstance(r, Mapping) and isinstance(r.get("urn"), str)
                 and isinstance(r.get("type"), str)]
    by_urn = {r["urn"]: r for r in resources}
    providers = {r["urn"]: r for r in resources if r["type"].startswith("pulumi:providers:")}
    stacks = {r["urn"] for r in resources if r["type"] == STACK_TYPE}

    def component(resource: Mapping[str, Any]) -> str:
        current = resource
        while True:
            parent = current.get("parent")
            if not parent or parent in stacks or parent not in by_urn:
                return STACK_LEVEL if current is resource else str(current.get("name", current["urn"]))
            current = by_urn[parent]

    items = []
    for resource in resources:
        if not resource.get("custom", True) or resource.get("read") or resource["type"] == STACK_TYPE:
            continue
        if str(resource["type"]).startswith("pulumi:providers:"):
            continue
        inputs = resource.get("inputs")
        items.append(Item(
            urn=resource["urn"], type=resource["type"], name=str(resource.get("name", resource["urn"])),
            inputs=inputs if isinstance(inputs, Mapping) else {}, region=_region_of(resource, providers),
            component=component(resource),
        ))
    return items


def items_from_document(document: Mapping[str, Any]) -> tuple[list[Item], Mapping[str, Any] | None]:
    """The items and usage assumptions of an `ops plan --json` document."""
    outputs = document.get("outputs") or {}
    usage = outputs.get(USAGE_OUTPUT) if isinstance(outputs, Mapping) else None
    return build_items(document.get("resources") or []), usage if isinstance(usage, Mapping) else None


def items_from_records(records: Iterable[Any], outputs: Mapping[str, Any]) -> tuple[list[Item], Any]:
    """The items and usage assumptions of a plan (`ops.model.ResourceRecord`s and the stack's wire outputs)."""
    from ..values import to_display  # noqa: PLC0415 - ops.values is light; kept out of the pack's import path

    resources = [
        {
            "urn": r.urn, "type": r.type, "name": r.name, "custom": r.custom, "parent": r.parent,
            "provider": r.provider, "inputs": to_display(r.inputs), "read": r.read,
        }
        for r in records
    ]
    usage = to_display(outputs.get(USAGE_OUTPUT)) if USAGE_OUTPUT in outputs else None
    return build_items(resources), usage if isinstance(usage, Mapping) else None


# --------------------------------------------------------------------------------------------------------------
# Rules


@dataclass
class _Context:
    table: PriceTable
    usage: Mapping[str, Any] | None
    items: list[Item]
    counts: Counter[str]

    @property
    def hours(self) -> float:
        return self.table.hours_per_month

    def of_type(self, type_: str) -> list[Item]:
        return [item for item in self.items if item.type == type_]

    def charge(self, item: Item, price_id: str, quantity: float | None, *, what: str, unit: str, basis: str = "",
               region: str | None = None, unknown_quantity: str = "", slot: str = "") -> Charge:
        region = region if region is not None else item.region
        price = self.table.price(price_id, region)
        if quantity is None:
            return Charge(what, None, unit, price_id, price, None, basis,
                          unknown_quantity or "the quantity is known only at deploy", region, slot)
        if quantity == 0:
            return Charge(what, 0.0, unit, price_id, price, 0.0, basis, region=region, slot=slot)  # nothing to pay
        if price is None:
            where = f"{region} " if region else ""
            return Charge(what, quantity, unit, price_id, None, None, basis,
                          f"no {where}price for {price_id} in {self.table.path.name}", region, slot)
        return Charge(what, quantity, unit, price_id, price, round(quantity * price.usd, 4), basis, region=region,
                      slot=slot)

    def usage_value(self, key: str) -> float | None:
        if self.usage is None:
            return None
        value = self.usage.get(key)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    def usage_share(self, item: Item, key: str, *, split: bool) -> tuple[float | None, str]:
        """The part of a usage assumption this resource bears: the whole (`split=False`, per resource) or an equal
        share over the stack's resources of its type."""
        value = self.usage_value(key)
        if value is None:
            return None, f"platform:cost.{key}: no usage assumption (the program exports no `{USAGE_OUTPUT}`)"
        count = self.counts[item.type] if split else 1
        if count <= 1:
            return value, f"assumed {value:g} (platform:cost.{key})"
        return value / count, f"assumed {value:g} (platform:cost.{key}) shared by {count} {label(item.type, count)}"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value not in (UNKNOWN, "[secret]") else None


#: A type's rule: its charges, or (a str) why this resource costs nothing of its own here.
Rule = Callable[[_Context, Item], "list[Charge] | str"]


def _nat_gateway(ctx: _Context, item: Item) -> list[Charge]:
    data, basis = ctx.usage_share(item, "nat_data_processed_gb", split=True)
    return [
        ctx.charge(item, "aws.nat_gateway.hour", ctx.hours, what="NAT gateway-hours", unit="hour",
                   basis=f"{ctx.hours:g} h: every hour it exists"),
        ctx.charge(item, "aws.nat_gateway.gb_processed", data, what="data processed", unit="GB", basis=basis,
                   unknown_quantity=basis),
    ]


def _eip(ctx: _Context, item: Item) -> list[Charge]:
    return [ctx.charge(item, "aws.public_ipv4.hour", ctx.hours, what="public IPv4 address-hours", unit="hour",
                       basis=f"{ctx.hours:g} h: in use or idle")]


def _kms_key(ctx: _Context, item: Item) -> list[Charge]:
    return [ctx.charge(item, "aws.kms.key.month", 1, what="key-month", unit="month",
                       basis="one key (first year: rotations add $1/month each from their year)")]


def _multi_az(item: Item) -> bool:
    return item.inputs.get("multiAz") is True


def _deployment_charge(ctx: _Context, item: Item, prefix: str, suffix: str, *, quantity: float | None, copies: int,
                       **kwargs: Any) -> Charge:
    """A Single-AZ or Multi-AZ RDS charge: AWS's own Multi-AZ rate (`<prefix>.multi_az.<suffix>`) where the table
    lists it for the region, else `copies` times the Single-AZ quantity (rules.rds.multi_az)."""
    if copies == 2 and ctx.table.price(f"{prefix}.multi_az.{suffix}", item.region) is not None:
        return ctx.charge(item, f"{prefix}.multi_az.{suffix}", quantity, **{
            **kwargs, "basis": kwargs.get("basis", "").replace(" x 2", "") + " at AWS's Multi-AZ rate"})
    return ctx.charge(item, f"{prefix}.single_az.{suffix}", None if quantity is None else quantity * copies, **kwargs)


def _rds_instance(ctx: _Context, item: Item) -> list[Charge]:
    inputs = item.inputs
    engine = _text(inputs.get("engine")) or UNKNOWN
    klass = _text(inputs.get("instanceClass")) or UNKNOWN
    copies = 2 if _multi_az(item) else 1
    deployment = "Multi-AZ: primary and standby" if copies == 2 else "Single-AZ"
    charges = [_deployment_charge(
        ctx, item, f"aws.rds.{engine}.{klass}", "hour", quantity=ctx.hours, copies=copies,
        what=f"{klass} instance-hours ({deployment})", unit="hour", slot="instance-hours",
        basis=f"{ctx.hours:g} h x 2 ({deployment}; rds.multi_az)" if copies == 2 else f"{ctx.hours:g} h",
    )]
    storage_type = _text(inputs.get("storageType")) or "gp2"  # the RDS API's default without iops
    storage = _number(inputs.get("allocatedStorage"))
    charges.append(_deployment_charge(
        ctx, item, f"aws.rds.{storage_type}", "gb_month", quantity=storage, copies=copies,
        what=f"{storage_type} storage ({deployment})", unit="GB-month", slot="storage",
        basis=(f"{storage:g} GB allocated x 2" if copies == 2 else f"{storage:g} GB allocated")
        if storage is not None else "",
        unknown_quantity="allocatedStorage is known only at deploy",
    ))
    if inputs.get("manageMasterUserPassword") is True:
        charges.append(ctx.charge(item, "aws.secretsmanager.secret.month", 1,
                                  what="master user secret (Secrets Manager, managed by RDS)", unit="month"))
    retention = _number(inputs.get("performanceInsightsRetentionPeriod"))
    if inputs.get("performanceInsightsEnabled") is True and retention is not None and retention > 7:
        charges.append(ctx.charge(item, "aws.rds.performance_insights.retention.vcpu_month", 1,
                                  what=f"Performance Insights history beyond 7 days ({retention:g} days)",
                                  unit="month"))
    interval = _number(inputs.get("monitoringInterval"))
    if interval:
        charges.append(ctx.charge(item, "aws.cloudwatch.logs.ingestion.gb", None,
                                  what=f"Enhanced Monitoring every {interval:g} s (RDSOSMetrics log ingestion)",
                                  unit="GB", unknown_quantity="log volume not estimated; price not in the table"))
    return charges


# vCPUs of RDS instance classes by size (AWS "DB instance classes": the Graviton and burstable classes this
# program offers have 2 vCPUs at micro-large, then double per size).
_SIZE_VCPUS = {"micro": 2, "small": 2, "medium": 2, "large": 2, "xlarge": 4}


def instance_vcpus(instance_class: str | None) -> int | None:
    if not instance_class:
        return None
    match = re.fullmatch(r"db\.[a-z0-9]+\.(?:(\d+)xlarge|(micro|small|medium|large|xlarge))", instance_class)
    if match is None:
        return None
    if match.group(1):
        return 4 * int(match.group(1))
    return _SIZE_VCPUS[match.group(2)]


def _proxied_class(ctx: _Context) -> str | None:
    classes = {_text(i.inputs.get("instanceClass")) for i in ctx.of_type("aws:rds/instance:Instance")}
    return next(iter(classes)) if len(classes) == 1 else None


def proxy_vcpus(instance_vcpus_: int | None, minimum: float | None) -> float | None:
    """The vCPUs an RDS Proxy is billed for: the proxied instance's, at least the minimum AWS states."""
    if instance_vcpus_ is None:
        return None
    return max(float(instance_vcpus_), minimum or 0.0)


def _rds_proxy(ctx: _Context, item: Item) -> list[Charge]:
    klass = _proxied_class(ctx)
    minimum = ctx.table.rule_value("rds.proxy.minimum_vcpus")
    vcpus = proxy_vcpus(instance_vcpus(klass), minimum)
    return [ctx.charge(
        item, "aws.rds.proxy.vcpu.hour", None if vcpus is None else vcpus * ctx.hours,
        what=f"vCPU-hours of the proxied instance ({klass or 'class unknown'})", unit="vCPU-hour",
        basis=f"{vcpus:g} vCPUs (at least {minimum:g}: rds.proxy.minimum_vcpus) x {ctx.hours:g} h"
        if vcpus is not None and minimum else f"{vcpus:g} vCPUs x {ctx.hours:g} h" if vcpus else "",
        unknown_quantity="the proxied instance's vCPUs are unknown",
    )]


def _serverless_cache(ctx: _Context, item: Item) -> list[Charge]:
    engine = _text(item.inputs.get("engine")) or UNKNOWN
    # Metered minimum per cache (AWS ElastiCache pricing, Serverless): 100 MB for Valkey, 1 GB for the others.
    minimum_gb = 0.1 if engine == "valkey" else 1.0
    stored_mb, basis = ctx.usage_share(item, "cache_data_mb", split=False)
    stored_gb = None if stored_mb is None else max(stored_mb / 1024, minimum_gb)
    ecpu, ecpu_basis = ctx.usage_share(item, "cache_ecpu_millions", split=False)
    return [
        ctx.charge(item, f"aws.elasticache.serverless.{engine}.gb_hour",
                   None if stored_gb is None else stored_gb * ctx.hours, what="data stored (GB-hours)",
                   unit="GB-hour", slot="data-stored",
                   basis=f"{basis}, at least {minimum_gb:g} GB metered, x {ctx.hours:g} h",
                   unknown_quantity=basis),
        ctx.charge(item, f"aws.elasticache.serverless.{engine}.ecpu_million", ecpu, what="ECPUs (millions)",
                   unit="million ECPU", slot="ecpu", basis=ecpu_basis, unknown_quantity=ecpu_basis),
    ]


def _s3_bucket(ctx: _Context, item: Item) -> list[Charge]:
    charges = []
    for key, price_id, what, unit in (
        ("s3_storage_gb", "aws.s3.standard.gb_month", "storage (S3 Standard)", "GB-month"),
        ("s3_put_requests", "aws.s3.put.request", "PUT/COPY/POST/LIST requests", "request"),
        ("s3_get_requests", "aws.s3.get.request", "GET and other requests", "request"),
    ):
        quantity, basis = ctx.usage_share(item, key, split=True)
        charges.append(ctx.charge(item, price_id, quantity, what=what, unit=unit, basis=basis,
                                  unknown_quantity=basis))
    return charges


#: Days in an average month (365 / 12): a log group keeping N days holds N / this months of ingestion.
DAYS_PER_MONTH = 365 / 12


def _log_group(ctx: _Context, item: Item) -> list[Charge]:
    ingested, basis = ctx.usage_share(item, "log_ingestion_gb", split=True)
    retention = _number(item.inputs.get("retentionInDays"))
    if retention is None or retention <= 0:
        stored, stored_basis = None, "retained volume not estimated; kept forever"
    elif ingested is None:
        stored, stored_basis = None, basis
    else:
        stored = ingested * retention / DAYS_PER_MONTH
        stored_basis = (f"{ingested:g} GB a month kept {retention:g} days: at most {stored:g} GB held (an upper "
                        "bound: CloudWatch archives logs compressed)")
    return [
        ctx.charge(item, "aws.cloudwatch.logs.ingestion.gb", ingested, what="log ingestion", unit="GB",
                   basis=basis, unknown_quantity=basis),
        ctx.charge(item, "aws.cloudwatch.logs.storage.gb_month", stored, what="log storage", unit="GB-month",
                   basis=stored_basis, unknown_quantity=stored_basis),
    ]


def alarm_metrics(inputs: Mapping[str, Any]) -> int:
    """How many metrics an alarm is billed for: one, or each metric a metric-math alarm reads (CloudWatch bills "per
    alarm metric month")."""
    queries = inputs.get("metricQueries")
    if not isinstance(queries, list) or not queries:
        return 1
    return max(1, sum(1 for q in queries if isinstance(q, Mapping) and isinstance(q.get("metric"), Mapping)))


def _metric_alarm(ctx: _Context, item: Item) -> list[Charge]:
    period = _number(item.inputs.get("period"))
    resolution = "high_resolution" if period is not None and period < 60 else "standard"
    metrics = alarm_metrics(item.inputs)
    return [ctx.charge(item, f"aws.cloudwatch.alarm.{resolution}.month", metrics,
                       what=f"alarm metric-months ({resolution.replace('_', ' ')})", unit="metric-month",
                       slot="alarm-metrics",
                       basis=f"a metric-math alarm reading {metrics} metrics" if metrics > 1 else "one metric")]


def _health_check(ctx: _Context, item: Item) -> list[Charge]:
    # Route 53 is global: its prices have no region. The checked host is the app behind Cloudflare (not an AWS
    # endpoint); HTTPS, string matching, a 10 s interval and latency measurement are optional features.
    inputs = item.inputs
    check_type = _text(inputs.get("type")) or ""
    features = []
    if check_type.startswith("HTTPS"):
        features.append("HTTPS")
    if check_type.endswith("STR_MATCH"):
        features.append("string matching")
    if inputs.get("measureLatency") is True:
        features.append("latency measurement")
    if _number(inputs.get("requestInterval")) == 10:
        features.append("fast interval")
    charges = [ctx.charge(item, "aws.route53.health_check.non_aws.month", 1, what="health check-month (non-AWS "
                          "endpoint)", unit="month", region="")]
    charges += [ctx.charge(item, "aws.route53.health_check.optional_feature.non_aws.month", 1,
                           what=f"optional feature: {feature}", unit="month", region="") for feature in features]
    return charges


def _usage_not_modelled(what: str, price_id: str, unit: str) -> Rule:
    def rule(ctx: _Context, item: Item) -> list[Charge]:
        price = ctx.table.price(price_id, item.region)
        why = ("usage not modelled (price known: " f"{price.usd:g} USD per {price.unit})" if price is not None
               else "usage not modelled; price not in the table")
        return [ctx.charge(item, price_id, None, what=what, unit=unit, unknown_quantity=why)]

    return rule


def _backup_vault(ctx: _Context, item: Item) -> list[Charge]:
    stored, basis = ctx.usage_share(item, "backup_storage_gb", split=False)
    return [ctx.charge(item, "aws.backup.rds_snapshot.gb_month", stored, what="recovery points (RDS snapshots)",
                       unit="GB-month", basis=basis, unknown_quantity=basis)]


def _storage_account(ctx: _Context, item: Item) -> list[Charge]:
    inputs = item.inputs
    sku = _text((inputs.get("sku") or {}).get("name") if isinstance(inputs.get("sku"), Mapping) else None)
    tier = (_text(inputs.get("accessTier")) or "Hot").lower()
    stored, basis = ctx.usage_share(item, "offsite_storage_gb", split=False)
    return [ctx.charge(item, f"azure.blob.{tier}.{(sku or UNKNOWN).lower()}.gb_month", stored,
                       what=f"blob storage ({sku or 'sku unknown'}, {tier})", unit="GB-month", basis=basis,
                       unknown_quantity=basis, slot="blob-storage")]


def _zone(ctx: _Context, item: Item) -> list[Charge] | str:
    if ctx.of_type("cloudflare:index/zoneSubscription:ZoneSubscription"):
        return "its plan is billed on the plan subscription's line"
    return [ctx.charge(item, "cloudflare.plan.free.month", 1, what="plan: Free (no subscription managed by this "
                       "stack)", unit="month", region="")]


def _zone_subscription(ctx: _Context, item: Item) -> list[Charge]:
    plan = item.inputs.get("ratePlan")
    plan_id = _text(plan.get("id")) if isinstance(plan, Mapping) else None
    frequency = _text(item.inputs.get("frequency")) or "monthly"
    return [ctx.charge(item, f"cloudflare.plan.{plan_id or UNKNOWN}.month", 1,
                       what=f"plan: {(plan_id or 'unknown').capitalize()}, billed {frequency}", unit="month",
                       region="", slot="plan")]


RULES: Mapping[str, Rule] = {
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:ec2/eip:Eip": _eip,
    "aws:kms/key:Key": _kms_key,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/proxy:Proxy": _rds_proxy,
    "aws:elasticache/serverlessCache:ServerlessCache": _serverless_cache,
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
    "aws:route53/healthCheck:HealthCheck": _health_check,
    "aws:sns/topic:Topic": _usage_not_modelled("messages and deliveries", "aws.sns.notification", "message"),
    "aws:sqs/queue:Queue": _usage_not_modelled("requests", "aws.sqs.request", "request"),
    "aws:cloudwatch/eventBus:EventBus": _usage_not_modelled("custom events published", "aws.eventbridge.event",
                                                            "event"),
    "aws:cloudwatch/eventApiDestination:EventApiDestination": _usage_not_modelled(
        "API destination invocations", "aws.eventbridge.api_destination.invocation", "invocation"),
    "aws:scheduler/schedule:Schedule": _usage_not_modelled("schedule invocations", "aws.scheduler.invocation",
                                                           "invocation"),
    # EventBridge keeps a connection's credentials in a Secrets Manager secret it manages (EventBridge User Guide,
    # "Connections"): a secret-month, whatever the traffic.
    "aws:cloudwatch/eventConnection:EventConnection": lambda ctx, item: [ctx.charge(
        item, "aws.secretsmanager.secret.month", 1, what="the connection's secret (Secrets Manager, managed by "
        "EventBridge)", unit="month")],
    "aws:lambda/function:Function": _usage_not_modelled("requests and GB-seconds", "aws.lambda.request", "request"),
    # The backup checker (components/backup/checker.py): a Standard workflow billed per state transition.
    "aws:sfn/stateMachine:StateMachine": _usage_not_modelled("state transitions (Standard workflow)",
                                                             "aws.stepfunctions.state_transition", "transition"),
    "aws:backup/vault:Vault": _backup_vault,
    "aws:backup/framework:Framework": _usage_not_modelled("control evaluations (Backup Audit Manager)",
                                                          "aws.backup.audit_manager.evaluation", "evaluation"),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": _usage_not_modelled(
        "restore test jobs and the restored instance's hours", "aws.backup.restore_testing.job", "job"),
    "azure-native:storage:StorageAccount": _storage_account,
    "cloudflare:index/zone:Zone": _zone,
    "cloudflare:index/zoneSubscription:ZoneSubscription": _zone_subscription,
}


# --------------------------------------------------------------------------------------------------------------
# Flags: the purchases and per-hour charges a reviewer must see on the first screen


def _known(lines: Sequence[ResourceCost]) -> float | None:
    if any(line.unknown_charges for line in lines):
        return None
    return round(sum(line.monthly_usd for line in lines), 2)


def _hourly(lines: Sequence[ResourceCost], unit: str = "hour") -> float | None:
    """The flagged part of these lines: their charges billed by the hour (None if any of them is unpriced)."""
    amounts = [c.monthly_usd for line in lines for c in line.charges if c.unit == unit]
    if not amounts or any(a is None for a in amounts):
        return None
    return round(sum(a for a in amounts if a is not None), 2)


def _standby(line: ResourceCost, table: PriceTable) -> float | None:
    """What a Multi-AZ instance's standby adds: its instance-hours and its copy of the storage. Half the charge when
    it is priced as two Single-AZ copies; AWS's Multi-AZ rate less the Single-AZ one where the table lists it."""
    amounts = []
    for charge in line.charges:
        if charge.slot not in ("instance-hours", "storage"):
            continue
        if charge.monthly_usd is None or charge.quantity is None:
            return None
        if ".single_az." in charge.price_id:
            amounts.append(charge.monthly_usd / 2)
            continue
        single = table.price(charge.price_id.replace(".multi_az.", ".single_az."), charge.region)
        if single is None:
            return None
        amounts.append(charge.monthly_usd - charge.quantity * single.usd)
    return round(sum(amounts), 2) if amounts else None


def _flags(lines: Sequence[ResourceCost], table: PriceTable) -> list[Flag]:
    by_type: dict[str, list[ResourceCost]] = defaultdict(list)
    for line in lines:
        by_type[line.item.type].append(line)
    flags: list[Flag] = []
    for line in by_type.get("cloudflare:index/zoneSubscription:ZoneSubscription", []):
        charge = line.charges[0] if line.charges else None
        what = charge.what.split(": ", 1)[-1] if charge else "a plan"
        flags.append(Flag("purchase", f"Cloudflare subscription {line.item.name}: {what}, renews until "
                          "cancelled", (line.item.urn,), line.monthly_usd if not line.unknown_charges else None))
    nats = by_type.get("aws:ec2/natGateway:NatGateway", [])
    if nats:
        flags.append(Flag("per-hour", f"{len(nats)} {label(nats[0].item.type, len(nats))}: billed every hour each "
                          "exists (the amount shown is the hours), plus every GB they process",
                          tuple(n.item.urn for n in nats), _hourly(nats)))
    eips = by_type.get("aws:ec2/eip:Eip", [])
    if eips:
        flags.append(Flag("per-hour", f"{len(eips)} {label(eips[0].item.type, len(eips))} (Elastic IPs): billed "
                          "every hour, in use or idle", tuple(e.item.urn for e in eips), _known(eips)))
    for line in by_type.get("aws:rds/instance:Instance", []):
        klass = _text(line.item.inputs.get("instanceClass")) or "class unknown"
        if _multi_az(line.item):
            flags.append(Flag("doubled", f"RDS {line.item.name} is Multi-AZ: a standby {klass} and a second copy "
                              "of its storage are billed every hour besides the primary (the amount shown is the "
                              "standby's: its instance-hours and its storage)", (line.item.urn,),
                              _standby(line, table)))
        else:
            flags.append(Flag("per-hour", f"RDS {line.item.name} ({klass}): billed every hour it runs",
                              (line.item.urn,), _hourly([line])))
    minimum = table.rule_value("rds.proxy.minimum_vcpus")
    for line in by_type.get("aws:rds/proxy:Proxy", []):
        floor = f"at least {minimum:g} vCPUs per proxy" if minimum else "AWS states a minimum vCPU charge per proxy"
        flags.append(Flag("minimum", f"RDS Proxy {line.item.name}: billed per vCPU-hour of the database it fronts "
                          f"({line.charges[0].what.split('(')[-1].rstrip(')')}), whatever the traffic; {floor}",
                          (line.item.urn,), _hourly([line], "vCPU-hour")))
    for line in by_type.get("aws:elasticache/serverlessCache:ServerlessCache", []):
        engine = _text(line.item.inputs.get("engine")) or "cache"
        minimum = "100 MB" if engine == "valkey" else "1 GB"
        flags.append(Flag("minimum", f"ElastiCache Serverless {line.item.name} ({engine}): at least {minimum} of data "
                          "is metered every hour, whatever is stored", (line.item.urn,),
                          _hourly([line], "GB-hour")))
    return flags


# --------------------------------------------------------------------------------------------------------------


def _budgets(items: Iterable[Item]) -> list[Budget]:
    budgets = []
    for item in items:
        if item.type != BUDGET_TYPE:
            continue
        inputs = item.inputs
        amount = inputs.get("limitAmount")
        monthly = (inputs.get("timeUnit") == "MONTHLY" and inputs.get("limitUnit") == "USD"
                   and inputs.get("budgetType", "COST") == "COST")
        try:
            value = float(amount) if monthly and isinstance(amount, str | int | float) else None
        except ValueError:
            value = None
        budgets.append(Budget(item.urn, item.name, value))
    return budgets


def estimate(items: Sequence[Item], usage: Mapping[str, Any] | None, table: PriceTable | None = None) -> Estimate:
    """The monthly estimate of `items`, with `usage` (the `cost_usage` output; None when the program has none)."""
    table = table or load_table()
    ctx = _Context(table=table, usage=usage, items=list(items), counts=Counter(i.type for i in items))
    lines = []
    for item in items:
        line = ResourceCost(item)
        rule = RULES.get(item.type)
        free = table.free.get(item.type)
        if rule is not None:
            charges = rule(ctx, item)
            if isinstance(charges, str):
                line.free = charges
            else:
                line.charges = charges
        elif free is not None:
            line.free = free.reason
            line.free_source = free.source.url if free.source else ""
        else:
            line.unpriced_type = True
        lines.append(line)
    return Estimate(lines=lines, flags=_flags(lines, table), usage=usage, table=table, budgets=_budgets(items))
