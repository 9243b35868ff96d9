"""GitHubDelivery: the stack's deployment environment in the app's repository, filled from the stack's outputs,
the AWS role its workflows assume through GitHub OIDC, and the off-site copy job's own environment.

* `github.RepositoryEnvironment` named after the stack (the `prod` stack owns `prod`, `preview` owns
  `preview`): required reviewers from config (where the plan has them), self-review prevented, admins not
  bypassing (`can_admins_bypass` defaults to true in the provider), and deployments only from the configured
  branches (custom branch policies, one `RepositoryEnvironmentDeploymentPolicy` per pattern; `main` by default).
* Environment secrets (`ActionsEnvironmentSecret.value`, a Pulumi secret end to end: the SDK wraps it and this
  component wraps it again, so the value is secret on the wire, in state and in the plan) and variables
  (`ActionsEnvironmentVariable`) from the mappings `__main__.py` passes: nothing here is a literal.
* An IAM role trusted only by jobs of this repository that declare this environment (`sub` =
  `repo:OWNER/REPO:environment:NAME`, `aud` = `sts.amazonaws.com`, both `StringEquals`), federated through the
  account's GitHub OIDC provider (created once per account by `bootstrap/`, referenced here by ARN). It may do
  what the app's workflows do, no more: connect to the database through RDS Proxy as the app user (the
  policies `__main__.py` passes, e.g. the database connect policy, for migrations) and read the app's runtime
  config in SSM Parameter Store under `/<stack prefix>/app/` (read-only; the app's deploy job reads its
  settings there). It cannot change infrastructure: that is the bootstrap's deploy role. Its ARN is the
  environment's `AWS_ROLE_ARN` variable; no access key exists anywhere. Like every role of the stack, it is
  named under the stack's prefix and carries the account's boundary (components/aws/permissions_boundary.py).
* The off-site copy job's environment, `backup-copy-<stack>` (`platform:backup_storage.github_environment`):
  deployments from `main` only, no reviewers (the job is scheduled: a required reviewer would hold every run
  until it times out), admins not bypassing. It holds only what the copy job reads (`copy_variables` plus
  `AWS_REGION`); the copy role and the Azure federated credential trust its subject alone, so no app job (which
  runs in `<stack>`) can assume them, and the copy job cannot assume the app's role.

The GitHub provider is explicit: its owner is the repository's owner from config, its token `github:token`
(a secret) or `GITHUB_TOKEN`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_github as github

from components.aws.github_oidc import environment_subject, github_trust_policy, oidc_provider_arn
from components.aws.partition import aws_partition
from components.aws.role_boundary import boundary_arn
from components.base import ChildTransform, PlatformComponent
from components.github.config import GitHubConfig
from components.naming import IAM_ROLE, physical_name
from components.stack import StackConfig

# Secret and variable names: letters, digits, underscores, not starting with a digit or GITHUB_ (GitHub Docs,
# "Using secrets in GitHub Actions", naming your secrets); stored uppercase, so unique case-insensitively.
_ACTIONS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Names that would carry a long-lived cloud key: OIDC makes them unnecessary (security baseline, GH).
LONG_LIVED_KEY_NAMES = re.compile(
    r"(^|_)(AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN|SECRET_ACCESS_KEY|ACCESS_KEY_ID|"
    r"AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET)$",
    re.IGNORECASE,
)
# Variables the component sets itself.
ROLE_VARIABLE = "AWS_ROLE_ARN"
REGION_VARIABLE = "AWS_REGION"
#: The copy job's environment admits deployments from this branch only (its schedule runs on the default branch).
COPY_BRANCHES = ("main",)


def check_actions_names(secrets: Sequence[str], variables: Sequence[str]) -> list[str]:
    """Problems with the secret and variable names (empty when they are all usable)."""
    problems = []
    for kind, names in (("secret", secrets), ("variable", variables)):
        seen: set[str] = set()
        for name in names:
            if not (name.isascii() and _ACTIONS_NAME.fullmatch(name)) or name.upper().startswith("GITHUB_"):
                problems.append(f"{kind} name {name!r}: letters, digits and underscores, not starting with a "
                                "digit or GITHUB_")
            elif LONG_LIVED_KEY_NAMES.search(name):
                problems.append(f"{kind} name {name!r}: a long-lived cloud key; workflows assume "
                                f"{ROLE_VARIABLE} through OIDC instead")
            if name.upper() in seen:
                problems.append(f"{kind} name {name!r}: given twice (GitHub stores names uppercase)")
            seen.add(name.upper())
    return problems


@dataclass(frozen=True, kw_only=True)
class GitHubDeliveryArgs:
    config: GitHubConfig
    environment_name: str
    name_prefix: str
    region: str
    tags: dict[str, str]
    #: Environment secrets, name -> value (each becomes a Pulumi secret).
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    #: Environment variables, name -> value (plain: never pass a credential here).
    variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    #: Managed policies the workflows' role gets (e.g. the database connect policy).
    role_policy_arns: Sequence[pulumi.Input[str]] = ()
    #: The off-site copy job's own environment (`backup-copy-<stack>`); None: none is created.
    copy_environment_name: str | None = None
    #: Variables of the copy job's environment, name -> value (plain); `AWS_REGION` is added.
    copy_variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    #: The provider token (`github:token`); None: the provider reads GITHUB_TOKEN.
    token: pulumi.Input[str] | None = None

    @classmethod
    def from_stack(
        cls,
        stack: StackConfig,
        *,
        secrets: Mapping[str, pulumi.Input[str]],
        variables: Mapping[str, pulumi.Input[str]],
        role_policy_arns: Sequence[pulumi.Input[str]] = (),
        copy_variables: Mapping[str, pulumi.Input[str]] | None = None,
    ) -> GitHubDeliveryArgs:
        return cls(
            config=stack.github,
            environment_name=stack.stack,
            name_prefix=stack.name_prefix,
            region=stack.aws_region,
            tags=stack.tags("github"),
            secrets=secrets,
            variables=variables,
            role_policy_arns=role_policy_arns,
            copy_environment_name=stack.backup_storage.copy_environment(stack.stack) if copy_variables else None,
            copy_variables=copy_variables or {},
            token=pulumi.Config("github").get_secret("token"),
        )


class GitHubDeliveryTransforms(TypedDict, total=False):
    """The children of `GitHubDelivery` a transform may adjust."""

    provider: ChildTransform
    role: ChildTransform
    role_policy_attachment: ChildTransform
    role_policy: ChildTransform
    environment: ChildTransform
    deployment_policy: ChildTransform
    secret: ChildTransform
    variable: ChildTransform
    copy_environment: ChildTransform
    copy_deployment_policy: ChildTransform
    copy_variable: ChildTransform


class GitHubDelivery(PlatformComponent):
    """The stack's GitHub environment, its secrets and variables, and the OIDC role its jobs assume."""

    Transforms = GitHubDeliveryTransforms

    role_arn: pulumi.Output[str]
    environment_name: pulumi.Output[str]
    environment: github.RepositoryEnvironment
    copy_environment_name: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        args: GitHubDeliveryArgs,
        *,
        transform: GitHubDeliveryTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        problems = check_actions_names(list(args.secrets), [*args.variables, ROLE_VARIABLE, REGION_VARIABLE])
        problems += check_actions_names([], [*args.copy_variables, REGION_VARIABLE])
        if args.copy_environment_name == args.environment_name:
            problems.append(f"the copy job's environment {args.copy_environment_name!r} is the app's: each job "
                            "needs its own OIDC subject")
        if problems:
            # Raised before the component registers: nothing is created with an unusable name.
            raise pulumi.RunError("GitHubDelivery: " + "; ".join(problems))
        super().__init__("platform:delivery:GitHubDelivery", name, transform=transform, opts=opts)
        config, tags = args.config, args.tags
        partition = aws_partition(args.region)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        subject = environment_subject(config.repository, args.environment_name)

        provider = self.child("provider", github.Provider, f"{name}-github", {
            "owner": config.owner,
            **({"token": pulumi.Output.secret(args.token)} if args.token is not None else {}),
        })

        role = self.child("role", aws.iam.Role, f"{name}-actions", {
            "name": physical_name(args.name_prefix, "github-actions", IAM_ROLE),
            "description": f"GitHub Actions jobs of {config.repository} in environment {args.environment_name}",
            "assume_role_policy": account_id.apply(lambda account: github_trust_policy(
                provider_arn=oidc_provider_arn(partition=partition, account_id=account), subjects=[subject],
            )),
            # One hour: a workflow job asks for fresh credentials; nothing keeps them longer.
            "max_session_duration": 3600,
            "permissions_boundary": boundary_arn(account_id, region=args.region),
            "tags": tags,
        })
        for index, policy_arn in enumerate(args.role_policy_arns):
            self.child("role_policy_attachment", aws.iam.RolePolicyAttachment, f"{name}-actions-{index}", {
                "role": role.name,
                "policy_arn": policy_arn,
            })
        self.child("role_policy", aws.iam.RolePolicy, f"{name}-actions-app-config", {
            "role": role.id,
            "policy": account_id.apply(lambda account: app_config_read_policy(
                partition=partition, region=args.region, account_id=account, path=app_config_path(args.name_prefix),
            )),
        })

        self.environment = self.child("environment", github.RepositoryEnvironment, f"{name}-environment", {
            "repository": config.name,
            "environment": args.environment_name,
            "reviewers": [{"users": config.reviewers.users, "teams": config.reviewers.teams}]
            if config.reviewers.count else None,
            "prevent_self_review": config.prevent_self_review,
            "can_admins_bypass": False,
            "wait_timer": config.wait_timer_minutes or None,
            "deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True},
        }, provider=provider)
        environment = self.environment.environment
        for pattern in config.deployment_branches:
            self.child("deployment_policy", github.RepositoryEnvironmentDeploymentPolicy,
                       f"{name}-branch-{_slug(pattern)}", {
                           "repository": config.name,
                           "environment": environment,
                           "branch_pattern": pattern,
                       }, provider=provider)

        for secret_name, value in sorted(args.secrets.items()):
            self.child("secret", github.ActionsEnvironmentSecret, f"{name}-secret-{secret_name.lower()}", {
                "repository": config.name,
                "environment": environment,
                "secret_name": secret_name,
                "value": pulumi.Output.secret(value),
            }, provider=provider)
        variables = {**args.variables, ROLE_VARIABLE: role.arn, REGION_VARIABLE: args.region}
        for variable_name, value in sorted(variables.items()):
            self.child("variable", github.ActionsEnvironmentVariable, f"{name}-variable-{variable_name.lower()}", {
                "repository": config.name,
                "environment": environment,
                "variable_name": variable_name,
                "value": value,
            }, provider=provider)

        self.copy_environment_name = (
            self._copy_environment(name, args, provider) if args.copy_environment_name is not None else None
        )

        self.role_arn = role.arn
        self.environment_name = environment
        self.register_outputs({
            "role_arn": self.role_arn,
            "environment_name": self.environment_name,
            "copy_environment_name": self.copy_environment_name,
        })

    def _copy_environment(self, name: str, args: GitHubDeliveryArgs, provider: github.Provider) -> pulumi.Output[str]:
        """The off-site copy job's environment: main only, no reviewers, admins not bypassing, its variables."""
        config = args.config
        copy = self.child("copy_environment", github.RepositoryEnvironment, f"{name}-backup-copy-environment", {
            "repository": config.name,
            "environment": args.copy_environment_name,
            # A scheduled job waits for a required reviewer and fails after 30 days (GitHub Docs, "Reviewing
            # deployments"): the branch rule is this environment's protection.
            "prevent_self_review": False,
            "can_admins_bypass": False,
            "deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True},
        }, provider=provider)
        environment = copy.environment
        for pattern in COPY_BRANCHES:
            self.child("copy_deployment_policy", github.RepositoryEnvironmentDeploymentPolicy,
                       f"{name}-backup-copy-branch-{_slug(pattern)}", {
                           "repository": config.name,
                           "environment": environment,
                           "branch_pattern": pattern,
                       }, provider=provider)
        variables = {**args.copy_variables, REGION_VARIABLE: args.region}
        for variable_name, value in sorted(variables.items()):
            self.child("copy_variable", github.ActionsEnvironmentVariable,
                       f"{name}-backup-copy-variable-{variable_name.lower()}", {
                           "repository": config.name,
                           "environment": environment,
                           "variable_name": variable_name,
                           "value": value,
                       }, provider=provider)
        return environment


def _slug(pattern: str) -> str:
    """A resource-name-safe form of a branch pattern, unique per pattern."""
    clean = re.sub(r"[^a-z0-9]+", "-", pattern.lower()).strip("-") or "x"
    return clean if clean == pattern else f"{clean}-{hashlib.sha256(pattern.encode()).hexdigest()[:6]}"


def app_config_path(name_prefix: str) -> str:
    """Where the app's runtime settings live in SSM Parameter Store (the app's team writes them)."""
    return f"/{name_prefix}/app/"


def app_config_read_policy(*, partition: str, region: str, account_id: str, path: str) -> str:
    """Read the app's parameters under `path`, nothing else (SecureStrings under the AWS-managed aws/ssm key
    decrypt through SSM without a KMS grant here)."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ReadTheAppsConfig",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
            "Resource": [
                f"arn:{partition}:ssm:{region}:{account_id}:parameter{path.rstrip('/')}",
                f"arn:{partition}:ssm:{region}:{account_id}:parameter{path}*",
            ],
        }],
    })
