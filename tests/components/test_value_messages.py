"""Config messages show values as a stack file writes them (YAML flow), never cut mid-value, and name the item an
error is about; the traps a new user met (issue 20, items 1 and 3: the new-user review's findings) each have a
reproducer here with the message it now gets."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.aws_regions import AWS_REGIONS
from components.concern import shown
from components.flow import flow
from components.stack import first_sentence
from ops.findings import shown_value
from tests.support.configs import build, problems_of, repository_wire, with_edge

ROOT = Path(__file__).resolve().parents[2]


# ---- one formatter: YAML flow, whole items only


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (True, "true"),
        ({"mode": "compliance"}, "{mode: compliance}"),
        (["a", "b"], "[a, b]"),
        ("db.t4g.medium", "db.t4g.medium"),
        (["10.40.128.0/20", "10.40.144.0/20"], "[10.40.128.0/20, 10.40.144.0/20]"),
        # What YAML would read as something else is quoted: a name, a sexagesimal number, a boolean, a float.
        ("@", "'@'"),
        ("12:30", "'12:30'"),
        ("on", "'on'"),
        ("16.10", "'16.10'"),
        ("", "''"),
        # A look-alike or a control character is made visible.
        ("\u0661\u0666", '"\\u0661\\u0666"'),
        ("app\n", '"app\\n"'),
    ],
)
def test_values_are_shown_as_yaml_flow(value: Any, text: str) -> None:
    assert shown(value) == text
    assert shown_value(value) == text  # the plan's policy findings use the same formatter


def test_a_long_value_loses_whole_items_never_part_of_one() -> None:
    records = [{"name": "@", "type": "CNAME", "content": "origin.example.org"}] * 3
    assert shown(records) == "[{name: '@', …}, {name: '@', …}, {name: '@', …}]"
    numbers = list(range(40))
    text = shown(numbers)
    assert text.endswith(", … (40 items)]"), text
    kept = yaml.safe_load(text.removesuffix(", … (40 items)]") + "]")
    assert kept == numbers[: len(kept)]  # every item shown is whole
    assert flow(numbers, None) == "[" + ", ".join(map(str, numbers)) + "]"  # no limit: everything


def test_policy_findings_show_config_values_not_python() -> None:
    """The plan's finding lines (`platform:backup.vault_lock: None (prod: {'mode': 'compliance'})` before)."""
    assert f"{shown_value(None)} (prod: {shown_value({'mode': 'compliance'})})" == "null (prod: {mode: compliance})"


# ---- cross-field errors name the item, with its value as config


def test_a_cname_clash_names_the_record_and_the_one_it_clashes_with() -> None:
    def clash(edge: dict[str, Any]) -> None:
        edge["dns_records"].append({"name": "@", "type": "TXT", "content": "v=spf1 -all"})

    (line,) = problems_of(with_edge("prod", clash))
    index = len(json.loads(repository_wire("prod")["platform:edge"])["dns_records"])
    assert line == (
        f"platform:edge.dns_records[{index}] = {{name: '@', type: TXT, content: v=spf1 -all}}: a CNAME cannot share "
        "its name with another record, and dns_records[0] (CNAME) is also named '@'; remove one of them or rename it"
    )


def test_too_many_tiers_show_each_tier_by_its_name() -> None:
    def two(edge: dict[str, Any]) -> None:
        edge["rate_limits"] = [{**edge["rate_limits"][0], "name": name} for name in ("auth", "api")]

    (line,) = problems_of(with_edge("preview", two), "preview")
    assert line.startswith("platform:edge.rate_limits = [{name: auth, …}, {name: api, …}]: 2 tiers (auth, api), but "
                           "the free plan holds at most 1 rate-limiting rule per zone"), line


def test_list_items_are_indexed_in_brackets() -> None:
    def proxied_txt(edge: dict[str, Any]) -> None:
        edge["dns_records"].append({"name": "_dmarc", "type": "TXT", "content": "v=DMARC1; p=none", "proxied": True})

    (line,) = problems_of(with_edge("prod", proxied_txt))
    assert re.match(r"platform:edge\.dns_records\[\d+\]\.proxied = true: only A, AAAA and CNAME records can be "
                    r"proxied$", line), line


# ---- a required key says what to set, whole, and where the docs are


