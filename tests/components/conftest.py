"""The repository's two stacks, planned once per session for every component test."""

from __future__ import annotations

import pytest

from tests.support.plans import PlanView, plan_stack


@pytest.fixture(scope="session")
def prod() -> PlanView:
    return plan_stack("prod")


@pytest.fixture(scope="session")
def preview() -> PlanView:
    return plan_stack("preview")


@pytest.fixture(scope="session", params=["preview", "prod"])
def each_stack(request: pytest.FixtureRequest, preview: PlanView, prod: PlanView) -> tuple[str, PlanView]:
    return request.param, {"preview": preview, "prod": prod}[request.param]
