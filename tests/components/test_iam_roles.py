"""Every IAM role and customer-managed policy the main stacks create is named under the stack's prefix and every
role carries the account's permissions boundary (issue 16): the bootstrap's deploy role may manage IAM only under
`platform-<stack>-` and create roles only with `platform-infra-boundary`, so anything else would fail at `up`.

Both repository stacks, plus prod with Slack alerts (the Chatbot role) and a stack name long enough to be hashed.
"""

from __future__ import annotations

import pytest

from components.aws.permissions_boundary import PERMISSIONS_BOUNDARY_NAME, permissions_boundary_arn
from components.naming import IAM_POLICY, IAM_ROLE, is_valid
from components.stack import StackConfig
from tests.support.plans import PlanView, plan_stack

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
ACCOUNT = "123456789012"  # what the planner's caller-identity invoke answers
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/{PERMISSIONS_BOUNDARY_NAME}"
SLACK = {"slack": {"workspace_id": "T07EA123LEP", "channel_id": "C07EZ1ABC23"}}
LONG_STACK = "prod-" + "eu-central-customer-acme-blue-green-2026"
# Roles and policies each plan must hold (by resource name -> physical name suffix): the four auto-named ones
# (network-flow-logs, postgres-monitoring, postgres-proxy, postgres-bootstrap) included.
EXPECTED_ROLES = {
    "network-flow-logs": "network-flow-logs",
    "postgres-monitoring": "postgres-monitoring",
    "postgres-proxy": "postgres-proxy",
    "postgres-bootstrap": "postgres-bootstrap",
    "jobs-scheduler": "jobs-scheduler",
    "jobs-events": "jobs-events",
    "backups-writer": "backup-writer",
    "backups-offsite-copy": "backup-offsite-copy",
    "backup-role": "backup",
    "backup-checker": "backup-checker",
    "backup-checker-start": "backup-checker-start",
    "github-actions": "github-actions",
}
EXPECTED_POLICIES = {"postgres-app-connect": "postgres-app-connect"}


def prefix_of(stack: str) -> str:
    return StackConfig.model_construct(project="platform", stack=stack).name_prefix + "-"


@pytest.fixture(scope="module")
def slack_plan() -> PlanView:
    return plan_stack("prod", alerts=SLACK)


@pytest.fixture(scope="module")
def long_plan() -> PlanView:
    return plan_stack("prod", stack_name=LONG_STACK, environment="prod")


@pytest.fixture(params=["preview", "prod", "prod+slack", LONG_STACK])
def stack_plan(
    request: pytest.FixtureRequest, preview: PlanView, prod: PlanView, slack_plan: PlanView, long_plan: PlanView
) -> tuple[str, PlanView]:
    plans = {"preview": preview, "prod": prod, "prod+slack": slack_plan, LONG_STACK: long_plan}
    return request.param.removesuffix("+slack"), plans[request.param]


def test_every_role_and_policy_is_named_under_the_stack_prefix(stack_plan: tuple[str, PlanView]) -> None:
    stack, plan = stack_plan
    prefix = prefix_of(stack)
    resources = plan.of_type(ROLE) + plan.of_type(POLICY)
    assert resources
    for resource in resources:
        name = resource.inputs.get("name")
        # An explicit name: no auto-naming (`namePrefix`, or the engine's `<resource name>-<random>`).
        assert "namePrefix" not in resource.inputs, resource.name
        assert isinstance(name, str), f"{resource.name} is auto-named"
        assert name.startswith(prefix), f"{resource.name}: {name!r} is not under {prefix!r}"
        assert is_valid(name, IAM_ROLE if resource.type == ROLE else IAM_POLICY), name
    names = [r.inputs["name"] for r in resources]
    assert len({n.lower() for n in names}) == len(names)  # IAM names are unique case-insensitively


def test_the_expected_roles_have_their_names(prod: PlanView, preview: PlanView) -> None:
    for stack, plan in (("prod", prod), ("preview", preview)):
        prefix = prefix_of(stack)
        roles = {r.name: r.inputs["name"] for r in plan.of_type(ROLE)}
        assert roles == {name: prefix + suffix for name, suffix in EXPECTED_ROLES.items()}
        policies = {r.name: r.inputs["name"] for r in plan.of_type(POLICY)}
        assert policies == {name: prefix + suffix for name, suffix in EXPECTED_POLICIES.items()}


def test_the_chatbot_role_is_named_and_bounded_too(slack_plan: PlanView) -> None:
    role = slack_plan.one(ROLE, "alerting-chatbot")
    assert role.inputs["name"] == "platform-prod-alerts-chatbot"
    assert role.inputs["permissionsBoundary"] == BOUNDARY


def test_every_role_carries_the_accounts_boundary(stack_plan: tuple[str, PlanView]) -> None:
    _, plan = stack_plan
    for role in plan.of_type(ROLE):
        assert role.inputs.get("permissionsBoundary") == BOUNDARY, role.name


def test_the_boundary_is_derived_from_the_account_and_partition() -> None:
    assert permissions_boundary_arn(partition="aws", account_id=ACCOUNT) == BOUNDARY
    assert permissions_boundary_arn(partition="aws-us-gov", account_id="111122223333") == (
        "arn:aws-us-gov:iam::111122223333:policy/platform-infra-boundary")
    assert is_valid(PERMISSIONS_BOUNDARY_NAME, IAM_POLICY)


def test_no_role_name_needs_a_hash_cut_into_the_prefix(long_plan: PlanView) -> None:
    # The longest prefix (40 characters) plus the longest suffix still fits 64: the prefix is kept whole.
    prefix = prefix_of(LONG_STACK)
    assert len(prefix) == 41
    for role in long_plan.of_type(ROLE):
        assert role.inputs["name"] == prefix + EXPECTED_ROLES[role.name], role.name


@pytest.mark.parametrize("stack", ["infra", "infra-prod", "infra-prod-eu"])
def test_a_stack_cannot_take_the_bootstraps_iam_namespace(stack: str) -> None:
    # platform-infra-* holds the bootstrap's roles and the boundary policy itself: a stack prefixed so would get a
    # deploy role allowed to rewrite them.
    from tests.support.configs import problems_of, repository_wire

    problems = problems_of(repository_wire("prod") | {"platform:environment": "prod"}, stack)
    assert any(p.startswith(f"stack name {stack}: its IAM names would start with 'platform-infra-'")
               for p in problems), problems


def test_stack_names_near_the_namespace_are_fine() -> None:
    from tests.support.configs import build, repository_wire

    # 'INFRA-prod' is not name-safe: its prefix is hashed right after the project (platform-<hash>-infra-prod).
    for stack in ("prod-infra", "infrastructure", "INFRA-prod"):
        build(repository_wire("prod") | {"platform:environment": "prod"}, stack)
