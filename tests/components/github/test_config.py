"""The GitHub concern's config: what the repository's plan cannot hold is refused, naming the limit."""

from __future__ import annotations

from typing import Any

import pytest

from components.github.config import ENVIRONMENTS_DOCS
from tests.support.configs import build, one_problem, problems_of, problems_with, with_values

ROOT = "platform:github"


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"plan": "free", "visibility": "private"}, "a private repository on GitHub Free has no environments at all"),
        ({"plan": "free", "visibility": "internal"}, "internal repositories exist only in organizations on GitHub "
                                                     "Enterprise"),
        ({"plan": "team", "visibility": "internal"}, "internal repositories exist only"),
        ({"plan": "team", "visibility": "private"}, "required reviewers are not available for a private "
                                                    "repository on GitHub Team"),
        ({"plan": "pro", "visibility": "private"}, "on GitHub Pro (only on Enterprise, or in a public repository)"),
        ({"plan": "team", "visibility": "private", "reviewers": {}, "wait_timer_minutes": 5},
         "wait timers are not available for a private repository on GitHub Team"),
    ],
)
def test_what_the_plan_cannot_hold_is_refused(values: dict[str, Any], fragment: str) -> None:
    line = one_problem(problems_with("prod", "github", values), ROOT)
    assert fragment in line, line


def test_the_limit_cites_githubs_docs() -> None:
    line = one_problem(problems_with("prod", "github", {"plan": "free", "visibility": "private"}), ROOT)
    assert "Managing environments for deployment" in line
    assert ENVIRONMENTS_DOCS.startswith("GitHub Docs, 'Managing environments for deployment'")


@pytest.mark.parametrize(
    ("plan", "visibility"),
    [("free", "public"), ("team", "public"), ("enterprise", "private"), ("enterprise", "internal")],
)
def test_reviewers_where_the_plan_has_them(plan: str, visibility: str) -> None:
    config = build(with_values("prod", "github", {"plan": plan, "visibility": visibility})).github
    assert config.reviewers_available
    assert config.reviewers.teams == [1234567]


@pytest.mark.parametrize("plan", ["pro", "team"])
def test_a_private_repository_on_pro_or_team_deploys_prod_without_reviewers(plan: str) -> None:
    config = build(with_values("prod", "github", {"plan": plan, "visibility": "private", "reviewers": {}})).github
    assert not config.reviewers_available
    assert config.reviewers.count == 0


def test_prod_needs_a_reviewer_where_the_plan_has_them() -> None:
    line = one_problem(problems_with("prod", "github", {"reviewers": {}}), f"{ROOT}.reviewers")
    assert "prod needs at least one required reviewer" in line


def test_preview_needs_none() -> None:
    assert build(with_values("preview", "github", {}), "preview").github.reviewers.count == 0


@pytest.mark.parametrize(
    "repository",
    ["web-app", "example-org/", "/web-app", "-org/web-app", "org-/web-app", "o--rg/web-app", "org/web app",
     "org/web-app.git", "org/..", "org/a/b", "org/web\napp", "\u043erg/web-app", "o" * 40 + "/web-app",
     "org/" + "a" * 101],
)
def test_bad_repository_names_are_refused(repository: str) -> None:
    line = one_problem(problems_with("prod", "github", {"repository": repository}), f"{ROOT}.repository")
    assert "must be 'owner/name'" in line, line


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"reviewers": {"users": [1, 2, 3], "teams": [4, 5, 6, 7]}}, "at most 6 users and teams"),
        ({"reviewers": {"users": ["octocat"]}}, "reviewers.users"),
        ({"reviewers": {"teams": [0]}}, "positive numeric ids"),
        ({"reviewers": {"teams": [5, 5]}}, "lists an id twice"),
        ({"deployment_branches": []}, "must name at least one branch"),
        ({"deployment_branches": ["refs/heads/main"]}, "no 'refs/' prefix"),
        ({"deployment_branches": ["main", "main"]}, "lists a pattern twice"),
        ({"wait_timer_minutes": 50_000}, "out of range"),
        ({"plan": "business"}, f"{ROOT}.plan = business"),
        ({"visibility": "secret"}, f"{ROOT}.visibility = secret"),
    ],
)
def test_bad_values_name_their_key(values: dict[str, Any], fragment: str) -> None:
    problems = problems_with("prod", "github", values)
    assert any(fragment in p for p in problems), problems


def test_the_repository_plan_and_visibility_are_required() -> None:
    raw = with_values("prod", "github", {})
    raw[ROOT] = "{}"
    problems = problems_of(raw)
    for key in ("repository", "plan", "visibility"):
        assert any(p.startswith(f"{ROOT}.{key}: required") for p in problems), problems

