"""TeamStateBackend: what exists once per account and what the main stacks' own state depends on.

* The GitHub OIDC provider (`https://token.actions.githubusercontent.com`, audience `sts.amazonaws.com`). No
  thumbprints: IAM verifies GitHub's certificate through its own trusted CAs for this provider, and pulumi-aws
  v7 makes `thumbprint_lists` optional (AWS IAM User Guide, "Create an OpenID Connect (OIDC) identity provider").
* Per hosted stack, the deploy role `platform-infra-deploy-<stack>`, trusted only by jobs that declare the
  environment `infra-<stack>` (which this bootstrap creates: main only, reviewers for prod-environment stacks;
  no other job, e.g. the app's own deploy in `environment: prod`, carries that subject). PowerUserAccess plus IAM
  only under the stack's name prefix (`platform-<stack>-`), and only for roles that carry the account's
  permissions boundary (`deploy_iam_policy`).
* The permissions boundary `platform-infra-boundary` (one per account, `boundary_policy`): the most a role the
  stacks create may do. It denies IAM, role chaining, the state bucket and the state key, so a role the deploy
  role creates can never reach what the deploy role itself is denied ("never the bootstrap's own" holds for the
  roles it creates too). Its ARN follows from the account (components/aws/permissions_boundary.py).
* The read-only role `platform-infra-readonly` for drift checks, trusted only by the environments
  `infra-drift-<stack>` (main only, no reviewers: a scheduled job must not wait for a person). No role trusts
  `ref:refs/heads/main` or `pull_request`: pull requests get the offline plan, which needs no credentials.
* The GitHub environments and the Actions variables the workflows read (`GitHubInfraEnvironments`).
* The state bucket (versioned, SSE-KMS with the CMK, public access blocked, ACLs disabled, TLS 1.2+ only,
  noncurrent versions kept 90 days) whose policy denies every principal but the administrator and the roles,
  denies the read-only role every write and everyone but the administrator `s3:DeleteObjectVersion` (the
  history a bad update is recovered from). Pulumi's DIY backend locks a stack with a lock object under
  `.pulumi/locks/` for updates (up, refresh, destroy, import); a preview takes no lock (pulumi/pulumi#8973), so
  the read-only role needs none of the writes. The bucket is protected and retained.
* The CMK: it encrypts the bucket and is the stacks' secrets provider (`awskms://alias/<alias>`). The principals
  that read state are the ones that must decrypt its secrets, so a second key would separate nothing.

The policy documents are built from values known before anything exists (account, region, names), so the offline
plan shows them and `ops.iam` can evaluate them (tests/components/state_backend/test_escalation.py). The state key
is named through its alias (`kms:ResourceAliases`), whose own changes are denied.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_github as github

from components.aws.github_oidc import GITHUB_OIDC_URL, STS_AUDIENCE, github_trust_policy, oidc_provider_arn
from components.aws.kms import CustomerManagedKeyTransforms, customer_managed_key
from components.aws.partition import aws_partition
from components.aws.permissions_boundary import PERMISSIONS_BOUNDARY_NAME, permissions_boundary_arn
from components.base import ChildTransform, PlatformComponent
from components.state_backend.config import BootstrapConfig
from components.state_backend.identities import (
    BOOTSTRAP_ROLE_PATTERN,
    DEPLOY_ENVIRONMENT_VARIABLES,
    DRIFT_ENVIRONMENT_VARIABLES,
    READ_ONLY_ROLE_NAME,
    deploy_environment,
    deploy_role_name,
    deploy_subjects,
    drift_environment,
    read_only_subjects,
    resource_prefix,
)

# `pulumi up` of a Multi-AZ database can outlast an hour; configure-aws-credentials asks for this duration.
DEPLOY_SESSION_SECONDS = 2 * 3600
# Services the main stacks hand roles to (iam:PassRole) and create service-linked roles for.
PASSED_TO_SERVICES = ("rds.amazonaws.com", "monitoring.rds.amazonaws.com", "lambda.amazonaws.com",
                      "chatbot.amazonaws.com", "vpc-flow-logs.amazonaws.com", "backup.amazonaws.com",
                      "scheduler.amazonaws.com", "events.amazonaws.com", "states.amazonaws.com")
SERVICE_LINKED = ("rds.amazonaws.com", "elasticache.amazonaws.com", "backup.amazonaws.com")
# The tags the main stacks' resources carry (StackConfig.tags): the deploy role tags only resources of its stack.
PROJECT_TAG = "pulumi-project"
STACK_TAG = "pulumi-stack"
PROJECT = "platform"
# The AWS managed policies the main stacks attach (postgres: enhanced monitoring; backup: AWS Backup's service
# role); iam:PolicyARN admits these and the stack's own prefixed policies, never AdministratorAccess & co.
ATTACHABLE_AWS_MANAGED_POLICIES = (
    "service-role/AmazonRDSEnhancedMonitoringRole",
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
)
# What the roles the stacks create do (their inline and attached policies in both plans; a test keeps this in
# step): the boundary allows these and nothing else. AWS Backup's managed policies cover every service AWS Backup
# supports; the stacks back up RDS only, so the boundary keeps RDS, Backup and the keys.
BOUNDARY_ACTIONS = (
    "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarmsForMetric",
    "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:GetMetricWidgetImage",
    "cloudwatch:ListMetrics",  # AWS Chatbot reads the alarms it posts
    "s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation",  # backup writer and off-site copy
    "kms:Decrypt", "kms:Encrypt", "kms:DescribeKey", "kms:CreateGrant", "kms:RetireGrant", "kms:ListGrants",
    "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",  # the app's workflows read their config
    "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",  # the database bootstrap function
    "rds-db:connect",  # RDS Proxy and the app's migrations
    "tag:GetResources",  # AWS Backup selects the database
    "events:PutEvents", "events:InvokeApiDestination", "sqs:SendMessage",  # the jobs' scheduler and rules
    "sns:Publish", "cloudwatch:PutMetricData",  # the off-site copy job reports its failure and its heartbeat
    # The backup checker: its schedule starts it; it lists restore jobs (no resource type, so not within the
    # per-account backup:* statement below). Its other calls are backup reads on the vault and the restore plan.
    "states:StartExecution", "backup:ListRestoreJobs",
    "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",  # Lambda in the VPC (AWSLambdaVPCAccessExecutionRole's actions)
)
# Whole services, only on the account's own resources: logs (flow logs, enhanced monitoring, Lambda), RDS and AWS
# Backup (back up, copy and test-restore the database), and the data-key actions of the account's keys.
BOUNDARY_ACCOUNT_SERVICES = ("logs", "rds", "backup")
BOUNDARY_KEY_ACTIONS = ("kms:GenerateDataKey*", "kms:ReEncrypt*")


@dataclass(frozen=True, kw_only=True)
class TeamStateBackendArgs:
    config: BootstrapConfig
    region: str

    @property
    def tags(self) -> dict[str, str]:
        return {"environment": "shared", "owner": self.config.owner, "cost-center": self.config.cost_center,
                "managed-by": "pulumi", "pulumi-project": "platform-bootstrap", "component": "state-backend"}


class TeamStateBackendTransforms(CustomerManagedKeyTransforms, total=False):
    oidc_provider: ChildTransform
    role: ChildTransform
    role_policy: ChildTransform
    role_policy_attachment: ChildTransform
    boundary: ChildTransform
    bucket: ChildTransform
    bucket_setting: ChildTransform
    bucket_policy: ChildTransform
    github_provider: ChildTransform
    environment: ChildTransform
    deployment_policy: ChildTransform
    variable: ChildTransform
    ruleset: ChildTransform


class TeamStateBackend(PlatformComponent):
    Transforms = TeamStateBackendTransforms

    backend_url: pulumi.Output[str]
    secrets_provider: pulumi.Output[str]
    deploy_role_arns: pulumi.Output[dict[str, str]]
    read_only_role_arn: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    permissions_boundary_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: TeamStateBackendArgs, *, transform: TeamStateBackendTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:bootstrap:TeamStateBackend", name, transform=transform, opts=opts)
        config, tags, region = args.config, args.tags, args.region
        partition = aws_partition(region)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        keep = {"protect": True, "retain_on_delete": True}

        provider = self.child("oidc_provider", aws.iam.OpenIdConnectProvider, f"{name}-github-oidc", {
            "url": GITHUB_OIDC_URL,
            "client_id_lists": [STS_AUDIENCE],
            "tags": tags,
        }, **keep)
        key = customer_managed_key(
            self, name, alias=config.secrets_key_alias, description="Pulumi state bucket and stack secrets",
            region=region, tags=tags, protect=True,
        )
        # The provider's ARN is determined by the account and URL: built from them (so the trust policies are known
        # at preview and the pack can check them), with the roles waiting for the provider itself. So are the
        # bucket's, the roles' and the boundary's: every policy document below is known before anything exists.
        provider_arn = account_id.apply(lambda account: oidc_provider_arn(partition=partition, account_id=account))
        bucket_name = (pulumi.Output.from_input(config.state_bucket_name) if config.state_bucket_name
                       else account_id.apply(lambda account: f"platform-pulumi-state-{account}-{region}"))
        bucket = self.child("bucket", aws.s3.Bucket, f"{name}-state", {
            "bucket": bucket_name,
            "force_destroy": False,
            "tags": tags,
        }, **keep)
        names = pulumi.Output.all(account_id, bucket_name)
        state = StateNames(alias=config.secrets_key_alias, region=region, partition=partition)

        boundary = self.child("boundary", aws.iam.Policy, f"{name}-boundary", {
            "name": PERMISSIONS_BOUNDARY_NAME,
            "description": "The most a role the platform stacks create may do: no IAM, no role chaining, never the "
            "state bucket or key",
            "policy": names.apply(lambda v: boundary_policy(state.with_account(v[0], v[1]))),
            "tags": tags,
        })

        environments = GitHubInfraEnvironments(f"{name}-github", config=config, parent=self)
        deploy_roles: dict[str, aws.iam.Role] = {}
        for stack in config.stacks:
            role = self.child("role", aws.iam.Role, f"{name}-deploy-{stack}", {
                "name": deploy_role_name(stack),
                "description": f"pulumi up of the platform stack {stack}, from {config.repository}'s environment "
                f"{deploy_environment(stack)}",
                "assume_role_policy": provider_arn.apply(lambda arn, stack=stack: github_trust_policy(
                    provider_arn=arn, subjects=deploy_subjects(config.repository, stack))),
                "max_session_duration": DEPLOY_SESSION_SECONDS,
                "tags": tags,
            }, depends_on=[provider, *environments.protection[deploy_environment(stack)]])
            deploy_roles[stack] = role
            self.child("role_policy", aws.iam.RolePolicy, f"{name}-deploy-{stack}-state", {
                "role": role.id,
                "policy": pulumi.Output.all(bucket.arn, key.arn).apply(
                    lambda v: state_access_policy(bucket_arn=v[0], key_arn=v[1], write=True)),
            })
            # What the main stacks create, without IAM (PowerUserAccess), plus IAM only under the stack's prefix and
            # only with the boundary (deploy_iam_policy); the bootstrap's own, the bucket's guards and key denied.
            self.child("role_policy_attachment", aws.iam.RolePolicyAttachment, f"{name}-deploy-{stack}-poweruser", {
                "role": role.name,
                "policy_arn": f"arn:{partition}:iam::aws:policy/PowerUserAccess",
            })
            self.child("role_policy", aws.iam.RolePolicy, f"{name}-deploy-{stack}-iam", {
                "role": role.id,
                "policy": names.apply(lambda v, stack=stack: deploy_iam_policy(state.with_account(v[0], v[1]),
                                                                                stack=stack)),
            }, depends_on=[boundary])

        read_only = self.child("role", aws.iam.Role, f"{name}-readonly", {
            "name": READ_ONLY_ROLE_NAME,
            "description": f"drift checks of the platform stacks {', '.join(config.stacks)}, from "
            f"{config.repository}'s infra-drift environments",
            "assume_role_policy": provider_arn.apply(lambda arn: github_trust_policy(
                provider_arn=arn, subjects=read_only_subjects(config.repository, config.stacks))),
            "max_session_duration": 3600,
            "tags": tags,
        }, depends_on=[provider, *(protected for stack in config.stacks
                                   for protected in environments.protection[drift_environment(stack)])])
        self.child("role_policy", aws.iam.RolePolicy, f"{name}-readonly-state", {
            "role": read_only.id,
            "policy": pulumi.Output.all(bucket.arn, key.arn).apply(
                lambda v: state_access_policy(bucket_arn=v[0], key_arn=v[1], write=False)),
        })
        # Refresh and drift: read every resource's configuration, but no data plane (deny below).
        self.child("role_policy_attachment", aws.iam.RolePolicyAttachment, f"{name}-readonly-readonly", {
            "role": read_only.name,
            "policy_arn": f"arn:{partition}:iam::aws:policy/ReadOnlyAccess",
        })
        self.child("role_policy", aws.iam.RolePolicy, f"{name}-readonly-no-data", {
            "role": read_only.id,
            "policy": pulumi.Output.all(bucket.arn, key.arn).apply(
                lambda v: read_only_data_deny(bucket_arn=v[0], key_arn=v[1])),
        })
        versioning = self.child("bucket_setting", aws.s3.BucketVersioning, f"{name}-state-versioning", {
            "bucket": bucket.id,
            "versioning_configuration": {"status": "Enabled"},
        })
        self.child("bucket_setting", aws.s3.BucketServerSideEncryptionConfiguration, f"{name}-state-encryption", {
            "bucket": bucket.id,
            "rules": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                                    "kms_master_key_id": key.arn},
                       "bucket_key_enabled": True}],
        })
        public_access = self.child("bucket_setting", aws.s3.BucketPublicAccessBlock, f"{name}-state-public-access", {
            "bucket": bucket.id,
            "block_public_acls": True,
            "block_public_policy": True,
            "ignore_public_acls": True,
            "restrict_public_buckets": True,
        })
        self.child("bucket_setting", aws.s3.BucketOwnershipControls, f"{name}-state-ownership", {
            "bucket": bucket.id,
            "rule": {"object_ownership": "BucketOwnerEnforced"},
        })
        self.child("bucket_setting", aws.s3.BucketLifecycleConfiguration, f"{name}-state-lifecycle", {
            "bucket": bucket.id,
            "rules": [{
                "id": "keep-state-history-90-days",
                "status": "Enabled",
                "filter": {},
                # Every `pulumi up` writes a new version: 90 days of history to recover a bad update from.
                "noncurrent_version_expiration": {"noncurrent_days": 90, "newer_noncurrent_versions": 10},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            }],
        }, depends_on=[versioning])
        self.child("bucket_policy", aws.s3.BucketPolicy, f"{name}-state-policy", {
            "bucket": bucket.id,
            "policy": names.apply(lambda v: state_bucket_policy(
                bucket_arn=f"arn:{partition}:s3:::{v[1]}", admin_arn=config.admin_principal_arn,
                deploy_arns=[role_arn(partition, v[0], deploy_role_name(s)) for s in config.stacks],
                read_only_arn=role_arn(partition, v[0], READ_ONLY_ROLE_NAME))),
        }, depends_on=[public_access, read_only, *deploy_roles.values()])  # S3 refuses a principal that does not exist

        self.backend_url = pulumi.Output.concat("s3://", bucket.bucket, "?region=", region)
        self.secrets_provider = pulumi.Output.from_input(
            f"awskms://alias/{config.secrets_key_alias}?region={region}")
        environments.add_variables(
            region=region, backend_url=self.backend_url,
            deploy_role_arns={stack: role.arn for stack, role in deploy_roles.items()},
            read_only_role_arn=read_only.arn)
        self.deploy_role_arns = pulumi.Output.all(**{s: r.arn for s, r in deploy_roles.items()})
        self.read_only_role_arn = read_only.arn
        self.oidc_provider_arn = provider.arn
        self.permissions_boundary_arn = boundary.arn
        self.github_environments = environments.names
        self.register_outputs({"backend_url": self.backend_url, "secrets_provider": self.secrets_provider,
                               "deploy_role_arns": self.deploy_role_arns,
                               "read_only_role_arn": self.read_only_role_arn,
                               "oidc_provider_arn": self.oidc_provider_arn,
                               "permissions_boundary_arn": self.permissions_boundary_arn,
                               "github_environments": self.github_environments})


class GitHubInfraEnvironments:
    """The infrastructure workflows' GitHub environments and the variables they read, per hosted stack.

    `infra-<stack>`: deployments from `main` only (a custom branch policy), for prod-environment stacks the
    configured reviewers with self-review prevented; administrators never bypass. `infra-drift-<stack>`: `main`
    only, no reviewers (a scheduled job waits for nobody). A stack cannot create the environment that deploys
    it, so the bootstrap does; in a shared account every deploy environment gets the reviewers (each deploy role
    reaches prod's resources there), as the administrator with a `GITHUB_TOKEN` (the provider reads it). Children of the
    TeamStateBackend component (their own transform kinds: github_provider, environment, deployment_policy,
    variable).
    """

    def __init__(self, name: str, *, config: BootstrapConfig, parent: TeamStateBackend) -> None:
        self._name, self._config, self._parent = name, config, parent
        self._repository = config.repository.partition("/")[2]
        self._provider = parent.child("github_provider", github.Provider, name, {
            "owner": config.repository.partition("/")[0],
        })
        reviewers = config.github.reviewers
        # In a shared account (acknowledged) every deploy identity reaches prod's resources, so every infra-<stack>
        # environment gets prod's reviewers.
        shared = len(set(config.environment_of.values())) > 1
        #: Per environment, the resources that protect it: a role trusting its subject waits for them (depends_on),
        #: so no role exists while GitHub would still hand its subject to any branch's workflow.
        self.protection: dict[str, list[pulumi.Resource]] = {}
        self._created: dict[str, github.RepositoryEnvironment] = {}
        # "main only" protects an environment only as far as main is protected: a direct push (or a workflow edited
        # on main) would otherwise reach infra-preview, infra-drift-* and backup-copy-* (no reviewers there). Every
        # change reaches the default branch through a reviewed pull request; nobody bypasses, no force push, no
        # deletion. A solo team lowers the approval count through the `ruleset` transform, deliberately.
        main = parent.child("ruleset", github.RepositoryRuleset, f"{name}-main", {
            "name": "platform: main is reviewed",
            "repository": self._repository,
            "target": "branch",
            "enforcement": "active",
            "conditions": {"ref_name": {"includes": ["~DEFAULT_BRANCH"], "excludes": []}},
            "rules": {
                "deletion": True,
                "non_fast_forward": True,
                "pull_request": {
                    "required_approving_review_count": 1,
                    "dismiss_stale_reviews_on_push": True,
                    "require_last_push_approval": True,
                },
            },
        }, provider=self._provider)
        for stack in config.stacks:
            prod = config.environment_of[stack] == "prod" or shared
            with_reviewers = prod and reviewers.count > 0
            for environment, reviewed in ((deploy_environment(stack), with_reviewers),
                                          (drift_environment(stack), False)):
                created = parent.child("environment", github.RepositoryEnvironment, f"{name}-{environment}", {
                    "repository": self._repository,
                    "environment": environment,
                    "reviewers": [{"users": reviewers.users, "teams": reviewers.teams}] if reviewed else None,
                    "prevent_self_review": reviewed,
                    "can_admins_bypass": False,
                    "deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True},
                }, provider=self._provider)
                policy = parent.child("deployment_policy", github.RepositoryEnvironmentDeploymentPolicy,
                                      f"{name}-{environment}-main", {
                                          "repository": self._repository,
                                          "environment": created.environment,
                                          "branch_pattern": "main",
                                      }, provider=self._provider)
                self._created[environment] = created
                self.protection[environment] = [created, policy, main]
        self.names = pulumi.Output.from_input(list(self._created))

    def add_variables(self, *, region: str, backend_url: pulumi.Input[str],
                      deploy_role_arns: dict[str, pulumi.Output[str]], read_only_role_arn: pulumi.Output[str]) -> None:
        """The variables the workflows read (identities.py); the role variable is the one each tuple ends with."""
        for stack in self._config.stacks:
            for environment, expected, role_value in (
                (deploy_environment(stack), DEPLOY_ENVIRONMENT_VARIABLES, deploy_role_arns[stack]),
                (drift_environment(stack), DRIFT_ENVIRONMENT_VARIABLES, read_only_role_arn),
            ):
                values: dict[str, pulumi.Input[str]] = {
                    "AWS_REGION": region, "PULUMI_BACKEND_URL": backend_url, expected[-1]: role_value}
                for variable_name in expected:
                    self._parent.child("variable", github.ActionsEnvironmentVariable,
                                       f"{self._name}-{environment}-{variable_name.lower()}", {
                                           "repository": self._repository,
                                           "environment": self._created[environment].environment,
                                           "variable_name": variable_name,
                                           "value": values[variable_name],
                                       }, provider=self._provider)


def role_arn(partition: str, account_id: str, name: str) -> str:
    return f"arn:{partition}:iam::{account_id}:role/{name}"


@dataclass(frozen=True, kw_only=True)
class StateNames:
    """What the policies name: the account, the state bucket and the state key's alias (all known offline)."""

    alias: str
    region: str
    partition: str = "aws"
    account_id: str = ""
    bucket_name: str = ""

    def with_account(self, account_id: str, bucket_name: str) -> StateNames:
        return StateNames(alias=self.alias, region=self.region, partition=self.partition, account_id=account_id,
                          bucket_name=bucket_name)

    @property
    def iam(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}"

    @property
    def bucket_arn(self) -> str:
        return f"arn:{self.partition}:s3:::{self.bucket_name}"

    @property
    def keys(self) -> str:
        return f"arn:{self.partition}:kms:{self.region}:{self.account_id}:key/*"

    @property
    def alias_arn(self) -> str:
        return f"arn:{self.partition}:kms:{self.region}:{self.account_id}:alias/{self.alias}"

    @property
    def boundary_arn(self) -> str:
        return permissions_boundary_arn(self.partition, self.account_id)

    @property
    def bootstrap_own(self) -> list[str]:
        """The bootstrap's roles, its OIDC provider and the boundary: nobody but the administrator changes them."""
        return [f"{self.iam}:role/{BOOTSTRAP_ROLE_PATTERN}",
                oidc_provider_arn(partition=self.partition, account_id=self.account_id),
                self.boundary_arn]

    def state_key_condition(self) -> dict[str, object]:
        """Matches the state key whatever its id: IAM evaluates kms:ResourceAliases for key resource operations
        (AWS KMS Developer Guide, "kms:ResourceAliases"); the alias itself is guarded by the alias statements."""
        return {"ForAnyValue:StringEquals": {"kms:ResourceAliases": f"alias/{self.alias}"}}


def _doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def state_access_policy(*, bucket_arn: str, key_arn: str, write: bool) -> str:
    """The state objects and the key: read (preview) or read/write (up; lock objects under .pulumi/locks/)."""
    object_actions = ["s3:GetObject", "s3:GetObjectVersion"]
    key_actions = ["kms:Decrypt", "kms:DescribeKey"]
    if write:
        object_actions += ["s3:PutObject", "s3:DeleteObject"]
        key_actions += ["kms:Encrypt", "kms:GenerateDataKey"]
    return _doc(
        {"Sid": "ListTheStateBucket", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
         "Resource": bucket_arn},
        {"Sid": "StateObjects", "Effect": "Allow", "Action": object_actions, "Resource": f"{bucket_arn}/*"},
        {"Sid": "StateAndSecretsKey", "Effect": "Allow", "Action": key_actions, "Resource": key_arn},
    )


def deploy_iam_policy(names: StateNames, *, stack: str) -> str:
    """IAM for one stack's deploy role: its own prefixed roles and policies, roles only with the boundary.

    Condition keys IAM evaluates per action (Service Authorization Reference, "Actions, resources, and condition
    keys for AWS Identity and Access Management"): `iam:PermissionsBoundary` for CreateRole, PutRolePolicy,
    DeleteRolePolicy, AttachRolePolicy, DetachRolePolicy, PutRolePermissionsBoundary, DeleteRolePermissionsBoundary,
    UpdateAssumeRolePolicy (the role's boundary; for PutRolePermissionsBoundary the one being set); `iam:PolicyARN`
    for Attach/DetachRolePolicy; `aws:TagKeys` and `aws:RequestTag/*` for CreateRole, CreatePolicy and Tag*;
    `aws:TagKeys` for Untag*. The policy actions (CreatePolicyVersion & co.) carry no boundary key: boundaries bind
    roles, not policies, so a policy is confined by its name prefix and tags, and binds only bounded roles.
    """
    iam, boundary = names.iam, names.boundary_arn
    prefix = resource_prefix(stack)
    roles, policies = f"{iam}:role/{prefix}*", f"{iam}:policy/{prefix}*"
    own = {f"aws:ResourceTag/{PROJECT_TAG}": PROJECT, f"aws:ResourceTag/{STACK_TAG}": stack}
    request = {f"aws:RequestTag/{PROJECT_TAG}": PROJECT, f"aws:RequestTag/{STACK_TAG}": stack}
    attachable = [f"arn:{names.partition}:iam::aws:policy/{p}" for p in ATTACHABLE_AWS_MANAGED_POLICIES]
    return _doc(
        {"Sid": "ReadIam", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"],
         "Resource": [f"{iam}:*", f"arn:{names.partition}:iam::aws:policy/*"]},
        {"Sid": "ListIam", "Effect": "Allow", "Action": ["iam:ListRoles", "iam:ListPolicies"], "Resource": "*"},
        {"Sid": "CreateRolesUnderThePrefixWithTheBoundary", "Effect": "Allow", "Action": "iam:CreateRole",
         "Resource": roles, "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary, **request}}},
        {"Sid": "ChangeRolesOnlyWithTheBoundary", "Effect": "Allow",
         "Action": ["iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
                    "iam:DetachRolePolicy", "iam:UpdateAssumeRolePolicy"],
         "Resource": roles, "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary}}},
        {"Sid": "AttachOnlyTheAllowlistedPolicies", "Effect": "Allow", "Action": "iam:AttachRolePolicy",
         "Resource": roles, "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary},
                                          "ArnLike": {"iam:PolicyARN": [*attachable, policies]}}},
        {"Sid": "DescribeAndDeleteRolesUnderThePrefix", "Effect": "Allow",
         "Action": ["iam:UpdateRole", "iam:UpdateRoleDescription", "iam:DeleteRole"], "Resource": roles},
        {"Sid": "MigrateTheStacksRolesThatPredateTheBoundary", "Effect": "Allow",
         "Action": "iam:UpdateAssumeRolePolicy", "Resource": roles,
         "Condition": {"Null": {"iam:PermissionsBoundary": "true"}, "StringEquals": own}},
        {"Sid": "DeleteTheStacksRolesThatPredateThePrefix", "Effect": "Allow",
         "Action": ["iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy"],
         # Only the four roles Pulumi auto-named before the prefix (`<resource name>-<random suffix>`).
         "Resource": [f"{iam}:role/{old}-*" for old in PREDATING_AUTO_NAMED_ROLES],
         "Condition": {"StringEquals": own}},
        {"Sid": "CreatePoliciesUnderThePrefix", "Effect": "Allow", "Action": "iam:CreatePolicy", "Resource": policies,
         "Condition": {"StringEquals": request}},
        {"Sid": "ManageTheStacksPolicies", "Effect": "Allow",
         "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
                    "iam:DeletePolicy"],
         "Resource": policies, "Condition": {"StringEquals": own}},
        {"Sid": "TagAtCreation", "Effect": "Allow", "Action": ["iam:TagRole", "iam:TagPolicy"],
         "Resource": [roles, policies],
         "Condition": {"StringEquals": request, "Null": {f"aws:ResourceTag/{PROJECT_TAG}": "true"}}},
        {"Sid": "TagOnlyTheStacksOwn", "Effect": "Allow", "Action": ["iam:TagRole", "iam:TagPolicy"],
         "Resource": [roles, policies],
         "Condition": {"StringEquals": own, "StringEqualsIfExists": request}},
        {"Sid": "UntagOnlyTheStacksOwn", "Effect": "Allow", "Action": ["iam:UntagRole", "iam:UntagPolicy"],
         "Resource": [roles, policies], "Condition": {"StringEquals": own}},
        {"Sid": "PassPrefixedRolesToTheirServices", "Effect": "Allow", "Action": "iam:PassRole", "Resource": roles,
         "Condition": {"StringEquals": {"iam:PassedToService": list(PASSED_TO_SERVICES)}}},
        {"Sid": "ServiceLinkedRoles", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
         "Resource": f"{iam}:role/aws-service-role/*",
         "Condition": {"StringEquals": {"iam:AWSServiceName": list(SERVICE_LINKED)}}},
        # `role/<prefix>*` also matches `role/<prefix>x/<any name>`: a path would let a stack squat another name.
        {"Sid": "NoPathsUnderThePrefix", "Effect": "Deny", "Action": ["iam:CreateRole", "iam:CreatePolicy"],
         "Resource": [f"{iam}:role/*/*", f"{iam}:policy/*/*"]},
        # PowerUserAccess reaches the account's own guards; the platform's stacks never touch them.
        {"Sid": "NeverTheAccountsGuards", "Effect": "Deny",
         "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail",
                    "cloudtrail:PutEventSelectors", "guardduty:Delete*", "guardduty:Disassociate*",
                    "guardduty:UpdateDetector", "config:StopConfigurationRecorder", "config:Delete*",
                    "access-analyzer:DeleteAnalyzer", "securityhub:Disable*", "securityhub:Delete*", "sso:*",
                    "sso-directory:*", "identitystore:*", "iam:DeleteServiceLinkedRole"],
         "Resource": "*"},
        # A disabled or deleted key silences every alert it encrypts (the alert topic's key) and makes its data
        # unreadable: the stacks never disable a key, and delete or re-policy only their own (the stack tag).
        {"Sid": "NeverDisableAKey", "Effect": "Deny", "Action": "kms:DisableKey", "Resource": "*"},
        {"Sid": "NeverAnotherStacksKey", "Effect": "Deny",
         "Action": ["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKeyRotation"],
         "Resource": f"arn:{names.partition}:kms:*:{names.account_id}:key/*",
         "Condition": {"StringNotEquals": {f"aws:ResourceTag/{STACK_TAG}": stack}}},
        {"Sid": "NeverRemoveTheBoundary", "Effect": "Deny", "Action": "iam:DeleteRolePermissionsBoundary",
         "Resource": "*"},
        {"Sid": "NeverAnotherBoundary", "Effect": "Deny", "Action": "iam:PutRolePermissionsBoundary",
         "Resource": "*", "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": boundary}}},
        {"Sid": "NeverRemoveTheProjectTags", "Effect": "Deny", "Action": ["iam:UntagRole", "iam:UntagPolicy"],
         "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": [PROJECT_TAG, STACK_TAG]}}},
        {"Sid": "NeverChangeTheProjectTag", "Effect": "Deny", "Action": ["iam:TagRole", "iam:TagPolicy"],
         "Resource": "*", "Condition": {"Null": {f"aws:RequestTag/{PROJECT_TAG}": "false"},
                                        "StringNotEquals": {f"aws:RequestTag/{PROJECT_TAG}": PROJECT}}},
        {"Sid": "NeverChangeTheStackTag", "Effect": "Deny", "Action": ["iam:TagRole", "iam:TagPolicy"],
         "Resource": "*", "Condition": {"Null": {f"aws:RequestTag/{STACK_TAG}": "false"},
                                        "StringNotEquals": {f"aws:RequestTag/{STACK_TAG}": stack}}},
        {"Sid": "NeverTheBootstrapsOwn", "Effect": "Deny", "Action": "iam:*", "Resource": names.bootstrap_own},
        {"Sid": "NoRoleChaining", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"},
        {"Sid": "NeverTheStateBucketsGuards", "Effect": "Deny",
         "Action": ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
                    "s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock", "s3:DeleteBucket",
                    "s3:PutLifecycleConfiguration", "s3:PutBucketOwnershipControls", "s3:DeleteObjectVersion",
                    "s3:PutBucketObjectLockConfiguration", "s3:PutObjectRetention", "s3:PutObjectLegalHold",
                    "s3:PutBucketNotification", "s3:PutInventoryConfiguration", "s3:PutReplicationConfiguration",
                    "s3:PutBucketLogging"],
         "Resource": [names.bucket_arn, f"{names.bucket_arn}/*"]},
        {"Sid": "NeverTheStateKey", "Effect": "Deny",
         "Action": ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:CreateGrant",
                    "kms:DisableKeyRotation"],
         "Resource": names.keys, "Condition": names.state_key_condition()},
        {"Sid": "NeverTheStateKeysAlias", "Effect": "Deny", "Action": ["kms:CreateAlias", "kms:UpdateAlias",
                                                                        "kms:DeleteAlias"],
         "Resource": names.alias_arn},
    )


