"""The GitHub concern's config: the repository whose Actions deploy this stack, what its plan allows, and the
stack's deployment environment (reviewers, branches).

What a plan allows (GitHub Docs, "Managing environments for deployment", availability note): environments,
environment secrets and deployment branches exist in public repositories on every current plan, and in
private or internal repositories on GitHub Pro, Team and Enterprise; the other protection rules (required
reviewers, wait timers) exist in private or internal repositories only on GitHub Enterprise. Internal
repositories exist only in organizations on GitHub Enterprise. The model refuses what the plan cannot hold:
the GitHub API would otherwise reject it at `pulumi up`, or worse, the stack would look protected and not be.

No provider import (like every config module): the stack loads and validates this in milliseconds.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from components.concern import ConcernConfig, Environment, environment_of, full_match, key_error, shown

Plan = Literal["free", "pro", "team", "enterprise"]
Visibility = Literal["public", "private", "internal"]

ENVIRONMENTS_DOCS = (
    "GitHub Docs, 'Managing environments for deployment': https://docs.github.com/en/actions/"
    "managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment"
)
# GitHub user/organization names: 1-39 letters, digits or single hyphens, not starting or ending with a hyphen.
_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
# Repository names: 1-100 of letters, digits, '.', '_' and '-' (GitHub replaces anything else with '-').
_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
# A branch name pattern (fnmatch-style, as GitHub's custom deployment branch policies take it).
_BRANCH_PATTERN = re.compile(r"[A-Za-z0-9._/*?\[\]-]{1,255}")
# "You can list up to six users or teams" as required reviewers (GitHub Docs, same page).
MAX_REVIEWERS = 6
# Wait timer: 0-43,200 minutes (30 days) (same page).
MAX_WAIT_TIMER_MINUTES = 43_200


def check_repository(value: str) -> str:
    """`value` if it is 'owner/name' as GitHub allows them (also the bootstrap's check), else a pydantic error."""
    owner, slash, name = value.partition("/")
    if not slash or not full_match(_OWNER, owner):
        raise PydanticCustomError(
            "github_repository",
            "must be 'owner/name': the owner 1-39 letters, digits or single hyphens, not starting or ending "
            "with a hyphen",
        )
    if not full_match(_NAME, name) or name in {".", ".."} or name.lower().endswith(".git"):
        raise PydanticCustomError(
            "github_repository",
            "must be 'owner/name': the name 1-100 letters, digits, '.', '_' or '-', not '.', '..' or "
            "ending in '.git'",
        )
    return value


def protection_rules_available(plan: str, visibility: str) -> bool:
    """Required reviewers and wait timers: every plan for public repositories, Enterprise for the others."""
    return visibility == "public" or plan == "enterprise"


class ReviewersConfig(ConcernConfig):
    """Required reviewers, by numeric id as the provider takes them (`gh api users/NAME --jq .id`,
    `gh api orgs/ORG/teams/SLUG --jq .id`). Any one of them approves a deployment."""

    concern: ClassVar[str] = "github.reviewers"

    users: list[int] = Field(
        default_factory=list,
        description="GitHub user ids (numbers, not logins). Find one with gh api users/NAME --jq .id; each once.",
        examples=[[1234567]],
    )
    teams: list[int] = Field(
        default_factory=list,
        description="GitHub team ids (numbers, not slugs). Find one with gh api orgs/ORG/teams/SLUG --jq .id; each "
        "once.",
        examples=[[1234567]],
    )

    @field_validator("users", "teams")
    @classmethod
    def _ids(cls, value: list[int]) -> list[int]:
        if any(i < 1 for i in value):
            raise PydanticCustomError("github_id", "must be positive numeric ids (a login or slug is not an id)")
        if len(set(value)) != len(value):
            raise PydanticCustomError("github_id", "lists an id twice")
        return value

    @property
    def count(self) -> int:
        return len(self.users) + len(self.teams)


class GitHubConfig(ConcernConfig):
    """The repository and the stack's environment in it (the environment is named after the stack)."""

    concern: ClassVar[str] = "github"
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {
        "preview": {"prevent_self_review": False},
        "prod": {"prevent_self_review": True},
    }

    repository: str = Field(
        description="The repository as 'owner/name', e.g. 'example-org/web-app', exactly as GitHub spells it (the "
        "OIDC subject is case-sensitive).",
        examples=["example-org/web-app"],
    )
    plan: Plan = Field(
        description="The GitHub plan of the repository's owner: free, pro, team or enterprise. It decides what the "
        "environment can hold (GitHub Docs, 'Managing environments for deployment').",
        examples=["enterprise"],
    )
    visibility: Visibility = Field(
        description="The repository's visibility: public, private or internal. Internal needs Enterprise; private or "
        "internal on Free has no environments and is refused.",
        examples=["private"],
    )
    # validate_default: a prod stack that configures no reviewers is refused where reviewers are available.
    reviewers: ReviewersConfig = Field(
        default_factory=ReviewersConfig, validate_default=True,
        description="Required reviewers, at most 6 users and teams in all. Only on Enterprise or in a public "
        "repository, and then prod needs at least one.",
        examples=[{"teams": [1234567]}],
    )
    prevent_self_review: bool = Field(
        description="Keep whoever triggered a deployment from approving it as a required reviewer.",
        examples=[True],
    )
    wait_timer_minutes: int = Field(
        default=0, ge=0, le=MAX_WAIT_TIMER_MINUTES,
        description="Minutes a deployment waits before it proceeds, 0-43200 (30 days); only on Enterprise or in a "
        "public repository (GitHub Docs, environments).",
    )
    deployment_branches: list[str] = Field(
        default_factory=lambda: ["main"],
        description="Branch name patterns that may deploy to the environment. fnmatch-style, no 'refs/' prefix; at "
        "least one, since an environment without a branch rule admits every branch and tag.",
    )

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        return check_repository(value)

    @field_validator("visibility")
    @classmethod
    def _visibility(cls, value: str, info: ValidationInfo) -> str:
        plan = info.data.get("plan")
        if value == "internal" and plan is not None and plan != "enterprise":
            raise PydanticCustomError(
                "github_plan",
                "internal repositories exist only in organizations on GitHub Enterprise, not on plan {shown(plan)}",
                {"plan": plan},
            )
        if value != "public" and plan == "free":
            raise PydanticCustomError(
                "github_plan",
                "a {visibility} repository on GitHub Free has no environments at all (no environment secrets, "
                "reviewers or branch rules); use GitHub Pro/Team/Enterprise or a public repository ({docs})",
                {"visibility": value, "docs": ENVIRONMENTS_DOCS},
            )
        return value

    @field_validator("reviewers")
    @classmethod
    def _reviewers(cls, value: ReviewersConfig, info: ValidationInfo) -> ReviewersConfig:
        plan, visibility = info.data.get("plan"), info.data.get("visibility")
        if plan is None or visibility is None:
            return value  # reported under their own keys
        if value.count > MAX_REVIEWERS:
            raise PydanticCustomError(
                "github_reviewers", "at most {limit} users and teams in all (GitHub environments)",
                {"limit": MAX_REVIEWERS},
            )
        available = protection_rules_available(plan, visibility)
        if value.count and not available:
            raise PydanticCustomError(
                "github_plan",
                "required reviewers are not available for a {visibility} repository on GitHub {plan} (only on "
                "Enterprise, or in a public repository); leave reviewers empty: prod then deploys only from the "
                "manually dispatched workflow that maintainers run (docs/github.md) ({docs})",
                {"visibility": visibility, "plan": plan.title(), "docs": ENVIRONMENTS_DOCS},
            )
        if available and not value.count and environment_of(info) == "prod":
            raise key_error(
                "teams", "github_reviewers",
                "prod needs at least one required reviewer: set teams or users (numeric ids, "
                "`gh api orgs/ORG/teams/SLUG --jq .id`); the plan allows them for this repository",
            )
        return value

    @field_validator("wait_timer_minutes")
    @classmethod
    def _wait_timer(cls, value: int, info: ValidationInfo) -> int:
        plan, visibility = info.data.get("plan"), info.data.get("visibility")
        if value and plan is not None and visibility is not None and not protection_rules_available(plan, visibility):
            raise PydanticCustomError(
                "github_plan",
                "wait timers are not available for a {visibility} repository on GitHub {plan} (only on "
                "Enterprise, or in a public repository) ({docs})",
                {"visibility": visibility, "plan": plan.title(), "docs": ENVIRONMENTS_DOCS},
            )
        return value

    @field_validator("deployment_branches")
    @classmethod
    def _branches(cls, value: list[str]) -> list[str]:
        if not value:
            raise PydanticCustomError(
                "github_branches", "must name at least one branch: an environment without a branch rule admits "
                "every branch and tag",
            )
        for pattern in value:
            if not full_match(_BRANCH_PATTERN, pattern) or pattern.startswith(("/", "refs/")) or ".." in pattern:
                raise PydanticCustomError(
                    "github_branches",
                    "{pattern} is not a branch name pattern (letters, digits, '.', '_', '-', '/', '*', '?', "
                    "'[', ']'; no 'refs/' prefix)",
                    {"pattern": shown(pattern)},
                )
        if len(set(value)) != len(value):
            raise PydanticCustomError("github_branches", "lists a pattern twice")
        return value

    @property
    def owner(self) -> str:
        return self.repository.partition("/")[0]

    @property
    def name(self) -> str:
        return self.repository.partition("/")[2]

    @property
    def reviewers_available(self) -> bool:
        return protection_rules_available(self.plan, self.visibility)
