"""Cloudflare zone stack policies: a compliant zone passes; one changed property yields exactly that violation."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.policies.harness import UNKNOWN, Pack, Resource, only
from tests.support.wire import secret

ZONE = "cloudflare:index/zone:Zone"
SETTING = "cloudflare:index/zoneSetting:ZoneSetting"
RULESET = "cloudflare:index/ruleset:Ruleset"
HSTS = {"strict_transport_security": {"enabled": True, "max_age": 31536000, "include_subdomains": True,
                                      "preload": True, "nosniff": True}}
SETTINGS = {"ssl": "strict", "min_tls_version": "1.2", "tls_1_3": "on", "always_use_https": "on",
            "automatic_https_rewrites": "on", "security_header": HSTS}
RULES = {
    "http_request_firewall_custom": [{"action": "block", "expression": 'starts_with(http.request.uri.path, "/wp")',
                                      "enabled": True}],
    "http_ratelimit": [
        {"action": "block", "expression": 'starts_with(http.request.uri.path, "/api/")',
         "ratelimit": {"characteristics": ["cf.colo.id", "ip.src"], "period": 60, "requestsPerPeriod": 7}},
        {"action": "block", "expression": 'starts_with(http.request.uri.path, "/login")',
         "ratelimit": {"characteristics": ["cf.colo.id", "ip.src"], "period": 60, "requestsPerPeriod": 1}},
    ],
    "http_request_cache_settings": [{"action": "set_cache_settings", "actionParameters": {"cache": False},
                                     "expression": 'starts_with(http.request.uri.path, "/api/")'}],
}


def zone_stack(settings: dict[str, Any] | None = None, rules: dict[str, Any] | None = None,
               *, join: bool = True) -> list[Resource]:
    zone = Resource(ZONE, "zone", {"account": {"id": "a" * 32}, "name": "example.com"})
    resources = [zone]
    for setting_id, value in (SETTINGS if settings is None else settings).items():
        resources.append(Resource(SETTING, f"s-{setting_id}", {"zoneId": UNKNOWN, "settingId": setting_id,
                                                               "value": copy.deepcopy(value)},
                                  deps={"zoneId": [zone]} if join else {}))
    for phase, phase_rules in (RULES if rules is None else rules).items():
        resources.append(Resource(RULESET, f"r-{phase}", {"zoneId": UNKNOWN, "kind": "zone", "phase": phase,
                                                          "name": phase, "rules": copy.deepcopy(phase_rules)},
                                  deps={"zoneId": [zone]}))
    return resources


def test_compliant_zone_passes(pack: Pack) -> None:
    assert pack.analyze_stack(zone_stack()) == []


@pytest.mark.parametrize(
    ("setting_id", "value", "policy", "fragment"),
    [
        ("ssl", "flexible", "cloudflare-zone-configure-ssl-full-strict", "'ssl' is 'flexible'"),
        ("ssl", "full", "cloudflare-zone-configure-ssl-full-strict", "'ssl' is 'full'"),
        ("min_tls_version", "1.0", "cloudflare-zone-configure-min-tls-version", "'1.0'"),
        ("always_use_https", "off", "cloudflare-zone-enable-always-use-https", "'off'"),
        ("tls_1_3", "off", "cloudflare-zone-enable-tls-1-3", "'off'"),
        ("security_header", {"strict_transport_security": {**HSTS["strict_transport_security"], "enabled": False}},
         "cloudflare-zone-enable-hsts", "not enabled"),
        ("security_header", {"strict_transport_security": {**HSTS["strict_transport_security"], "max_age": 86400}},
         "cloudflare-zone-enable-hsts", "max_age is 86400"),
        # Two years: past the 12 months Cloudflare's HSTS settings offer (terraform-provider-cloudflare#1111).
        ("security_header", {"strict_transport_security": {**HSTS["strict_transport_security"],
                                                           "max_age": 63072000}},
         "cloudflare-zone-enable-hsts", "Cloudflare offers at most 31536000"),
        ("security_header", {"strict_transport_security": {**HSTS["strict_transport_security"],
                                                           "include_subdomains": False}},
         "cloudflare-zone-enable-hsts", "include_subdomains"),
        ("security_header", {"strictTransportSecurity": {"enabled": True, "maxAge": 63072000,
                                                         "includeSubdomains": True}},
         "cloudflare-zone-enable-hsts", "camelCase"),
    ],
)
def test_one_changed_setting_is_one_violation(pack: Pack, setting_id: str, value: Any, policy: str,
                                              fragment: str) -> None:
    diag = only(pack.analyze_stack(zone_stack({**SETTINGS, setting_id: value})), policy, fragment)
    assert diag.urn.endswith("::zone")


@pytest.mark.parametrize(
    ("setting_id", "policy"),
    [("ssl", "cloudflare-zone-configure-ssl-full-strict"), ("min_tls_version",
                                                             "cloudflare-zone-configure-min-tls-version"),
     ("always_use_https", "cloudflare-zone-enable-always-use-https"), ("tls_1_3", "cloudflare-zone-enable-tls-1-3"),
     ("security_header", "cloudflare-zone-enable-hsts")],
)
def test_a_missing_setting_is_a_violation(pack: Pack, setting_id: str, policy: str) -> None:
    only(pack.analyze_stack(zone_stack({k: v for k, v in SETTINGS.items() if k != setting_id})), policy, "no Zone")


@pytest.mark.parametrize(
    ("phase", "rules", "policy", "fragment"),
    [
        ("http_request_firewall_custom", None, "cloudflare-zone-require-waf-custom-rules", "no Ruleset"),
        ("http_request_firewall_custom", [{**RULES["http_request_firewall_custom"][0], "enabled": False}],
         "cloudflare-zone-require-waf-custom-rules", "no Ruleset"),
        ("http_ratelimit", None, "cloudflare-zone-require-rate-limiting", "nothing is rate limited"),
        ("http_ratelimit", RULES["http_ratelimit"][:1], "cloudflare-zone-require-rate-limiting", "auth paths"),
        ("http_ratelimit", RULES["http_ratelimit"][1:], "cloudflare-zone-require-rate-limiting", "API paths"),
        ("http_request_cache_settings", None, "cloudflare-zone-configure-cache-bypass", "bypasses the cache"),
        ("http_request_cache_settings", [{**RULES["http_request_cache_settings"][0],
                                          "actionParameters": {"cache": True}}],
         "cloudflare-zone-configure-cache-bypass", "bypasses the cache"),
    ],
)
def test_one_changed_ruleset_is_one_violation(pack: Pack, phase: str, rules: Any, policy: str, fragment: str) -> None:
    changed = {k: v for k, v in RULES.items() if k != phase}
    if rules is not None:
        changed[phase] = rules
    only(pack.analyze_stack(zone_stack(rules=changed)), policy, fragment)


def test_secret_rules_are_judged_and_unknown_rules_are_not(pack: Pack) -> None:
    resources = zone_stack()
    firewall = next(r for r in resources if r.name == "r-http_request_firewall_custom")
    firewall.props["rules"] = secret(firewall.props["rules"])
    assert pack.analyze_stack(resources) == []
    firewall.props["rules"] = UNKNOWN
    assert pack.analyze_stack(resources) == []


def test_adopted_zone_is_judged_by_its_literal_id(pack: Pack) -> None:
    resources = [r for r in zone_stack({**SETTINGS, "ssl": "flexible"}) if r.type != ZONE]
    for r in resources:
        r.props["zoneId"] = "f" * 32
        r.deps = {}
    only(pack.analyze_stack(resources), "cloudflare-zone-configure-ssl-full-strict", "'flexible'")


def test_unjoined_unknown_zone_ids_are_not_attributed(pack: Pack) -> None:
    resources = zone_stack(join=False)
    diags = pack.analyze_stack(resources)
    assert {d.policy for d in diags} == {
        "cloudflare-zone-configure-ssl-full-strict", "cloudflare-zone-configure-min-tls-version",
        "cloudflare-zone-enable-always-use-https", "cloudflare-zone-enable-tls-1-3", "cloudflare-zone-enable-hsts"}


@pytest.mark.parametrize("legacy", ["firewallRule:FirewallRule", "filter:Filter", "rateLimit:RateLimit",
                                    "pageRule:PageRule"])
def test_legacy_apis_are_refused(pack: Pack, legacy: str) -> None:
    diags = pack.analyze(f"cloudflare:index/{legacy}", {"zoneId": "a" * 32})
    assert [d.policy for d in diags] == ["cloudflare-zone-disallow-legacy-apis"]


def test_a_setting_whose_id_is_not_known_yet_is_not_reported_missing(pack: Pack) -> None:
    """At preview a ZoneSetting's id may be computed: "no ssl setting joins" would then be a guess."""
    without_ssl = {k: v for k, v in SETTINGS.items() if k != "ssl"}
    policy = "cloudflare-zone-configure-ssl-full-strict"
    assert [d.policy for d in pack.analyze_stack(zone_stack(without_ssl))] == [policy]
    resources = zone_stack(without_ssl)
    zone = resources[0]
    resources.append(Resource(SETTING, "s-computed", {"zoneId": UNKNOWN, "settingId": UNKNOWN, "value": UNKNOWN},
                              deps={"zoneId": [zone]}))
    assert pack.analyze_stack(resources) == []
