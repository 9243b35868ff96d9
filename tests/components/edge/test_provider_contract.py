"""Every rule the edge builds, checked against the provider's own contract: the pinned pulumi_cloudflare SDK's
Ruleset input types (keys, and the "Available values" its docstrings list, as bridged from
terraform-provider-cloudflare v5 internal/services/ruleset/schema.go, where `ratelimit.period` is only
`AtLeast(0)`, `requests_per_period` `AtLeast(1)` and `mitigation_timeout` unvalidated: the plan's limits are
checked by config validation instead, components/edge/plans.py)."""

from __future__ import annotations

import functools
import inspect
import re
from typing import Any

import pytest

from components.edge import rules
from components.edge.config import EdgeConfig
from components.edge.plans import PLANS
from tests.support.stacks import load_stack

ONE_TIER = [{"name": "api", "protects_against": "API floods", "path_prefixes": ["/api/"], "requests": 100,
             "window_seconds": 900}]


@functools.cache
def sdk() -> Any:
    import pulumi_cloudflare._inputs as inputs  # 2.5 s: only where the contract is checked

    return inputs


def fields(name: str) -> set[str]:
    return set(getattr(sdk(), name).__annotations__)


def available(name: str, field: str) -> set[str]:
    """The values the SDK docstring of `name.field` lists ('Available values: "a", "b".'; `*` stands for `_`)."""
    source = inspect.getsource(getattr(sdk(), name))
    match = re.search(rf'^    {field}: .*?\n    """(.*?)"""', source, re.S | re.M)
    assert match is not None, (name, field)
    values = re.search(r"Available values: (.*?)\.\s*$", match.group(1), re.S)
    assert values is not None, (name, field)
    return {v.replace("*", "_") for v in re.findall(r'"([^"]+)"', values.group(1))}


def phase_values() -> set[str]:
    from pulumi_cloudflare import ruleset

    doc = inspect.getsource(ruleset.RulesetArgs.__init__)
    line = next(line for line in doc.splitlines() if '"http*ratelimit"' in line)
    return {v.replace("*", "_") for v in re.findall(r'"([^"]+)"', line)}


def configs() -> list[tuple[str, EdgeConfig]]:
    found = []
    for plan in PLANS:
        tiers = {} if plan in ("business", "enterprise") else {"rate_limits": ONE_TIER}
        found.append((plan, EdgeConfig.model_validate(
            {"domain": "example.com", "account_id": "0" * 32, "plan": plan, "cache": {"session_cookie_names": ["s"]},
             **tiers}, context={"environment": "prod"})))
    return found + [(stack, load_stack(stack).edge) for stack in ("preview", "prod")]


@pytest.mark.parametrize(("label", "config"), configs(), ids=[label for label, _ in configs()])
def test_every_rule_is_one_the_provider_accepts(label: str, config: EdgeConfig) -> None:
    assert set(rules.all_rules(config, job_header_value="s")) <= phase_values()
    actions = available("RulesetRuleArgsDict", "action")
    for phase, built in rules.all_rules(config, job_header_value="s").items():
        for rule in built:
            where = f"{label} {phase} {rule['ref']}"
            assert set(rule) <= fields("RulesetRuleArgsDict"), where
            assert rule["action"] in actions, where
            parameters = rule.get("action_parameters", {})
            assert set(parameters) <= fields("RulesetRuleActionParametersArgsDict"), where
            for ttl, typed in (("edge_ttl", "RulesetRuleActionParametersEdgeTtlArgsDict"),
                               ("browser_ttl", "RulesetRuleActionParametersBrowserTtlArgsDict")):
                if ttl in parameters:
                    assert set(parameters[ttl]) <= fields(typed), where
                    assert parameters[ttl]["mode"] in available(typed, "mode"), where
            for header in parameters.get("headers", {}).values():
                assert set(header) <= fields("RulesetRuleActionParametersHeadersArgsDict"), where
                assert header["operation"] in available("RulesetRuleActionParametersHeadersArgsDict", "operation")
            if "ratelimit" in rule:
                ratelimit = rule["ratelimit"]
                assert set(ratelimit) <= fields("RulesetRuleRatelimitArgsDict"), where
                assert {"characteristics", "period"} <= set(ratelimit), where
                assert ratelimit["requests_per_period"] >= 1, where
                assert ratelimit["mitigation_timeout"] >= 0, where
