"""BackupBucket: the S3 bucket the app's logical dumps go to, and the two roles that may touch it.

* The bucket: versioned, SSE-KMS with its own CMK and S3 Bucket Keys, all four public-access blocks, ACLs
  disabled (`BucketOwnerEnforced`), a bucket policy that refuses plain HTTP, TLS below 1.2 and uploads under
  another encryption, server access logs to a log bucket, and lifecycle rules per prefix (`daily/`, `weekly/`,
  `monthly/`) with the retentions and tiers of `platform:backup_storage`. Optional Object Lock (compliance
  mode, prod).
* The writer role the app's backup job assumes on its compute (Lambda / ECS tasks of this account): it may
  only create new objects under the backup prefixes (`s3:PutObject` with `If-None-Match: *`, or a multipart
  upload completed with it), and use the key as PutObject with SSE-KMS needs. It can neither read, overwrite nor
  delete, and the bucket policy denies it every other S3 action. The bucket policy also denies every principal an
  object creation without `If-None-Match` (S3 User Guide, "Enforce conditional writes on Amazon S3 buckets"), so
  nobody overwrites a dump; and every tier keeps an overwritten or deleted dump's old version at least as long as
  the tier keeps its dumps (`noncurrent_days`, `noncurrent_retention_days`).
* The off-site copy role a GitHub Actions job assumes through the account's GitHub OIDC provider (one
  repository, one environment): it may only list and read the backup prefixes. The job writes the dumps to
  Azure (components/backup_storage/azure.py); it runs outside the VPC and never touches the database.

Bucket ARNs are built from the bucket's name (known at preview, since the account id comes from an invoke),
so the bucket policy and the S3 statements of the role policies are known to the policy pack at preview.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.alerting.alarms import heartbeat_namespace
from components.aws.github_oidc import environment_subject
from components.aws.kms import CustomerManagedKeyTransforms, customer_managed_key
from components.aws.partition import aws_partition, dns_suffix
from components.aws.role_boundary import boundary_arn
from components.backup_storage.config import BackupStorageConfig
from components.base import ChildTransform, PlatformComponent
from components.naming import IAM_ROLE, KMS_ALIAS, S3_BUCKET, physical_name
from components.stack import StackConfig

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com"
ACCESS_LOG_PREFIX = "s3-access-logs/"
# PutObject with SSE-KMS: GenerateDataKey for the object's data key, Decrypt as well for multipart uploads
# (S3 completes them by decrypting the data key; S3 User Guide, "Using server-side encryption with AWS KMS
# keys", permissions). Large dumps are always multipart with the AWS CLI and SDKs.
WRITER_KMS_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"]
WRITER_S3_ACTIONS = ["s3:PutObject"]

COPY_S3_ACTIONS = ["s3:GetObject"]


@dataclass(frozen=True, kw_only=True)
class BackupBucketArgs:
    config: BackupStorageConfig
    name_prefix: str
    #: The copy job's GitHub environment (`backup-copy-<stack>` by default): the copy role trusts only it.
    copy_environment: str
    region: str
    tags: dict[str, str]
    #: The environment's alert topic and its key: the copy job reports a failure there (None: no reporting; the
    #: heartbeat alarm is the alerting concern's, components/alerting/alarms.py).
    alert_topic_arn: pulumi.Input[str] | None = None
    alert_key_arn: pulumi.Input[str] | None = None

    @classmethod
    def from_stack(
        cls, stack: StackConfig, *, alert_topic_arn: pulumi.Input[str] | None = None,
        alert_key_arn: pulumi.Input[str] | None = None,
    ) -> BackupBucketArgs:
        return cls(
            config=stack.backup_storage,
            name_prefix=stack.name_prefix,
            copy_environment=stack.backup_storage.copy_environment(stack.stack),
            region=stack.aws_region,
            tags=stack.tags("backup-storage"),
            alert_topic_arn=alert_topic_arn,
            alert_key_arn=alert_key_arn,
        )


class BackupBucketTransforms(CustomerManagedKeyTransforms, total=False):
    """The children of `BackupBucket` a transform may adjust."""

    bucket: ChildTransform
    versioning: ChildTransform
    encryption: ChildTransform
    public_access_block: ChildTransform
    ownership_controls: ChildTransform
    bucket_policy: ChildTransform
    lifecycle: ChildTransform
    object_lock: ChildTransform
    logging: ChildTransform
    log_bucket: ChildTransform
    role: ChildTransform
    role_policy: ChildTransform


def lifecycle_rules(config: BackupStorageConfig) -> list[dict[str, Any]]:
    """One rule per prefix (expiry, noncurrent-version expiry, the transition that pays), and one rule for the
    whole bucket that removes expired delete markers and aborts stale multipart uploads. S3 refuses
    `expired_object_delete_marker` together with `days` in one expiration, hence the separate rule."""
    rules: list[dict[str, Any]] = []
    for name, tier in config.tiers().items():
        rule: dict[str, Any] = {
            "id": f"{name}-dumps",
            "status": "Enabled",
            "filter": {"prefix": f"{name}/"},
            "expiration": {"days": tier.retention_days},
            "noncurrent_version_expiration": {"noncurrent_days": config.noncurrent_days(name)},
        }
        if tier.s3_storage_class is not None:
            rule["transitions"] = [{"days": tier.s3_transition_days, "storage_class": tier.s3_storage_class}]
        rules.append(rule)
    rules.append({
        "id": "housekeeping",
        "status": "Enabled",
        "filter": {"prefix": ""},
        "expiration": {"expired_object_delete_marker": True},
        "abort_incomplete_multipart_upload": {"days_after_initiation": config.abort_incomplete_multipart_days},
    })
    return rules


def tls_only_statements(bucket_arn: str) -> list[dict[str, Any]]:
    """Deny every request over plain HTTP and every request over TLS older than 1.2 (FSBP S3.5)."""
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyTlsOlderThan12",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
        },
    ]


# S3 User Guide, "Enforce conditional writes on Amazon S3 buckets"
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html): "For multipart uploads you
# must specify the s3:ObjectCreationOperation condition key to exempt the CreateMultipartUpload, UploadPart, and
# UploadPartCopy operations, as these APIs don't accept conditional headers." All six operations are authorized as
# `s3:PutObject` (the Service Authorization Reference lists `s3:if-none-match`, `s3:if-match` and
# `s3:ObjectCreationOperation` on that action only); the key is "true" for PutObject, CopyObject and
# CompleteMultipartUpload, which create the object, and "false" for the three that only stage parts.
CONDITIONAL_WRITES_SOURCE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html"
IF_NONE_MATCH = "s3:if-none-match"
OBJECT_CREATION = "s3:ObjectCreationOperation"
#: Service Authorization Reference, Amazon S3: a condition key of s3:PutObject ("Filters access by storage class").
STORAGE_CLASS = "s3:x-amz-storage-class"


def backup_bucket_policy(bucket_arn: str, writer_role_arn: str) -> str:
    statements = tls_only_statements(bucket_arn)
    # An upload that asks for another encryption is refused; without the header the default encryption (the CMK)
    # applies. Not `StringNotEqualsIfExists`: in a Deny, "IfExists" makes an absent header match, so every upload
    # relying on the default would be refused ("Amazon S3 evaluates and applies bucket policies before applying
    # bucket encryption settings", S3 User Guide, "Setting default server-side encryption behavior").
    statements.append({
        "Sid": "DenyUploadsAskingForAnotherEncryption",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{bucket_arn}/*",
        "Condition": {
            "Null": {"s3:x-amz-server-side-encryption": "false"},
            "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
        },
    })
    statements.append({
        "Sid": "DenyCustomerProvidedKeys",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{bucket_arn}/*",
        "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}},
    })
    # A dump is written to S3 Standard and moved only by the lifecycle rules: an upload asking for another class
    # (GLACIER or DEEP_ARCHIVE: hours to read back during a restore, 90-180 days billed; ONEZONE_IA: one AZ) is
    # refused. The header is optional; without it the object is Standard ("x-amz-storage-class ... Default:
    # STANDARD", S3 API Reference, PutObject), hence the Null guard as above. Lifecycle transitions are S3's own
    # and not subject to this policy.
    statements.append({
        "Sid": "DenyUploadsAskingForAnotherStorageClass",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{bucket_arn}/*",
        "Condition": {
            "Null": {STORAGE_CLASS: "false"},
            "StringNotEquals": {STORAGE_CLASS: "STANDARD"},
        },
    })
    # Nobody overwrites a dump: a request that creates an object (PutObject, CopyObject, CompleteMultipartUpload)
    # must carry `If-None-Match: *`, which S3 answers with 412 Precondition Failed when the key exists. The three
    # multipart operations that only stage parts carry no conditional header and stay exempt (the page above,
    # example 2's form). Without this, a PutObject to an existing key turns the dump into a noncurrent version.
    statements.append({
        "Sid": "DenyObjectCreationWithoutIfNoneMatch",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{bucket_arn}/*",
        "Condition": {"Null": {IF_NONE_MATCH: "true"}, "Bool": {OBJECT_CREATION: "true"}},
    })
    # The writer creates dumps and does nothing else here, whatever its own policies say: no read, no delete (of
    # an object or a version), no change of the bucket's policy, lifecycle, versioning or locks.
    statements.append({
        "Sid": "TheWriterOnlyCreatesObjects",
        "Effect": "Deny",
        "Principal": "*",
        "NotAction": "s3:PutObject",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"ArnEquals": {"aws:PrincipalArn": writer_role_arn}},
    })
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def log_bucket_policy(log_bucket_arn: str, source_bucket_arn: str, account_id: str) -> str:
    """The logging service writes under the access-log prefix for the backup bucket only. With ACLs disabled
    (BucketOwnerEnforced) this bucket policy is the only grant it gets (S3 User Guide, "Permissions for log
    delivery")."""
    statements = tls_only_statements(log_bucket_arn)
    statements.append({
        "Sid": "S3ServerAccessLogsPolicy",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{log_bucket_arn}/{ACCESS_LOG_PREFIX}*",
        "Condition": {
            "ArnLike": {"aws:SourceArn": source_bucket_arn},
            "StringEquals": {"aws:SourceAccount": account_id},
        },
    })
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def writer_trust_policy(services: list[str], account_id: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "TheAppsComputeOfThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": sorted(services)},
            "Action": "sts:AssumeRole",
            # Confused-deputy guard: only this account's functions and tasks.
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }],
    })


