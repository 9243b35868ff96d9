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

from collections.abc import Sequence
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
    #: `mitigation_timeout = 0` with block throttles: only requests above the rate are blocked (Enterprise).
    ratelimit_throttle: bool = False


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
        ratelimit_throttle=True,
    ),
}


#: How many periods a rate-limiting counter may count at once. Cloudflare documents the counter only as "the
#: number of requests over the period" (https://developers.cloudflare.com/waf/rate-limiting-rules/request-rate/,
#: where the request that takes the counter above `requests_per_period` is the first one acted on). A fixed
#: window counts one period; the sliding-window estimate Cloudflare described for its rate limiting
#: ("Counting things, a lot of different things", blog.cloudflare.com/counting-things-a-lot-of-different-things/:
#: `rate = previous * ((period - elapsed) / period) + current`) counts at most the current period and the previous
#: one. A threshold that holds what a client may send in two periods is therefore never exceeded by it under either.
COUNTED_PERIODS: Final = 2
#: The methods that carry credentials (a request body): what a credential-attempts tier counts where the plan's
#: rate-limiting rules can use `http.request.method` (Business and up). Never GET or HEAD: page loads.
CREDENTIAL_METHODS: Final = ("POST", "PUT", "PATCH")
METHOD_FIELD: Final = "http.request.method"


@dataclass(frozen=True)
class Limit:
    """Part of a tier's intent: a client within it sends at most `requests` in any `seconds`-long interval."""

    requests: int
    seconds: int

    def most_in(self, span: int) -> int:
        """The most requests a client within this limit can send in any `span` seconds: one full allowance for
        each `seconds`-long interval the span touches."""
        return self.requests * -(-span // self.seconds)


@dataclass(frozen=True)
class Rate:
    """A rate as the plan can express it: `requests` per `period` seconds, then the action for `timeout` seconds
    (0: only the requests above the rate, Cloudflare's throttling)."""

    requests: int
    period: int
    timeout: int

    def leak(self, intent: Limit) -> float:
        """How many times the intent one counting key (an IP) can sustain without ever being acted on: the rate
        the rule lets through, `requests / period`, over the intended `requests / seconds`."""
        return self.requests * intent.seconds / (self.period * intent.requests)


def methods_countable(plan: Plan) -> bool:
    """Whether the plan's rate-limiting rules may use the request method (availability table: Business and up)."""
    fields = PLAN_LIMITS[plan].ratelimit_fields
    return fields is None or METHOD_FIELD in fields


def compliant_threshold(intent: Sequence[Limit], period: int, clients_per_ip: int = 1) -> int:
    """The `requests_per_period` that never acts on a client within every limit of `intent`: the most that
    `clients_per_ip` such clients can send in the `COUNTED_PERIODS` periods a counter may hold."""
    return clients_per_ip * min(limit.most_in(COUNTED_PERIODS * period) for limit in intent)


def mitigation_timeout(plan: Plan, period: int, *, challenge: bool) -> int:
    """As short as the protection needs. Enterprise throttles (0: only the requests above the rate are acted on,
    availability table: "Throttle requests above rate with block action"); challenges below Enterprise must be 0
    (parameters page, "Notes for API users"); otherwise the shortest duration the plan offers that outlasts one
    period, so a client over the rate cannot resume before its counter has moved on."""
    limits = PLAN_LIMITS[plan]
    if limits.ratelimit_throttle or (challenge and limits.challenge_needs_zero_timeout):
        return 0
    allowed = [t for t in MITIGATION_TIMEOUTS if t <= limits.ratelimit_max_mitigation_timeout]
    return next((t for t in allowed if t >= period), allowed[-1])


def translate_rate(plan: Plan, intent: Sequence[Limit], *, challenge: bool, clients_per_ip: int = 1,
                   period: int | None = None) -> Rate:
    """The rate `plan` expresses for `intent` (the tier's limits, its window first) without ever acting on a
    compliant client: for each period the plan allows (or the one given), the threshold `compliant_threshold`;
    of those, the period whose threshold leaks the least (the shorter one on a tie, for shorter blocks)."""
    limits = PLAN_LIMITS[plan]
    window = intent[0]
    periods = [period] if period is not None else [p for p in RATELIMIT_PERIODS if p <= limits.ratelimit_max_period]
    rates = [Rate(compliant_threshold(intent, p, clients_per_ip), p, mitigation_timeout(plan, p, challenge=challenge))
             for p in periods]
    return min(rates, key=lambda rate: (rate.leak(window), rate.period))
