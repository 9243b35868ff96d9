"""The estimate where a reviewer reads it: `ops plan` (text, `--json` under self-describing keys, `--report` on the
first screen) and `ops diff` (what a change costs a month)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ops.cost import Estimate
from ops.cost.report import cost_delta, delta_text_lines, document_delta, estimate_json, markdown_head, text_lines
from ops.model import PlanReport
from ops.reports.plan_json import build_json
from ops.reports.plan_markdown import render_markdown
from ops.reports.plan_text import render_text
from tests.support.cli import REPO
from tests.support.plans import PlanView

TODAY = dt.date(2026, 12, 7)
STACK = "urn:pulumi:prod::platform::pulumi:pulumi:Stack::platform-prod"
PROVIDER = "urn:pulumi:prod::platform::pulumi:providers:aws::default"
NETWORK = "urn:pulumi:prod::platform::platform:network:Network::network"


def _document(nat_gateways: int, *, plan: str = "free") -> dict[str, Any]:
    resources: list[dict[str, Any]] = [
        {"urn": STACK, "type": "pulumi:pulumi:Stack", "name": "platform-prod", "custom": False, "parent": None,
         "inputs": {}},
        {"urn": PROVIDER, "type": "pulumi:providers:aws", "name": "default", "custom": True, "parent": None,
         "inputs": {"region": "eu-west-1"}, "defaultProvider": True},
        {"urn": NETWORK, "type": "platform:network:Network", "name": "network", "custom": False, "parent": STACK,
         "inputs": {}},
    ]
    for index in range(nat_gateways):
        resources.append({
            "urn": f"urn:pulumi:prod::platform::platform:network:Network$aws:ec2/natGateway:NatGateway::nat-{index}",
            "type": "aws:ec2/natGateway:NatGateway", "name": f"network-nat-{index}", "custom": True,
            "parent": NETWORK, "provider": f"{PROVIDER}::id", "inputs": {"connectivityType": "public"}})
    if plan != "free":
        resources.append({
            "urn": "urn:pulumi:prod::platform::cloudflare:index/zoneSubscription:ZoneSubscription::edge",
            "type": "cloudflare:index/zoneSubscription:ZoneSubscription", "name": "edge-subscription",
            "custom": True, "parent": STACK, "inputs": {"ratePlan": {"id": plan}, "frequency": "monthly"}})
    return {"project": "platform", "stack": "prod", "resources": resources,
            "outputs": {"cost_usage": {"nat_data_processed_gb": 0}}, "policy": {"diagnostics": []}}


def test_the_delta_names_what_was_added_and_what_it_costs() -> None:
    delta = document_delta(_document(0), _document(3, plan="pro"))
    assert delta.delta_usd == pytest.approx(3 * 35.04 + 20)
    lines = delta_text_lines(delta)
    assert lines[0] == "Cost: +125.12 USD/month (0.00 -> 125.12 known)"
    assert "  +105.12 USD/month: 3 NAT gateways added" in lines
    assert "  +20.00 USD/month: 1 Cloudflare plan subscription added" in lines
    back = cost_delta(delta.head, delta.base)
    assert delta_text_lines(back)[1] == "  -105.12 USD/month: 3 NAT gateways removed"


def test_an_unchanged_cost_has_no_lines() -> None:
    delta = document_delta(_document(2), _document(2))
    assert delta.delta_usd == 0
    assert delta_text_lines(delta) == ["Cost: +0.00 USD/month (70.08 -> 70.08 known)"]


def test_ops_diff_prints_and_writes_the_cost_of_the_change(tmp_path: Path) -> None:
    base, head = tmp_path / "base.json", tmp_path / "head.json"
    base.write_text(json.dumps(_document(1)))
    head.write_text(json.dumps(_document(3)))
    out = tmp_path / "diff.json"
    run = subprocess.run([sys.executable, "-m", "ops", "diff", str(base), str(head), "--json", str(out), "--report",
                          str(tmp_path / "diff.md")], cwd=REPO, capture_output=True, text=True, check=False)
    assert run.returncode in (0, 1), run.stderr
    assert "Cost: +70.08 USD/month (35.04 -> 105.12 known)" in run.stdout
    assert "+70.08 USD/month: 2 NAT gateways added" in run.stdout
    cost = json.loads(out.read_text())["cost"]
    assert cost["delta_monthly_cost_usd"] == pytest.approx(70.08)
    assert cost["lines"][0]["describe"] == "2 NAT gateways added"
    assert "**What it costs**: +70.08 USD/month" in (tmp_path / "diff.md").read_text()


def test_the_json_says_what_each_figure_is(stack_estimates: dict[str, Estimate]) -> None:
    document = estimate_json(stack_estimates["prod"], TODAY)
    assert document["currency"] == "USD"
    assert document["monthly_cost_usd"] == stack_estimates["prod"].monthly_usd
    assert document["monthly_cost_usd_is_lower_bound"] is True
    assert set(document["monthly_cost_usd_by_vendor"]) >= {"aws", "cloudflare"}
    assert document["unknown_charge_count"] == sum(g["count"] for g in document["unknown"]) > 0
    table = document["price_table"]
    oldest = stack_estimates["prod"].table.oldest_page
    assert oldest is not None
    assert (table["file"], table["max_age_days"]) == ("ops/cost/prices.json", 120)
    assert table["oldest_page"] == {"where": oldest.where, "url": oldest.source.url,
                                    "page_date": oldest.source.page_date}
    assert table["age_days"] == (TODAY - dt.date.fromisoformat(oldest.source.page_date)).days
    assert (table["stale_warning"] is not None) == (table["age_days"] > 120)
    hours_page = {"where": "constants.hours_per_month", "url": "https://aws.amazon.com/calculator/calculator-assumptions"}
    assert hours_page in table["undated_sources"]
    assert document["usage_assumptions"]["nat_data_processed_gb"] == 100
    nat = next(r for r in document["resources"] if r["name"] == "network-nat-0" and "natGateway" in r["type"])
    hours = nat["charges"][0]
    assert (hours["quantity"], hours["unit"], hours["unit_price_usd"], hours["monthly_cost_usd"]) == (
        730, "hour", 0.048, pytest.approx(35.04))
    assert hours["sources"][0]["page_date"] == "2026-09-25"
    database = next(r for r in document["resources"] if r["type"] == "aws:rds/instance:Instance")
    assert database["charges"][0]["monthly_cost_usd"] == pytest.approx(2 * 730 * 0.186)  # 271.56
    assert database["charges"][0]["sources"][0]["page_date"] == "2026-09-29"
    proxy = next(r for r in document["resources"] if r["type"] == "aws:rds/proxy:Proxy")
    assert proxy["charges"][0]["monthly_cost_usd"] is None
    assert proxy["charges"][0]["unknown_reason"].startswith("no eu-west-1 price")
    assert {c["component"] for c in document["components"]} >= {"network", "postgres", "edge"}
    assert document["budgets"] == [{"urn": document["budgets"][0]["urn"], "name": "cost-monthly",
                                    "monthly_budget_usd": 1500.0}]


def test_a_stale_table_warns_in_the_text_and_the_review(stack_estimates: dict[str, Estimate]) -> None:
    prod = stack_estimates["prod"]
    oldest = prod.table.oldest_page
    assert oldest is not None
    assert oldest.date is not None
    fresh_until = oldest.date + dt.timedelta(days=prod.table.max_age_days)
    later = fresh_until + dt.timedelta(days=1)
    assert any(line.startswith("  warning: the price table") for line in text_lines(prod, later))
    assert any("**Warning**" in line for line in markdown_head(prod, later))
    assert not any("warning" in line for line in text_lines(prod, fresh_until))
    # The pages without a date are named every time, stale or not.
    assert any(line.startswith("  note: ") and "constants.hours_per_month" in line
               for line in text_lines(prod, fresh_until))
    assert any("show no date" in line for line in markdown_head(prod, fresh_until))


def test_the_budget_line_says_when_it_cannot_be_decided(stack_estimates: dict[str, Estimate]) -> None:
    # Prod's RDS Proxy vCPU-hours and ElastiCache GB-hours have no eu-west-1 price (docs/cost.md).
    (line,) = [line for line in text_lines(stack_estimates["prod"], TODAY) if line.startswith("  Budget ")]
    assert line.endswith("2 AWS charges billed every hour have no price, so whether the budget covers the stack "
                         "cannot be decided")


def _report(view: PlanView, estimate: Estimate) -> PlanReport:
    return PlanReport(plan=view.plan, policy=None, policy_skipped_reason="--no-policy", cost=estimate)


def test_plan_reports_carry_the_estimate(stack_plans: dict[str, PlanView],
                                         stack_estimates: dict[str, Estimate]) -> None:
    report = _report(stack_plans["prod"], stack_estimates["prod"])
    text = render_text(report)
    cost = text.split("Cost (offline estimate, USD per month;", 1)[1]
    assert "! [purchase] Cloudflare subscription edge-subscription" in cost
    assert "! [per-hour] 3 NAT gateways" in cost
    assert text.index("Cost (offline estimate") < text.index("Summary:")
    document = build_json(report)
    assert document["cost"]["monthly_cost_usd"] == stack_estimates["prod"].monthly_usd
    markdown = render_markdown(report)
    first_screen = markdown.split("<details>", 1)[0]
    assert "#### What it costs (offline estimate)" in first_screen
    assert "- **purchase**: Cloudflare subscription edge-subscription" in first_screen
    assert "- **per-hour**: 3 NAT gateways" in first_screen
    assert "- **doubled**: RDS postgres-instance is Multi-AZ" in first_screen
    assert "- **minimum**: RDS Proxy postgres-proxy" in first_screen
    assert "<summary>Cost per component and per resource</summary>" in markdown
