"""What each Cloudflare plan allows: the one table every edge validation reads.

Sources (read 2026-12-01): Cloudflare's rate limiting rules "Availability" table
(https://developers.cloudflare.com/waf/rate-limiting-rules/#availability) and its "Rate limiting parameters"
page (https://developers.cloudflare.com/waf/rate-limiting-rules/parameters/), the WAF custom rules availability
table (https://developers.cloudflare.com/waf/custom-rules/#availability), the cache rules and transform rules
availability tables (https://developers.cloudflare.com/cache/how-to/cache-rules/#availability,
https://developers.cloudflare.com/rules/transform/#availability), the plans index
(https://developers.cloudflare.com/fundamentals/subscriptions-and-billing/plans/), the rules language's regex note
(https://developers.cloudflare.com/ruleset-engine/rules-language/operators/#comparison-operators: `matches` needs
Business or Enterprise) and the managed rulesets page (https://developers.cloudflare.com/waf/managed-rules/).
The edge issue (issue 7) restates these figures; a change on Cloudflare's side is one edit here.

No provider import: config validation reads this table in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Plan = Literal["free", "pro", "business", "enterprise"]
PLANS: Final[tuple[Plan, ...]] = ("free", "pro", "business", "enterprise")

#: Rate-limiting periods Cloudflare accepts (seconds), on any plan; each plan caps them (`max_period`).
RATELIMIT_PERIODS: Final = (10, 15, 20, 30, 40, 45, 60, 90, 120, 180, 240, 300, 480, 600, 900, 1200, 1800, 2400,
                            3600, 65535, 86400)
#: Mitigation timeouts ("duration") Cloudflare offers (seconds); each plan caps them (`max_mitigation_timeout`).
#: 0 is only for the challenge actions, where it is required below Enterprise.
MITIGATION_TIMEOUTS: Final = (10, 60, 120, 300, 600, 3600, 86400)
#: The counting characteristic every rate-limiting rule must carry, on every plan; never used in an expression.
COLO_CHARACTERISTIC: Final = "cf.colo.id"
#: Counting characteristics by config name: per client IP, or per IP with NAT support (Business and up).
CHARACTERISTICS: Final = {"ip": "ip.src", "ip_with_nat": "cf.unique_visitor_id"}
#: Validity periods (days) the Origin CA issues (Cloudflare API: Create Certificate, `requested_validity`).
ORIGIN_CERTIFICATE_VALIDITY_DAYS: Final = (7, 30, 90, 365, 730, 1095, 5475)
#: Longest rule expression Cloudflare accepts (characters; rules language "Expressions" limits).
EXPRESSION_LIMIT: Final = 4096

# Managed WAF rulesets (https://developers.cloudflare.com/waf/managed-rules/, "Available managed rulesets").
FREE_MANAGED_RULESET: Final = "77454fe2d30c4220b5701f6fdfb893ba"
CLOUDFLARE_MANAGED_RULESET: Final = "efb7b8c949ac4650a09736fc376e9aee"
OWASP_CORE_RULESET: Final = "4814384a9e5d4991b9815dcfc25d2f1f"
ManagedRuleset = Literal["free", "cloudflare", "owasp"]
MANAGED_RULESET_IDS: Final[dict[str, str]] = {
    "free": FREE_MANAGED_RULESET, "cloudflare": CLOUDFLARE_MANAGED_RULESET, "owasp": OWASP_CORE_RULESET,
}
MANAGED_RULESET_NAMES: Final = {
    "free": "Cloudflare Free Managed Ruleset", "cloudflare": "Cloudflare Managed Ruleset",
    "owasp": "Cloudflare OWASP Core Ruleset",
}

_FREE_RL_FIELDS: Final = frozenset({"http.request.uri.path", "cf.client.bot", "cf.bot_management.verified_bot"})
_PRO_RL_FIELDS: Final = _FREE_RL_FIELDS | {"http.host", "http.request.uri", "http.request.full_uri",
                                           "http.request.uri.query"}
_BUSINESS_RL_FIELDS: Final = _PRO_RL_FIELDS | {"http.request.method", "ip.src", "http.user_agent"}


@dataclass(frozen=True)
class PlanLimits:
    """One plan's limits. `None` means "no limit this component needs to check"."""

    ratelimit_rules: int
    ratelimit_max_period: int
    #: Fields a rate-limiting rule's expression may use (None: any field).
    ratelimit_fields: frozenset[str] | None
    ratelimit_max_mitigation_timeout: int
    ratelimit_characteristics: frozenset[str]
    counting_expression: bool
    #: The challenge actions require `mitigation_timeout = 0` (Free, Pro, Business).
    challenge_needs_zero_timeout: bool
    waf_custom_rules: int
    cache_rules: int
    transform_rules: int
    regex: bool
    #: Shortest edge cache TTL a cache rule may set (seconds; plans index, "Minimum edge cache TTL").
    min_edge_ttl: int
    managed_rulesets: frozenset[str]
    #: What the zone gets by default when the config names no managed rulesets.
    default_managed_rulesets: tuple[ManagedRuleset, ...]


