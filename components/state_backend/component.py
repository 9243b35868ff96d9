"""TeamStateBackend: what exists once per account and what the main stacks' own state depends on.

* The GitHub OIDC provider (`https://token.actions.githubusercontent.com`, audience `sts.amazonaws.com`). No
  thumbprints: IAM verifies GitHub's certificate through its own trusted CAs for this provider, and pulumi-aws
  v7 makes `thumbprint_lists` optional (AWS IAM User Guide, "Create an OpenID Connect (OIDC) identity provider").
* The infrastructure deploy role: trusted only by jobs of this repository that declare `environment: prod` or
  `environment: preview` (the environments the main stacks create, with their reviewers and branch rules).
* The read-only role for previews and drift checks: trusted by those environments and by jobs on `main`
  without an environment (`repo:OWNER/REPO:ref:refs/heads/main`: scheduled drift checks; only reviewed code
  reaches main), and by same-repository pull requests only when `read_only_pull_requests` is set. Default off:
  a preview decrypts the stacks' secrets, and any writer could run a modified PR workflow; pull requests get
  the offline plan (`python -m ops plan --report`), which needs no credentials at all.
* The state bucket (versioned, SSE-KMS with the CMK, public access blocked, ACLs disabled, TLS 1.2+ only,
  noncurrent versions kept 90 days) whose policy denies every principal but the administrator and the two
  roles, and denies the read-only role every write. Pulumi's DIY backend locks a stack with a lock object
  under `.pulumi/locks/` for updates (up, refresh, destroy, import); a preview takes no lock
  (pulumi/pulumi#8973), so the read-only role needs none of the writes. The bucket is protected and retained.
* The CMK: it encrypts the bucket and is the stacks' secrets provider (`awskms://alias/<alias>`). The principals
  that read state are the ones that must decrypt its secrets, so a second key would separate nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.github_oidc import (
    GITHUB_OIDC_URL,
    STS_AUDIENCE,
    environment_subject,
    github_trust_policy,
    oidc_provider_arn,
    pull_request_subject,
)
from components.aws.kms import CustomerManagedKeyTransforms, customer_managed_key
from components.aws.partition import aws_partition
from components.base import ChildTransform, PlatformComponent
from components.state_backend.config import BootstrapConfig

DEPLOY_ROLE_NAME = "platform-infra-deploy"
READ_ONLY_ROLE_NAME = "platform-infra-readonly"
# Environments the main stacks own (components/github): the deploy role's only subjects.
DEPLOY_ENVIRONMENTS = ("preview", "prod")
# `pulumi up` of a Multi-AZ database can outlast an hour; configure-aws-credentials asks for this duration.
DEPLOY_SESSION_SECONDS = 2 * 3600
# Services the main stacks hand roles to (iam:PassRole) and create service-linked roles for.
PASSED_TO_SERVICES = ("rds.amazonaws.com", "monitoring.rds.amazonaws.com", "lambda.amazonaws.com",
                      "chatbot.amazonaws.com", "vpc-flow-logs.amazonaws.com", "backup.amazonaws.com",
                      "scheduler.amazonaws.com", "events.amazonaws.com")
SERVICE_LINKED = ("rds.amazonaws.com", "elasticache.amazonaws.com", "backup.amazonaws.com")
# The tag the main stacks' resources carry (StackConfig.tags): the deploy role manages only IAM so tagged.
PLATFORM_TAG = ("pulumi-project", "platform")


def read_only_subjects(repository: str, *, pull_requests: bool) -> list[str]:
    subjects = [environment_subject(repository, e) for e in DEPLOY_ENVIRONMENTS]
    subjects.append(f"repo:{repository}:ref:refs/heads/main")
    if pull_requests:
        subjects.append(pull_request_subject(repository))
    return subjects


def deploy_subjects(repository: str) -> list[str]:
    return [environment_subject(repository, e) for e in DEPLOY_ENVIRONMENTS]


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
    bucket: ChildTransform
    bucket_setting: ChildTransform
    bucket_policy: ChildTransform


class TeamStateBackend(PlatformComponent):
    Transforms = TeamStateBackendTransforms

    backend_url: pulumi.Output[str]
    secrets_provider: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]
    read_only_role_arn: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]

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
        # at preview and the pack can check them), with the roles waiting for the provider itself.
        provider_arn = account_id.apply(lambda account: oidc_provider_arn(partition=partition, account_id=account))
        bucket_name = (pulumi.Output.from_input(config.state_bucket_name) if config.state_bucket_name
                       else account_id.apply(lambda account: f"platform-pulumi-state-{account}-{region}"))
        bucket = self.child("bucket", aws.s3.Bucket, f"{name}-state", {
            "bucket": bucket_name,
            "force_destroy": False,
            "tags": tags,
        }, **keep)

        deploy = self.child("role", aws.iam.Role, f"{name}-deploy", {
            "name": DEPLOY_ROLE_NAME,
            "description": f"pulumi up of the platform stacks, from {config.repository}'s prod/preview environments",
            "assume_role_policy": provider_arn.apply(lambda arn: github_trust_policy(
                provider_arn=arn, subjects=deploy_subjects(config.repository))),
            "max_session_duration": DEPLOY_SESSION_SECONDS,
            "tags": tags,
        }, depends_on=[provider])
        read_only = self.child("role", aws.iam.Role, f"{name}-readonly", {
            "name": READ_ONLY_ROLE_NAME,
            "description": f"pulumi preview and drift checks of the platform stacks, from {config.repository}",
            "assume_role_policy": provider_arn.apply(lambda arn: github_trust_policy(
                provider_arn=arn, subjects=read_only_subjects(config.repository,
                                                              pull_requests=config.read_only_pull_requests))),
            "max_session_duration": 3600,
            "tags": tags,
        }, depends_on=[provider])

        self.child("role_policy", aws.iam.RolePolicy, f"{name}-deploy-state", {
            "role": deploy.id,
            "policy": pulumi.Output.all(bucket.arn, key.arn).apply(
                lambda v: state_access_policy(bucket_arn=v[0], key_arn=v[1], write=True)),
        })
        self.child("role_policy", aws.iam.RolePolicy, f"{name}-readonly-state", {
            "role": read_only.id,
            "policy": pulumi.Output.all(bucket.arn, key.arn).apply(
                lambda v: state_access_policy(bucket_arn=v[0], key_arn=v[1], write=False)),
        })
        # What the main stacks create, without IAM (PowerUserAccess), plus IAM limited to the platform's own
        # tagged roles and policies (deploy_iam_policy); the bootstrap's roles, bucket policy and key are denied.
        self.child("role_policy_attachment", aws.iam.RolePolicyAttachment, f"{name}-deploy-poweruser", {
            "role": deploy.name,
            "policy_arn": f"arn:{partition}:iam::aws:policy/PowerUserAccess",
        })
        self.child("role_policy", aws.iam.RolePolicy, f"{name}-deploy-iam", {
            "role": deploy.id,
            "policy": pulumi.Output.all(account_id, bucket.arn, key.arn, provider.arn).apply(
                lambda v: deploy_iam_policy(partition=partition, account_id=v[0], bucket_arn=v[1], key_arn=v[2],
                                            oidc_provider_arn=v[3])),
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
            "policy": pulumi.Output.all(bucket.arn, deploy.arn, read_only.arn).apply(
                lambda v: state_bucket_policy(bucket_arn=v[0], admin_arn=config.admin_principal_arn,
                                              deploy_arn=v[1], read_only_arn=v[2])),
        }, depends_on=[public_access])

        self.backend_url = pulumi.Output.concat("s3://", bucket.bucket, "?region=", region)
        self.secrets_provider = pulumi.Output.from_input(
            f"awskms://alias/{config.secrets_key_alias}?region={region}")
        self.deploy_role_arn = deploy.arn
        self.read_only_role_arn = read_only.arn
        self.oidc_provider_arn = provider.arn
        self.register_outputs({"backend_url": self.backend_url, "secrets_provider": self.secrets_provider,
                               "deploy_role_arn": self.deploy_role_arn, "read_only_role_arn": self.read_only_role_arn,
                               "oidc_provider_arn": self.oidc_provider_arn})


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


def deploy_iam_policy(*, partition: str, account_id: str, bucket_arn: str, key_arn: str,
                      oidc_provider_arn: str) -> str:
    """IAM for the platform's own tagged roles and policies only; nothing of the bootstrap's."""
    tag, value = PLATFORM_TAG
    iam = f"arn:{partition}:iam::{account_id}"
    return _doc(
        {"Sid": "ReadIam", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
        {"Sid": "CreateTaggedRolesAndPolicies", "Effect": "Allow",
         "Action": ["iam:CreateRole", "iam:CreatePolicy", "iam:TagRole", "iam:TagPolicy"],
         "Resource": [f"{iam}:role/*", f"{iam}:policy/*"],
         "Condition": {"StringEquals": {f"aws:RequestTag/{tag}": value}}},
        {"Sid": "ManageTaggedRolesAndPolicies", "Effect": "Allow",
         "Action": ["iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
                    "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
                    "iam:UntagRole", "iam:DeletePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion",
                    "iam:SetDefaultPolicyVersion", "iam:UntagPolicy"],
         "Resource": [f"{iam}:role/*", f"{iam}:policy/*"],
         "Condition": {"StringEquals": {f"iam:ResourceTag/{tag}": value}}},
        {"Sid": "PassTaggedRolesToTheirServices", "Effect": "Allow", "Action": "iam:PassRole",
         "Resource": f"{iam}:role/*",
         "Condition": {"StringEquals": {f"iam:ResourceTag/{tag}": value,
                                        "iam:PassedToService": list(PASSED_TO_SERVICES)}}},
        {"Sid": "ServiceLinkedRoles", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
         "Resource": f"{iam}:role/aws-service-role/*",
         "Condition": {"StringEquals": {"iam:AWSServiceName": list(SERVICE_LINKED)}}},
        {"Sid": "NeverTheBootstrapsOwn", "Effect": "Deny", "Action": ["iam:*"],
         "Resource": [f"{iam}:role/{DEPLOY_ROLE_NAME}", f"{iam}:role/{READ_ONLY_ROLE_NAME}", oidc_provider_arn]},
        {"Sid": "NeverTheStateBucketsGuards", "Effect": "Deny",
         "Action": ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
                    "s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock", "s3:DeleteBucket",
                    "s3:PutLifecycleConfiguration"],
         "Resource": bucket_arn},
        {"Sid": "NeverTheStateKey", "Effect": "Deny",
         "Action": ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:CreateGrant"],
         "Resource": key_arn},
    )


def read_only_data_deny(*, bucket_arn: str, key_arn: str) -> str:
    """ReadOnlyAccess reads data too (objects, secrets, parameters, queue messages): deny all of it but the state."""
    return _doc(
        {"Sid": "NoObjectsButTheState", "Effect": "Deny", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
         "NotResource": f"{bucket_arn}/*"},
        {"Sid": "NoSecretsOrData", "Effect": "Deny",
         "Action": ["secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters",
                    "ssm:GetParametersByPath", "sqs:ReceiveMessage", "dynamodb:GetItem", "dynamodb:Query",
                    "dynamodb:Scan", "logs:GetLogEvents", "logs:FilterLogEvents", "rds-db:connect"],
         "Resource": "*"},
        {"Sid": "NoDecryptButTheStateKey", "Effect": "Deny", "Action": "kms:Decrypt", "NotResource": key_arn},
    )


def state_bucket_policy(*, bucket_arn: str, admin_arn: str, deploy_arn: str, read_only_arn: str) -> str:
    """TLS 1.2+ only; nobody but the administrator and the two roles; the read-only role never writes."""
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return _doc(
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": resources, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "DenyOldTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": resources,
         "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}},
        {"Sid": "DenyEveryoneElse", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": resources,
         "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [admin_arn, deploy_arn, read_only_arn]}}},
        {"Sid": "ReadOnlyNeverWrites", "Effect": "Deny", "Principal": {"AWS": read_only_arn},
         "Action": ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl"],
         "Resource": f"{bucket_arn}/*"},
    )
