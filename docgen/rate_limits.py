"""`rate-limits plans|defaults|stacks`: the edge's rate limiting, generated from the code that builds the rules.

`plans`: what each plan's rate-limiting rules can express (components/edge/plans.py). `defaults`: the default
tiers (components/edge/config.py) as each plan expresses them. `stacks`: each repository stack's tiers on its
plan. Every cell comes from `rules.tier_rate` and `rules.tier_methods`, the functions the rules are built with,
so a change to the translation leaves these tables stale and `python -m docgen --check` fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from components.edge import rules
from components.edge.config import RateLimitTier, _default_tiers
from components.edge.plans import (
    METHOD_FIELD,
    PLAN_LIMITS,
    PLANS,
    RATELIMIT_PERIODS,
    Plan,
    methods_countable,
)
from components.stack import ConfigError, build_stack_config
from ops.project import to_wire

from .errors import DocgenError, UnknownArgument
from .markdown import code, table
from .sources import PROJECT, REPO, stack_config, stack_files, stack_label

ARGUMENTS = ("plans", "defaults", "stacks")
_FIELD_NAMES = {
    "http.request.uri.path": "path", "cf.client.bot": "verified bot", "cf.bot_management.verified_bot": "verified bot",
    "http.host": "host", "http.request.uri": "URI", "http.request.full_uri": "full URI",
    "http.request.uri.query": "query", METHOD_FIELD: "method", "ip.src": "source IP", "http.user_agent": "user agent",
}


def _methods(tier: RateLimitTier, plan: Plan) -> str:
    methods = rules.tier_methods(tier, plan)
    if methods:
        return ", ".join(methods) + " only"
    return "every method" if tier.counts == "credential_attempts" else ""


def rule_cell(tier: RateLimitTier, plan: Plan) -> str:
    """`100 / 60 s, block 1 min; x15` (threshold per period, what follows, the leak factor)."""
    rate = rules.tier_rate(tier, plan)
    action = "block" if tier.action == "block" else "challenge"
    then = f"{action} {rules.duration(rate.timeout)}" if rate.timeout else f"{action} above the rate"
    methods = _methods(tier, plan)
    return (f"{rate.requests} / {rate.period} s, {then}{f' ({methods})' if methods else ''}; "
            f"**x{rules.leak_text(rate, tier)}**")


def _plans() -> str:
    rows = []
    for plan in PLANS:
        limits = PLAN_LIMITS[plan]
        fields = ("any request field" if limits.ratelimit_fields is None
                  else ", ".join(sorted({_FIELD_NAMES.get(f, f) for f in limits.ratelimit_fields}, key=str.lower)))
        periods = [p for p in RATELIMIT_PERIODS if p <= limits.ratelimit_max_period]
        rows.append([
            plan, str(limits.ratelimit_rules), fields,
            "yes" if methods_countable(plan) else "no: a credential tier counts every request to its paths",
            " to ".join(dict.fromkeys(rules.duration(p) for p in (periods[0], periods[-1]))),
            "throttle: only the requests above the rate" if limits.ratelimit_throttle
            else f"up to {rules.duration(limits.ratelimit_max_mitigation_timeout)}",
            ", ".join(code(c) for c in sorted(limits.ratelimit_characteristics)),
        ])
    return table(["plan", "rules", "fields in the expression", "counts by method", "periods", "blocks",
                  "counting"], rows)


def _defaults() -> str:
    rows = [[f"{code(tier.name)}: {', '.join(code(p) for p in tier.path_prefixes)}", tier.protects_against,
             rules.describe_intent(tier), *(rule_cell(tier, plan) for plan in PLANS)] for tier in _default_tiers()]
    return table(["tier: paths", "protects against", "never acts on a client within", *PLANS], rows)


def _stack_tiers() -> Iterator[list[str]]:
    for path in stack_files():
        if path.parent != REPO:
            continue  # the bootstrap project has no edge
        label = stack_label(path)
        wire = {key: to_wire(value) for key, value in stack_config(path).items()}
        try:
            edge = build_stack_config(wire, project=PROJECT, stack=label).edge
        except ConfigError as error:
            raise DocgenError(f"{path.name}: {error.problems[0]}") from None
        for tier in edge.rate_limits:
            yield [label, edge.plan, f"{code(tier.name)}: {', '.join(code(p) for p in tier.path_prefixes)}",
                   tier.protects_against, rules.describe_intent(tier), rule_cell(tier, edge.plan)]


def _stacks() -> str:
    return table(["stack", "plan", "tier: paths", "protects against", "never acts on a client within", "rule; leak"],
                 _stack_tiers())


def render(arg: str) -> str:
    renderers = {"plans": _plans, "defaults": _defaults, "stacks": _stacks}
    if arg not in renderers:
        raise UnknownArgument("rate-limits", arg, list(ARGUMENTS))
    return renderers[arg]()
