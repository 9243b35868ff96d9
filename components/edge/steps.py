"""The edge concern's manual steps: what Cloudflare, the registrar and the origin need from a person.

Each step appears only when the config makes it apply: the name servers when the stack creates the zone (an
adopted zone is already delegated), the second `up` while `zone_active` is not set (a created zone: the Origin
CA certificate and the managed WAF phase wait for the zone to be active), the DS record with `dnssec`, the plan's
purchase with `manage_subscription`; the origin certificate always (the component issues one for an active zone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.steps import ManualStep

if TYPE_CHECKING:
    from components.stack import StackConfig


def edge_steps(config: StackConfig) -> list[ManualStep]:
    edge = config.edge
    domain = edge.domain
    steps: list[ManualStep] = []
    if edge.manage_subscription:
        steps.append(ManualStep(
            id="edge.subscription",
            phase="before-first-up",
            title=f"Approve buying the Cloudflare {edge.plan.title()} plan for {domain}",
            instruction=(
                f"the first `pulumi up` buys the {edge.plan} plan (a ZoneSubscription, billed monthly to the "
                "Cloudflare account's payment method from that day): make sure the account has one and the "
                "owner of the bill agrees; deleting the ZoneSubscription (or the stack) does NOT cancel the "
                "billing: only downgrading the zone to Free in the dashboard (Overview > Plan) does; done when, "
                f"after the first `pulumi up`, the dashboard shows {domain} on the {edge.plan.title()} plan"
            ),
        ))
    if edge.zone_id is None:
        steps.append(ManualStep(
            id="edge.name-servers",
            phase="after-first-up",
            title=f"Point {domain} at Cloudflare's name servers at the registrar",
            instruction=(
                "`pulumi stack output edge_name_servers`, then replace the domain's NS records at its registrar "
                "with exactly those two (remove any others); done when `dig +short NS "
                f"{domain}` prints them and the zone is active (`curl -s -H \"Authorization: Bearer "
                "$CLOUDFLARE_API_TOKEN\" https://api.cloudflare.com/client/v4/zones/$(pulumi stack output "
                "edge_zone_id) | jq -r .result.status` prints active; Cloudflare checks for hours, up to a day)"
            ),
        ))
    if not edge.active:
        steps.append(zone_active_step(config))
    steps.append(origin_certificate_step(config))
    if edge.dnssec:
        steps.append(ManualStep(
            id="edge.ds-record",
            phase="after-first-up",
            title=f"Add the DNSSEC DS record for {domain} at the registrar",
            instruction=(
                "only once the zone is active on Cloudflare's name servers: `pulumi stack output edge_ds_record` "
                "and add it at the registrar (key tag, algorithm, digest type and digest, as the registrar's "
                f"DS form asks); done when `dig +short DS {domain}` prints it and `dig +dnssec {domain}` has "
                "the ad flag through a validating resolver; never remove the zone's DNSSEC before removing the DS "
                "record (validating resolvers would then fail the whole domain)"
            ),
        ))
    return steps


#: The command that lists a zone's entry-point rulesets, one `{id, phase}` a line.
LIST_RULESETS = (
    "curl -s -H \"Authorization: Bearer $CLOUDFLARE_API_TOKEN\" \"https://api.cloudflare.com/client/v4/zones/"
    "$(pulumi stack output edge_zone_id)/rulesets\" | jq -c '.result[] | select(.kind==\"zone\") | {id, phase}'"
)


def zone_active_step(config: StackConfig) -> ManualStep:
    """The second `up` of a created zone, once it is active: the Origin CA certificate (refused for a pending zone)
    and the managed WAF phase (where Cloudflare may have deployed the Free Managed Ruleset: imported first)."""
    stack = config.stack
    parent = f"edge=urn:pulumi:{stack}::{config.project}::platform:edge:CloudflareEdge::edge"
    return ManualStep(
        id="edge.zone-active",
        phase="after-first-up",
        title=f"Once {config.edge.domain} is active, take over its managed WAF phase and issue the origin certificate",
        instruction=(
            f"once the zone is active (step edge.name-servers): `{LIST_RULESETS}`; if it lists phase "
            "http_request_firewall_managed (Cloudflare's own Free Managed Ruleset deployment), import that id: "
            "`pulumi import cloudflare:index/ruleset:Ruleset edge-waf-managed-rules zones/$(pulumi stack output "
            f"edge_zone_id)/<id> --parent '{parent}' --protect=false --generate-code=false --yes`; then set "
            f"`zone_active: true` under platform:edge in Pulumi.{stack}.yaml, commit it and run `pulumi up` (it "
            "replaces that ruleset's rules with the stack's and issues the Origin CA certificate); done when the "
            "update succeeds and `pulumi stack output edge_origin_certificate` prints [secret]"
        ),
    )


def origin_certificate_step(config: StackConfig) -> ManualStep:
    """Installing the Origin CA certificate: before the name servers move for an adopted zone; for a created one it
    exists only after the second `up`, so until then the origin must present another trusted certificate."""
    edge = config.edge
    domain = edge.domain
    origins = sorted({record.content for record in edge.dns_records
                      if record.proxied and record.type in ("A", "AAAA", "CNAME")})
    where = f" ({', '.join(origins)})" if origins else ""
    origin = origins[0] if origins else "<origin>"
    pulls = (
        "; with authenticated_origin_pulls the origin must also require Cloudflare's origin-pull client "
        "certificate (ssl_verify_client with Cloudflare's authenticated_origin_pull_ca.pem)"
        if edge.authenticated_origin_pulls else ""
    )
    when = (
        "right away: Full (strict) answers 526 for any request the origin cannot answer with a trusted certificate"
        if edge.zone_id is not None else
        "as soon as step edge.zone-active has issued it: from the name servers' move until then, Full (strict) "
        "answers 526 unless the origin presents another publicly trusted certificate for these hosts (its "
        "current one, for a site that moves to Cloudflare)"
    )
    return ManualStep(
        id="edge.origin-certificate",
        phase="after-first-up",
        title=f"Install the Origin CA certificate on the origin{where}",
        instruction=(
            "`pulumi stack output --show-secrets edge_origin_certificate > origin.pem` and `pulumi stack output "
            "--show-secrets edge_origin_private_key > origin-key.pem` (mode 600, never committed), configure "
            f"the origin's TLS with them for {', '.join(edge.origin_hostnames)}, reload it, then delete the local "
            f"copies{pulls}; {when}; done when `openssl s_client -connect {origin}:443 -servername {domain} "
            "</dev/null | openssl x509 -noout -issuer` names CloudFlare Origin SSL"
        ),
    )
