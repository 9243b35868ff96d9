"""docgen's policy -> page table against real plans: each resource type the pack judges is on the pages of the
components whose resources (in either stack or the bootstrap) have that type, and on no other."""

from __future__ import annotations

from collections import defaultdict

import pytest

from docgen.pack import baseline
from docgen.policy_pages import COMPONENT_PAGES, TYPE_PAGES
from ops.model import Plan
from ops.program import plan_program
from ops.project import load_project, read_stack_file
from tests.support.plans import plan_stack
from tests.support.stacks import ROOT

STACK = "pulumi:pulumi:Stack"


@pytest.fixture(scope="module")
def plans() -> list[Plan]:
    bootstrap = load_project(ROOT / "bootstrap")
    accounts = [read_stack_file(bootstrap, stack, ROOT / "bootstrap" / f"Pulumi.{stack}.yaml")
                for stack in ("prod", "preview")]
    return [plan_stack("prod").plan, plan_stack("preview").plan, *(plan_program(bootstrap, a) for a in accounts)]


def _derived(plans: list[Plan]) -> tuple[dict[str, set[str]], set[str]]:
    """Resource type -> pages of the components that create it; and the component types seen."""
    pages: dict[str, set[str]] = defaultdict(set)
    components: set[str] = set()
    for plan in plans:
        by_urn = {r.urn: r for r in plan.resources}
        for resource in plan.resources:
            if not resource.custom or resource.is_provider:
                continue
            ancestors = []
            parent = by_urn.get(resource.parent or "")
            while parent is not None:
                ancestors.append(parent.type)
                parent = by_urn.get(parent.parent or "")
            owners = [t for t in ancestors if t != STACK]
            components.update(owners)
            pages[resource.type].update(COMPONENT_PAGES[t] for t in owners if t in COMPONENT_PAGES)
    return pages, components


def test_every_component_has_a_page(plans: list[Plan]) -> None:
    _, components = _derived(plans)
    assert components <= set(COMPONENT_PAGES), sorted(components - set(COMPONENT_PAGES))
    assert set(COMPONENT_PAGES) <= components, "a component in COMPONENT_PAGES that no plan creates"


def test_type_pages_is_what_the_plans_create(plans: list[Plan]) -> None:
    pages, _ = _derived(plans)
    judged = {module.RESOURCE_TYPE for module in baseline("pack").MODULES} - {STACK}
    derived = {t: tuple(sorted(pages[t])) for t in judged if pages.get(t)}
    assert dict(TYPE_PAGES) == derived


def test_shared_types_are_on_every_page_that_creates_them() -> None:
    assert set(TYPE_PAGES["aws:kms/key:Key"]) >= {"database", "cache", "network", "backups", "state-backend"}
    assert set(TYPE_PAGES["aws:iam/role:Role"]) >= {"database", "github", "state-backend"}