#: The main stacks' roles that Pulumi auto-named before every role was named under the stack's prefix: the
#: deploy role may delete them (and only them) when the upgrade replaces them.
PREDATING_AUTO_NAMED_ROLES = ("network-flow-logs", "postgres-monitoring", "postgres-proxy", "postgres-bootstrap")


def boundary_policy(names: StateNames) -> str:
    """The permissions boundary of every role the stacks create: what those roles do (BOUNDARY_ACTIONS), never
    IAM, role chaining, the state bucket, the state key (or its alias), nor the bootstrap's own roles."""
    return _doc(
        {"Sid": "WhatThePlatformsRolesDo", "Effect": "Allow", "Action": list(BOUNDARY_ACTIONS), "Resource": "*"},
        {"Sid": "TheServicesTheyRunInThisAccount", "Effect": "Allow",
         "Action": [f"{service}:*" for service in BOUNDARY_ACCOUNT_SERVICES],
         "Resource": [f"arn:{names.partition}:{service}:*:{names.account_id}:*"
                      for service in BOUNDARY_ACCOUNT_SERVICES]},
        {"Sid": "DataKeysOfTheAccountsKeys", "Effect": "Allow", "Action": list(BOUNDARY_KEY_ACTIONS),
         "Resource": f"arn:{names.partition}:kms:*:{names.account_id}:key/*"},
        {"Sid": "NoIamAndNoRoleChaining", "Effect": "Deny",
         "Action": ["iam:*", "sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML",
                    "organizations:*", "account:*"],
         "Resource": "*"},
        {"Sid": "NeverTheStateBucket", "Effect": "Deny", "Action": "s3:*",
         "Resource": [names.bucket_arn, f"{names.bucket_arn}/*"]},
        {"Sid": "NeverTheStateKey", "Effect": "Deny", "Action": "kms:*", "Resource": names.keys,
         "Condition": names.state_key_condition()},
        {"Sid": "NeverTheStateKeysAlias", "Effect": "Deny", "Action": "kms:*", "Resource": names.alias_arn},
    )


