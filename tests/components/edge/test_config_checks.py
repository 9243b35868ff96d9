"""Config that a real `pulumi up` would fail on, refused at plan time with the key, the value and what is allowed
(issue 18, item 6): DNS records, the plan a ZoneSubscription can buy, origin certificate hostnames, and the hosts
the stack calls."""

from __future__ import annotations

from typing import Any

import pytest

from components.stack import called_hosts
from tests.support.configs import build, one_problem, problems_of, problems_with, with_values
from tests.support.stacks import load_stack

ORIGIN = {"name": "@", "type": "CNAME", "content": "origin.example.net"}
APP = {"name": "app", "type": "CNAME", "content": "origin.example.net"}  # the host prod's check and jobs call


def records_problem(records: list[dict[str, Any]], fragment: str) -> str:
    return one_problem(problems_with("prod", "edge", {"dns_records": [ORIGIN, APP, *records]}), fragment)


# ---- DNS records


def test_two_records_of_one_name_and_type_need_keys() -> None:
    """Two TXT records at one name were one URN ("Duplicate resource URN", exit 2 with no config message)."""
    twins = [{"name": "mail", "type": "TXT", "content": "v=spf1 -all", "proxied": False},
             {"name": "mail", "type": "TXT", "content": "google-site-verification=abc", "proxied": False}]
    line = records_problem(twins, "resource name")
    assert line.startswith("platform:edge.dns_records = ")
    assert "would share the resource name 'mail-txt': give each a distinct 'key'" in line
    keyed = [{**twins[0], "key": "spf"}, {**twins[1], "key": "google"}]
    config = load_stack("prod", edge={"dns_records": [ORIGIN, APP, *keyed]})
    assert [r.resource_label for r in config.edge.dns_records][-2:] == ["mail-txt-spf", "mail-txt-google"]


def test_dotted_and_hyphenated_labels_that_collide_need_a_key() -> None:
    line = records_problem([{"name": "a.b", "type": "A", "content": "192.0.2.1"},
                            {"name": "a-b", "type": "A", "content": "192.0.2.2"}], "resource name")
    assert "'a-b-a'" in line


def test_an_identical_record_twice_is_refused() -> None:
    mx = {"name": "mail", "type": "MX", "content": "mx.example.net", "priority": 10, "proxied": False}
    assert "listed twice (Cloudflare refuses an identical record)" in records_problem([mx, mx], "listed twice")


@pytest.mark.parametrize("name", ["api.example.com", "example.com"])
def test_a_name_that_repeats_the_domain_is_refused(name: str) -> None:
    line = records_problem([{"name": name, "type": "A", "content": "192.0.2.1"}], "repeats the domain")
    assert f"(it would become {name}.example.com)" in line
    assert "write it relative to the zone, " + ("api" if name.startswith("api") else "'@'") in line


@pytest.mark.parametrize(("record", "expected"), [
    ({"name": "v4", "type": "A", "content": "origin.example.net"}, "must be an IPv4 address"),
    ({"name": "v4", "type": "A", "content": "300.1.2.3"}, "must be an IPv4 address"),
    ({"name": "v6", "type": "AAAA", "content": "192.0.2.1"}, "must be an IPv6 address"),
    ({"name": "v6", "type": "AAAA", "content": "fe80::1%eth0"}, "without a zone index"),
    ({"name": "c", "type": "CNAME", "content": "https://origin.example.net/"}, "must be a host name"),
    ({"name": "c", "type": "CNAME", "content": "192.0.2.1"}, "must be a host name"),
    ({"name": "c", "type": "CNAME", "content": "origin.example.net."}, "must be a host name"),
    ({"name": "m", "type": "MX", "content": "mail", "priority": 10, "proxied": False}, "must be a host name"),
    ({"name": "t", "type": "TXT", "content": "line\nbreak", "proxied": False}, "text on one line"),
])
def test_content_is_checked_per_record_type(record: dict[str, Any], expected: str) -> None:
    line = records_problem([record], "content")
    assert f"{record['type']} record {record['name']}: content " in line
    assert expected in line


def test_valid_contents_of_every_type_pass() -> None:
    records = [
        {"name": "v4", "type": "A", "content": "192.0.2.10"},
        {"name": "v6", "type": "AAAA", "content": "2001:db8::10"},
        {"name": "sel._domainkey", "type": "CNAME", "content": "sel._domainkey.MixedCase.onmicrosoft.com",
         "proxied": False},
        {"name": "mail", "type": "MX", "content": "mx.example.net", "priority": 10, "proxied": False},
        {"name": "mail", "type": "TXT", "content": 'v=spf1 include:_spf.example.net "-all"', "proxied": False},
    ]
    config = load_stack("prod", edge={"dns_records": [ORIGIN, APP, *records]})
    assert len(config.edge.dns_records) == 7


