"""The estimate, line by line: a few lines computed here by hand from the cited prices (one NAT gateway-month in
eu-west-1, a Multi-AZ DB instance month, a KMS key-month), unknown prices listed and never counted, and the
purchases and per-hour charges flagged."""

from __future__ import annotations

from typing import Any

import pytest

from ops.cost.estimate import Estimate, build_items, estimate, instance_vcpus
from ops.cost.table import load_table

HOURS = 730  # prices.json constants.hours_per_month
NAT_HOUR_EU_WEST_1 = 0.048  # AWS Price List, AmazonEC2 eu-west-1, 2026-09-25: "$0.048 per NAT Gateway Hour"
NAT_GB_EU_WEST_1 = 0.048  # same file: "$0.048 per GB Data Processed by NAT Gateways"
KMS_KEY_MONTH = 1.00  # aws.amazon.com/kms/pricing: "Each AWS KMS key that you create in KMS costs $1/month"
T4G_MEDIUM_EU_WEST_1 = 0.069  # criyoo/corpershub-infrastructure cost estimate (2026-03-23), AWS price list eu-west-1
GP3_EU_WEST_1 = 0.127  # same page: "RDS gp3 storage Single-AZ | $0.127 per GB-month | eu-west-1"
PUBLIC_IPV4_HOUR = 0.005  # cloudburn.io (2026-02-24): "Public IPv4 address costs ($0.005/hour per IP)"
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
    # The RDS-managed master secret is a Secrets Manager secret: its price is not in the table, so it is listed.
    assert secret.monthly_usd is None
    assert line.monthly_usd == pytest.approx(105.82)
    single = _stack(_database("db.t4g.medium", multi_az=False, storage=20))
    assert single.monthly_usd == pytest.approx(HOURS * T4G_MEDIUM_EU_WEST_1 + 20 * GP3_EU_WEST_1)  # 50.37 + 2.54


def test_prods_class_without_a_cited_eu_west_1_price_is_unknown_never_zero() -> None:
    result = _stack(_database("db.m7g.large", multi_az=True, storage=100))
    (line,) = result.lines
    instance = line.charges[0]
    assert instance.monthly_usd is None
    assert "no eu-west-1 price for aws.rds.postgres.db.m7g.large.single_az.hour" in instance.unknown
    # The storage is priced and counted; the instance-hours are not, and the figure says it is a lower bound.
    assert result.monthly_usd == pytest.approx(2 * 100 * GP3_EU_WEST_1)
    assert result.unknown_count == 2  # the instance-hours and the master secret
    groups = {(g.type, g.what): g for g in result.unknown}
    assert groups[("aws:rds/instance:Instance", "db.m7g.large instance-hours (Multi-AZ: primary and standby)")]
    (flag,) = result.flags
    assert flag.kind == "doubled"
    assert "standby db.m7g.large" in flag.text
    assert flag.monthly_usd is None  # not a partial figure presented as the whole


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
    assert len(load_table().free) > 50
