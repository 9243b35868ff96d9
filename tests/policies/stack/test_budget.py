"""The stack's AWS budget covers the estimate of its AWS resources (the planner's estimator and price table, run by
the pack over the stack's resources and its `cost_usage` output)."""

from __future__ import annotations

from typing import Any

from tests.policies.harness import UNKNOWN, Pack, Resource, load_config, only

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


# --------------------------------------------------------------------------------------------------------------
# A budget is not passed against an estimate that misses a charge billed every hour

T4G_MEDIUM_HOUR = 0.069  # prices.json: RDS for PostgreSQL db.t4g.medium Single-AZ, eu-west-1
GP3_GB_MONTH = 0.127  # prices.json: RDS gp3 Single-AZ, eu-west-1


def _database(instance_class: str) -> Resource:
    return Resource("aws:rds/instance:Instance", "postgres-instance", {
        "engine": "postgres", "instanceClass": instance_class, "multiAz": False, "storageType": "gp3",
        "allocatedStorage": 20}, provider=PROVIDER)


def _priced_stack(instance_class: str) -> list[Resource]:
    return [_stack({"nat_data_processed_gb": 0}), _nat("nat-0"), _database(instance_class), _budget("200")]


def test_every_hourly_charge_priced_and_within_the_budget_passes(stack_pack: Pack) -> None:
    # 35.04 (NAT) + 730 x 0.069 (50.37) + 20 x 0.127 (2.54) = 87.95 USD, every charge priced: below 200.
    assert _mine(stack_pack, _priced_stack("db.t4g.medium")) == []


def test_an_hourly_charge_without_a_price_is_cannot_decide_not_a_pass(stack_pack: Pack) -> None:
    # One changed property: a class the table holds no eu-west-1 price for. The known part (35.04 + 2.54) is still
    # below the budget, but the instance-hours are not in it: the policy says it cannot decide, and why.
    (diagnostic,) = _mine(stack_pack, _priced_stack("db.r7g.large"))
    assert diagnostic.cant_run
    assert diagnostic.level == "advisory"
    assert f"{NAT_MONTH + 20 * GP3_GB_MONTH:,.2f} USD a month is known" in diagnostic.message
    assert ("aws:rds/instance:Instance: db.r7g.large instance-hours (Single-AZ) [eu-west-1] (postgres-instance)"
            in diagnostic.message)
    assert "cannot decide whether cost-monthly (200.00 USD a month) covers the AWS estimate" in diagnostic.message


def test_cannot_decide_is_advisory_even_where_the_policy_is_mandatory() -> None:
    prod = Pack(load_config("prod"), stack_wide=True)
    (diagnostic,) = _mine(prod, _priced_stack("db.r7g.large"))
    assert (diagnostic.cant_run, diagnostic.level) == (True, "advisory")
    (violation,) = _mine(prod, [*_priced_stack("db.t4g.medium")[:-1], _budget("50")])
    assert (violation.cant_run, violation.level) == (False, "mandatory")


def test_a_known_part_above_the_budget_is_certain_despite_unknown_hourly_charges(stack_pack: Pack) -> None:
    resources = [*_priced_stack("db.r7g.large")[:-1], _budget("30")]
    diagnostic = only(_mine(stack_pack, resources), POLICY, "above the budget of 30.00 USD")
    assert not diagnostic.cant_run


def test_a_usage_charge_without_a_price_does_not_block_the_decision(stack_pack: Pack) -> None:
    # SQS requests are billed per request, not per hour: unknown usage is headroom, not an always-on charge.
    queue = Resource("aws:sqs/queue:Queue", "jobs-dlq", {}, provider=PROVIDER)
    assert _mine(stack_pack, [*_priced_stack("db.t4g.medium"), queue]) == []


def test_lists_are_read_as_the_planner_reads_them() -> None:
    # The engine's properties arrive wrapped (lists as the SDK's `_ListProxy`, a Sequence, not a list): a metric-math
    # alarm's queries must reach the estimate as a list, or it is billed as one metric instead of three.
    from pulumi_policy.proxy import unknown_checking_proxy

    from policies.baseline.stack.budget import plain

    queries = [{"id": "a", "metric": {"metricName": "A"}}, {"id": "b", "metric": {"metricName": "B"}},
               {"id": "sum", "expression": "a + b"}]
    assert plain(unknown_checking_proxy({"metricQueries": queries})) == {"metricQueries": queries}
