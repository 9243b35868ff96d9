"""GitHub deployment environments (`github:index/repositoryEnvironment:RepositoryEnvironment`): required
reviewers (prod), self-review prevented, administrators not bypassing the rules, and a deployment-branch policy
that names the branches allowed to deploy (security baseline, GitHub: "deployment environments have required
reviewers (prod) and a deployment-branch policy").

Where the repository's plan has no required reviewers (a private repository on GitHub Pro or Team), the
reviewers policy cannot pass: docs/github.md says how such a prod stack deploys instead, and the policy's
level in policies/config/prod.json is that team's deliberate decision to make.

Unattended environments are exempt from reviewers: a scheduled job in an environment with required reviewers
waits for a person and fails after 30 days (GitHub Docs, "Reviewing deployments"). They are named by pattern
(`UNATTENDED_ENVIRONMENTS`: `backup-copy-*` for the off-site copy, `infra-drift-*` for the drift check, the
names docs/github.md reserves for them); their protection is the deployment-branch policy (main only), which the
branch policy below still requires, and the identity they unlock, which may only read or copy.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any, Final

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from ..common import MISSING, UNKNOWN, Family, StackIndex, as_bool, as_list, get, known, resource_policy, stack_policy
from ..refs import github_docs, platform
from . import DEPLOYMENT_POLICY, ENVIRONMENTS_URL, REPOSITORY_ENVIRONMENT

_family = Family("github-repository-environment", ("github", "deployments"))
_DOCS = github_docs("Managing environments for deployment", ENVIRONMENTS_URL)


def _reviewer_ids(args: ResourceValidationArgs) -> int:
    """How many user and team ids the reviewers blocks name (unknown -> can't run)."""
    blocks = known(as_list(get(args.props, "reviewers")), "reviewers")
    count = 0
    for block in blocks if isinstance(blocks, list) else []:
        for kind in ("users", "teams"):
            ids = known(as_list(get(block, kind)), f"reviewers.{kind}")
            count += len(ids) if isinstance(ids, list) else 0
    return count


#: Environments of scheduled jobs that deploy nothing (the off-site copy, the drift check).
UNATTENDED_ENVIRONMENTS: Final = ("backup-copy-*", "infra-drift-*")


def _unattended(args: ResourceValidationArgs) -> bool:
    name = get(args.props, "environment")
    return isinstance(name, str) and any(fnmatchcase(name, pattern) for pattern in UNATTENDED_ENVIRONMENTS)


def _require_reviewers(args: ResourceValidationArgs) -> Iterator[str]:
    if _reviewer_ids(args) == 0 and not _unattended(args):
        yield ("reviewers names no user or team: any job that references the environment deploys without a "
               "person approving it.")


def _prevent_self_review(args: ResourceValidationArgs) -> Iterator[str]:
    if _reviewer_ids(args) and not known(as_bool(get(args.props, "preventSelfReview"), default=False),
                                          "preventSelfReview"):
        yield ("preventSelfReview is not true (the provider default is false): whoever triggers a deployment can "
               "approve it themselves.")


def _disallow_admin_bypass(args: ResourceValidationArgs) -> Iterator[str]:
    if known(as_bool(get(args.props, "canAdminsBypass"), default=True), "canAdminsBypass"):
        absent = " (absent: the provider default is true)" if get(args.props, "canAdminsBypass") is MISSING else ""
        yield f"canAdminsBypass is true{absent}: repository administrators can deploy past every protection rule."


def _targets(index: StackIndex, policy: Any, environment: Any) -> bool:
    """Whether a deployment policy resource belongs to `environment` (a property dependency or equal literals)."""
    if index.depends_on(policy, "environment", environment, "environment"):
        return index.depends_on(policy, "repository", environment, "repository") or (
            get(policy.props, "repository") == get(environment.props, "repository")
        )
    return False


def _branch_policy(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    deployment_policies = index.of_type(DEPLOYMENT_POLICY)
    for environment in index.of_type(REPOSITORY_ENVIRONMENT):
        policy = get(environment.props, "deploymentBranchPolicy")
        if policy is UNKNOWN:
            continue
        if not isinstance(policy, Mapping):
            yield (f"{environment.name}: no deploymentBranchPolicy: every branch and tag of the repository may "
                   "deploy to the environment.", environment.urn)
            continue
        protected = as_bool(get(policy, "protectedBranches"), default=False)
        custom = as_bool(get(policy, "customBranchPolicies"), default=False)
        if UNKNOWN in (protected, custom) or protected is True:
            continue
        if custom is not True:
            yield (f"{environment.name}: deploymentBranchPolicy restricts nothing (protectedBranches and "
                   "customBranchPolicies both false).", environment.urn)
        elif not any(_targets(index, p, environment) for p in deployment_policies):
            yield (f"{environment.name}: customBranchPolicies is true but no RepositoryEnvironmentDeploymentPolicy "
                   "names a branch for it: no branch can deploy, and one added by hand would not be reviewed.",
                   environment.urn)


RESOURCE_TYPE = REPOSITORY_ENVIRONMENT
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    resource_policy(
        _family.about(
            "require-reviewers",
            description="The prod deployment environment must have required reviewers (users or teams); unattended "
            "environments (scheduled jobs that deploy nothing, by name pattern) are exempt.",
            refs=(_DOCS, platform("delivery baseline")),
            control="deployment environments have required reviewers (prod) and a deployment-branch policy",
            severity=Severity.HIGH,
            remediation="Set platform:github.reviewers (users/teams by numeric id). On a plan without required "
            "reviewers for private repositories (Pro, Team), deploy prod only from a manually dispatched workflow "
            "(docs/github.md).",
            tags=("prod-only",),
            url=ENVIRONMENTS_URL,
        ),
        (REPOSITORY_ENVIRONMENT,),
        _require_reviewers,
    ),
    resource_policy(
        _family.about(
            "enable-prevent-self-review",
            description="An environment with required reviewers must prevent self-review.",
            refs=(_DOCS,),
            control="a deployment is approved by someone other than who triggered it",
            severity=Severity.MEDIUM,
            remediation="Pass `prevent_self_review=True` (platform:github.prevent_self_review).",
            url=ENVIRONMENTS_URL,
        ),
        (REPOSITORY_ENVIRONMENT,),
        _prevent_self_review,
    ),
    resource_policy(
        _family.about(
            "disallow-admin-bypass",
            description="Repository administrators must not bypass the environment's protection rules.",
            refs=(_DOCS,),
            control="administrators do not bypass deployment protection rules",
            severity=Severity.HIGH,
            remediation="Pass `can_admins_bypass=False` (the provider's default is true).",
            url=ENVIRONMENTS_URL,
        ),
        (REPOSITORY_ENVIRONMENT,),
        _disallow_admin_bypass,
    ),
    stack_policy(
        _family.about(
            "require-deployment-branch-policy",
            description="Every deployment environment must restrict the branches that deploy to it (protected "
            "branches, or custom branch policies with at least one RepositoryEnvironmentDeploymentPolicy).",
            refs=(_DOCS, platform("delivery baseline")),
            control="deployment environments have required reviewers (prod) and a deployment-branch policy",
            severity=Severity.HIGH,
            remediation="Pass `deployment_branch_policy={'protected_branches': False, 'custom_branch_policies': "
            "True}` and a `github.RepositoryEnvironmentDeploymentPolicy(branch_pattern='main')` for it.",
            url=ENVIRONMENTS_URL,
        ),
        _branch_policy,
    ),
]
