"""GitHubDelivery: each stack's own environment (reviewers and main-only branches in prod), secrets that are
secret on the wire, variables from the stack's outputs, and an OIDC role pinned to the environment's subject."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.github.component import check_actions_names
from tests.support.plans import PlanView, plan_stack
from tests.support.wire import is_secret, is_unknown

ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
BRANCH = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
ROLE = "aws:iam/role:Role"


def test_each_stack_owns_its_environment(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    environment = plan.one(ENVIRONMENT, "github-environment")
    assert environment.inputs["environment"] == stack
    assert environment.inputs["repository"] == "web-app"
    assert environment.inputs["canAdminsBypass"] is False
    assert environment.inputs["deploymentBranchPolicy"] == {"protectedBranches": False, "customBranchPolicies": True}
    branch = plan.one(BRANCH, "github-branch-main")
    assert branch.inputs["branchPattern"] == "main"
    assert branch.property_dependencies["environment"] == [environment.urn]
    # The provider manages the repository's owner; the token comes from GITHUB_TOKEN or github:token.
    provider = plan.one("pulumi:providers:github")
    assert provider.inputs["owner"] == "example-org"
    assert environment.provider is not None
    assert environment.provider.startswith(provider.urn)


def test_prod_has_reviewers_and_prevents_self_review(prod: PlanView, preview: PlanView) -> None:
    environment = prod.one(ENVIRONMENT, "github-environment").inputs
    assert environment["reviewers"] == [{"users": [], "teams": [1234567]}]
    assert environment["preventSelfReview"] is True
    assert "reviewers" not in preview.one(ENVIRONMENT, "github-environment").inputs


def test_a_pro_private_repository_plans_prod_without_reviewers() -> None:
    plan = plan_stack("prod", github={"plan": "pro", "visibility": "private", "reviewers": {}})
    assert "reviewers" not in plan.one(ENVIRONMENT, "github-environment").inputs
    assert plan.one(BRANCH, "github-branch-main").inputs["branchPattern"] == "main"


def test_secrets_are_secret_on_the_wire_and_never_plaintext(each_stack: tuple[str, PlanView]) -> None:
    _, plan = each_stack
    secrets = plan.of_type(SECRET)
    assert {s.inputs["secretName"] for s in secrets} == {"REDIS_URL", "CRON_AUTH_SECRET"}
    for secret in secrets:
        assert is_secret(secret.inputs["value"]), secret.name
        assert "plaintextValue" not in secret.inputs
        assert "encryptedValue" not in secret.inputs
        assert secret.property_dependencies["value"]  # from the cache's and the jobs' outputs, not a literal


def variables_of(plan: PlanView, environment: str) -> dict[str, Any]:
    """The variables the stack writes into one environment, by name."""
    env = next(e for e in plan.of_type(ENVIRONMENT) if e.inputs["environment"] == environment)
    return {v.inputs["variableName"]: v for v in plan.of_type(VARIABLE)
            if v.property_dependencies.get("environment") == [env.urn]}


def test_variables_come_from_the_stacks_outputs(prod: PlanView) -> None:
    variables = variables_of(prod, "prod")
    # What the app's workflows need: its deploy wires the dump job (writer role, bucket) on its compute.
    assert set(variables) == {"DATABASE_PROXY_ENDPOINT", "DATABASE_APP_CONNECT_POLICY_ARN", "ALERT_TOPIC_ARN",
                              "AWS_ROLE_ARN", "AWS_REGION", "CLOUDFLARE_ZONE_ID", "BACKUP_BUCKET_NAME",
                              "BACKUP_WRITER_ROLE_ARN"}
    assert variables["AWS_REGION"].inputs["value"] == "eu-west-1"
    assert variables["AWS_ROLE_ARN"].property_dependencies["value"] == [prod.urn(ROLE, "github-actions")]
    for name in ("DATABASE_PROXY_ENDPOINT", "DATABASE_APP_CONNECT_POLICY_ARN", "ALERT_TOPIC_ARN"):
        assert is_unknown(variables[name].inputs["value"]), name
        assert not is_secret(variables[name].inputs["value"]), name


def test_the_copy_job_has_its_own_unattended_environment(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    environment = plan.one(ENVIRONMENT, "github-backup-copy-environment")
    assert environment.inputs["environment"] == f"backup-copy-{stack}"
    assert environment.inputs["repository"] == "web-app"
    # A scheduled job: no reviewers (a run would wait for a person), main only, admins not bypassing.
    assert "reviewers" not in environment.inputs
    assert environment.inputs["canAdminsBypass"] is False
    assert environment.inputs["deploymentBranchPolicy"] == {"protectedBranches": False, "customBranchPolicies": True}
    (branch,) = [b for b in plan.of_type(BRANCH) if b.property_dependencies["environment"] == [environment.urn]]
    assert branch.inputs["branchPattern"] == "main"
    # It holds what the copy job reads, and no app secret.
    variables = variables_of(plan, f"backup-copy-{stack}")
    assert set(variables) == {"ALERT_TOPIC_ARN", "BACKUP_COPY_ROLE_ARN", "BACKUP_BUCKET_NAME", "BACKUP_PREFIXES",
                              "BACKUP_MAX_AGE_HOURS", "BACKUP_OFFSITE_CONTAINER_URL", "BACKUP_OFFSITE_CLIENT_ID",
                              "BACKUP_OFFSITE_TENANT_ID", "BACKUP_OFFSITE_SUBSCRIPTION_ID", "AWS_REGION"}
    assert variables["BACKUP_COPY_ROLE_ARN"].property_dependencies["value"] == [
        plan.urn(ROLE, "backups-offsite-copy")]
    assert variables["AWS_REGION"].inputs["value"] == "eu-west-1"
    assert all(s.property_dependencies["environment"] != [environment.urn] for s in plan.of_type(SECRET))
    assert plan.plan.outputs["backup_copy_github_environment"] == f"backup-copy-{stack}"


@pytest.mark.parametrize("stack", ["preview", "prod"])
def test_the_role_trusts_exactly_this_environment(stack: str, preview: PlanView, prod: PlanView) -> None:
    plan = {"preview": preview, "prod": prod}[stack]
    role = plan.one(ROLE, "github-actions")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [{
        "Sid": "GitHubActionsOidc",
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": f"repo:example-org/web-app:environment:{stack}",
        }},
    }]
    assert role.inputs["maxSessionDuration"] == 3600


def test_the_role_may_connect_and_read_the_apps_config_only(prod: PlanView) -> None:
    (attachment,) = [a for a in prod.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                     if a.name.startswith("github-actions")]
    assert attachment.property_dependencies["policyArn"] == [prod.urn("aws:iam/policy:Policy", "postgres-app-connect")]
    policy = json.loads(prod.one("aws:iam/rolePolicy:RolePolicy", "github-actions-app-config").inputs["policy"])
    (statement,) = policy["Statement"]
    assert statement["Action"] == ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
    assert statement["Resource"] == [
        "arn:aws:ssm:eu-west-1:123456789012:parameter/platform-prod/app",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/platform-prod/app/*",
    ]
    assert not prod.of_type("aws:iam/accessKey:AccessKey")


@pytest.mark.parametrize(
    ("secrets", "variables", "fragment"),
    [
        (["AWS_SECRET_ACCESS_KEY"], [], "a long-lived cloud key"),
        ([], ["aws_access_key_id"], "a long-lived cloud key"),
        (["GITHUB_TOKEN"], [], "not starting with a digit or GITHUB_"),
        (["1ST"], [], "not starting with a digit"),
        (["REDIS-URL"], [], "letters, digits and underscores"),
        (["A", "a"], [], "given twice"),
    ],
)
def test_unusable_names_are_refused(secrets: list[str], variables: list[str], fragment: str) -> None:
    problems = check_actions_names(secrets, variables)
    assert any(fragment in p for p in problems), problems


def test_usable_names_pass() -> None:
    assert check_actions_names(["REDIS_URL", "_X"], ["AWS_ROLE_ARN", "DATABASE_PROXY_ENDPOINT"]) == []
