"""The Cloudflare API token's permissions (issue 18, item 7): one row per resource the stack can declare, each from
Cloudflare's permission docs or the SDK's "Accepted Permissions", shown in docs/edge.md and asked for by the
deploy environment's manual step."""

from __future__ import annotations

import re

from components.edge import rules
from components.edge.permissions import TOKEN_PERMISSIONS, permissions_table, token_permissions
from components.github.steps import github_steps
from tests.support.plans import PlanView, plan_stack
from tests.support.stacks import ROOT, load_stack

RULESET = "cloudflare:index/ruleset:Ruleset"


def covered(plan: PlanView) -> set[str]:
    """The table's resource keys of every Cloudflare resource a plan declares (a ruleset by its phase)."""
    keys = set()
    for resource in plan.custom:
        if resource.type.startswith("cloudflare:"):
            keys.add(f"{RULESET} ({resource.inputs['phase']})" if resource.type == RULESET else resource.type)
    return keys


def test_every_cloudflare_resource_of_the_stack_has_its_permission(prod_active: PlanView) -> None:
    every = plan_stack("prod", edge={"zone_active": True, "authenticated_origin_pulls": True})
    declared = covered(prod_active) | covered(every)
    rows = {row.resource for row in TOKEN_PERMISSIONS}
    assert declared <= rows, declared - rows
    assert {f"{RULESET} ({phase})" for phase in (rules.PHASE_CACHE, rules.PHASE_CUSTOM, rules.PHASE_MANAGED,
                                                 rules.PHASE_RATELIMIT, rules.PHASE_HEADERS)} <= declared


def test_the_permissions_the_issue_found_missing_are_listed() -> None:
    by_phase = {row.resource: row.api for row in TOKEN_PERMISSIONS}
    assert by_phase[f"{RULESET} ({rules.PHASE_CACHE})"] == "Cache Settings Write"
    assert by_phase[f"{RULESET} ({rules.PHASE_HEADERS})"] == "Zone Transform Rules Write"
    assert by_phase["cloudflare:index/notificationPolicy:NotificationPolicy"] == "Notifications Write"
    assert all(row.source for row in TOKEN_PERMISSIONS)


def test_docs_show_the_table_from_the_code() -> None:
    text = (ROOT / "docs" / "edge.md").read_text()
    section = text[text.index("## Credentials"):text.index("## Configuration")]
    assert permissions_table() in section


def test_the_deploy_step_asks_for_exactly_the_configs_permissions() -> None:
    prod = load_stack("prod")
    (step,) = [s for s in github_steps(prod) if s.id == "github.actions-settings"]
    listed = re.search(r"CLOUDFLARE_API_TOKEN \(([^)]*)\)", step.instruction)
    assert listed is not None
    assert listed.group(1).split(", ") == token_permissions(prod.edge)
    assert {"Zone > Cache Rules > Edit", "Zone > Transform Rules > Edit", "Account > Notifications > Edit",
            "Account > Billing > Edit", "Zone > Zone > Edit"} <= set(token_permissions(prod.edge))
    adopted = load_stack("prod", edge={"zone_id": "f" * 32, "account_id": None, "manage_subscription": False})
    assert not {"Zone > Zone > Edit", "Account > Billing > Edit", "Account > Notifications > Edit"} & set(
        token_permissions(adopted.edge))
