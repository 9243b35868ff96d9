"""The two stacks' second `up` (the zone active: step edge.zone-active), planned once per session."""

from __future__ import annotations

import pytest

from tests.support.plans import PlanView, plan_stack


@pytest.fixture(scope="session")
def prod_active() -> PlanView:
    """Prod once its created zone is active: the stack issues the Origin CA certificate and owns the managed WAF
    phase."""
    return plan_stack("prod", edge={"zone_active": True})


@pytest.fixture(scope="session")
def preview_active() -> PlanView:
    return plan_stack("preview", edge={"zone_active": True})
