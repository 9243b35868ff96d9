"""Config-loader helpers for the config tests: a repository stack's wire config with one concern changed,
and the problems the loader reports for it."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import pytest

from components.stack import ConfigError, StackConfig, build_stack_config
from tests.support.stacks import PROJECT, stack_config_map

MINIMAL = {
    "aws:region": "eu-west-1", "platform:owner": "team", "platform:cost_center": "cc-1",
    # The AZs and the app subnets have no default: a stack chooses them.
    "platform:network": json.dumps({"availability_zones": ["euw1-az1", "euw1-az2"],
                                    "app_subnet_cidrs": ["10.40.128.0/20", "10.40.144.0/20"]}),
    # Alerts must reach someone, and the uptime check needs the app's host name.
    "platform:alerts": json.dumps({"emails": ["oncall@example.com"], "health_check": {"fqdn": "app.example.com"}}),
    # The zone's domain and account have no default either (the default plan, free, holds one rate limit), nor
    # the app's session cookie; the host the uptime check calls must be in the zone.
    "platform:edge": json.dumps({"domain": "example.com", "account_id": "0123456789abcdef0123456789abcdef",
                                 "dns_records": [{"name": "app", "type": "CNAME", "content": "origin.example.net"}],
                                 "cache": {"session_cookie_names": ["session"]},
                                 "rate_limits": [{"name": "api", "protects_against": "API floods",
                                                  "path_prefixes": ["/api/", "/login"],
                                                  "requests": 100, "window_seconds": 900}]}),
    # The copy job's repository and the off-site region have no default either.
    "platform:backup_storage": json.dumps({"github_repository": "example-org/web-app", "azure_location": "westeurope"}),
    # Nor the app's origin: its backup jobs are what writes the backup bucket's dumps.
    "platform:jobs": json.dumps({"base_url": "https://app.example.com"}),
    # The repository the stack's environment lives in; a public one needs no plan beyond Free.
    "platform:github": json.dumps({"repository": "example-org/web-app", "plan": "free", "visibility": "public",
                                   "reviewers": {"users": [1]}}),
}


@functools.cache
def _repository_wire(stack: str) -> tuple[tuple[str, str], ...]:
    return tuple(stack_config_map(stack).items())


def repository_wire(stack: str) -> dict[str, str]:
    """A fresh copy of a repository stack's wire config (read once per session)."""
    return dict(_repository_wire(stack))


def with_values(stack: str, concern: str, values: dict[str, Any]) -> dict[str, str]:
    """The stack's wire config with `values` merged into `platform:<concern>` (top-level keys only)."""
    raw = repository_wire(stack)
    key = f"{PROJECT}:{concern}"
    raw[key] = json.dumps({**json.loads(raw.get(key, "{}")), **values})
    return raw


def with_edge(stack: str, change: Callable[[dict[str, Any]], Any]) -> dict[str, str]:
    """The stack's wire config with `platform:edge` changed in place by `change` (nested keys, list items)."""
    raw = repository_wire(stack)
    edge = json.loads(raw["platform:edge"])
    change(edge)
    raw["platform:edge"] = json.dumps(edge)
    return raw


def build(raw: dict[str, Any], stack: str = "prod") -> StackConfig:
    return build_stack_config(raw, project=PROJECT, stack=stack)


def problems_of(raw: dict[str, Any], stack: str = "prod") -> list[str]:
    """The loader's problem lines for a config that must be refused."""
    with pytest.raises(ConfigError) as caught:
        build(raw, stack)
    return caught.value.problems


def problems_with(stack: str, concern: str, values: dict[str, Any]) -> list[str]:
    return problems_of(with_values(stack, concern, values), stack)


def one_problem(problems: list[str], fragment: str) -> str:
    """The one problem line that contains `fragment` (fails listing them all otherwise)."""
    matches = [problem for problem in problems if fragment in problem]
    assert len(matches) == 1, f"{fragment!r} in {problems}"
    return matches[0]