def read_only_data_deny(*, bucket_arn: str, key_arn: str) -> str:
    """ReadOnlyAccess reads data too (objects, secrets, parameters, queue messages): deny all of it but the state."""
    return _doc(
        {"Sid": "NoObjectsButTheState", "Effect": "Deny", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
         "NotResource": f"{bucket_arn}/*"},
        {"Sid": "NoSecretsOrData", "Effect": "Deny",
         "Action": ["secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters",
                    "ssm:GetParametersByPath", "sqs:ReceiveMessage", "dynamodb:GetItem", "dynamodb:Query",
                    "dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:PartiQLSelect", "logs:GetLogEvents",
                    "logs:FilterLogEvents", "logs:StartQuery", "logs:GetQueryResults", "logs:StartLiveTail",
                    "rds:DownloadDBLogFilePortion", "rds:DownloadCompleteDBLogFile", "ssm:GetParameterHistory",
                    "ec2:GetConsoleOutput", "ec2:GetConsoleScreenshot", "rds-db:connect"],
         "Resource": "*"},
        {"Sid": "NoDecryptButTheStateKey", "Effect": "Deny", "Action": "kms:Decrypt", "NotResource": key_arn},
    )


def state_bucket_policy(*, bucket_arn: str, admin_arn: str, deploy_arns: Sequence[str], read_only_arn: str) -> str:
    """TLS 1.2+ only; nobody but the administrator and the roles; the read-only role never writes; nobody but the
    administrator deletes an object version (the state's history: PowerUserAccess would allow it)."""
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return _doc(
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": resources, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "DenyOldTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": resources,
         "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}},
        {"Sid": "DenyEveryoneElse", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": resources,
         "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [admin_arn, *deploy_arns, read_only_arn]}}},
        {"Sid": "ReadOnlyNeverWrites", "Effect": "Deny", "Principal": {"AWS": read_only_arn},
         "Action": ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl"],
         "Resource": f"{bucket_arn}/*"},
        {"Sid": "OnlyTheAdministratorDeletesHistory", "Effect": "Deny", "Principal": "*",
         "Action": ["s3:DeleteObjectVersion", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration",
                    "s3:PutBucketObjectLockConfiguration", "s3:PutObjectRetention", "s3:PutObjectLegalHold",
                    "s3:PutBucketNotification", "s3:PutInventoryConfiguration", "s3:PutReplicationConfiguration",
                    "s3:PutBucketLogging"],
         "Resource": resources, "Condition": {"ArnNotEquals": {"aws:PrincipalArn": admin_arn}}},
    )
