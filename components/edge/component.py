"""CloudflareEdge: the zone in front of the app, reviewed and plan-aware.

Declares the zone (created in the account, or an adopted zone id), optionally its paid plan (`ZoneSubscription`),
DNS records, the TLS settings for Full (strict) with HSTS, an Origin CA certificate for the origin, and one
entry-point `Ruleset` per phase it owns: cache rules, WAF custom rules, managed WAF rulesets, rate limiting and
response security headers. Never `FirewallRule`, `Filter`, `RateLimit` or `PageRule`: retired or replaced APIs.

Two behaviours of Cloudflare to know before changing this file:

* Deleting a `ZoneSetting` does not revert the setting: the provider's delete is a no-op and the zone keeps the
  last value (terraform-provider-cloudflare `zone_setting` resource, "Resource Destruction Considerations").
* Each phase has exactly one zone entry-point ruleset. Creating one where the dashboard (or Cloudflare's own
  auto-deployment, e.g. the Free Managed Ruleset) already made it fails with "A similar configuration with rules
  already exists" (v5: 20217 "exceeded maximum number of zone rulesets"): import it first (`pulumi import
  cloudflare:index/ruleset:Ruleset <name> zones/<zone_id>/<id>`, docs/edge.md). The component owns every phase it
  declares: rules added in the dashboard are removed on `up`.

Two things wait for the zone to be active (`EdgeConfig.active`: delegated, a second `up` for a created zone): the
Origin CA certificate (the Origin CA signs only hostnames of the account's active zones) and the managed WAF phase
(where Cloudflare may have deployed the Free Managed Ruleset on the new zone, to be imported first). Every ruleset
depends on the `ZoneSubscription` when the stack buys the plan: a created zone starts on Free, and the rulesets are
checked against the plan bought.

`pulumi_cloudflare` (2.4 s to import) and `pulumi_tls` are imported here only, never by config code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
import pulumi_cloudflare as cloudflare
import pulumi_tls as tls

from components.base import ChildTransform, PlatformComponent
from components.edge import rules
from components.edge.config import EdgeConfig
from components.stack import StackConfig


@dataclass(frozen=True, kw_only=True)
class CloudflareEdgeArgs:
    config: EdgeConfig
    #: The header the scheduled jobs send (default: `waf.job_auth_header` of the config).
    job_auth_header: str | None = None
    #: The jobs' generated secret header value; without it, no job is let past the challenges.
    job_auth_header_value: pulumi.Input[str] | None = None

    @classmethod
    def from_stack(
        cls,
        stack: StackConfig,
        *,
        job_auth_header: str | None = None,
        job_auth_header_value: pulumi.Input[str] | None = None,
    ) -> CloudflareEdgeArgs:
        return cls(config=stack.edge, job_auth_header=job_auth_header, job_auth_header_value=job_auth_header_value)


class CloudflareEdgeTransforms(TypedDict, total=False):
    """The children of `CloudflareEdge` a transform may adjust."""

    zone: ChildTransform
    subscription: ChildTransform
    dns_record: ChildTransform
    setting: ChildTransform
    dnssec: ChildTransform
    origin_key: ChildTransform
    origin_csr: ChildTransform
    origin_certificate: ChildTransform
    origin_pulls: ChildTransform
    ruleset: ChildTransform


# (phase, child name, ruleset name): one zone entry point per phase.
_RULESETS = (
    (rules.PHASE_CACHE, "cache-rules", "Cache rules"),
    (rules.PHASE_CUSTOM, "waf-custom-rules", "WAF custom rules"),
    (rules.PHASE_MANAGED, "waf-managed-rules", "Managed WAF rulesets"),
    (rules.PHASE_RATELIMIT, "rate-limits", "Rate limiting rules"),
    (rules.PHASE_HEADERS, "security-headers", "Security response headers"),
)


class CloudflareEdge(PlatformComponent):
    """A Cloudflare zone with Full (strict) TLS, an origin certificate and one ruleset per owned phase."""

    Transforms = CloudflareEdgeTransforms

    zone_id: pulumi.Output[str]
    name_servers: pulumi.Output[list[str]]
    ds_record: pulumi.Output[str | None]
    #: Both None until the zone is active (`EdgeConfig.active`).
    origin_certificate_pem: pulumi.Output[str | None]
    origin_private_key_pem: pulumi.Output[str | None]

    def __init__(
        self,
        name: str,
        args: CloudflareEdgeArgs,
        *,
        transform: CloudflareEdgeTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:edge:CloudflareEdge", name, transform=transform, opts=opts)
        config = args.config

        # ---- the zone: created (protected in prod: deleting a zone deletes its DNS), or adopted by id
        zone: cloudflare.Zone | None = None
        if config.zone_id is None:
            zone = self.child("zone", cloudflare.Zone, f"{name}-zone", {
                "account": {"id": config.account_id},
                "name": config.domain,
                "type": "full",
            }, protect=config.protect)
            zone_id: pulumi.Output[str] = zone.id
            self.name_servers = zone.name_servers
        else:
            zone_id = pulumi.Output.from_input(config.zone_id)
            self.name_servers = pulumi.Output.from_input([])
        self.zone_id = zone_id

        # What every plan-dependent resource waits for: the plan's purchase, when the stack makes it.
        self._plan_bought: list[pulumi.Resource] = []
        if config.manage_subscription:
            # Buys (and bills) the plan; off by default. The Zone's own `plan` output is deprecated. Deleting it
            # does not cancel the billing: the provider's Delete is a no-op (terraform-provider-cloudflare
            # internal/services/zone_subscription/resource.go).
            self._plan_bought.append(self.child("subscription", cloudflare.ZoneSubscription, f"{name}-subscription", {
                "zone_id": zone_id,
                "rate_plan": {"id": config.plan},
                "frequency": "monthly",
            }, protect=config.protect))

        self._dns_records(name, config, zone_id)
        self._tls_settings(name, config, zone_id)

        self.ds_record = pulumi.Output.from_input(None)
        if config.dnssec:
            # Cloudflare reports `pending` until the DS record is at the registrar (step edge.ds-record), so the
            # status read back would diff against "active" on every refresh: the input is set once and not compared.
            dnssec = self.child("dnssec", cloudflare.ZoneDnssec, f"{name}-dnssec", {
                "zone_id": zone_id,
                "status": "active",
            }, ignore_changes=["status"])
            self.ds_record = dnssec.ds

        self.origin_certificate_pem = pulumi.Output.from_input(None)
        self.origin_private_key_pem = pulumi.Output.from_input(None)
        if config.active:
            self._origin_certificate(name, config, zone)
        self._origin_pulls(name, config, zone_id)
        self._rulesets(name, args, zone_id)

        self.register_outputs({
            "zone_id": self.zone_id,
            "name_servers": self.name_servers,
            "ds_record": self.ds_record,
            "origin_certificate_pem": self.origin_certificate_pem,
            "origin_private_key_pem": self.origin_private_key_pem,
        })

    def _dns_records(self, name: str, config: EdgeConfig, zone_id: pulumi.Output[str]) -> None:
        """Fully qualified names ("@" and "*" would diff forever), proxied records with ttl 1."""
        for record in config.dns_records:
            fqdn = config.fqdn(record.name)
            props: dict[str, Any] = {
                "zone_id": zone_id,
                "name": fqdn,
                "type": record.type,
                "content": record.content,
                "proxied": record.proxied,
                "ttl": record.ttl,
            }
            if record.priority is not None:
                props["priority"] = record.priority
            if record.comment is not None:
                props["comment"] = record.comment
            self.child("dns_record", cloudflare.DnsRecord, f"{name}-dns-{record.resource_label}", props)

    def _tls_settings(self, name: str, config: EdgeConfig, zone_id: pulumi.Output[str]) -> None:
        """Full (strict) and HSTS: one ZoneSetting per setting (deleting one does not revert it)."""
        hsts = config.hsts
        settings: list[tuple[str, Any]] = [
            ("ssl", "strict"),
            ("min_tls_version", config.min_tls_version),
            ("tls_1_3", "on"),
            ("always_use_https", "on"),
            ("automatic_https_rewrites", "on"),
            # snake_case keys, as the API returns them: the SDK docstring's camelCase never converges
            # (pulumi-cloudflare issue 1579).
            ("security_header", {"strict_transport_security": {
                "enabled": True,
                "max_age": hsts.max_age,
                "include_subdomains": hsts.include_subdomains,
                "preload": hsts.preload,
                "nosniff": hsts.nosniff,
            }}),
        ]
        if config.pin_ssl_mode:
            # Automatic SSL/TLS may change the mode behind our back; "custom" opts the zone out. The provider has no
            # validator on `setting_id` and calls PATCH /zones/{zone_id}/settings/ssl_automatic_mode, which the API
            # documents (terraform-provider-cloudflare v5 zone_setting resource).
            settings.append(("ssl_automatic_mode", "custom"))
        for setting_id, value in settings:
            options: dict[str, Any] = {}
            if setting_id == "security_header":
                # The provider's Update sends only the changed keys of the nested value (apijson.MarshalForPatch),
                # and a changed max_age was reported not applied (terraform-provider-cloudflare#6447); Create sends
                # the whole value. Replacing on change is a Create (its Delete is a no-op): the whole value again.
                options["replace_on_changes"] = ["value"]
            self.child("setting", cloudflare.ZoneSetting, f"{name}-{setting_id.replace('_', '-')}", {
                "zone_id": zone_id,
                "setting_id": setting_id,
                "value": value,
            }, **options)

    def _origin_certificate(self, name: str, config: EdgeConfig, zone: cloudflare.Zone | None) -> None:
        """Our key, signed by Cloudflare's Origin CA: what Full (strict) validates the origin against. Only for an
        active zone (the caller checks), and after the zone when the stack creates it: the Origin CA refuses
        hostnames that are not in a zone of the account (error 1010)."""
        ecdsa = config.origin_certificate.key_algorithm == "ecdsa"
        # The provider's ECDSA default curve is P-224, which the Origin CA refuses: P-256 it is.
        key_props = {"algorithm": "ECDSA", "ecdsa_curve": "P256"} if ecdsa else {"algorithm": "RSA", "rsa_bits": 2048}
        key = self.child("origin_key", tls.PrivateKey, f"{name}-origin-key", key_props)
        csr = self.child("origin_csr", tls.CertRequest, f"{name}-origin-csr", {
            "private_key_pem": key.private_key_pem,
            "subject": {"common_name": config.domain},
            "dns_names": config.origin_hostnames,
        })
        certificate = self.child("origin_certificate", cloudflare.OriginCaCertificate, f"{name}-origin-certificate", {
            "csr": csr.cert_request_pem,
            "hostnames": config.origin_hostnames,
            "request_type": "origin-ecc" if ecdsa else "origin-rsa",
            "requested_validity": config.origin_certificate.validity_days,
        }, additional_secret_outputs=["certificate"], depends_on=[zone] if zone is not None else [])
        self.origin_certificate_pem = pulumi.Output.secret(certificate.certificate)
        self.origin_private_key_pem = pulumi.Output.secret(key.private_key_pem)

    def _origin_pulls(self, name: str, config: EdgeConfig, zone_id: pulumi.Output[str]) -> None:
        if config.authenticated_origin_pulls:
            # One mechanism only: the per-zone settings resource (not also the tls_client_auth setting).
            self.child("origin_pulls", cloudflare.AuthenticatedOriginPullsSettings, f"{name}-origin-pulls", {
                "zone_id": zone_id,
                "enabled": True,
            })

    def _rulesets(self, name: str, args: CloudflareEdgeArgs, zone_id: pulumi.Output[str]) -> None:
        """One zone entry-point ruleset per phase."""
        config = args.config
        job_header = args.job_auth_header or config.waf.job_auth_header
        waf = config.waf.model_copy(update={"job_auth_header": job_header})
        phase_rules: dict[str, Any] = rules.all_rules(config, job_header_value=None)
        if args.job_auth_header_value is not None:
            # Only the machine-callers rule carries the jobs' secret: its expression is a secret input (unknown
            # at a first preview, like the generated secret), and every other rule stays readable by the pack.
            custom = rules.waf_custom_rules(waf, job_header_value=rules.PLACEHOLDER_SECRET)
            secret = pulumi.Output.from_input(args.job_auth_header_value)
            for rule in custom:
                if rule["ref"] == "allow_machine_callers":
                    rule["expression"] = pulumi.Output.secret(
                        secret.apply(lambda value: rules.machine_callers(waf, value) or "")
                    )
            phase_rules[rules.PHASE_CUSTOM] = custom
        else:
            phase_rules[rules.PHASE_CUSTOM] = rules.waf_custom_rules(waf, job_header_value=None)
        self.rulesets: dict[str, cloudflare.Ruleset] = {}
        for phase, child_name, title in _RULESETS:
            if phase == rules.PHASE_MANAGED and not config.active:
                continue  # step edge.zone-active imports what Cloudflare deployed there, then the next up owns it
            # Every phase is checked against the plan (rule counts, periods, TTLs, managed rulesets): after its
            # purchase.
            self.rulesets[phase] = self.child("ruleset", cloudflare.Ruleset, f"{name}-{child_name}", {
                "zone_id": zone_id,
                "kind": "zone",
                "name": title,
                "description": f"{title} of {config.domain}, managed by Pulumi (platform:edge)",
                "phase": phase,
                "rules": phase_rules[phase],
            # A phase's entry point is imported (adoption, step edge.zone-active) under the name Cloudflare or the
            # dashboard gave it, and the provider replaces a ruleset whose name changes (terraform-provider-
            # cloudflare v5, internal/services/ruleset/schema.go: name RequiresReplace): the replacement's create
            # would be a second entry point of the phase, refused. The name is cosmetic: keep the one it has.
            }, depends_on=list(self._plan_bought), ignore_changes=["name"])
