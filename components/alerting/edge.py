"""Cloudflare notification policies for the app's zone, to the alert channel's email addresses.

`__main__.py` declares it (as `edge-alerts`) whenever `platform:edge.account_id` is set, with the edge component's
`zone_id` (components/edge), the zone's plan and the account id; the policies live in the account, so the token
needs Account > Notifications > Edit (docs/edge.md, Credentials).

Which alerts a zone gets depends on its plan (Cloudflare docs, "Available Notifications"):

* HTTP DDoS Attack Alert (`dos_attack_l7`): all plans.
* Universal SSL Alert (`universal_ssl_event_type`): all plans; certificate validation, issuance, renewal and
  its failures (edge certificates are Universal SSL; a failed renewal is the path to an expired certificate).
* Passive Origin Monitoring (`real_origin_monitoring`): all plans; Cloudflare cannot reach the origin (521).
* Origin Error Rate Alert (`http_alert_origin_error`): Enterprise only. On other plans it is skipped and the
  skip is reported (`skipped`), Passive Origin Monitoring and the Route 53 health check covering the origin.

`pulumi_cloudflare` is imported here only (it costs seconds): never at package import or from config.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

import pulumi
import pulumi_cloudflare as cloudflare

from components.base import ChildTransform, PlatformComponent

ZonePlan = Literal["free", "pro", "business", "enterprise"]
PLANS: tuple[ZonePlan, ...] = ("free", "pro", "business", "enterprise")


@dataclass(frozen=True)
class EdgeAlert:
    key: str
    alert_type: str
    title: str
    check_first: str
    plans: tuple[ZonePlan, ...] = PLANS
    unavailable: str = ""


EDGE_ALERTS: tuple[EdgeAlert, ...] = (
    EdgeAlert("ddos-l7", "dos_attack_l7", "HTTP DDoS attack mitigated",
              "Security > Events for the attack's hosts and paths; the origin's load and error rate."),
    EdgeAlert("certificate", "universal_ssl_event_type", "Edge certificate event",
              "SSL/TLS > Edge Certificates: a failed validation or renewal (DCV records, CAA records)."),
    EdgeAlert("origin-unreachable", "real_origin_monitoring", "Origin unreachable (521)",
              "the origin's health (the Route 53 health check alarm) and that it accepts Cloudflare's IPs."),
    EdgeAlert("origin-error-rate", "http_alert_origin_error", "Origin error rate",
              "the origin's 5xx by status code (link in the alert), then the app's logs and recent deploys.",
              plans=("enterprise",),
              unavailable="the Origin Error Rate Alert is Enterprise-only; Passive Origin Monitoring (521) and the "
              "Route 53 health check alarm cover the origin instead"),
)


@dataclass(frozen=True, kw_only=True)
class EdgeNotificationsArgs:
    zone_id: pulumi.Input[str]
    zone_plan: ZonePlan
    account_id: pulumi.Input[str]
    emails: list[str]
    name_prefix: str
    environment: str


class EdgeNotificationsTransforms(TypedDict, total=False):
    notification_policy: ChildTransform


class EdgeNotifications(PlatformComponent):
    """One Cloudflare notification policy per alert the zone's plan offers, emailing the alert recipients."""

    Transforms = EdgeNotificationsTransforms

    policy_ids: pulumi.Output[list[str]]
    #: The alerts not created, each with why ("<key>: <reason>").
    skipped: list[str]

    def __init__(
        self,
        name: str,
        args: EdgeNotificationsArgs,
        *,
        transform: EdgeNotificationsTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if args.zone_plan not in PLANS:
            raise ValueError(f"zone_plan must be one of {', '.join(PLANS)}, not {args.zone_plan!r}")
        super().__init__("platform:edge:EdgeNotifications", name, transform=transform, opts=opts)
        self.skipped = []
        policies: list[cloudflare.NotificationPolicy] = []
        for alert in EDGE_ALERTS:
            if not args.emails:
                self.skipped.append(f"{alert.key}: no email addresses in platform:alerts.emails")
                continue
            if args.zone_plan not in alert.plans:
                self.skipped.append(f"{alert.key}: {alert.unavailable} (zone plan {args.zone_plan})")
                continue
            policies.append(self.child("notification_policy", cloudflare.NotificationPolicy, f"{name}-{alert.key}", {
                "account_id": args.account_id,
                "name": f"{args.name_prefix}: {alert.title}",
                "description": f"{args.environment}: {alert.title}. Check first: {alert.check_first}",
                "alert_type": alert.alert_type,
                "enabled": True,
                "filters": {"zones": [args.zone_id]},
                "mechanisms": {"emails": [{"id": address} for address in args.emails]},
            }))
        for note in self.skipped:
            pulumi.log.info(f"edge notifications skipped: {note}", resource=self)
        self.policy_ids = pulumi.Output.all(*[policy.id for policy in policies]).apply(list)
        self.register_outputs({"policy_ids": self.policy_ids, "skipped": self.skipped})
