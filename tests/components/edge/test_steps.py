"""The edge's manual steps for a created zone's first run (issue 18): delegation, then the second `up` that
imports what Cloudflare deployed in the managed WAF phase and issues the Origin CA certificate, then its install."""

from __future__ import annotations

from components.edge.steps import edge_steps
from components.manual_steps import manual_steps
from tests.support.plans import PlanView
from tests.support.stacks import load_stack


def test_a_created_zone_is_delegated_then_taken_over_then_given_its_certificate() -> None:
    ids = [step.id for step in edge_steps(load_stack("prod"))]
    assert ids == ["edge.subscription", "edge.name-servers", "edge.zone-active", "edge.origin-certificate",
                   "edge.ds-record"]


def test_the_second_up_imports_the_managed_entry_point_into_the_component(prod: PlanView) -> None:
    (step,) = [s for s in manual_steps(load_stack("prod")) if s.id == "edge.zone-active"]
    component = prod.one("platform:edge:CloudflareEdge").urn
    assert f"--parent 'edge={component}'" in step.instruction
    assert ("pulumi import cloudflare:index/ruleset:Ruleset edge-waf-managed-rules zones/$(pulumi stack output "
            "edge_zone_id)/<id>") in step.instruction
    assert "select(.kind==\"zone\") | {id, phase}" in step.instruction
    assert "http_request_firewall_managed" in step.instruction
    assert "`zone_active: true` under platform:edge in Pulumi.prod.yaml" in step.instruction
    assert step.phase == "after-first-up"


def test_an_active_or_adopted_zone_has_no_second_up() -> None:
    active = [s.id for s in edge_steps(load_stack("prod", edge={"zone_active": True}))]
    adopted = [s.id for s in edge_steps(load_stack("prod", edge={"zone_id": "f" * 32, "account_id": None,
                                                                 "manage_subscription": False}))]
    assert "edge.zone-active" not in active
    assert "edge.zone-active" not in adopted
    assert "edge.name-servers" not in adopted


def test_the_certificate_step_says_when_a_created_zone_answers_526() -> None:
    (created,) = [s for s in edge_steps(load_stack("prod")) if s.id == "edge.origin-certificate"]
    assert "as soon as step edge.zone-active has issued it" in created.instruction
    assert "526 unless the origin presents another publicly trusted certificate" in created.instruction
    # The old instruction (install before the name servers move) cannot be followed for a created zone.
    assert "before the name servers move" not in created.instruction
