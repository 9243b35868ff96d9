"""What a change costs in `ops diff`: a purchase a replacement makes again is flagged, and a price the table lacks
reads "+? USD/month (unknown price)", never +0.00."""

from __future__ import annotations

import copy
from typing import Any

from ops.changes import compare
from ops.cost.report import delta_json, delta_markdown_lines, delta_text_lines, document_delta, purchase_attention
from ops.reports.diff_report import render_diff_text
from tests.ops.cost.test_report import PROVIDER, _document

SUBSCRIPTION = "urn:pulumi:prod::platform::cloudflare:index/zoneSubscription:ZoneSubscription::edge"
QUEUE = "urn:pulumi:prod::platform::aws:sqs/queue:Queue::jobs-dlq"
UNPRICED = "urn:pulumi:prod::platform::aws:appsync/graphQLApi:GraphQLApi::api"


def _with(document: dict[str, Any], *resources: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(document)
    out["resources"] += list(resources)
    return out


def test_a_replaced_subscription_is_a_purchase_under_needs_attention_and_in_the_cost() -> None:
    # Moved to another zone (zoneId forces replacement: cloudflare/terraform-provider-cloudflare
    # internal/services/zone_subscription/schema.go, RequiresReplace), as a renamed zone's new id moves it.
    base = _document(0, plan="pro")
    head = copy.deepcopy(base)
    for document, zone in ((base, "023e105f4ecef8ad9ca31a8372d0c353"), (head, "9a7806061c88ada191ed06f989cc3dac")):
        (subscription,) = [r for r in document["resources"] if r["urn"] == SUBSCRIPTION]
        subscription["inputs"]["zoneId"] = zone
    changes = compare(base, head)
    assert [c.kind for c in changes.changes] == ["replace"]
    delta = document_delta(base, head, changes)
    assert delta.delta_usd == 0  # the old one is cancelled, a new one bought: the monthly total cannot show it
    (purchase,) = delta.purchases
    assert (purchase.kind, purchase.how, purchase.monthly_usd) == ("purchase", "replaced", 20.0)
    lines = delta_text_lines(delta)
    # The headline and the line say the same: bought again, the monthly estimate unchanged, billed twice meanwhile
    # (Pulumi creates the replacement before it deletes the old one unless deleteBeforeReplace is set).
    assert lines[0].startswith("Cost: +0.00 USD/month (")
    assert lines[0].endswith("; 1 bought again by a replacement (monthly estimate unchanged; billed twice while both "
                             "exist), listed below")
    assert lines[1].startswith("  ! [purchase] bought again (replaced): Cloudflare subscription edge-subscription")
    assert lines[1].endswith("(monthly estimate unchanged: 20.00 USD/month; billed twice while both exist)")
    assert any("bought again (replaced)" in line for line in delta_markdown_lines(delta))
    assert delta_json(delta)["purchases"][0]["monthly_cost_usd"] == 20.0
    changes.add_attention(purchase_attention(delta))
    assert [a.severity for a in changes.attention] == ["replacement", "purchase"]
    assert "[purchase] bought again (replaced): Cloudflare subscription" in render_diff_text(changes)


def test_added_nat_gateways_are_a_per_hour_purchase() -> None:
    base, head = _document(0), _document(2)
    delta = document_delta(base, head, compare(base, head))
    (purchase,) = delta.purchases
    assert (purchase.kind, purchase.how, purchase.verb) == ("per-hour", "added", "bought")
    assert len(purchase.urns) == 2


def test_a_change_of_unknown_price_never_reads_plus_zero() -> None:
    unpriced = {"urn": UNPRICED, "type": "aws:appsync/graphQLApi:GraphQLApi", "name": "api", "custom": True,
                "parent": None, "inputs": {}}
    base = _document(1)
    head = _with(base, unpriced)
    lines = delta_text_lines(document_delta(base, head, compare(base, head)))
    assert lines[0].startswith("Cost: +? USD/month (unknown price) (")
    assert lines[1].startswith("  +? USD/month (unknown price): 1 ")
    assert not [line for line in lines if "+0.00" in line]
    # A known part and an unknown one: both said.
    both = delta_text_lines(document_delta(base, _with(_document(2), unpriced)))
    assert both[0].startswith("Cost: +? USD/month (unknown price); priced before and after: +35.04 USD/month (")
    # Removing it: "-?", not "-0.00".
    assert delta_text_lines(document_delta(head, base))[0].startswith("Cost: -? USD/month (unknown price) (")


def _rds(instance_class: str) -> dict[str, Any]:
    return {"urn": "urn:pulumi:prod::platform::platform:database:Database$aws:rds/instance:Instance::postgres",
            "type": "aws:rds/instance:Instance", "name": "postgres-instance", "custom": True, "parent": None,
            "provider": f"{PROVIDER}::id",
            "inputs": {"engine": "postgres", "instanceClass": instance_class, "multiAz": True,
                       "allocatedStorage": 100, "storageType": "gp3"}}


def test_a_class_the_table_has_no_price_for_is_never_a_saving() -> None:
    # db.m7g.xlarge has no price in ops/cost/prices.json: the instance-hours go from priced (2 x 730 h x 0.186 =
    # 271.56, Multi-AZ) to unknown. The change costs more, unknown how much: never -271.56.
    base = _with(_document(1), _rds("db.m7g.large"))
    head = _with(_document(1), _rds("db.m7g.xlarge"))
    changes = compare(base, head)
    delta = document_delta(base, head, changes)
    lines = delta_text_lines(delta)
    assert delta.delta_usd == 0  # storage (2 x 100 GB x 0.127) and the NAT gateway are priced on both sides
    assert lines[0].startswith("Cost: +? USD/month (unknown price) (60.44 -> 60.44 known on the charges priced "
                               "before and after; 1 charge priced before has no price now (was 271.56 USD/month)")
    assert ("  +? USD/month: postgres-instance db.m7g.large -> db.m7g.xlarge instance-hours (Multi-AZ: primary and "
            "standby) (was 271.56 USD/month, new price unknown)") in lines
    assert not [line for line in lines if "-271.56" in line or "+0.00" in line]
    document = delta_json(delta)
    assert document["delta_monthly_cost_usd"] == 0
    assert [(c["name"], c["base_monthly_cost_usd"], c["head_monthly_cost_usd"], c["hourly"])
            for c in document["priced_on_one_side"]] == [("postgres-instance", 271.56, None, True)]
    # On the first screen: a cost change of something billed every hour.
    changes.add_attention(purchase_attention(delta))
    (cost,) = [a for a in changes.attention if a.severity == "cost"]
    assert cost.message.startswith("billed every hour: +? USD/month: postgres-instance db.m7g.large -> db.m7g.xlarge")
    assert "[cost] billed every hour: +? USD/month: postgres-instance" in render_diff_text(changes)


def test_an_hourly_change_needs_attention_with_its_figure() -> None:
    # Multi-AZ off: the standby's instance-hours (730 h x 0.186 = 135.78) go.
    single = _rds("db.m7g.large")
    single["inputs"]["multiAz"] = False
    base, head = _with(_document(3), _rds("db.m7g.large")), _with(_document(1), single)
    delta = document_delta(base, head, compare(base, head))
    messages = [a.message for a in purchase_attention(delta) if a.severity == "cost"]
    assert ("billed every hour: -135.78 USD/month: postgres-instance: now db.m7g.large instance-hours (Single-AZ)"
            in messages)
    # Fewer NAT gateways: 2 x 730 h x 0.048 = 70.08 less.
    assert "billed every hour: -70.08 USD/month: 2 NAT gateways removed (their hours)" in messages
