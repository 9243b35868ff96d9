"""The estimate, line by line: a few lines computed here by hand from the cited prices (one NAT gateway-month in
eu-west-1, prod's db.m7g.large Multi-AZ month, a KMS key-month, the RDS Proxy's minimum), unknown prices listed and
never counted, and the purchases and per-hour charges flagged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ops.cost.estimate import Estimate, alarm_metrics, build_items, estimate, instance_vcpus, proxy_vcpus
from ops.cost.table import PRICES_FILE, load_table, parse_table

HOURS = 730  # prices.json constants.hours_per_month
NAT_HOUR_EU_WEST_1 = 0.048  # AWS Price List, AmazonEC2 eu-west-1, 2026-09-25: "$0.048 per NAT Gateway Hour"
NAT_GB_EU_WEST_1 = 0.048  # same file: "$0.048 per GB Data Processed by NAT Gateways"
KMS_KEY_MONTH = 1.00  # aws.amazon.com/kms/pricing: "Each AWS KMS key that you create in KMS costs $1/month"
# geawilliamsUK/TerraTofuGUi definitions/prices/aws.toml (checked 2026-09-29 against AWS's price feeds):
T4G_MEDIUM_EU_WEST_1 = 0.069  # "db.t4g.medium" = { us-east-1 = 0.065, eu-west-1 = 0.069, eu-west-2 = 0.072 }
M7G_LARGE_EU_WEST_1 = 0.186  # "db.m7g.large" = { us-east-1 = 0.168, eu-west-1 = 0.186, eu-west-2 = 0.1952 }
GP3_EU_WEST_1 = 0.127  # gp3 = { us-east-1 = 0.115, eu-west-1 = 0.127, ... }; "Multi-AZ storage is exactly twice"
SECRET_MONTH = 0.40  # secrets_manager: secret = { "*" = 0.40 } (the same in us-east-1, eu-west-1, eu-west-2)
PUBLIC_IPV4_HOUR = 0.005  # public_ipv4: "$0.005 in all three regions"
ALARM_METRIC_MONTH = 0.10  # AmazonCloudWatch eu-west-1 offer: "$0.10 per alarm metric month (standard resolution)"
LOG_INGEST_GB_EU_WEST_1 = 0.57  # same offer: "$0.57 per GB custom log data ingested in Standard log class"
LOG_STORE_GB_MONTH = 0.03  # same offer: "$0.03 per GB-mo of log storage - EU (Ireland)"
PROXY_MINIMUM_VCPUS = 2  # aws.amazon.com/rds/proxy/pricing: "Minimum Charge: 2 vCPUs"
PRO_MONTH = 20.0  # Cloudflare: "an invoice with two $20 charges" for two Pro zones

PROVIDER = "urn:pulumi:prod::platform::pulumi:providers:aws::default_7_0_0"
STACK = "urn:pulumi:prod::platform::pulumi:pulumi:Stack::platform-prod"


def _resource(type_: str, name: str, inputs: dict[str, Any] | None = None, *, parent: str = STACK,
              provider: str | None = PROVIDER) -> dict[str, Any]:
    return {"urn": f"urn:pulumi:prod::platform::{type_}::{name}", "type": type_, "name": name, "custom": True,
            "parent": parent, "provider": f"{provider}::id" if provider else None, "inputs": inputs or {}}


def _stack(*resources: dict[str, Any], region: str = "eu-west-1", usage: dict[str, Any] | None = None) -> Estimate:
    base = [
        {"urn": STACK, "type": "pulumi:pulumi:Stack", "name": "platform-prod", "custom": False, "parent": None,
         "inputs": {}},
        {"urn": PROVIDER, "type": "pulumi:providers:aws", "name": "default_7_0_0", "custom": True, "parent": None,
         "inputs": {"region": region}},
    ]
    return estimate(build_items([*base, *resources]), usage)


def _database(instance_class: str, *, multi_az: bool, storage: int = 20) -> dict[str, Any]:
    return _resource("aws:rds/instance:Instance", "postgres-instance", {
        "engine": "postgres", "instanceClass": instance_class, "multiAz": multi_az, "storageType": "gp3",
        "allocatedStorage": storage, "manageMasterUserPassword": True,
    })


def test_one_nat_gateway_month_in_eu_west_1() -> None:
    result = _stack(_resource("aws:ec2/natGateway:NatGateway", "nat-0"), usage={"nat_data_processed_gb": 0})
    (line,) = result.lines
    hours, data = line.charges
    assert hours.monthly_usd == pytest.approx(NAT_HOUR_EU_WEST_1 * HOURS)  # 35.04
    assert hours.monthly_usd == pytest.approx(35.04)
    assert data.monthly_usd == 0.0
    assert result.monthly_usd == pytest.approx(35.04)


def test_data_processed_is_the_usage_assumption_shared_by_the_nat_gateways() -> None:
    result = _stack(_resource("aws:ec2/natGateway:NatGateway", "nat-0"),
                    _resource("aws:ec2/natGateway:NatGateway", "nat-1"), usage={"nat_data_processed_gb": 100})
    for line in result.lines:
        assert line.charges[1].quantity == 50
        assert line.charges[1].monthly_usd == pytest.approx(50 * NAT_GB_EU_WEST_1)
        assert "shared by 2 NAT gateways" in line.charges[1].basis
    assert result.monthly_usd == pytest.approx(2 * 35.04 + 100 * NAT_GB_EU_WEST_1)


def test_a_kms_key_month_in_any_region() -> None:
    for region in ("eu-west-1", "us-east-1", "eu-central-1"):
        result = _stack(_resource("aws:kms/key:Key", "key"), region=region)
        assert result.monthly_usd == KMS_KEY_MONTH


def test_a_multi_az_db_instance_month_bills_the_standby_and_its_storage() -> None:
    result = _stack(_database("db.t4g.medium", multi_az=True, storage=20))
    (line,) = result.lines
    instance, storage, secret = line.charges
    assert instance.quantity == 2 * HOURS
    assert instance.monthly_usd == pytest.approx(2 * HOURS * T4G_MEDIUM_EU_WEST_1)  # 100.74
    assert instance.monthly_usd == pytest.approx(100.74)
    assert storage.monthly_usd == pytest.approx(2 * 20 * GP3_EU_WEST_1)  # 5.08
    # The RDS-managed master secret is a Secrets Manager secret: a secret-month.
    assert secret.monthly_usd == SECRET_MONTH
    assert line.monthly_usd == pytest.approx(100.74 + 5.08 + 0.40)
    single = _stack(_database("db.t4g.medium", multi_az=False, storage=20))
    assert single.monthly_usd == pytest.approx(HOURS * T4G_MEDIUM_EU_WEST_1 + 20 * GP3_EU_WEST_1 + SECRET_MONTH)


def test_prods_db_m7g_large_multi_az_month_by_hand() -> None:
    # Prod: db.m7g.large, Multi-AZ, 100 GB gp3, RDS-managed master secret, eu-west-1. No stored copy of the offer
    # file lists a Multi-AZ rate of its own for this class, so the standby is billed at the Single-AZ rate
    # (rules.rds.multi_az: "Billed per DB instance-hour for both the primary and standby instances"):
    #   instance-hours  2 x 730 h x 0.186 USD = 271.56
    #   gp3 storage     2 x 100 GB x 0.127 USD = 25.40
    #   master secret   1 x 0.40 USD          =  0.40
    #                                           297.36 USD a month
    result = _stack(_database("db.m7g.large", multi_az=True, storage=100))
    (line,) = result.lines
    instance, storage, secret = line.charges
    assert (instance.quantity, instance.unit, instance.price.usd) == (2 * HOURS, "hour", M7G_LARGE_EU_WEST_1)
    assert instance.monthly_usd == pytest.approx(2 * HOURS * M7G_LARGE_EU_WEST_1) == pytest.approx(271.56)
    assert storage.monthly_usd == pytest.approx(2 * 100 * GP3_EU_WEST_1) == pytest.approx(25.40)
    assert secret.monthly_usd == SECRET_MONTH
    assert result.monthly_usd == pytest.approx(297.36)
    assert result.unknown_count == 0
    (flag,) = result.flags
    assert flag.kind == "doubled"
    assert "standby db.m7g.large" in flag.text
    # What the flag describes, by hand: the standby's instance-hours (730 h x 0.186 = 135.78) and its copy of the
    # storage (100 GB x 0.127 = 12.70), besides the primary; not primary and standby together (271.56).
    assert flag.monthly_usd == pytest.approx(HOURS * M7G_LARGE_EU_WEST_1 + 100 * GP3_EU_WEST_1)
    assert flag.monthly_usd == pytest.approx(135.78 + 12.70) == pytest.approx(148.48)


def test_aws_own_multi_az_rate_is_used_where_the_table_lists_one() -> None:
    # The mechanism, on a copy of the table given a Multi-AZ entry (a test figure, not a price: 0.4 is chosen to
    # differ from 2 x 0.186): the estimate takes the listed rate for the 730 hours instead of doubling them.
    raw = json.loads(PRICES_FILE.read_text())
    raw["prices"]["aws.rds.postgres.db.m7g.large.multi_az.hour"] = {
        **raw["prices"]["aws.rds.postgres.db.m7g.large.single_az.hour"], "usd": {"eu-west-1": 0.4}}
    table = parse_table(raw)
    items = build_items([
        {"urn": STACK, "type": "pulumi:pulumi:Stack", "name": "platform-prod", "custom": False, "inputs": {}},
        {"urn": PROVIDER, "type": "pulumi:providers:aws", "name": "p", "inputs": {"region": "eu-west-1"}},
        _database("db.m7g.large", multi_az=True, storage=100),
    ])
    instance = estimate(items, None, table).lines[0].charges[0]
    assert (instance.price_id, instance.quantity) == ("aws.rds.postgres.db.m7g.large.multi_az.hour", HOURS)
    assert instance.monthly_usd == pytest.approx(HOURS * 0.4)


def test_a_class_without_a_cited_price_is_unknown_never_zero() -> None:
    result = _stack(_database("db.r7g.large", multi_az=True, storage=100))
    (line,) = result.lines
    instance = line.charges[0]
    assert instance.monthly_usd is None
    assert "no eu-west-1 price for aws.rds.postgres.db.r7g.large.single_az.hour" in instance.unknown
    # The storage and secret are priced and counted; the instance-hours are not, and the figure says it is a lower
    # bound.
    assert result.monthly_usd == pytest.approx(2 * 100 * GP3_EU_WEST_1 + SECRET_MONTH)
    assert result.unknown_count == 1
    assert [(g.type, g.what, g.unit) for g in result.unknown_hourly] == [
        ("aws:rds/instance:Instance", "db.r7g.large instance-hours (Multi-AZ: primary and standby)", "hour")]
    (flag,) = result.flags
    assert flag.monthly_usd is None  # not a partial figure presented as the whole


def test_the_rds_proxy_is_billed_for_at_least_its_minimum_vcpus() -> None:
    # aws.amazon.com/rds/proxy/pricing: "priced per vCPU per hour" of the proxied instance, "Minimum Charge: 2
    # vCPUs". db.m7g.large has 2 vCPUs: 2 x 730 = 1,460 vCPU-hours; a 1-vCPU instance would still bill 2.
    assert load_table().rule_value("rds.proxy.minimum_vcpus") == PROXY_MINIMUM_VCPUS
    assert proxy_vcpus(1, PROXY_MINIMUM_VCPUS) == 2
    assert proxy_vcpus(4, PROXY_MINIMUM_VCPUS) == 4
    assert proxy_vcpus(None, PROXY_MINIMUM_VCPUS) is None
    proxy = _resource("aws:rds/proxy:Proxy", "postgres-proxy", {"engineFamily": "POSTGRESQL"})
    result = _stack(_database("db.m7g.large", multi_az=True, storage=100), proxy)
    (charge,) = result.lines[1].charges
    assert (charge.quantity, charge.unit) == (PROXY_MINIMUM_VCPUS * HOURS, "vCPU-hour")
    # No stored copy of AWS's eu-west-1 RDS Proxy rate was found: the vCPU-hours are listed, never counted as zero.
    assert charge.monthly_usd is None
    assert "no eu-west-1 price for aws.rds.proxy.vcpu.hour" in charge.unknown
    flag = next(f for f in result.flags if f.kind == "minimum")
    assert "at least 2 vCPUs per proxy" in flag.text


def test_a_serverless_cache_meters_its_minimum_every_hour() -> None:
    # Valkey: at least 100 MB metered, whatever is stored: 0.1 GB x 730 h = 73 GB-hours (price not cited for
    # eu-west-1: listed, not counted).
    cache = _resource("aws:elasticache/serverlessCache:ServerlessCache", "cache", {"engine": "valkey"})
    result = _stack(cache, usage={"cache_data_mb": 10, "cache_ecpu_millions": 1})
    stored, _ecpu = result.lines[0].charges
    assert (stored.quantity, stored.unit) == (pytest.approx(0.1 * HOURS), "GB-hour")
    assert stored.monthly_usd is None
    assert [g.what for g in result.unknown_hourly] == ["data stored (GB-hours)"]


def test_alarms_are_billed_per_metric_they_read() -> None:
    # CloudWatch bills "$0.10 per alarm metric month": a metric-math alarm over 3 metrics is 3 alarm metric-months.
    math = {"metricQueries": [
        {"id": "visible", "metric": {"metricName": "ApproximateNumberOfMessagesVisible"}},
        {"id": "delayed", "metric": {"metricName": "ApproximateNumberOfMessagesDelayed"}},
        {"id": "invisible", "metric": {"metricName": "ApproximateNumberOfMessagesNotVisible"}},
        {"id": "total", "expression": "visible + delayed + invisible", "returnData": True},
    ]}
    assert alarm_metrics(math) == 3
    assert alarm_metrics({"metricName": "CPUUtilization", "period": 300}) == 1
    result = _stack(_resource("aws:cloudwatch/metricAlarm:MetricAlarm", "dlq", math),
                    _resource("aws:cloudwatch/metricAlarm:MetricAlarm", "cpu", {"period": 300}))
    assert result.monthly_usd == pytest.approx(4 * ALARM_METRIC_MONTH)


def test_a_log_group_holds_its_retention_of_ingestion() -> None:
    # 4 GB a month kept 365 days: at most 4 x 365 / (365 / 12) = 48 GB held (CloudWatch archives compressed, so an
    # upper bound): 4 x 0.57 + 48 x 0.03 = 2.28 + 1.44 = 3.72 USD.
    group = _resource("aws:cloudwatch/logGroup:LogGroup", "flow-logs", {"retentionInDays": 365})
    result = _stack(group, usage={"log_ingestion_gb": 4})
    ingestion, storage = result.lines[0].charges
    assert ingestion.monthly_usd == pytest.approx(4 * LOG_INGEST_GB_EU_WEST_1)
    assert storage.quantity == pytest.approx(48)
    assert storage.monthly_usd == pytest.approx(48 * LOG_STORE_GB_MONTH)
    assert result.monthly_usd == pytest.approx(3.72)
    forever = _stack(_resource("aws:cloudwatch/logGroup:LogGroup", "kept", {}), usage={"log_ingestion_gb": 4})
    assert forever.lines[0].charges[1].monthly_usd is None  # kept forever: no steady state to price


def test_a_region_without_prices_leaves_every_regional_charge_unknown() -> None:
    result = _stack(_resource("aws:ec2/natGateway:NatGateway", "nat-0"), region="ap-southeast-1",
                    usage={"nat_data_processed_gb": 10})
    assert result.monthly_usd == 0
    assert sorted(g.reason for g in result.unknown) == [
        "no ap-southeast-1 price for aws.nat_gateway.gb_processed in prices.json",
        "no ap-southeast-1 price for aws.nat_gateway.hour in prices.json",
    ]


def test_a_usage_charge_without_usage_assumptions_is_unknown() -> None:
    result = _stack(_resource("aws:s3/bucket:Bucket", "backups"))
    assert result.monthly_usd == 0
    assert all("no usage assumption" in g.reason for g in result.unknown)
    assert result.unknown_count == 3


def test_a_type_with_neither_rule_nor_reason_is_unknown_as_a_whole() -> None:
    result = _stack(_resource("aws:ec2/instance:Instance", "web"), _resource("aws:ec2/vpc:Vpc", "vpc"))
    web, vpc = result.lines
    assert web.unpriced_type
    assert not web.charges
    assert vpc.free == "no charge of its own"
    assert vpc.free_source.startswith("https://")
    assert [(g.type, g.what) for g in result.unknown] == [("aws:ec2/instance:Instance", "the whole resource")]


def test_the_cloudflare_plan_is_a_purchase_and_the_zone_is_not_billed_twice() -> None:
    zone = _resource("cloudflare:index/zone:Zone", "zone", {"name": "example.com"}, provider=None)
    subscription = _resource("cloudflare:index/zoneSubscription:ZoneSubscription", "subscription",
                             {"ratePlan": {"id": "pro"}, "frequency": "monthly"}, provider=None)
    result = _stack(zone, subscription)
    assert result.monthly_usd == PRO_MONTH
    assert result.by_vendor == {"cloudflare": PRO_MONTH}
    (flag,) = result.flags
    assert (flag.kind, flag.monthly_usd) == ("purchase", PRO_MONTH)
    assert "Pro, billed monthly" in flag.text
    free = _stack(zone)
    assert free.monthly_usd == 0
    assert free.unknown_count == 0


def test_components_group_the_lines() -> None:
    component = "urn:pulumi:prod::platform::platform:network:Network::network"
    result = estimate(build_items([
        {"urn": STACK, "type": "pulumi:pulumi:Stack", "name": "platform-prod", "custom": False, "inputs": {}},
        {"urn": PROVIDER, "type": "pulumi:providers:aws", "name": "p", "inputs": {"region": "eu-west-1"}},
        {"urn": component, "type": "platform:network:Network", "name": "network", "custom": False,
         "parent": STACK, "inputs": {}},
        _resource("aws:ec2/eip:Eip", "nat-0", parent=component),
        _resource("aws:kms/key:Key", "key"),
    ]), None)
    assert result.by_component == {"network": (pytest.approx(HOURS * PUBLIC_IPV4_HOUR), 0), "(stack)": (1.0, 0)}


@pytest.mark.parametrize(("klass", "vcpus"), [("db.t4g.medium", 2), ("db.m7g.large", 2), ("db.m7g.xlarge", 4),
                                              ("db.r7g.4xlarge", 16), ("db.x", None), (None, None)])
def test_vcpus_of_a_class(klass: str | None, vcpus: int | None) -> None:
    assert instance_vcpus(klass) == vcpus


def test_the_repository_stacks_price_or_explain_every_type(stack_estimates: dict[str, Estimate]) -> None:
    # A type the stacks create must have a rule or a reason to be free: a new type is a line in the table, never
    # an unexplained zero.
    for stack, result in stack_estimates.items():
        assert [line.item.type for line in result.lines if line.unpriced_type] == [], stack
        assert result.usage is not None, stack


def test_the_prod_estimate_flags_what_a_reviewer_must_see(stack_estimates: dict[str, Estimate]) -> None:
    prod = stack_estimates["prod"]
    kinds = [(flag.kind, flag.text.split(":")[0]) for flag in prod.flags]
    assert ("purchase", "Cloudflare subscription edge-subscription") in kinds
    assert ("per-hour", "3 NAT gateways") in kinds
    assert ("doubled", "RDS postgres-instance is Multi-AZ") in kinds
    assert ("minimum", "RDS Proxy postgres-proxy") in kinds
    nat = next(flag for flag in prod.flags if flag.text.startswith("3 NAT gateways"))
    assert nat.monthly_usd == pytest.approx(3 * NAT_HOUR_EU_WEST_1 * HOURS)  # 105.12
    preview = stack_estimates["preview"]
    assert not [flag for flag in preview.flags if flag.kind in ("purchase", "doubled")]
    # A flag carries the amount of what it flags (the instance-hours), even when the resource has other, unpriced
    # charges (its master secret).
    database = next(flag for flag in preview.flags if flag.text.startswith("RDS postgres-instance"))
    assert database.monthly_usd == pytest.approx(T4G_MEDIUM_EU_WEST_1 * HOURS)  # 50.37
    multi_az = next(flag for flag in prod.flags if flag.kind == "doubled")
    assert multi_az.monthly_usd == pytest.approx(HOURS * M7G_LARGE_EU_WEST_1 + 100 * GP3_EU_WEST_1)  # 148.48
    assert len(load_table().free) > 50
