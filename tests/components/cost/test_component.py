"""The monthly budget: an AWS Budgets cost budget of the stack's account, notifying the alert topic at each actual
and forecast threshold, created after the topic's policy and key (Budgets checks it may publish)."""

from __future__ import annotations

from components.cost.config import CostConfig
from tests.support.plans import PlanView, plan_stack

BUDGET = "aws:budgets/budget:Budget"
TOPIC = "aws:sns/topic:Topic"


def test_the_budget_notifies_the_alert_topic_at_each_threshold(prod: PlanView) -> None:
    budget = prod.one(BUDGET, "cost-monthly")
    inputs = budget.inputs
    assert (inputs["budgetType"], inputs["timeUnit"], inputs["limitAmount"], inputs["limitUnit"]) == (
        "COST", "MONTHLY", "1500", "USD")
    assert inputs["name"] == "platform-prod-monthly"
    assert "region" not in inputs  # a global service: the budget has no region (pulumi-aws 7 BudgetArgs)
    kinds = [(n["notificationType"], n["threshold"], n["thresholdType"], n["comparisonOperator"])
             for n in inputs["notifications"]]
    assert kinds == [("ACTUAL", 80, "PERCENTAGE", "GREATER_THAN"), ("ACTUAL", 100, "PERCENTAGE", "GREATER_THAN"),
                     ("FORECASTED", 100, "PERCENTAGE", "GREATER_THAN")]
    topic = prod.urn(TOPIC, "alerting-topic")
    assert budget.property_dependencies["notifications"] == [topic]
    # Budgets refuses a notification it cannot publish: the topic's policy and key exist first.
    assert prod.urn("aws:sns/topicPolicy:TopicPolicy", "alerting-topic") in budget.dependencies
    assert prod.urn("aws:kms/key:Key", "alerting-key") in budget.dependencies
    assert inputs["tags"]["component"] == "cost"


def test_no_budget_without_an_amount() -> None:
    plan = plan_stack("preview", budget={"monthly_usd": None})
    assert plan.of_type(BUDGET) == []


def test_the_usage_assumptions_are_exported_for_the_estimate(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    assert plan.plan.outputs["cost_usage"] == CostConfig.model_validate(
        {}, context={"environment": stack}).model_dump()