def github_trust_policy(partition: str, account_id: str, subject: str) -> str:
    """Trust the account's GitHub OIDC provider for one repository and environment, audience STS only
    (GitHub docs, "Configuring OpenID Connect in Amazon Web Services"; CKV_AWS_358)."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "GitHubActionsOffsiteCopyJob",
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:{partition}:iam::{account_id}:oidc-provider/{GITHUB_OIDC_HOST}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                f"{GITHUB_OIDC_HOST}:aud": GITHUB_OIDC_AUDIENCE,
                f"{GITHUB_OIDC_HOST}:sub": subject,
            }},
        }],
    })


def prefix_objects(bucket_arn: str, prefixes: list[str]) -> list[str]:
    return [f"{bucket_arn}/{prefix}*" for prefix in prefixes]


def writer_s3_policy(bucket_arn: str, prefixes: list[str]) -> str:
    """Create new objects under the prefixes, nothing else: the conditional PutObject (and CompleteMultipartUpload)
    with `If-None-Match: *`, and the multipart steps that carry no conditional header (the S3 User Guide's
    "Enforce conditional writes", example 1, as an identity policy)."""
    resources = prefix_objects(bucket_arn, prefixes)
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CreateDumpsOnlyIfAbsent",
                "Effect": "Allow",
                "Action": WRITER_S3_ACTIONS,
                "Resource": resources,
                "Condition": {"StringEquals": {IF_NONE_MATCH: "*"}},
            },
            {
                "Sid": "StagePartsOfAMultipartDump",
                "Effect": "Allow",
                "Action": WRITER_S3_ACTIONS,
                "Resource": resources,
                "Condition": {"Bool": {OBJECT_CREATION: "false"}},
            },
        ],
    })


def copy_s3_policy(bucket_arn: str, prefixes: list[str]) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ListTheBackupPrefixes",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": bucket_arn,
                "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*" for prefix in prefixes]}},
            },
            {
                "Sid": "ReadDumpsUnderTheBackupPrefixes",
                "Effect": "Allow",
                "Action": COPY_S3_ACTIONS,
                "Resource": prefix_objects(bucket_arn, prefixes),
            },
        ],
    })


def key_use_policy(key_arn: str, actions: list[str], *, region: str, bucket_arn: str) -> str:
    """Use of the bucket's key only through S3, only for this bucket (its ARN is the encryption context of
    objects under an S3 Bucket Key; the object ARN without one)."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "UseTheBackupKeyThroughS3ForThisBucket",
            "Effect": "Allow",
            "Action": actions,
            "Resource": key_arn,
            "Condition": {
                "StringEquals": {"kms:ViaService": f"s3.{region}.{dns_suffix(region)}"},
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket_arn, f"{bucket_arn}/*"]},
            },
        }],
    })


