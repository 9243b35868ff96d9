"""The rules of each phase the edge owns, as the `Ruleset.rules` inputs the provider takes (snake_case keys), built
from typed config only. Config validation builds the same rules and checks them (`check_rules`); the component
passes them on unchanged. No provider import.

Order matters inside a phase: WAF custom rules stop at the first terminating action (block, challenge, skip of
the current ruleset), cache rules all apply and a later rule wins, so the cache bypass comes last.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from components.edge import expressions as ex
from components.edge.plans import (
    CHARACTERISTICS,
    COLO_CHARACTERISTIC,
    CREDENTIAL_METHODS,
    MANAGED_RULESET_IDS,
    MANAGED_RULESET_NAMES,
    PLAN_LIMITS,
    Plan,
    Rate,
    methods_countable,
    translate_rate,
)

if TYPE_CHECKING:
    from components.edge.config import EdgeCacheConfig, EdgeConfig, RateLimitTier, SecurityHeadersConfig, WafConfig

Rule = dict[str, Any]

#: "Every request": Cloudflare's rules language accepts the literal `true` (Rulesets API, "expression": "true"
#: executes a managed ruleset for all traffic); the wirefilter scheme of `octorules-wirefilter` has no `true`
#: literal, so `check_rules` accepts this one constant without parsing it.
MATCH_ALL = "true"
#: Stands in for the jobs' secret header value where config is validated (the real value arrives at run time).
PLACEHOLDER_SECRET = "placeholder-job-secret"

PHASE_CACHE = "http_request_cache_settings"
PHASE_CUSTOM = "http_request_firewall_custom"
PHASE_MANAGED = "http_request_firewall_managed"
PHASE_RATELIMIT = "http_ratelimit"
PHASE_HEADERS = "http_response_headers_transform"


def cache_rules(cache: EdgeCacheConfig) -> list[Rule]:
    """Content-hashed build output pinned at the edge; nothing else gets a cache rule, so it follows the origin's
    Cache-Control; the API, the bypassed paths and any request with a session cookie or Authorization: never
    answered from cache (last, so it wins)."""
    rules: list[Rule] = []
    if cache.immutable_path_prefixes and cache.immutable_extensions:
        rules.append({
            "ref": "immutable_assets",
            "description": "Content-hashed build output (/_next/static/ and the like): cached at the edge, "
            "ignoring the origin's Cache-Control",
            "expression": ex.all_of([ex.path_prefixes(cache.immutable_path_prefixes),
                                     ex.extensions(cache.immutable_extensions)]),
            "action": "set_cache_settings",
            "action_parameters": {
                "cache": True,
                "edge_ttl": {"mode": "override_origin", "default": cache.immutable_edge_ttl},
                "browser_ttl": {"mode": "respect_origin"},
            },
            "enabled": True,
        })
    bypass = ex.prefix_terms(cache.bypass_path_prefixes)
    if cache.bypass_authorization_header:
        bypass.append('any(lower(http.request.headers.names[*])[*] eq "authorization")')
    # `contains` on the Cookie header: a name inside another cookie's name or value only costs a cache miss.
    bypass += [f"http.cookie contains {ex.quoted(name)}" for name in cache.session_cookie_names]
    rules.append({
        "ref": "bypass_api_and_authenticated",
        "description": "API, bypassed paths and signed-in requests (session cookie or Authorization): never "
        "answered from cache (last, so it wins over the rule above)",
        "expression": ex.any_of(bypass),
        "action": "set_cache_settings",
        "action_parameters": {"cache": False},
        "enabled": True,
    })
    return rules


def machine_callers(waf: WafConfig, job_header_value: str | None) -> str | None:
    """The stack's own machine callers: the scheduled jobs (their path and secret header) and the Route 53
    health checks of the health path (path, GET/HEAD and the health checker's user agent)."""
    parts = []
    if job_header_value is not None and waf.job_path_prefixes:
        parts.append(ex.all_of([
            ex.path_prefixes(waf.job_path_prefixes),
            ex.header_equals(waf.job_auth_header, ex.quoted(job_header_value)),
        ]))
    if waf.health_check_path is not None:
        parts.append(ex.all_of([
            f"{ex.PATH} eq {ex.quoted(waf.health_check_path)}",
            ex.methods(["GET", "HEAD"]),
            f"starts_with(http.user_agent, {ex.quoted(waf.health_check_user_agent)})",
        ]))
    return ex.any_of([f"({p})" if " and " in p and len(parts) > 1 else p for p in parts]) if parts else None


def waf_custom_rules(waf: WafConfig, *, job_header_value: str | None) -> list[Rule]:
    rules: list[Rule] = []
    probes = ex.prefix_terms(waf.exploit_path_prefixes) + ex.contains_terms(waf.exploit_path_fragments)
    probes += [ex.extensions(waf.exploit_extensions)] if waf.exploit_extensions else []
    probes += ex.regex_terms(waf.exploit_path_regexes)
    if probes:
        rules.append({
            "ref": "block_exploit_probes",
            "description": "WordPress/PHP exploit probes and secrets files: blocked",
            "expression": ex.any_of(probes),
            "action": "block",
            "enabled": True,
        })
    callers = machine_callers(waf, job_header_value)
    if callers is not None:
        rules.append({
            "ref": "allow_machine_callers",
            "description": "The stack's scheduled jobs and Route 53 health checks: past the challenges below "
            "(not past rate limiting or the managed rules)",
            "expression": callers,
            "action": "skip",
            "action_parameters": {"ruleset": "current", "products": ["bic", "securityLevel"]},
            "logging": {"enabled": True},
            "enabled": True,
        })
    if waf.challenge_bots:
        agents = ['http.user_agent eq ""'] + [
            f"lower(http.user_agent) contains {ex.quoted(fragment)}" for fragment in waf.bot_user_agent_fragments
        ]
        rules.append({
            "ref": "challenge_unverified_automation",
            "description": "Automated clients that are not verified bots: managed challenge",
            "expression": ex.all_of([ex.any_of(agents), "not cf.client.bot", 'cf.verified_bot_category eq ""']),
            "action": "managed_challenge",
            "enabled": True,
        })
    if waf.auth_path_prefixes:
        rules.append({
            "ref": "challenge_auth_pages",
            "description": "Sign-in, sign-up and password pages: managed challenge",
            "expression": ex.path_prefixes(waf.auth_path_prefixes),
            "action": "managed_challenge",
            "enabled": True,
        })
    if waf.admin_countries and waf.admin_path_prefixes:
        rules.append({
            "ref": "restrict_admin_countries",
            "description": "/admin outside the allowed countries: blocked",
            "expression": ex.all_of([ex.path_prefixes(waf.admin_path_prefixes),
                                     f"not {ex.countries(waf.admin_countries)}"]),
            "action": "block",
            "enabled": True,
        })
    return rules


def managed_rules(config: EdgeConfig) -> list[Rule]:
    return [
        {
            "ref": f"execute_{name}_managed",
            "description": f"Execute the {MANAGED_RULESET_NAMES[name]}",
            "expression": MATCH_ALL,
            "action": "execute",
            "action_parameters": {"id": MANAGED_RULESET_IDS[name]},
            "enabled": True,
        }
        for name in config.managed
    ]


def tier_rate(tier: RateLimitTier, plan: Plan) -> Rate:
    """The rate the plan expresses for the tier's intent (never acting on a client within it), with the tier's
    own period and block overrides applied."""
    rate = translate_rate(plan, tier.intent, challenge=tier.action != "block", clients_per_ip=tier.clients_per_ip,
                          period=tier.period_seconds)
    timeout = rate.timeout if tier.mitigation_timeout_seconds is None else tier.mitigation_timeout_seconds
    return Rate(requests=rate.requests, period=rate.period, timeout=timeout)


def tier_methods(tier: RateLimitTier, plan: Plan) -> tuple[str, ...]:
    """The methods the tier's rule counts; empty: every method. A credential-attempts tier counts the methods
    that carry credentials wherever the plan's rules can use the method (Business and up)."""
    if tier.methods:
        return tuple(tier.methods)
    if tier.counts == "credential_attempts" and methods_countable(plan):
        return CREDENTIAL_METHODS
    return ()


def ratelimit_rules(tiers: Sequence[RateLimitTier], plan: Plan) -> list[Rule]:
    rules = []
    for tier in tiers:
        rate = tier_rate(tier, plan)
        methods = tier_methods(tier, plan)
        parts = [ex.path_prefixes(tier.path_prefixes)] + ([ex.methods(methods)] if methods else [])
        rules.append({
            "ref": f"ratelimit_{tier.name}",
            "description": f"{tier.name}: against {tier.protects_against}. Never acts on a client within "
            f"{describe_intent(tier)}: {rate.requests} per {rate.period} s per IP (leak x{leak_text(rate, tier)})",
            "expression": ex.all_of(parts),
            "action": tier.action,
            "ratelimit": {
                "characteristics": [COLO_CHARACTERISTIC, CHARACTERISTICS[tier.counting]],
                "period": rate.period,
                "requests_per_period": rate.requests,
                "mitigation_timeout": rate.timeout,
            },
            "enabled": True,
        })
    return rules


def duration(seconds: int) -> str:
    """Seconds as read: '1 day', '15 min', '1 h', '45 s', '65535 s'."""
    for unit, size in (("day", 86_400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def describe_intent(tier: RateLimitTier) -> str:
    """The tier's intent in words: '100 per 15 min', '5 per 15 min and 2 per 1 min', '... (3 clients per IP)'."""
    parts = [f"{limit.requests} per {duration(limit.seconds)}" for limit in tier.intent]
    shared = f" ({tier.clients_per_ip} clients per IP)" if tier.clients_per_ip > 1 else ""
    return " and ".join(parts) + shared


def leak_text(rate: Rate, tier: RateLimitTier) -> str:
    """The leak factor, rounded for reading: whole numbers from 10 up, two significant digits below."""
    leak = rate.leak(tier.intent[0])
    return str(round(leak)) if leak >= 10 else f"{leak:.2g}"


def header_rules(headers: SecurityHeadersConfig) -> list[Rule]:
    """One rule per header, each setting it only on responses whose origin did not send it: the app's own
    header (say a nonce-based CSP) always wins over the default. The filter sees the origin's headers, not
    those an earlier rule of the phase set (response header transform rules: "later rules will still use the
    original field values", https://developers.cloudflare.com/rules/transform/response-header-modification/)."""
    values = {
        "Content-Security-Policy": headers.content_security_policy,
        "X-Frame-Options": headers.x_frame_options,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": headers.referrer_policy,
        "Permissions-Policy": headers.permissions_policy,
    }
    return [
        {
            "ref": f"default_{name.lower().replace('-', '_')}",
            "description": f"{name} on responses whose origin did not send one",
            "expression": f"not {ex.response_header_present(name)}",
            "action": "rewrite",
            "action_parameters": {"headers": {name: {"operation": "set", "value": value}}},
            "enabled": True,
        }
        for name, value in values.items()
    ]


def phase_limit(phase: str, plan: Plan) -> int | None:
    limits = PLAN_LIMITS[plan]
    return {
        PHASE_CACHE: limits.cache_rules,
        PHASE_CUSTOM: limits.waf_custom_rules,
        PHASE_RATELIMIT: limits.ratelimit_rules,
        PHASE_HEADERS: limits.transform_rules,
    }.get(phase)


def check_rules(phase: str, rules: Sequence[Rule], plan: Plan) -> list[str]:
    """What Cloudflare would refuse in these rules on this plan: too many rules, an expression that does not parse
    (Cloudflare's parser), is too long, uses regex below Business, or (rate limiting) a field the plan excludes."""
    limits = PLAN_LIMITS[plan]
    problems = []
    limit = phase_limit(phase, plan)
    if limit is not None and len(rules) > limit:
        problems.append(f"{phase} holds {len(rules)} rules, but the {plan} plan allows {limit} per zone")
    for rule in rules:
        expression = rule["expression"]
        if expression == MATCH_ALL:
            continue
        name = rule.get("ref", "?")
        try:
            parsed = ex.parse(expression)
        except ValueError as error:
            problems.append(f"rule '{name}' ({phase}): expression {error}")
            continue
        if "matches" in parsed.operators and not limits.regex:
            problems.append(f"rule '{name}' ({phase}): regular expressions (matches) need Business or Enterprise, "
                            f"not {plan}")
        if phase == PHASE_RATELIMIT and limits.ratelimit_fields is not None:
            extra = sorted(parsed.fields - limits.ratelimit_fields)
            if extra:
                problems.append(f"rule '{name}' ({phase}): the {plan} plan's rate-limiting rules cannot use "
                                f"{', '.join(extra)}")
    return problems


def all_rules(config: EdgeConfig, *, job_header_value: str | None) -> dict[str, list[Rule]]:
    """Every phase's rules, by phase, in the order the component declares the rulesets."""
    return {
        PHASE_CACHE: cache_rules(config.cache),
        PHASE_CUSTOM: waf_custom_rules(config.waf, job_header_value=job_header_value),
        PHASE_MANAGED: managed_rules(config),
        PHASE_RATELIMIT: ratelimit_rules(config.rate_limits, config.plan),
        PHASE_HEADERS: header_rules(config.security_headers),
    }
