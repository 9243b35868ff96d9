"""What a real zone's first `pulumi up` needs in order (issue 18): the plan's purchase before anything the plan
limits, the zone before its Origin CA certificate, and nothing that needs an active zone on a pending one.

Sources: the provider creates a ruleset with POST /zones/{zone_id}/rulesets (terraform-provider-cloudflare
internal/services/ruleset/resource.go, Create), so an entry point that exists fails ("exceeded maximum number of
zone rulesets", 20217); "The Free Managed Ruleset is deployed by default on Free plans"
(developers.cloudflare.com/waf/get-started/); the Origin CA signs only hostnames of the account's zones (error
1010, "Failed to validate requested hostname ...: This zone is either not part of your account").
"""

from __future__ import annotations

from tests.support.plans import PlanView, plan_stack

ZONE = "cloudflare:index/zone:Zone"
SUBSCRIPTION = "cloudflare:index/zoneSubscription:ZoneSubscription"
RULESET = "cloudflare:index/ruleset:Ruleset"
SETTING = "cloudflare:index/zoneSetting:ZoneSetting"
CERTIFICATE = "cloudflare:index/originCaCertificate:OriginCaCertificate"
DNSSEC = "cloudflare:index/zoneDnssec:ZoneDnssec"
RECORD = "cloudflare:index/dnsRecord:DnsRecord"


def test_every_ruleset_waits_for_the_plan_purchase(prod: PlanView, prod_active: PlanView) -> None:
    """A created zone starts on Free: the Pro-only rulesets (Cloudflare Managed, OWASP, 60 s rate limits) must not
    race the ZoneSubscription that buys Pro."""
    for plan in (prod, prod_active):
        subscription = plan.urn(SUBSCRIPTION)
        rulesets = plan.of_type(RULESET)
        assert rulesets
        for ruleset in rulesets:
            assert subscription in ruleset.dependencies, ruleset.name
    assert "edge-waf-managed-rules" in {r.name for r in prod_active.of_type(RULESET)}


def test_without_a_purchase_the_rulesets_wait_for_nothing_but_the_zone(preview: PlanView) -> None:
    zone = preview.urn(ZONE)
    for ruleset in preview.of_type(RULESET):
        assert zone in ruleset.dependencies
        assert not any(":zoneSubscription:" in dep for dep in ruleset.dependencies)


def test_the_first_up_of_a_created_zone_holds_back_what_needs_it_active(prod: PlanView) -> None:
    """Pending until delegated: no Origin CA certificate (nor its key) and no managed WAF entry point yet."""
    assert prod.of_type(CERTIFICATE) == []
    assert prod.of_type("tls:index/privateKey:PrivateKey") == []
    assert "edge-waf-managed-rules" not in {r.name for r in prod.of_type(RULESET)}
    assert prod.plan.outputs.get("edge_origin_certificate") is None  # exported as null: no output
    assert prod.plan.outputs.get("edge_origin_private_key") is None


def test_the_certificate_of_a_created_zone_comes_after_the_zone(prod_active: PlanView) -> None:
    certificate = prod_active.one(CERTIFICATE)
    assert prod_active.urn(ZONE) in certificate.dependencies
    assert prod_active.urn("tls:index/certRequest:CertRequest") in certificate.dependencies


def test_dnssec_status_is_set_once_and_not_compared(prod: PlanView) -> None:
    """Cloudflare reports `pending` until the DS record is at the registrar: every refresh would diff."""
    dnssec = prod.one(DNSSEC)
    assert dnssec.inputs["status"] == "active"
    assert dnssec.ignore_changes == ["status"]


def test_a_changed_hsts_value_is_written_whole(prod: PlanView) -> None:
    """terraform-provider-cloudflare#6447: a changed max_age was not applied by the provider's Update (which sends
    only the changed keys); a replacement is a Create, which sends the whole value (its Delete is a no-op)."""
    settings = {s.inputs["settingId"]: s for s in prod.of_type(SETTING)}
    assert settings["security_header"].replace_on_changes == ["value"]
    assert all(s.replace_on_changes == [] for k, s in settings.items() if k != "security_header")


def test_records_sharing_a_name_and_type_get_their_own_resources() -> None:
    records = [
        {"name": "@", "type": "CNAME", "content": "origin.example.net"},
        {"name": "app", "type": "CNAME", "content": "origin.example.net"},
        {"name": "mail", "type": "TXT", "content": "v=spf1 -all", "proxied": False, "key": "spf"},
        {"name": "mail", "type": "TXT", "content": "google-site-verification=abc", "proxied": False, "key": "google"},
        {"name": "a.b", "type": "A", "content": "192.0.2.10", "key": "dotted"},
        {"name": "a-b", "type": "A", "content": "192.0.2.11"},
    ]
    plan = plan_stack("preview", edge={"dns_records": records})
    names = sorted(r.name for r in plan.of_type(RECORD))
    assert names == ["edge-dns-a-b-a", "edge-dns-a-b-a-dotted", "edge-dns-apex-cname", "edge-dns-app-cname",
                     "edge-dns-mail-txt-google", "edge-dns-mail-txt-spf"]
    assert {r.inputs["name"] for r in plan.of_type(RECORD)} >= {"mail.example-preview.com", "a.b.example-preview.com"}


def test_a_rulesets_name_never_replaces_it(prod_active: PlanView) -> None:
    # An imported entry point keeps the name Cloudflare gave it; the provider replaces a ruleset whose name changes
    # (terraform-provider-cloudflare v5 internal/services/ruleset/schema.go: name RequiresReplace), and the create
    # of the replacement would be a second entry point of the phase, which Cloudflare refuses.
    rulesets = prod_active.of_type("cloudflare:index/ruleset:Ruleset")
    assert rulesets
    for ruleset in rulesets:
        assert "name" in ruleset.ignore_changes, ruleset.name
