"""The cost concern's config: usage assumptions with per-environment defaults, a budget AWS Budgets can hold."""

from __future__ import annotations

from typing import Any

import pytest

from components.cost.config import CostConfig
from tests.support.configs import one_problem, problems_with
from tests.support.stacks import load_stack


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"monthly_usd": 0}, "platform:budget.monthly_usd = 0: out of range"),
        ({"monthly_usd": "1500"}, "platform:budget.monthly_usd = '1500'"),
        ({"actual_thresholds_percent": [0, 100]}, "each threshold must be a percentage from 1 to 1000"),
        ({"forecast_thresholds_percent": [100, 100]}, "each threshold may appear once"),
        ({"actual_thresholds_percent": list(range(10, 110, 10))}, "AWS Budgets allows at most 10 notifications"),
        ({"monthly": 1500}, "platform:budget.monthly: unknown key"),
    ],
)
def test_what_aws_budgets_cannot_hold_is_refused(values: dict[str, Any], fragment: str) -> None:
    one_problem(problems_with("prod", "budget", values), fragment)


@pytest.mark.parametrize(("values", "fragment"), [
    ({"nat_data_processed_gb": -1}, "platform:cost.nat_data_processed_gb = -1: out of range"),
    ({"s3_storage_gb": 1.5}, "platform:cost.s3_storage_gb = 1.5"),
    ({"storage_gb": 10}, "platform:cost.storage_gb: unknown key"),
])
def test_usage_assumptions_are_whole_non_negative_numbers(values: dict[str, Any], fragment: str) -> None:
    one_problem(problems_with("preview", "cost", values), fragment)


def test_each_environment_has_its_usage_defaults_and_a_stack_may_override_one() -> None:
    preview, prod = load_stack("preview"), load_stack("prod")
    assert preview.cost == CostConfig.model_validate({}, context={"environment": "preview"})
    assert prod.cost.nat_data_processed_gb > preview.cost.nat_data_processed_gb
    assert load_stack("prod", cost={"s3_storage_gb": 500}).cost.s3_storage_gb == 500


def test_the_repository_stacks_budget_a_month() -> None:
    for stack in ("preview", "prod"):
        budget = load_stack(stack).budget
        assert budget.monthly_usd is not None
        assert budget.actual_thresholds_percent == [80, 100]
        assert budget.forecast_thresholds_percent == [100]
    assert load_stack("prod", budget={"monthly_usd": None}).budget.monthly_usd is None