class BackupBucket(PlatformComponent):
    """The S3 bucket for logical dumps, its access-log bucket, its CMK, and the writer and copy roles."""

    Transforms = BackupBucketTransforms

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    prefixes: pulumi.Output[list[str]]
    writer_role_arn: pulumi.Output[str]
    copy_role_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: BackupBucketArgs,
        *,
        transform: BackupBucketTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:data:BackupBucket", name, transform=transform, opts=opts)
        config, tags, region = args.config, args.tags, args.region
        partition = aws_partition(region)
        protect = config.protect
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        # Bucket names are global: the account id keeps two accounts' stacks of the same name apart.
        bucket_name = account_id.apply(lambda a: physical_name(args.name_prefix, f"backups-{a}", S3_BUCKET))
        log_bucket_name = account_id.apply(lambda a: physical_name(args.name_prefix, f"backup-logs-{a}", S3_BUCKET))
        bucket_arn = bucket_name.apply(lambda n: f"arn:{partition}:s3:::{n}")
        log_bucket_arn = log_bucket_name.apply(lambda n: f"arn:{partition}:s3:::{n}")
        prefixes = config.prefixes

        key = customer_managed_key(
            self, name, alias=physical_name(args.name_prefix, "backups", KMS_ALIAS),
            description=f"{args.name_prefix}: logical database dumps in S3",
            region=region, tags=tags, protect=protect,
            # No via_services grant: only principals an IAM policy names (the writer and copy roles) use it.
            # A preview bucket is force-destroyed with its dumps; only a kept bucket's key must outlive the stack.
            outlives_stack=not config.force_destroy,
        )

        # ---- the access-log bucket (SSE-S3: server access logging cannot write to an SSE-KMS bucket)
        log_bucket = self.child("log_bucket", aws.s3.Bucket, f"{name}-logs", {
            "bucket": log_bucket_name,
            "force_destroy": config.force_destroy,
            "tags": {**tags, "purpose": "s3-access-logs"},
        }, protect=protect)
        log_versioning, log_pab = self._secure_defaults(f"{name}-logs", log_bucket, sse={"sse_algorithm": "AES256"})
        self.child("lifecycle", aws.s3.BucketLifecycleConfiguration, f"{name}-logs-lifecycle", {
            "bucket": log_bucket.id,
            "rules": [{
                "id": "access-logs",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "expiration": {"days": config.access_log_retention_days},
                "noncurrent_version_expiration": {"noncurrent_days": 1},
                "abort_incomplete_multipart_upload": {"days_after_initiation": config.abort_incomplete_multipart_days},
            }],
        }, depends_on=[log_versioning])
        log_policy = self.child("bucket_policy", aws.s3.BucketPolicy, f"{name}-logs-policy", {
            "bucket": log_bucket.id,
            "policy": pulumi.Output.all(log_bucket_arn, bucket_arn, account_id).apply(
                lambda v: log_bucket_policy(v[0], v[1], v[2])
            ),
        }, depends_on=[log_pab])

        # ---- the backup bucket
        bucket_props: dict[str, Any] = {
            "bucket": bucket_name,
            "force_destroy": config.force_destroy,
            "tags": {**tags, "purpose": "database-dumps"},
        }
        if config.object_lock_days is not None:
            bucket_props["object_lock_enabled"] = True  # only at creation (S3 Object Lock)
        self.bucket = self.child("bucket", aws.s3.Bucket, f"{name}-bucket", bucket_props, protect=protect)
        versioning, pab = self._secure_defaults(
            name, self.bucket, sse={"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}, key=True,
        )
        writer_role_name = physical_name(args.name_prefix, "backup-writer", IAM_ROLE)
        # The writer's ARN from its (fixed) name, so the bucket policy is known at preview and has no cycle.
        writer_role_arn = account_id.apply(lambda a: f"arn:{partition}:iam::{a}:role/{writer_role_name}")
        self.child("bucket_policy", aws.s3.BucketPolicy, f"{name}-policy", {
            "bucket": self.bucket.id,
            "policy": pulumi.Output.all(bucket_arn, writer_role_arn).apply(lambda v: backup_bucket_policy(v[0], v[1])),
        }, depends_on=[pab])
        self.child("lifecycle", aws.s3.BucketLifecycleConfiguration, f"{name}-lifecycle", {
            "bucket": self.bucket.id,
            "rules": lifecycle_rules(config),
            # S3's default since 2024, stated: objects under 128 KB are never moved (they would bill 128 KB).
            "transition_default_minimum_object_size": "all_storage_classes_128K",
        }, depends_on=[versioning])
        if config.object_lock_days is not None:
            self.child("object_lock", aws.s3.BucketObjectLockConfiguration, f"{name}-object-lock", {
                "bucket": self.bucket.id,
                "object_lock_enabled": "Enabled",
                "rule": {"default_retention": {"mode": "COMPLIANCE", "days": config.object_lock_days}},
            }, depends_on=[versioning])
        self.child("logging", aws.s3.BucketLogging, f"{name}-logging", {
            "bucket": self.bucket.id,
            "target_bucket": log_bucket.id,
            "target_prefix": ACCESS_LOG_PREFIX,
            "target_object_key_format": {"partitioned_prefix": {"partition_date_source": "EventTime"}},
        }, depends_on=[log_policy])

        # ---- the writer role (the app's backup job) and the off-site copy role (GitHub Actions), each bounded
        # by the account's permissions boundary (components/aws/permissions_boundary.py)
        boundary = boundary_arn(account_id, region=region)
        writer = self._role(
            f"{name}-writer", writer_role_name,
            "Creates logical dumps under the backup prefixes; cannot read, overwrite or delete",
            account_id.apply(lambda a: writer_trust_policy(config.writer_trusted_services, a)),
            s3_policy=bucket_arn.apply(lambda arn: writer_s3_policy(arn, prefixes)),
            key_policy=pulumi.Output.all(key.arn, bucket_arn).apply(
                lambda v: key_use_policy(v[0], WRITER_KMS_ACTIONS, region=region, bucket_arn=v[1])
            ),
            boundary=boundary,
            tags=tags,
        )
        subject = environment_subject(config.github_repository, args.copy_environment)
        copier = self._role(
            f"{name}-offsite-copy", physical_name(args.name_prefix, "backup-offsite-copy", IAM_ROLE),
            f"Off-site copy job ({subject}): reads the backup prefixes only",
            account_id.apply(lambda a: github_trust_policy(partition, a, subject)),
            s3_policy=bucket_arn.apply(lambda arn: copy_s3_policy(arn, prefixes)),
            key_policy=pulumi.Output.all(key.arn, bucket_arn).apply(
                lambda v: key_use_policy(v[0], ["kms:Decrypt"], region=region, bucket_arn=v[1])
            ),
            boundary=boundary,
            tags=tags,
        )

        if args.alert_topic_arn is not None and args.alert_key_arn is not None:
            stack = args.tags["pulumi-stack"]
            # The copy job reports its own failure and a heartbeat (.github/workflows/offsite-copy.yml), as itself.
            self.child("role_policy", aws.iam.RolePolicy, f"{name}-offsite-copy-report", {
                "role": copier.id,
                "policy": pulumi.Output.all(args.alert_topic_arn, args.alert_key_arn).apply(
                    lambda v: copy_report_policy(topic_arn=v[0], key_arn=v[1], region=region, stack=stack)),
            })

        self.bucket_name = self.bucket.bucket
        self.bucket_arn = self.bucket.arn
        self.prefixes = pulumi.Output.from_input(prefixes)
        self.writer_role_arn = writer.arn
        self.copy_role_arn = copier.arn
        self.key_arn = key.arn
        self.register_outputs({
            "bucket_name": self.bucket_name,
            "bucket_arn": self.bucket_arn,
            "prefixes": self.prefixes,
            "writer_role_arn": self.writer_role_arn,
            "copy_role_arn": self.copy_role_arn,
            "key_arn": self.key_arn,
        })

    def _secure_defaults(
        self, name: str, bucket: aws.s3.Bucket, *, sse: dict[str, Any], key: bool = False
    ) -> tuple[aws.s3.BucketVersioning, aws.s3.BucketPublicAccessBlock]:
        """Versioning, default encryption, blocked public access and disabled ACLs: every bucket gets them."""
        versioning = self.child("versioning", aws.s3.BucketVersioning, f"{name}-versioning", {
            "bucket": bucket.id,
            "versioning_configuration": {"status": "Enabled"},
        })
        self.child("encryption", aws.s3.BucketServerSideEncryptionConfiguration, f"{name}-encryption", {
            "bucket": bucket.id,
            # Bucket keys: one KMS call per bucket-key period instead of one per object (S3 Bucket Keys).
            "rules": [{"apply_server_side_encryption_by_default": sse, "bucket_key_enabled": key}],
        })
        self.child("ownership_controls", aws.s3.BucketOwnershipControls, f"{name}-ownership", {
            "bucket": bucket.id,
            "rule": {"object_ownership": "BucketOwnerEnforced"},
        })
        pab = self.child("public_access_block", aws.s3.BucketPublicAccessBlock, f"{name}-public-access-block", {
            "bucket": bucket.id,
            "block_public_acls": True,
            "block_public_policy": True,
            "ignore_public_acls": True,
            "restrict_public_buckets": True,
        })
        return versioning, pab

    def _role(
        self,
        name: str,
        role_name: str,
        description: str,
        trust: pulumi.Input[str],
        *,
        s3_policy: pulumi.Input[str],
        key_policy: pulumi.Input[str],
        boundary: pulumi.Input[str],
        tags: dict[str, str],
    ) -> aws.iam.Role:
        role = self.child("role", aws.iam.Role, name, {
            "name": role_name,
            "description": description,
            "assume_role_policy": trust,
            "max_session_duration": 3600,
            "permissions_boundary": boundary,
            "tags": tags,
        })
        # Two inline policies: the S3 one is known at preview (the policy pack checks it then); the key's ARN
        # is an output of the key, so its statement is known only at `up`.
        self.child("role_policy", aws.iam.RolePolicy, f"{name}-s3", {"role": role.id, "policy": s3_policy})
        self.child("role_policy", aws.iam.RolePolicy, f"{name}-kms", {"role": role.id, "policy": key_policy})
        return role


def copy_report_policy(*, topic_arn: str, key_arn: str, region: str, stack: str) -> str:
    """What the copy job needs to report as itself: publish to the alert topic (SNS encrypts with the topic's key
    on the publisher's behalf, so the key use is allowed only through SNS) and put its heartbeat metric only, in its
    stack's own namespace."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReportToTheAlertTopic", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn},
        {"Sid": "TheTopicsKeyThroughSns", "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
         "Resource": key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": f"sns.{region}.{dns_suffix(region)}"}}},
        {"Sid": "HeartbeatMetricOnly", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
         "Condition": {"StringEquals": {"cloudwatch:namespace": heartbeat_namespace(stack)}}},
    ]})
