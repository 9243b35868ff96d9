"""A stack in a region the price table does not cover says so before its cost figure: 'prices.json has no prices
for us-east-2: ... not counted'. Before, the text said '4.65 USD/month known' and a budget line compared with it."""

from __future__ import annotations

from pathlib import Path

from ops.cost import Item, estimate
from ops.model import Plan, PlanReport, ResourceRecord, StackFile
from ops.reports.plan_markdown import render_markdown
from ops.reports.plan_text import render_text, unpriced_region_note


def _report(region: str) -> PlanReport:
    def item(type_: str, name: str) -> Item:
        return Item(urn=f"urn:pulumi:s::p::{type_}::{name}", type=type_, name=name, inputs={}, region=region,
                    component="network")

    cost = estimate([item("aws:ec2/natGateway:NatGateway", "nat"), item("aws:ec2/eip:Eip", "ip"),
                     item("aws:kms/key:Key", "key")], None)
    stack = ResourceRecord(urn="urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", type="pulumi:pulumi:Stack", name="p-s",
                           custom=False, parent=None, provider=None, inputs={})
    config = StackFile(stack="s", path=Path("Pulumi.s.yaml"), values={"aws:region": region}, wire={})
    plan = Plan(project="p", stack="s", organization="o", resources=[stack], outputs={}, logs=[], config=config)
    return PlanReport(plan=plan, policy=None, cost=cost)


def test_a_region_without_prices_is_named_before_the_figure() -> None:
    report = _report("us-east-2")
    note = unpriced_region_note(report)
    assert note is not None
    assert note == (
        "prices.json has no us-east-2 prices for NAT gateway-hours, public IPv4 address-hours, data processed: not "
        "counted (3 charges, about 38.69 USD/month at eu-west-1's prices), so the figure below leaves them out "
        "(docs/cost.md)"
    )
    text = render_text(report)
    cost = text[text.index("Cost (offline estimate"):].splitlines()
    assert cost[1] == f"  warning: {note}"  # first, above the known figure
    markdown = render_markdown(report)
    assert markdown.index("prices.json has no us-east-2 prices") < markdown.index("USD/month known")


def test_a_region_with_prices_gets_no_such_note() -> None:
    report = _report("eu-west-1")
    assert unpriced_region_note(report) is None
    assert "prices for" not in render_text(report)


def test_a_region_with_some_prices_still_names_the_large_charges_it_misses() -> None:
    # us-east-1 has CloudWatch's and Secrets Manager's prices but no NAT gateway's: the note must not vanish.
    note = unpriced_region_note(_report("us-east-1"))
    assert note is not None
    assert note.startswith("prices.json has no us-east-1 prices for NAT gateway-hours")
