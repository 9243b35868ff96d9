"""components/alerting/edge.py says how it is wired, and the program does wire it that way (issue 18, item 7)."""

from __future__ import annotations

import components.alerting.edge as edge_alerts
from tests.support.plans import PlanView


def test_the_edge_notifications_are_wired_as_the_module_says(prod: PlanView) -> None:
    doc = edge_alerts.__doc__ or ""
    assert "Not wired" not in doc
    assert "`__main__.py` declares it (as `edge-alerts`) whenever `platform:edge.account_id` is set" in doc
    component = prod.one("platform:edge:EdgeNotifications")
    assert component.name == "edge-alerts"
    policies = prod.of_type("cloudflare:index/notificationPolicy:NotificationPolicy")
    assert policies
    assert all(p.property_dependencies["filters"] == [prod.urn("cloudflare:index/zone:Zone")] for p in policies)