# ---- the plan a ZoneSubscription buys


@pytest.mark.parametrize(("plan", "why"), [
    ("free", "Cloudflare refuses a free one, 1207 'Add a core subscription first'"),
    ("enterprise", "Enterprise is sold by contract, not through the API"),
])
def test_manage_subscription_is_for_pro_and_business_only(plan: str, why: str) -> None:
    values: dict[str, Any] = {"plan": plan, "manage_subscription": True}
    if plan == "free":
        values["rate_limits"] = [{"name": "api", "path_prefixes": ["/api/", "/login"], "requests": 100,
                                  "window_seconds": 900}]
        values["managed_rulesets"] = ["free"]
    line = one_problem(problems_with("prod", "edge", values), "manage_subscription")
    assert line == (f"platform:edge.manage_subscription = true: a ZoneSubscription exists for pro and business only "
                    f"({plan}: {why}); set it false, or plan to pro or business")
    assert load_stack("prod", edge={"plan": "business"}).edge.manage_subscription is True


# ---- origin certificate hostnames


def test_origin_hostnames_must_be_under_the_domain() -> None:
    line = one_problem(problems_with("prod", "edge", {"origin_certificate": {
        "hostnames": ["example.com", "*.example.com", "evil.org", "notexample.com"]}}), "hostnames")
    assert line.startswith("platform:edge.origin_certificate = ")
    assert "hostnames evil.org, notexample.com: not under the zone's domain example.com" in line
    ok = load_stack("prod", edge={"origin_certificate": {"hostnames": ["example.com", "*.api.example.com"]}})
    assert ok.edge.origin_hostnames == ["example.com", "*.api.example.com"]


# ---- the hosts the stack calls


@pytest.mark.parametrize("stack", ["prod", "preview"])
def test_every_host_a_repository_stack_calls_is_in_its_own_zone(stack: str) -> None:
    config = load_stack(stack)
    hosts = [host for _, _, host in called_hosts({"alerts": config.alerts, "jobs": config.jobs}, "")]
    assert len(hosts) == 2
    assert all(config.edge.serves(host) for host in hosts)


def test_preview_never_calls_prods_hosts() -> None:
    """Preview's jobs once pointed at prod's app (https://app.example.com): every scheduled job of a preview stack
    would have run against prod."""
    def hosts(stack: str) -> set[str]:
        config = load_stack(stack)
        return {host for _, _, host in called_hosts({"alerts": config.alerts, "jobs": config.jobs}, "")}

    assert hosts("preview").isdisjoint(hosts("prod"))
    assert not load_stack("preview").edge.serves("app.example.com")


def test_a_host_outside_the_zone_is_refused_unless_declared_external() -> None:
    raw = with_values("preview", "jobs", {"base_url": "https://app.example.com"})
    line = one_problem(problems_of(raw, "preview"), "jobs.base_url")
    assert line.startswith("platform:jobs.base_url = https://app.example.com: the stack calls app.example.com, "
                           "but it is outside this stack's zone (example-preview.com)")
    raw = with_values("preview", "edge", {"external_hosts": ["app.example.com"]})
    raw["platform:jobs"] = with_values("preview", "jobs", {"base_url": "https://app.example.com"})["platform:jobs"]
    assert build(raw, "preview").jobs.base_url == "https://app.example.com"


def test_a_host_of_the_zone_without_a_record_is_refused() -> None:
    line = one_problem(problems_with("prod", "edge", {"dns_records": [ORIGIN]}), "alerts.health_check.fqdn")
    assert line == (
        "platform:alerts.health_check.fqdn = app.example.com: the stack calls app.example.com, but the zone "
        "example.com has no A, AAAA or CNAME record for it; add one to platform:edge.dns_records (name app)"
    )


def test_a_wildcard_record_serves_the_names_under_it() -> None:
    config = load_stack("prod", edge={"dns_records": [ORIGIN, {"name": "*", "type": "CNAME",
                                                                "content": "origin.example.net"}]})
    assert config.edge.serves("app.example.com")
    assert config.edge.serves("a.b.example.com")
    assert not config.edge.serves("app.example.org")
