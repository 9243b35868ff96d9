"""The stack's AWS budget covers the estimate of its AWS resources (the planner's estimator and price table, run by
the pack over the stack's resources and its `cost_usage` output)."""

from __future__ import annotations

from typing import Any

from tests.policies.harness import UNKNOWN, Pack, Resource, only

POLICY = "stack-require-budget-above-estimate"
PROVIDER = Resource("pulumi:providers:aws", "default", {"region": "eu-west-1"})
NAT_MONTH = 35.04  # 730 h x 0.048 USD (eu-west-1, prices.json)


def _stack(usage: dict[str, Any] | None = None) -> Resource:
    return Resource("pulumi:pulumi:Stack", "platform-prod", {"cost_usage": usage} if usage is not None else {})


def _nat(name: str) -> Resource:
    return Resource("aws:ec2/natGateway:NatGateway", name, {"connectivityType": "public"}, provider=PROVIDER)


def _budget(amount: Any) -> Resource:
    return Resource("aws:budgets/budget:Budget", "cost-monthly",
                    {"budgetType": "COST", "timeUnit": "MONTHLY", "limitUnit": "USD", "limitAmount": amount},
                    provider=PROVIDER)


def _mine(pack: Pack, resources: list[Resource]) -> list[Any]:
    return [d for d in pack.analyze_stack(resources) if d.policy == POLICY]


def test_a_budget_above_the_estimate_passes(stack_pack: Pack) -> None:
    resources = [_stack({"nat_data_processed_gb": 0}), _nat("nat-0"), _nat("nat-1"), _budget("100")]
    assert _mine(stack_pack, resources) == []


def test_a_budget_below_the_estimate_violates_on_the_budget(stack_pack: Pack) -> None:
    resources = [_stack({"nat_data_processed_gb": 0}), _nat("nat-0"), _nat("nat-1"), _budget("50")]
    diagnostic = only(_mine(stack_pack, resources), POLICY, f"the AWS estimate is {2 * NAT_MONTH:,.2f} USD a month")
    assert "above the budget of 50.00 USD" in diagnostic.message
    assert diagnostic.urn == _budget("50").urn


def test_unknown_prices_are_named_not_counted(stack_pack: Pack) -> None:
    proxy = Resource("aws:rds/proxy:Proxy", "proxy", {"engineFamily": "POSTGRESQL"}, provider=PROVIDER)
    resources = [_stack({"nat_data_processed_gb": 0}), _nat("nat-0"), proxy, _budget("30")]
    only(_mine(stack_pack, resources), POLICY, "(a lower bound: 1 charge of unknown price not counted)")


def test_a_platform_stack_without_a_budget_violates(stack_pack: Pack) -> None:
    diagnostic = only(_mine(stack_pack, [_stack({"nat_data_processed_gb": 0}), _nat("nat-0")]), POLICY,
                      "the stack has no AWS budget")
    assert "Set platform:budget.monthly_usd" in diagnostic.message


def test_a_program_without_cost_assumptions_is_not_judged(stack_pack: Pack) -> None:
    assert _mine(stack_pack, [_stack(), _nat("nat-0")]) == []


def test_an_amount_known_only_at_deploy_is_not_judged(stack_pack: Pack) -> None:
    assert _mine(stack_pack, [_stack({"nat_data_processed_gb": 0}), _nat("nat-0"), _budget(UNKNOWN)]) == []


def test_advisory_in_preview(preview_stack_pack: Pack) -> None:
    resources = [_stack({"nat_data_processed_gb": 0}), _nat("nat-0"), _budget("1")]
    (diagnostic,) = _mine(preview_stack_pack, resources)
    assert diagnostic.level == "advisory"