PLAN_LIMITS: Final[dict[Plan, PlanLimits]] = {
    "free": PlanLimits(
        ratelimit_rules=1, ratelimit_max_period=10, ratelimit_fields=_FREE_RL_FIELDS,
        ratelimit_max_mitigation_timeout=10, ratelimit_characteristics=frozenset({"ip"}),
        counting_expression=False, challenge_needs_zero_timeout=True,
        waf_custom_rules=5, cache_rules=10, transform_rules=10, regex=False, min_edge_ttl=7200,
        managed_rulesets=frozenset({"free"}), default_managed_rulesets=("free",),
    ),
    "pro": PlanLimits(
        ratelimit_rules=2, ratelimit_max_period=60, ratelimit_fields=_PRO_RL_FIELDS,
        ratelimit_max_mitigation_timeout=3600, ratelimit_characteristics=frozenset({"ip"}),
        counting_expression=False, challenge_needs_zero_timeout=True,
        waf_custom_rules=20, cache_rules=25, transform_rules=25, regex=False, min_edge_ttl=3600,
        managed_rulesets=frozenset({"free", "cloudflare", "owasp"}), default_managed_rulesets=("cloudflare", "owasp"),
    ),
    "business": PlanLimits(
        ratelimit_rules=5, ratelimit_max_period=600, ratelimit_fields=_BUSINESS_RL_FIELDS,
        ratelimit_max_mitigation_timeout=86400, ratelimit_characteristics=frozenset({"ip", "ip_with_nat"}),
        counting_expression=True, challenge_needs_zero_timeout=True,
        waf_custom_rules=100, cache_rules=50, transform_rules=50, regex=True, min_edge_ttl=1,
        managed_rulesets=frozenset({"free", "cloudflare", "owasp"}), default_managed_rulesets=("cloudflare", "owasp"),
    ),
    "enterprise": PlanLimits(
        ratelimit_rules=100, ratelimit_max_period=65535, ratelimit_fields=None,
        ratelimit_max_mitigation_timeout=86400, ratelimit_characteristics=frozenset({"ip", "ip_with_nat"}),
        counting_expression=True, challenge_needs_zero_timeout=False,
        waf_custom_rules=1000, cache_rules=300, transform_rules=300, regex=True, min_edge_ttl=1,
        managed_rulesets=frozenset({"free", "cloudflare", "owasp"}), default_managed_rulesets=("cloudflare", "owasp"),
    ),
}


@dataclass(frozen=True)
class Rate:
    """A rate as the plan can express it: `requests` per `period` seconds, then a block for `timeout` seconds."""

    requests: int
    period: int
    timeout: int

    def per(self, window: int) -> float:
        """How many requests this rate lets through in `window` seconds (before the first block)."""
        return self.requests * window / self.period


def translate_rate(plan: Plan, requests: int, window: int, *, challenge: bool) -> Rate:
    """The nearest rate `plan` can express for "`requests` per `window` seconds": the longest supported period
    the plan allows that is not longer than the window (the least rounding), the request count scaled to it and
    rounded up (never stricter than asked; at least 1), and a mitigation timeout as long as the window allows
    (capped by the plan; 0 for challenges below Enterprise, which Cloudflare requires)."""
    limits = PLAN_LIMITS[plan]
    periods = [p for p in RATELIMIT_PERIODS if p <= min(window, limits.ratelimit_max_period)]
    period = periods[-1] if periods else RATELIMIT_PERIODS[0]
    scaled = -(-requests * period // window)  # ceil, in integers
    if challenge and limits.challenge_needs_zero_timeout:
        timeout = 0
    else:
        timeouts = [t for t in MITIGATION_TIMEOUTS if t <= min(window, limits.ratelimit_max_mitigation_timeout)]
        timeout = timeouts[-1] if timeouts else MITIGATION_TIMEOUTS[0]
    return Rate(requests=max(1, scaled), period=period, timeout=timeout)
