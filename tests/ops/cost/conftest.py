"""The repository's two stacks, planned once and priced, for the cost tests."""

from __future__ import annotations

import pytest

from ops.cost import Estimate, estimate, items_from_records
from tests.support.plans import PlanView, plan_stack


@pytest.fixture(scope="session")
def stack_plans() -> dict[str, PlanView]:
    return {stack: plan_stack(stack) for stack in ("preview", "prod")}


@pytest.fixture(scope="session")
def stack_estimates(stack_plans: dict[str, PlanView]) -> dict[str, Estimate]:
    return {stack: estimate(*items_from_records(view.plan.resources, view.plan.outputs))
            for stack, view in stack_plans.items()}