def test_a_missing_required_key_gets_its_whole_first_sentence_and_the_docs_anchor() -> None:
    raw = repository_wire("prod")
    edge = json.loads(raw["platform:edge"])
    del edge["domain"]
    raw["platform:edge"] = json.dumps(edge)
    problems = problems_of(raw)
    assert "platform:edge.domain: required; the zone's apex, e.g. 'example.com' (docs/edge.md#configuration)" \
        in problems, problems


def test_first_sentences_end_at_a_sentence_not_an_abbreviation_nor_mid_word() -> None:
    assert first_sentence("The zone's apex, e.g. 'example.com'. More.") == "the zone's apex, e.g. 'example.com'"
    assert first_sentence("Uses i.e. this one. Then that.") == "uses i.e. this one"
    long = first_sentence("word " * 60)
    assert long.endswith("word…"), long
    assert len(long) <= 160


def test_a_missing_key_without_a_description_names_its_example_and_docs() -> None:
    problems = problems_of(with_edge("prod", lambda edge: edge["dns_records"].append({"name": "www", "type": "A"})))
    (line,) = [p for p in problems if ".content" in p]
    assert line.endswith("for example content: origin.example.net (docs/edge.md#configuration)"), line


# ---- a TXT or MX record is unproxied unless it says otherwise


def test_a_txt_record_without_proxied_is_not_proxied() -> None:
    def txt(edge: dict[str, Any]) -> None:
        edge["dns_records"].append({"name": "_dmarc", "type": "TXT", "content": "v=DMARC1; p=none"})

    config = build(with_edge("prod", txt))
    (record,) = [r for r in config.edge.dns_records if r.type == "TXT" and r.name == "_dmarc"]
    assert record.proxied is False
    assert all(r.proxied for r in config.edge.dns_records if r.type == "CNAME")


# ---- the environment key: advice that fits the stack


def test_an_unknown_environment_on_a_stack_named_after_none_says_this_key_decides() -> None:
    raw = {**repository_wire("preview"), "platform:environment": "staging"}
    (line,) = problems_of(raw, "staging")
    assert line.startswith("platform:environment = staging: must be preview or prod; the stack name staging names no "
                           "environment, so this key sets"), line
    assert "best left unset" not in line
    (line,) = problems_of({**raw, "platform:environment": "prodd"}, "staging")
    assert "did you mean prod?" in line, line


def test_an_unknown_environment_on_a_stack_named_after_one_says_remove_it() -> None:
    raw = {**repository_wire("preview"), "platform:environment": "staging"}
    (line,) = problems_of(raw, "preview")
    assert line == ("platform:environment = staging: not an environment (preview or prod), and stack preview is a "
                    "preview stack by its name: remove platform:environment")


# ---- aws:region: the provider's list, with a did-you-mean


def test_a_mistyped_region_is_named_not_blamed_on_the_zones() -> None:
    raw = {**repository_wire("prod"), "aws:region": "us-east-9"}
    assert problems_of(raw) == ["aws:region = us-east-9: not an AWS region; did you mean us-east-1 or us-east-2?"]


def test_the_region_list_is_the_pinned_aws_providers() -> None:
    """The copy in components/aws_regions.py must follow pulumi_aws.Region (config code never imports pulumi_aws)."""
    from pulumi_aws import Region  # seconds: only this test pays it

    assert sorted(AWS_REGIONS) == sorted(region.value for region in Region)


# ---- a subdomain zone needs Enterprise


def test_a_subdomain_zone_off_enterprise_is_refused_with_the_alternatives() -> None:
    def subdomain(edge: dict[str, Any]) -> None:
        edge["domain"] = "staging.example.org"
        edge["external_hosts"] = ["app.example-preview.com"]

    problems = problems_of(with_edge("preview", subdomain), "preview")
    assert problems == [
        "platform:edge.domain = staging.example.org: a subdomain of example.org; Cloudflare creates subdomain zones on "
        "Enterprise only (https://developers.cloudflare.com/dns/zone-setups/subdomain-setup/): set domain: example.org "
        "with a record staging, or plan: enterprise, or adopt the zone (zone_id)"
    ]


def test_a_registrable_domain_under_a_multi_label_suffix_is_not_a_subdomain() -> None:
    def co_uk(edge: dict[str, Any]) -> None:
        edge["domain"] = "example.co.uk"
        edge["external_hosts"] = ["app.example-preview.com"]

    assert build(with_edge("preview", co_uk), "preview").edge.domain == "example.co.uk"


def test_the_public_suffix_list_is_a_runtime_requirement() -> None:
    assert re.search(r"^publicsuffixlist[<>=]", (ROOT / "requirements.txt").read_text(), re.MULTILINE)
