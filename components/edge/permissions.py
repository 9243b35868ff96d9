"""The Cloudflare API token's permissions, per resource the stack declares: the one table docs/edge.md
("Credentials"), the deploy environment's manual step and the tests read.

Each row names the permission as the dashboard's token form shows it (group > permission > Edit) and as the API
names it (`... Write`), with the source that says the resource needs it. The token needs a row's permission only
when the config declares that resource (`token_permissions`). No provider import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from components.edge import rules

if TYPE_CHECKING:
    from components.edge.config import EdgeConfig

_SDK = "pulumi-cloudflare 6.23.1 docstring of {}, 'Accepted Permissions'"
_TERRAFORM = "developers.cloudflare.com/terraform/additional-configurations/{}/ (v5, 'Required API token permissions')"


@dataclass(frozen=True)
class TokenPermission:
    """One permission the token needs for one resource."""

    #: The Pulumi resource type, and for a Ruleset its phase.
    resource: str
    #: As the dashboard's "Create API token" form shows it.
    dashboard: str
    #: As the API and Cloudflare's permission docs name it.
    api: str
    scope: Literal["zone", "account"]
    #: When the stack declares the resource.
    when: str
    applies: Callable[[EdgeConfig], bool]
    source: str


def _ruleset(phase: str) -> str:
    return f"cloudflare:index/ruleset:Ruleset ({phase})"


#: Every Cloudflare resource the stack can declare, with the permission it needs.
TOKEN_PERMISSIONS: tuple[TokenPermission, ...] = (
    TokenPermission(
        "cloudflare:index/zone:Zone", "Zone > Zone > Edit", "Zone Write", "account",
        "the stack creates the zone (account_id, no zone_id); for all zones of the account",
        lambda edge: edge.zone_id is None,
        "developers.cloudflare.com/api/resources/zones/methods/create/ (Accepted Permissions: Zone Zone Edit)",
    ),
    TokenPermission(
        "cloudflare:index/zoneSubscription:ZoneSubscription", "Account > Billing > Edit", "Billing Write", "account",
        "manage_subscription", lambda edge: edge.manage_subscription,
        _SDK.format("ZoneSubscription"),
    ),
    TokenPermission(
        "cloudflare:index/dnsRecord:DnsRecord", "Zone > DNS > Edit", "DNS Write", "zone",
        "dns_records is not empty", lambda edge: bool(edge.dns_records), _SDK.format("DnsRecord"),
    ),
    TokenPermission(
        "cloudflare:index/zoneSetting:ZoneSetting", "Zone > Zone Settings > Edit", "Zone Settings Write", "zone",
        "always (TLS, HSTS)", lambda edge: True, _SDK.format("ZoneSetting"),
    ),
    TokenPermission(
        "cloudflare:index/zoneDnssec:ZoneDnssec", "Zone > DNS > Edit", "DNS Write", "zone",
        "dnssec", lambda edge: edge.dnssec, _SDK.format("ZoneDnssec"),
    ),
    TokenPermission(
        "cloudflare:index/originCaCertificate:OriginCaCertificate", "Zone > SSL and Certificates > Edit",
        "SSL and Certificates Write", "zone", "always (once the zone is active: the second up of a created zone)",
        lambda edge: True,
        "developers.cloudflare.com/ssl/origin-configuration/origin-ca/ (API calls: an API token with "
        "Zone-SSL and Certificates-Edit)",
    ),
    TokenPermission(
        "cloudflare:index/authenticatedOriginPullsSettings:AuthenticatedOriginPullsSettings",
        "Zone > SSL and Certificates > Edit", "SSL and Certificates Write", "zone", "authenticated_origin_pulls",
        lambda edge: edge.authenticated_origin_pulls, _SDK.format("AuthenticatedOriginPullsSettings"),
    ),
    TokenPermission(
        _ruleset(rules.PHASE_CACHE), "Zone > Cache Rules > Edit", "Cache Settings Write", "zone", "always",
        lambda edge: True,
        "developers.cloudflare.com/cache/how-to/cache-rules/create-api/ (Required API token permissions: Zone > "
        "Cache Rules > Edit)",
    ),
    TokenPermission(
        _ruleset(rules.PHASE_CUSTOM), "Zone > Zone WAF > Edit", "Zone WAF Write", "zone", "always",
        lambda edge: True, _TERRAFORM.format("waf-custom-rules"),
    ),
    TokenPermission(
        _ruleset(rules.PHASE_MANAGED), "Zone > Zone WAF > Edit", "Zone WAF Write", "zone",
        "always (once the zone is active: the second up of a created zone)", lambda edge: True,
        _TERRAFORM.format("waf-managed-rulesets"),
    ),
    TokenPermission(
        _ruleset(rules.PHASE_RATELIMIT), "Zone > Zone WAF > Edit", "Zone WAF Write", "zone", "always",
        lambda edge: True, _TERRAFORM.format("rate-limiting-rules"),
    ),
    TokenPermission(
        _ruleset(rules.PHASE_HEADERS), "Zone > Transform Rules > Edit", "Zone Transform Rules Write", "zone",
        "always", lambda edge: True, _TERRAFORM.format("transform-rules"),
    ),
    TokenPermission(
        "cloudflare:index/notificationPolicy:NotificationPolicy", "Account > Notifications > Edit",
        "Notifications Write", "account", "account_id is set (the edge alerts, components/alerting/edge.py)",
        lambda edge: edge.account_id is not None, _SDK.format("NotificationPolicy"),
    ),
)


def token_permissions(edge: EdgeConfig) -> list[str]:
    """The dashboard permissions this config's token needs for every `up` (the second up of a created zone
    included), each once, in the table's order."""
    return list(dict.fromkeys(row.dashboard for row in TOKEN_PERMISSIONS if row.applies(edge)))


def permissions_table() -> str:
    """The markdown table docs/edge.md shows under "Credentials" (a test compares them)."""
    lines = ["| resource | permission (dashboard) | API name | needed when | source |", "|---|---|---|---|---|"]
    for row in TOKEN_PERMISSIONS:
        lines.append(f"| `{row.resource}` | {row.dashboard} | {row.api} | {row.when} | {row.source} |")
    return "\n".join(lines)
