"""GitHub deployment environments: reviewers (prod), self-review, admin bypass, a deployment-branch policy with
at least one branch; deployment branch patterns that match everything. One changed property, one violation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import changed
from tests.policies.harness import CANT_RUN, UNKNOWN, Pack, Resource, only, violations

ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
DEPLOYMENT_POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
BRANCH_POLICY = "github-repository-environment-require-deployment-branch-policy"

ENVIRONMENT_PROPS: dict[str, Any] = {
    "repository": "web-app",
    "environment": "prod",
    "reviewers": [{"users": [], "teams": [1234567]}],
    "preventSelfReview": True,
    "canAdminsBypass": False,
    "deploymentBranchPolicy": {"protectedBranches": False, "customBranchPolicies": True},
}
MAIN_POLICY: dict[str, Any] = {"repository": "web-app", "environment": "prod", "branchPattern": "main"}


def _stack(environment: dict[str, Any], *policies: dict[str, Any], joined: bool = True) -> list[Resource]:
    env = Resource(ENVIRONMENT, "github-environment", environment)
    resources = [env]
    for i, props in enumerate(policies):
        deps = {"environment": [env]} if joined else {}
        sent = {**props, "environment": UNKNOWN} if joined else props
        resources.append(Resource(DEPLOYMENT_POLICY, f"branch-{i}", sent, deps=deps))
    return resources


def test_the_compliant_environment_passes(prod_pack: Pack) -> None:
    assert prod_pack.analyze(ENVIRONMENT, ENVIRONMENT_PROPS) == []
    assert prod_pack.analyze(DEPLOYMENT_POLICY, MAIN_POLICY) == []
    assert prod_pack.analyze_stack(_stack(ENVIRONMENT_PROPS, MAIN_POLICY)) == []
    # The same policy joined by literal names (a program that wrote the environment's name twice).
    assert prod_pack.analyze_stack(_stack(ENVIRONMENT_PROPS, MAIN_POLICY, joined=False)) == []


@pytest.mark.parametrize(
    ("change", "policy", "fragment"),
    [
        ({"reviewers": ...}, "github-repository-environment-require-reviewers", "names no user or team"),
        ({"reviewers": [{"users": [], "teams": []}]}, "github-repository-environment-require-reviewers",
         "names no user or team"),
        ({"preventSelfReview": False}, "github-repository-environment-enable-prevent-self-review",
         "approve it themselves"),
        ({"preventSelfReview": ...}, "github-repository-environment-enable-prevent-self-review",
         "provider default is false"),
        ({"canAdminsBypass": True}, "github-repository-environment-disallow-admin-bypass", "canAdminsBypass is true"),
        ({"canAdminsBypass": ...}, "github-repository-environment-disallow-admin-bypass",
         "absent: the provider default is true"),
    ],
)
def test_one_change_one_violation(prod_pack: Pack, change: dict[str, Any], policy: str, fragment: str) -> None:
    only(prod_pack.analyze(ENVIRONMENT, changed(ENVIRONMENT_PROPS, **change)), policy, fragment)


def test_preview_needs_no_reviewers(preview_pack: Pack) -> None:
    assert preview_pack.analyze(ENVIRONMENT, changed(ENVIRONMENT_PROPS, reviewers=...)) == []


def test_unknown_reviewers_cannot_be_judged(prod_pack: Pack) -> None:
    diags = prod_pack.analyze(ENVIRONMENT, changed(ENVIRONMENT_PROPS, reviewers=UNKNOWN))
    assert violations(diags) == []
    assert any(d.message.startswith(CANT_RUN) for d in diags)


@pytest.mark.parametrize(
    ("environment", "policies", "fragment"),
    [
        (changed(ENVIRONMENT_PROPS, deploymentBranchPolicy=...), [MAIN_POLICY], "no deploymentBranchPolicy"),
        (changed(ENVIRONMENT_PROPS, deploymentBranchPolicy={"protectedBranches": False,
                                                           "customBranchPolicies": False}),
         [MAIN_POLICY], "restricts nothing"),
        (ENVIRONMENT_PROPS, [], "no RepositoryEnvironmentDeploymentPolicy names a branch"),
    ],
)
def test_an_environment_without_a_branch_rule_is_caught(
    prod_pack: Pack, environment: dict[str, Any], policies: list[dict[str, Any]], fragment: str
) -> None:
    only(prod_pack.analyze_stack(_stack(environment, *policies)), BRANCH_POLICY, fragment)


def test_a_deployment_policy_of_another_environment_does_not_count(prod_pack: Pack) -> None:
    other = {**MAIN_POLICY, "environment": "preview"}
    only(prod_pack.analyze_stack(_stack(ENVIRONMENT_PROPS, other, joined=False)), BRANCH_POLICY, "names a branch")


def test_protected_branches_are_a_branch_rule(prod_pack: Pack) -> None:
    environment = changed(ENVIRONMENT_PROPS, deploymentBranchPolicy={"protectedBranches": True,
                                                                     "customBranchPolicies": False})
    assert prod_pack.analyze_stack(_stack(environment)) == []


@pytest.mark.parametrize("pattern", ["*", "**", " ** "])
def test_a_wildcard_branch_pattern_is_caught(prod_pack: Pack, pattern: str) -> None:
    only(prod_pack.analyze(DEPLOYMENT_POLICY, {**MAIN_POLICY, "branchPattern": pattern}),
         "github-repository-environment-deployment-policy-disallow-wildcard-pattern", "restricts nothing")


def test_named_patterns_pass(prod_pack: Pack) -> None:
    for pattern in ("main", "release/*", "releases/**/stable"):
        assert prod_pack.analyze(DEPLOYMENT_POLICY, {**MAIN_POLICY, "branchPattern": pattern}) == []


# The off-site copy's and the drift check's environments: scheduled jobs, so no reviewers (a run would wait for a
# person); every other rule still holds.
UNATTENDED: dict[str, Any] = {**changed(ENVIRONMENT_PROPS, reviewers=..., preventSelfReview=False),
                              "environment": "backup-copy-prod"}


@pytest.mark.parametrize("name", ["backup-copy-prod", "backup-copy-staging", "infra-drift-prod"])
def test_an_unattended_environment_needs_no_reviewers(prod_pack: Pack, name: str) -> None:
    assert prod_pack.analyze(ENVIRONMENT, {**UNATTENDED, "environment": name}) == []


@pytest.mark.parametrize("name", ["prod", "infra-prod", "backup-copy", "my-backup-copy-prod"])
def test_any_other_environment_without_reviewers_is_refused(prod_pack: Pack, name: str) -> None:
    only(prod_pack.analyze(ENVIRONMENT, {**UNATTENDED, "environment": name}),
         "github-repository-environment-require-reviewers", "names no user or team")


def test_an_unattended_environment_still_may_not_be_bypassed(prod_pack: Pack) -> None:
    only(prod_pack.analyze(ENVIRONMENT, changed(UNATTENDED, canAdminsBypass=True)),
         "github-repository-environment-disallow-admin-bypass", "canAdminsBypass is true")
    assert [d.policy for d in violations(prod_pack.analyze_stack(_stack(UNATTENDED)))] == [BRANCH_POLICY]
