from __future__ import annotations

import pytest

from tests.policies.harness import Pack, load_config
from tests.support.plans import PlanView, plan_stack

# Stack-wide presence joins that any fixture stack of another concern (an RDS instance, a cache) would trip;
# their own tests enable them (tests/policies/aws/cloudwatch/test_metric_alarm.py).
PRESENCE_JOINS = {"aws-cloudwatch-metric-alarm-require-data-tier-alarms": "disabled"}


@pytest.fixture(scope="session")
def pack() -> Pack:
    """The pack with every policy at its own default level and config defaults (the presence joins off)."""
    return Pack(PRESENCE_JOINS)


@pytest.fixture(scope="session")
def preview_pack() -> Pack:
    return Pack(load_config("preview"))


@pytest.fixture(scope="session")
def prod_pack() -> Pack:
    return Pack(load_config("prod"))


@pytest.fixture(scope="session")
def stack_plans() -> dict[str, PlanView]:
    """Both stacks of the repository, planned once per session (for the pack-wide data tests)."""
    return {stack: plan_stack(stack) for stack in ("preview", "prod")}
