"""What a change costs in `ops diff`: a purchase a replacement makes again is flagged, and a price the table lacks
reads "+? USD/month (unknown price)", never +0.00."""

from __future__ import annotations

import copy
from typing import Any

from ops.changes import compare
from ops.cost.report import delta_json, delta_markdown_lines, delta_text_lines, document_delta, purchase_attention
from ops.reports.diff_report import render_diff_text
from tests.ops.cost.test_report import _document

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
    assert lines[0].endswith("; 1 purchase made, listed below")
    assert lines[1].startswith("  ! [purchase] bought again (replaced): Cloudflare subscription edge-subscription")
    assert lines[1].endswith("(20.00 USD/month)")
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
    assert both[0].startswith("Cost: +35.04 USD/month known, +? USD/month (unknown price) (")
    # Removing it: "-?", not "-0.00".
    assert delta_text_lines(document_delta(head, base))[0].startswith("Cost: -? USD/month (unknown price) (")
