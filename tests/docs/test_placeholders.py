"""Every PLACEHOLDER-marked value of the stack files, by stack and key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.errors import DocgenError
from docgen.placeholders import placeholders, stack_placeholders

COMMON = {
    "platform:owner", "platform:cost_center", "platform:alerts.emails", "platform:alerts.health_check.fqdn",
    "platform:edge.domain", "platform:edge.account_id", "platform:edge.dns_records[0].content",
    # the record of the host the uptime check and the jobs call (in the stack's own zone)
    "platform:edge.dns_records[1].content",
    "platform:backup_storage.github_repository", "platform:jobs.base_url", "platform:github.repository",
    "platform:github.plan", "platform:github.visibility", "platform:edge.cache.session_cookie_names",
}
BOOTSTRAP = {
    "platform-bootstrap:repository", "platform-bootstrap:admin_principal_arn", "platform-bootstrap:owner",
    "platform-bootstrap:cost_center", "platform-bootstrap:github.plan", "platform-bootstrap:github.visibility",
}
EXPECTED = {
    "preview": COMMON | {"platform:edge.rate_limits[0].path_prefixes"},
    "prod": COMMON | {
        "platform:alerts.health_check.search_string", "platform:edge.dns_records[2].content",
        "platform:edge.waf.admin_countries", "platform:github.reviewers.teams",
        "platform:edge.rate_limits[1].path_prefixes",
    },
    "bootstrap/preview": BOOTSTRAP,
    "bootstrap/prod": BOOTSTRAP | {"platform-bootstrap:github.reviewers.teams"},
}


def test_the_exact_placeholders_of_each_stack_file() -> None:
    found = placeholders()
    by_stack: dict[str, list[str]] = {}
    for item in found:
        by_stack.setdefault(item.stack, []).append(item.key)
    assert {stack: set(keys) for stack, keys in by_stack.items()} == EXPECTED
    assert {stack: len(keys) for stack, keys in by_stack.items()} == {"preview": 15, "prod": 19, "bootstrap/preview": 6,
                                                                     "bootstrap/prod": 7}


def test_values_and_texts_are_the_files() -> None:
    found = {(item.stack, item.key): item for item in placeholders()}
    content = found[("prod", "platform:edge.dns_records[1].content")]
    assert (content.value, content.text) == ("origin.example.net", "the app's origin")
    assert found[("prod", "platform:alerts.emails")].value == ["oncall@example.com"]
    assert found[("prod", "platform:github.reviewers.teams")].value == [1234567]
    assert found[("prod", "platform:alerts.health_check.search_string")].value == '"status":"ok"'
    assert found[("preview", "platform:github.plan")].text == "the owner's GitHub plan (free, pro, team, enterprise)"
    cookies = found[("prod", "platform:edge.cache.session_cookie_names")]
    assert (cookies.value, cookies.text) == (["example-session"], "the app's session cookie name(s)")
    assert found[("prod", "platform:edge.rate_limits[1].path_prefixes")].value == [
        "/api/auth/login", "/api/auth/signup", "/api/password-reset"]


def test_a_comment_is_attached_to_the_last_key_or_item_of_its_line(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text(
        "config:\n"
        "  a:b:\n"
        "    note: 'has # PLACEHOLDER: inside'\n"
        "    list:\n"
        "      - first   # PLACEHOLDER: an item\n"
        "      - {x: 1, y: 2}  # PLACEHOLDER: the y\n"
    )
    assert [(p.key, p.value, p.text) for p in stack_placeholders(stack)] == [
        ("a:b.list[0]", "first", "an item"), ("a:b.list[1].y", 2, "the y"),
    ]


def test_a_placeholder_on_no_key_is_an_error(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text("config:\n  # PLACEHOLDER: floating\n  a:b: 1\n")
    with pytest.raises(DocgenError, match="follows no key"):
        stack_placeholders(stack)
