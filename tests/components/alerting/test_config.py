"""The alerting config: defaults per environment, and clear errors for addresses, paths, ids and thresholds."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.alerting.alarms import cache_alarms, database_alarms, health_check_alarm, offsite_copy_alarm
from components.alerting.limits import instance_memory_gib, max_connections
from tests.support.configs import one_problem, problems_of, problems_with, repository_wire
from tests.support.stacks import ROOT, load_stack


def test_prod_notifies_on_warnings_and_preview_only_on_critical() -> None:
    assert load_stack("prod").alerts.minimum_severity == "warning"
    assert load_stack("preview").alerts.minimum_severity == "critical"
    assert load_stack("prod").alerts.health_check.request_interval_seconds == 30
    assert load_stack("prod").alerts.database.cpu_percent == 80


@pytest.mark.parametrize("stack", ["preview", "prod"])
def test_a_stack_without_any_destination_is_refused(stack: str) -> None:
    problem = one_problem(problems_with(stack, "alerts", {"emails": []}), "no destination")
    # The key to set, with the value the stack file gives it (not the whole object).
    assert problem.startswith("platform:alerts.emails = []: no destination: set emails")


def test_slack_alone_is_a_destination() -> None:
    config = load_stack("preview", alerts={"emails": [], "slack": {"workspace_id": "T07EA123LEP",
                                                                   "channel_id": "C07EZ1ABC23"}})
    assert config.alerts.slack is not None
    assert not config.alerts.emails


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"emails": ["oncall"]}, "platform:alerts.emails = [oncall]: oncall is not an email address"),
        ({"emails": ["a@example.com", "A@example.com"]}, "lists an address twice"),
        ({"emails": [f"a{i}@example.com" for i in range(11)]}, "at most 10 addresses"),
        ({"health_check": {"fqdn": "https://app.example.com"}}, "platform:alerts.health_check.fqdn = "),
        ({"health_check": {"fqdn": "app.example.com", "path": "health"}},
         "platform:alerts.health_check.path = health: must start with '/'"),
        ({"health_check": {"fqdn": "app.example.com", "path": "/a b"}}, "health_check.path"),
        ({"health_check": {"fqdn": "app.example.com", "request_interval_seconds": 15}},
         "health_check.request_interval_seconds = 15: must be one of 10, 30"),
        ({"health_check": {"fqdn": "app.example.com", "search_string": "x" * 256}}, "Route 53 SearchString"),
        ({"database": {"cpu_percent": 101}}, "platform:alerts.database.cpu_percent = 101: out of range; must be a "
         "whole number from 1 to 100"),
        ({"database": {"free_storage_percent": 0}}, "alerts.database.free_storage_percent = 0"),
        ({"cache": {"ecpu_percent": 0}}, "platform:alerts.cache.ecpu_percent = 0: out of range"),
        ({"cache": {"throttled_commands": True}}, "platform:alerts.cache.throttled_commands = true"),
        ({"slack": {"workspace_id": "acme", "channel_id": "C07EZ1ABC23"}}, "alerts.slack.workspace_id = acme"),
        ({"slack": {"workspace_id": "T07EA123LEP", "channel_id": "#alerts"}}, "must be a Slack channel id"),
        ({"minimum_severity": "info"}, "alerts.minimum_severity = info: must be one of warning, critical"),
        ({"health_check": None}, "platform:alerts.health_check"),
        ({"emial": ["a@example.com"]}, "platform:alerts.emial: unknown key; did you mean emails?"),
    ],
)
def test_bad_values_are_named_by_key_path(values: dict[str, Any], fragment: str) -> None:
    one_problem(problems_with("prod", "alerts", values), fragment)


def test_missing_health_check_is_required() -> None:
    raw_alerts = {"emails": ["a@example.com"]}


    raw = repository_wire("prod")
    raw["platform:alerts"] = json.dumps(raw_alerts)
    one_problem(problems_of(raw), "platform:alerts.health_check: required")


def test_max_connections_must_be_a_number_when_set() -> None:
    problem = one_problem(
        problems_with("prod", "database", {"extra_parameters": {"max_connections": "{DBInstanceClassMemory/9531392}"}}),
        "platform:database.extra_parameters.max_connections = ",
    )
    assert "whole number" in problem


def test_metal_classes_are_refused_with_the_reason() -> None:
    one_problem(problems_with("prod", "database", {"instance_class": "db.m7g.metal"}),
                "platform:database.instance_class = db.m7g.metal: the memory and connections alarms")


@pytest.mark.parametrize(
    ("instance_class", "memory", "connections"),
    [
        # LEAST({DBInstanceClassMemory/9531392}, 5000) on the class's nominal memory (AWS RDS User Guide).
        ("db.t4g.micro", 1, 112),
        ("db.t4g.medium", 4, 450),
        ("db.m7g.large", 8, 901),
        ("db.r7g.xlarge", 32, 3604),
        ("db.m6i.2xlarge", 32, 3604),
        ("db.r6g.4xlarge", 128, 5000),
        ("db.x2g.large", 32, 3604),
    ],
)
def test_max_connections_follow_the_rds_formula(instance_class: str, memory: int, connections: int) -> None:
    database = load_stack("preview", database={"instance_class": instance_class}).database
    assert instance_memory_gib(instance_class) == memory
    assert max_connections(database) == connections


def test_the_parameter_groups_max_connections_wins() -> None:
    database = load_stack("prod", database={"extra_parameters": {"max_connections": "500"}}).database
    assert max_connections(database) == 500


def test_the_alerting_page_lists_every_alarm() -> None:
    config = load_stack("prod")
    specs = [health_check_alarm(), *database_alarms(config.alerts, config.database),
             *cache_alarms(config.alerts, config.cache), offsite_copy_alarm(config.stack)]
    page = (ROOT / "docs" / "alerting.md").read_text()
    for spec in specs:
        assert f"| `{spec.key}` | {spec.severity} | `{spec.namespace}` `{spec.metric}` |" in page, spec.key


# ------------------------------------------------------------------------- alarms that can fire and clear
def test_a_zero_borrow_timeout_is_refused_it_would_make_an_alarm_that_never_clears() -> None:
    # proxy-borrow-latency's threshold is a share of the timeout: 0 gives `latency >= 0`, always in ALARM.
    one_problem(problems_with("prod", "database", {"proxy": {"connection_borrow_timeout_seconds": 0}}),
                "platform:database.proxy.connection_borrow_timeout_seconds = 0")
    spec = {s.key: s for s in database_alarms(load_stack("prod").alerts, load_stack("prod").database)}
    assert spec["proxy-borrow-latency"].threshold > 0


def test_the_proxy_client_connections_alarm_sums_the_proxy_nodes() -> None:
    # RDS User Guide, rds-proxy.monitoring: "RDS publishes these metrics for each underlying Amazon EC2 instance
    # associated with a proxy": the threshold is the proxy's total, so Sum over one-minute periods.
    config = load_stack("prod")
    spec = {s.key: s for s in database_alarms(config.alerts, config.database)}["proxy-client-connections"]
    assert (spec.statistic, spec.period, spec.evaluation_periods) == ("Sum", 60, 10)


def test_an_https_check_on_port_80_is_refused() -> None:
    health = {"fqdn": "app.example.com", "port": 80}
    one_problem(problems_with("prod", "alerts", {"health_check": health}), "80 is the plain-HTTP port")


def test_the_waf_exemption_follows_the_uptime_checks_path() -> None:
    config = load_stack("prod", alerts={"health_check": {"fqdn": "app.example.com", "path": "/healthz"}})
    assert config.alerts.health_check.path == "/healthz"
    assert config.edge.waf.health_check_path == "/healthz"


def test_a_waf_exemption_for_another_path_is_refused() -> None:
    problems = problems_with("prod", "edge", {"waf": {"health_check_path": "/api/health"}})
    one_problem(problems, "platform:edge.waf.health_check_path = /api/health: must be")


def test_no_waf_exemption_is_allowed() -> None:
    config = load_stack("prod", edge={"waf": {"health_check_path": None}})
    assert config.edge.waf.health_check_path is None
