"""Cloudflare notification policies for the zone, planned standalone with a fake zone id (the edge component that
creates the zone is merged separately; the lead wires this into __main__.py)."""

from __future__ import annotations

import pytest

from tests.support.plans import PlanView, plan_source

POLICY = "cloudflare:index/notificationPolicy:NotificationPolicy"
ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
PROGRAM = '''
import pulumi
import pulumi_random as random

from components.alerting.edge import EdgeNotifications, EdgeNotificationsArgs

# An output standing in for the zone's id, as the edge component would pass it.
zone = random.RandomId("fake-zone", byte_length=16)
edge = EdgeNotifications("edge-alerts", EdgeNotificationsArgs(
    zone_id=zone.hex,
    zone_plan={plan!r},
    account_id="{account}",
    emails={emails!r},
    name_prefix="platform-prod",
    environment="prod",
))
pulumi.export("skipped", edge.skipped)
pulumi.export("policy_ids", edge.policy_ids)
'''


def plan_edge(plan: str, emails: list[str] | None = None) -> PlanView:
    emails = ["oncall@example.com", "edge@example.com"] if emails is None else emails
    return plan_source(PROGRAM.format(plan=plan, account=ACCOUNT_ID, emails=emails))


@pytest.fixture(scope="module")
def free() -> PlanView:
    return plan_edge("free")


def test_every_plan_gets_ddos_certificate_and_origin_reachability_alerts(free: PlanView) -> None:
    by_type = {p.inputs["alertType"]: p for p in free.of_type(POLICY)}
    assert set(by_type) == {"dos_attack_l7", "universal_ssl_event_type", "real_origin_monitoring"}
    zone = free.urn("random:index/randomId:RandomId", "fake-zone")
    for policy in by_type.values():
        assert policy.inputs["accountId"] == ACCOUNT_ID
        assert policy.inputs["enabled"] is True
        assert policy.inputs["mechanisms"] == {"emails": [{"id": "oncall@example.com"}, {"id": "edge@example.com"}]}
        assert policy.property_dependencies["filters"] == [zone]
        assert "Check first:" in policy.inputs["description"]


def test_origin_error_rate_is_skipped_with_a_note_below_enterprise(free: PlanView) -> None:
    (note,) = free.plan.outputs["skipped"]
    assert note.startswith("origin-error-rate: the Origin Error Rate Alert is Enterprise-only")
    assert "zone plan free" in note


def test_enterprise_zones_get_the_origin_error_rate_alert() -> None:
    plan = plan_edge("enterprise")
    assert "http_alert_origin_error" in {p.inputs["alertType"] for p in plan.of_type(POLICY)}
    assert plan.plan.outputs["skipped"] == []


def test_no_email_no_policies_and_the_reason() -> None:
    plan = plan_edge("pro", emails=[])
    assert plan.of_type(POLICY) == []
    assert all("no email addresses" in note for note in plan.plan.outputs["skipped"])


def test_an_unknown_plan_is_refused() -> None:
    from components.alerting.edge import EdgeNotifications, EdgeNotificationsArgs

    with pytest.raises(ValueError, match="zone_plan must be one of free, pro, business, enterprise"):
        EdgeNotifications("x", EdgeNotificationsArgs(
            zone_id="z", zone_plan="platinum", account_id="a", emails=[], name_prefix="p",  # type: ignore[arg-type]
            environment="prod",
        ))


def test_the_package_and_config_never_import_cloudflare() -> None:
    import subprocess
    import sys

    code = ("import sys, components.alerting, components.alerting.config, components.alerting.component, "
            "components.stack; print('pulumi_cloudflare' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_stack_wires_the_zones_notifications_to_the_alert_recipients() -> None:
    """__main__.py hands the edge component's zone to the edge notifications, with the alert emails."""
    from tests.support.plans import plan_stack
    from tests.support.stacks import load_stack

    plan = plan_stack("prod")
    zone = plan.one("cloudflare:index/zone:Zone")
    policies = plan.of_type(POLICY)
    assert policies
    emails = set(load_stack("prod").alerts.emails)
    for policy in policies:
        assert policy.property_dependencies["filters"] == [zone.urn]  # filters: {zones: [the zone's id]}
        assert {m["id"] for m in policy.inputs["mechanisms"]["emails"]} == emails
