"""Who the bootstrap trusts, by name: roles, GitHub environments, OIDC subjects and the Actions variables it writes.

Every infrastructure workflow has an identity no other job has (docs/state-backend.md, "Identities"):

| GitHub environment (the bootstrap creates it) | job | AWS role (trusts only that subject) |
|---|---|---|
| `infra-<stack>` (main only; prod: reviewers) | deploy.yml's job for the stack | `platform-infra-deploy-<stack>` |
| `infra-drift-<stack>` (main only, no reviewers) | drift.yml's job for the stack | `platform-infra-readonly` |

No role trusts `ref:refs/heads/main` or `pull_request`. No provider import: the workflows' checks and the tests
read these names without loading an SDK.
"""

from __future__ import annotations

from collections.abc import Iterable

from components.aws.github_oidc import environment_subject
from components.concern import PROJECT as MAIN_PROJECT
from components.naming import NAME_PREFIX, physical_name

DEPLOY_ROLE_PREFIX = "platform-infra-deploy-"
READ_ONLY_ROLE_NAME = "platform-infra-readonly"
#: Every bootstrap role's name starts with this (the boundary and the deploy roles never touch them).
BOOTSTRAP_ROLE_PATTERN = "platform-infra-*"

#: The Actions variables the bootstrap writes into each environment (`github.ActionsEnvironmentVariable`); the
#: workflows read them as `vars.<NAME>`. A person writes the rest (docs/going-live.md, step 3).
DEPLOY_ENVIRONMENT_VARIABLES = ("AWS_REGION", "PULUMI_BACKEND_URL", "AWS_DEPLOY_ROLE_ARN")
DRIFT_ENVIRONMENT_VARIABLES = ("AWS_REGION", "PULUMI_BACKEND_URL", "AWS_READONLY_ROLE_ARN")
BOOTSTRAP_VARIABLES: dict[str, tuple[str, ...]] = {
    "infra-<stack>": DEPLOY_ENVIRONMENT_VARIABLES,
    "infra-drift-<stack>": DRIFT_ENVIRONMENT_VARIABLES,
}


def deploy_role_name(stack: str) -> str:
    """The deploy role of one hosted stack: `pulumi up` of that stack only."""
    return f"{DEPLOY_ROLE_PREFIX}{stack}"


def deploy_environment(stack: str) -> str:
    """The GitHub environment deploy.yml's job for `stack` declares (the deploy role's only subject)."""
    return f"infra-{stack}"


def drift_environment(stack: str) -> str:
    """The GitHub environment drift.yml's job for `stack` declares (one of the read-only role's subjects)."""
    return f"infra-drift-{stack}"


def resource_prefix(stack: str) -> str:
    """The stack's physical name prefix plus '-' (components/naming.py, as StackConfig.name_prefix): the IAM roles
    and policies the stack's deploy role may create or change start with it (e.g. `platform-prod-`)."""
    return physical_name(MAIN_PROJECT, stack, NAME_PREFIX) + "-"


def deploy_subjects(repository: str, stack: str) -> list[str]:
    return [environment_subject(repository, deploy_environment(stack))]


def read_only_subjects(repository: str, stacks: Iterable[str]) -> list[str]:
    return [environment_subject(repository, drift_environment(stack)) for stack in stacks]
