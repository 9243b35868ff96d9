"""Cloudflare zones (`cloudflare:index/zone:Zone`): the stack joins to their settings and rulesets (`join.py`).

Each control is a stack policy over every zone of the stack (declared, or adopted by a literal zone id), reported
on the zone. A value that is not known yet (an output of another resource, or a ruleset whose rules carry a
secret computed at `up`) is not judged: the next preview judges it. The legacy-API policy is a resource policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from ..common import MISSING, UNKNOWN, About, as_bool, as_number, get, has_key, resource_policy, stack_policy
from ..refs import cloudflare_docs, platform
from .join import LEGACY_TYPES, ZONE, ZoneView, expression, iter_rules, phase_unknown, zones

_TAGS = ("cloudflare", "zone")
_SSL_MODES = "https://developers.cloudflare.com/ssl/origin-configuration/ssl-modes/full-strict/"
_MIN_TLS = "https://developers.cloudflare.com/ssl/edge-certificates/additional-options/minimum-tls/"
_HTTPS = "https://developers.cloudflare.com/ssl/edge-certificates/additional-options/always-use-https/"
_HSTS = "https://developers.cloudflare.com/ssl/edge-certificates/additional-options/http-strict-transport-security/"
_TLS13 = "https://developers.cloudflare.com/ssl/edge-certificates/additional-options/tls-13/"
_CUSTOM = "https://developers.cloudflare.com/waf/custom-rules/"
_RATE = "https://developers.cloudflare.com/waf/rate-limiting-rules/"
_CACHE = "https://developers.cloudflare.com/cache/how-to/cache-rules/"
_DEPRECATIONS = "https://developers.cloudflare.com/fundamentals/api/reference/deprecations/"
#: Six months (security-baseline.md: "HSTS on (max-age >= 6 months, includeSubDomains)"); the edge config refuses
#: less (components/edge/config.py HSTS_MIN_MAX_AGE, checked equal by tests/components/edge).
HSTS_MIN_MAX_AGE = 15_552_000
#: Twelve months: the longest max-age Cloudflare's HSTS settings offer ("Disable, or a range from 1 to 12 months",
#: the HSTS page above); the edge config refuses more (components/edge/config.py HSTS_MAX_MAX_AGE).
HSTS_MAX_MAX_AGE = 31_536_000
API_MARKERS = ("/api",)
AUTH_MARKERS = ("auth", "login", "signin", "sign-in", "session", "token", "password")

Check = Callable[[ZoneView], Iterator[str]]


def _zones(check: Check) -> Callable[[StackValidationArgs], Iterator[tuple[str, str | None]]]:
    def run(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
        for view in zones(args):
            for message in check(view):
                yield f"{view.name}: {message}", view.urn
    return run


def _setting(view: ZoneView, setting_id: str, allowed: tuple[str, ...], what: str) -> Iterator[str]:
    values = view.setting(setting_id)
    if not values and not view.unknown_setting_ids:
        yield (f"no ZoneSetting '{setting_id}' joins this zone: the zone keeps Cloudflare's default; declare "
               f"ZoneSetting(setting_id=\"{setting_id}\", value=\"{allowed[0]}\") ({what})")
    for value in values:
        if value is UNKNOWN or (isinstance(value, str) and value in allowed):
            continue
        shown = value if isinstance(value, str) else type(value).__name__
        yield f"ZoneSetting '{setting_id}' is {shown!r}; it must be {' or '.join(map(repr, allowed))} ({what})"


def _ssl(view: ZoneView) -> Iterator[str]:
    yield from _setting(view, "ssl", ("strict",), "Full (strict): Cloudflare validates the origin's certificate")


def _min_tls(view: ZoneView) -> Iterator[str]:
    yield from _setting(view, "min_tls_version", ("1.2", "1.3"), "TLS 1.0 and 1.1 are refused")


def _always_https(view: ZoneView) -> Iterator[str]:
    yield from _setting(view, "always_use_https", ("on",), "plain HTTP is redirected to HTTPS")


def _tls13(view: ZoneView) -> Iterator[str]:
    yield from _setting(view, "tls_1_3", ("on", "zrt"), "TLS 1.3 offered")


def _hsts(view: ZoneView) -> Iterator[str]:
    values = view.setting("security_header")
    if not values and not view.unknown_setting_ids:
        yield ("no ZoneSetting 'security_header' joins this zone: HSTS is off; declare it with "
               "{\"strict_transport_security\": {\"enabled\": true, \"max_age\": 31536000, \"include_subdomains\": "
               "true, ...}} (snake_case keys)")
    for value in values:
        if value is UNKNOWN:
            continue
        hsts = get(value, "strict_transport_security")
        if hsts is UNKNOWN:
            continue
        if hsts is MISSING:
            camel = has_key(value, "strictTransportSecurity")
            yield ("security_header has camelCase keys (strictTransportSecurity): Cloudflare accepts them but the "
                   "setting never converges (pulumi-cloudflare#1579); write the API's snake_case keys"
                   if camel else "security_header has no strict_transport_security object: HSTS is off")
            continue
        if as_bool(get(hsts, "enabled"), default=False) is False:
            yield "HSTS is not enabled (strict_transport_security.enabled is not true)"
        max_age = as_number(get(hsts, "max_age"))
        if max_age is not UNKNOWN and (not isinstance(max_age, float) or max_age < HSTS_MIN_MAX_AGE):
            yield (f"HSTS max_age is {'unset' if max_age is None else int(max_age)}; it must be at least "
                   f"{HSTS_MIN_MAX_AGE} s (6 months)")
        elif isinstance(max_age, float) and max_age > HSTS_MAX_MAX_AGE:
            yield (f"HSTS max_age is {int(max_age)}; Cloudflare offers at most {HSTS_MAX_MAX_AGE} s (12 months), "
                   "which also meets the preload list's one-year minimum")
        if as_bool(get(hsts, "include_subdomains"), default=False) is False:
            yield "HSTS include_subdomains is not true: subdomains can still be reached over plain HTTP"


def _waf_custom(view: ZoneView) -> Iterator[str]:
    phase = "http_request_firewall_custom"
    if phase_unknown(view, phase):
        return
    if not any(True for _ in iter_rules(view, phase)):
        yield (f"no Ruleset in phase {phase} with an enabled rule joins this zone: no WAF custom rules "
               "(the firewall) are deployed")


def _rules_mention(view: ZoneView, phase: str, markers: tuple[str, ...], matches: Callable[[Any], bool]) -> bool:
    return any(
        matches(rule) and any(marker in expression(rule).lower() for marker in markers)
        for rule in iter_rules(view, phase)
    )


def _has_ratelimit(rule: Any) -> bool:
    ratelimit = get(rule, "ratelimit")
    return ratelimit is UNKNOWN or (ratelimit is not MISSING and get(ratelimit, "period") is not MISSING)


def _rate_limiting(view: ZoneView) -> Iterator[str]:
    phase = "http_ratelimit"
    if phase_unknown(view, phase):
        return
    if not view.phase(phase):
        yield f"no Ruleset in phase {phase} joins this zone: nothing is rate limited"
        return
    if not _rules_mention(view, phase, API_MARKERS, _has_ratelimit):
        yield "no enabled rate-limiting rule counts the API paths (an expression naming '/api')"
    if not _rules_mention(view, phase, AUTH_MARKERS, _has_ratelimit):
        yield "no enabled rate-limiting rule counts the auth paths (an expression naming login/auth/session paths)"


def _bypasses(rule: Any) -> bool:
    return get(rule, "action") == "set_cache_settings" and get(rule, "actionParameters", "cache") is False


def _cache_bypass(view: ZoneView) -> Iterator[str]:
    phase = "http_request_cache_settings"
    if phase_unknown(view, phase):
        return
    if not _rules_mention(view, phase, API_MARKERS, _bypasses):
        yield (f"no cache rule (phase {phase}) bypasses the cache for the API paths (action set_cache_settings "
               "with cache = false on an expression naming '/api'): API or authenticated responses may be cached")


def _legacy(args: ResourceValidationArgs) -> Iterator[str]:
    kind = args.resource_type.rsplit(":", 1)[-1]
    replacement = "a Ruleset with phase http_request_cache_settings (cache rules) or a redirect/config rule" if (
        kind == "PageRule") else "a Ruleset with phase http_request_firewall_custom or http_ratelimit"
    yield f"{kind} uses a retired or replaced Cloudflare API; use {replacement} instead."


def _about(intent: str, description: str, source: tuple[str, str, str], remediation: str,
           severity: Severity = Severity.HIGH) -> About:
    """`source` is (the Cloudflare docs topic, its page, the control's wording in security-baseline.md)."""
    topic, url, control = source
    return About(
        name=f"cloudflare-zone-{intent}",
        description=description,
        refs=(cloudflare_docs(topic, url), platform("edge security baseline")),
        control=control,
        severity=severity,
        remediation=remediation,
        tags=_TAGS,
        url=url,
    )


RESOURCE_TYPE = ZONE
"""The resource type this module's policies are about (stack joins report on the zone)."""

POLICIES = [
    stack_policy(_about(
        "configure-ssl-full-strict", "A zone's SSL/TLS encryption mode must be Full (strict).",
        ("SSL/TLS Full (strict)", _SSL_MODES, "SSL mode Full (strict)"),
        'Declare `cloudflare.ZoneSetting(zone_id=zone.id, setting_id="ssl", value="strict")` and give the origin an '
        "Origin CA certificate.", Severity.CRITICAL,
    ), _zones(_ssl)),
    stack_policy(_about(
        "configure-min-tls-version", "A zone must refuse TLS below 1.2.",
        ("Minimum TLS Version", _MIN_TLS, "minimum TLS 1.2"),
        'Declare `ZoneSetting(setting_id="min_tls_version", value="1.2")` (a string).',
    ), _zones(_min_tls)),
    stack_policy(_about(
        "enable-always-use-https", "A zone must redirect plain HTTP to HTTPS.",
        ("Always Use HTTPS", _HTTPS, "Always Use HTTPS"),
        'Declare `ZoneSetting(setting_id="always_use_https", value="on")`.',
    ), _zones(_always_https)),
    stack_policy(_about(
        "enable-hsts", "A zone must send HSTS with max-age of 6 to 12 months and includeSubDomains.",
        ("HSTS", _HSTS, "HSTS on (max-age >= 6 months, includeSubDomains)"),
        'Declare `ZoneSetting(setting_id="security_header", value={"strict_transport_security": {"enabled": True, '
        '"max_age": 31536000, "include_subdomains": True, "preload": True, "nosniff": True}})` (snake_case keys).',
    ), _zones(_hsts)),
    stack_policy(_about(
        "enable-tls-1-3", "A zone must offer TLS 1.3.",
        ("TLS 1.3", _TLS13, "TLS 1.3 on"),
        'Declare `ZoneSetting(setting_id="tls_1_3", value="on")`.', Severity.MEDIUM,
    ), _zones(_tls13)),
    stack_policy(_about(
        "require-waf-custom-rules", "A zone must deploy WAF custom rules (the firewall).",
        ("WAF custom rules", _CUSTOM, "WAF custom rules deployed (firewall)"),
        'Declare `cloudflare.Ruleset(kind="zone", phase="http_request_firewall_custom", rules=[...])` for the zone.',
    ), _zones(_waf_custom)),
    stack_policy(_about(
        "require-rate-limiting", "A zone must rate limit its API and auth paths.",
        ("Rate limiting rules", _RATE, "rate limiting rules on API and auth paths"),
        'Declare `cloudflare.Ruleset(kind="zone", phase="http_ratelimit", rules=[...])` with rules whose expressions '
        "cover the API and the auth paths.",
    ), _zones(_rate_limiting)),
    stack_policy(_about(
        "configure-cache-bypass", "A zone must never cache API and authenticated responses.",
        ("Cache rules", _CACHE, "cache bypass for API / authenticated paths"),
        'Declare a cache rule (`Ruleset(phase="http_request_cache_settings")`) with `action="set_cache_settings"`, '
        '`action_parameters={"cache": False}` for the API and authenticated paths, last in the ruleset.',
    ), _zones(_cache_bypass)),
    resource_policy(_about(
        "disallow-legacy-apis", "Firewall Rules, Filters, legacy Rate Limiting and Page Rules must not be used.",
        ("API deprecations", _DEPRECATIONS, "no legacy APIs (FirewallRule, Filter, RateLimit, PageRule)"),
        "Replace them with `cloudflare.Ruleset` entry points: http_request_firewall_custom, http_ratelimit, "
        "http_request_cache_settings.",
    ), LEGACY_TYPES, _legacy),
]
