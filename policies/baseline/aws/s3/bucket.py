"""S3 buckets (`aws:s3/bucket:Bucket`) and the configuration resources pulumi-aws v7 splits them into.

A bucket's controls live on separate resources (`BucketPublicAccessBlock`, `BucketServerSideEncryptionConfiguration`,
`BucketPolicy`, `BucketVersioning`, `BucketLifecycleConfiguration`, `BucketOwnershipControls`), each naming the
bucket in its `bucket` input. The stack policies join them: a configuration resource belongs to a bucket when
its `bucket` has a property dependency on it (`bucket=b.id`, unknown during a preview) or a literal equal to the
bucket's known `bucket` / `id`. A bucket the stack does not declare cannot be checked here.

An unknown value (a flag or document computed from outputs) is not judged: the stack check treats it as set,
since it holds whatever its source produces, and the policies that read documents check them at `up`.
Server access logs can only be delivered to an SSE-S3 bucket (S3 User Guide, "Enabling Amazon S3 server access
logging": SSE-KMS default encryption of the target bucket is not supported), so a bucket that is a
`BucketLogging` target may use AES256 instead of a customer-managed key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity

from ...common import (
    MISSING,
    UNKNOWN,
    Family,
    StackIndex,
    as_bool,
    as_list,
    as_number,
    as_str,
    each_of,
    get,
    is_set,
    is_unknown,
    resource_policy,
    stack_policy,
)
from ...factories import flag_policy, protected_policy
from ...refs import ckv, fsbp, platform
from ..iam.documents import PolicyDocumentError, condition_values, denies, lowered, statements

BUCKET: Final = "aws:s3/bucket:Bucket"
BUCKET_ACL: Final = "aws:s3/bucketAcl:BucketAcl"
PUBLIC_ACCESS_BLOCK: Final = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ENCRYPTION: Final = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
BUCKET_POLICY: Final = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONING: Final = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE: Final = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
OWNERSHIP: Final = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LOGGING: Final = "aws:s3/bucketLogging:BucketLogging"
PUBLIC_ACCESS_FLAGS: Final = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PUBLIC_CANNED_ACLS: Final = frozenset({"public-read", "public-read-write", "authenticated-read"})
KMS_ALGORITHMS: Final = frozenset({"aws:kms", "aws:kms:dsse"})

_TAGS = ("aws", "s3")
_S3_GUIDE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide"
_about = Family("aws-s3-bucket", _TAGS).about



def attached(index: StackIndex, bucket: PolicyResource, type_: str) -> list[PolicyResource]:
    """The configuration resources of `type_` whose `bucket` is this bucket."""
    return [r for r in index.of_type(type_) if index.depends_on(r, "bucket", bucket, "bucket", "id")]


def _true(value: Any) -> bool:
    return as_bool(value, default=False) is not False  # unknown counts as set


# --------------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------------
def _public_access(index: StackIndex, bucket: PolicyResource) -> str | None:
    blocks = attached(index, bucket, PUBLIC_ACCESS_BLOCK)
    if not blocks:
        return "no aws.s3.BucketPublicAccessBlock names this bucket: an ACL or policy can make its objects public."
    for block in blocks:
        off = [flag for flag in PUBLIC_ACCESS_FLAGS if not _true(get(block.props, flag))]
        if not off:
            return None
    return f"its BucketPublicAccessBlock leaves {', '.join(off)} off: all four flags must be true."


def _is_log_target(index: StackIndex, bucket: PolicyResource) -> bool:
    return any(index.depends_on(log, "targetBucket", bucket, "bucket", "id") for log in index.of_type(LOGGING))


def _encryption(index: StackIndex, bucket: PolicyResource) -> str | None:
    configs = attached(index, bucket, ENCRYPTION)
    log_target = _is_log_target(index, bucket)
    if not configs:
        return "no aws.s3.BucketServerSideEncryptionConfiguration names this bucket: dumps are not encrypted with " \
            "a customer-managed key."
    for config in configs:
        rules = as_list(get(config.props, "rules"))
        if rules is UNKNOWN:
            return None
        for rule in rules or []:
            default = get(rule, "applyServerSideEncryptionByDefault")
            algorithm = as_str(get(default, "sseAlgorithm"))
            if algorithm is UNKNOWN:
                return None
            key = get(default, "kmsMasterKeyId")
            if algorithm in KMS_ALGORITHMS and is_set(key) and not _aws_managed(key):
                return None
            if log_target and algorithm == "AES256":
                return None  # the one encryption S3 server access logging can deliver to
    return "default encryption is not SSE-KMS with a customer-managed key (sseAlgorithm aws:kms and a CMK in " \
        "kmsMasterKeyId)."


def _aws_managed(key: Any) -> bool:
    return isinstance(key, str) and not is_unknown(key) and key.strip().endswith("alias/aws/s3")


def _bucket_policies(index: StackIndex, bucket: PolicyResource) -> list[Any]:
    documents = [d for p in attached(index, bucket, BUCKET_POLICY) if is_set(d := get(p.props, "policy"))]
    inline = get(bucket.props, "policy")  # the deprecated inline argument
    return [*documents, inline] if is_set(inline) else documents


def _secure_transport(index: StackIndex, bucket: PolicyResource) -> str | None:
    documents = _bucket_policies(index, bucket)
    if not documents:
        return "no bucket policy: requests over plain HTTP and TLS older than 1.2 are not refused."
    insecure = tls = False
    for document in documents:
        try:
            found = statements(document)
        except PolicyDocumentError:
            continue
        if found is None:
            return None  # computed from outputs: checked at `up`
        for statement in found:
            if not denies(statement) or not (lowered(statement, "Action") & {"s3:*", "*"}):
                continue
            secure = condition_values(statement, "Bool", "aws:SecureTransport")
            if any(str(v).strip().lower() == "false" for v in secure):
                insecure = True
            versions = [as_number(v) for v in condition_values(statement, "NumericLessThan", "s3:TlsVersion")]
            if any(isinstance(v, float) and v >= 1.2 for v in versions):
                tls = True
    missing = [text for text, ok in (("aws:SecureTransport = false", insecure), ("s3:TlsVersion < 1.2", tls))
               if not ok]
    if not missing:
        return None
    return f"the bucket policy does not deny s3:* for {' nor '.join(missing)}."


def _versioning(index: StackIndex, bucket: PolicyResource) -> str | None:
    for config in attached(index, bucket, VERSIONING):
        status = as_str(get(config.props, "versioningConfiguration", "status"))
        if status is UNKNOWN or status == "Enabled":
            return None
    if _true(get(bucket.props, "versioning", "enabled")):
        return None
    return "versioning is not enabled (an aws.s3.BucketVersioning with status Enabled): an overwritten or deleted " \
        "dump cannot be recovered."


def _enabled_rules(index: StackIndex, bucket: PolicyResource) -> list[Mapping[str, Any]] | None:
    """The enabled lifecycle rules of the bucket; None when some are unknown."""
    found: list[Mapping[str, Any]] = []
    for config in attached(index, bucket, LIFECYCLE):
        rules = as_list(get(config.props, "rules"))
        if rules is UNKNOWN:
            return None
        for rule in rules or []:
            status = as_str(get(rule, "status"))
            if status is UNKNOWN:
                return None
            if status == "Enabled" and isinstance(rule, Mapping):
                found.append(rule)
    return found


def _lifecycle(index: StackIndex, bucket: PolicyResource) -> str | None:
    rules = _enabled_rules(index, bucket)
    if rules is None or rules:
        return None
    return "no aws.s3.BucketLifecycleConfiguration with an enabled rule names this bucket: objects are kept (and " \
        "billed) forever."


def _whole_bucket(rule: Mapping[str, Any]) -> bool:
    prefix = get(rule, "filter", "prefix")
    narrowing = ("tag", "and", "objectSizeGreaterThan", "objectSizeLessThan")
    narrowed = any(is_set(get(rule, "filter", k)) for k in narrowing)
    whole = prefix is MISSING or prefix == "" or is_unknown(prefix)
    return not narrowed and whole and get(rule, "prefix") in (MISSING, "")


def _abort_multipart(index: StackIndex, bucket: PolicyResource) -> str | None:
    rules = _enabled_rules(index, bucket)
    if rules is None:
        return None
    for rule in rules:
        days = as_number(get(rule, "abortIncompleteMultipartUpload", "daysAfterInitiation"))
        if (days is UNKNOWN or (isinstance(days, float) and days >= 1)) and _whole_bucket(rule):
            return None
    return "no enabled lifecycle rule for the whole bucket aborts incomplete multipart uploads: their parts are " \
        "billed forever and never visible."


def _ownership(index: StackIndex, bucket: PolicyResource) -> str | None:
    for config in attached(index, bucket, OWNERSHIP):
        ownership = as_str(get(config.props, "rule", "objectOwnership"))
        if ownership is UNKNOWN or ownership == "BucketOwnerEnforced":
            return None
    return "ACLs are not disabled (an aws.s3.BucketOwnershipControls with objectOwnership BucketOwnerEnforced): " \
        "objects written by others may stay theirs and carry their own ACLs."


def _public_acl(args: ResourceValidationArgs) -> Iterator[str]:
    acl = as_str(get(args.props, "acl"))
    if isinstance(acl, str) and acl.strip().lower() in PUBLIC_CANNED_ACLS:
        yield f"acl is {acl.strip()!r}: everyone (or every AWS account) may read the objects."
    grants = as_list(get(args.props, "accessControlPolicy", "grants")) or as_list(get(args.props, "grants"))
    for grant in grants if isinstance(grants, list) else []:
        uri = as_str(get(grant, "grantee", "uri"))
        if isinstance(uri, str) and uri.rstrip("/").endswith(("/global/AllUsers", "/global/AuthenticatedUsers")):
            yield f"a grant to {uri.rsplit('/', 1)[-1]}: the bucket is public."


RESOURCE_TYPE = BUCKET
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    stack_policy(
        _about(
            "disallow-public-access",
            description="Every S3 bucket must have a BucketPublicAccessBlock with all four flags set.",
            refs=(fsbp("S3.8"), ckv("CKV2_AWS_6"), ckv("CKV_AWS_53"), ckv("CKV_AWS_54"), ckv("CKV_AWS_55"),
                  ckv("CKV_AWS_56")),
            control="all four block-public-access flags set",
            severity=Severity.CRITICAL,
            remediation="Declare `aws.s3.BucketPublicAccessBlock(bucket=b.id, block_public_acls=True, "
            "block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)`.",
            url=f"{_S3_GUIDE}/access-control-block-public-access.html",
        ),
        each_of(BUCKET, _public_access),
    ),
    stack_policy(
        _about(
            "configure-customer-managed-key",
            description="Every S3 bucket must default to SSE-KMS with a customer-managed key (access-log target "
            "buckets: SSE-S3, the only encryption log delivery supports).",
            refs=(ckv("CKV_AWS_145"), ckv("CKV_AWS_19")),
            control="default encryption SSE-KMS with a customer-managed key",
            severity=Severity.HIGH,
            remediation="Declare `aws.s3.BucketServerSideEncryptionConfiguration(bucket=b.id, rules=[{"
            '"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}, '
            '"bucket_key_enabled": True}])`.',
            tags=("encryption",),
            url=f"{_S3_GUIDE}/UsingKMSEncryption.html",
        ),
        each_of(BUCKET, _encryption),
    ),
    stack_policy(
        _about(
            "require-secure-transport",
            description="Every S3 bucket's policy must deny requests with aws:SecureTransport false and with "
            "s3:TlsVersion below 1.2.",
            refs=(fsbp("S3.5"),),
            control="bucket policy denies `aws:SecureTransport = false` (and TLS < 1.2)",
            severity=Severity.HIGH,
            remediation='Add Deny statements for "s3:*" on the bucket and its objects with `{"Bool": '
            '{"aws:SecureTransport": "false"}}` and `{"NumericLessThan": {"s3:TlsVersion": "1.2"}}`.',
            tags=("encryption-in-transit",),
        ),
        each_of(BUCKET, _secure_transport),
    ),
    stack_policy(
        _about(
            "enable-versioning",
            description="Every S3 bucket must have versioning enabled.",
            refs=(ckv("CKV_AWS_21"),),
            control="versioning enabled",
            severity=Severity.MEDIUM,
            remediation='Declare `aws.s3.BucketVersioning(bucket=b.id, versioning_configuration={"status": '
            '"Enabled"})`.',
            tags=("data-loss",),
            url=f"{_S3_GUIDE}/Versioning.html",
        ),
        each_of(BUCKET, _versioning),
    ),
    stack_policy(
        _about(
            "configure-lifecycle",
            description="Every S3 bucket must have a lifecycle configuration with an enabled rule.",
            refs=(fsbp("S3.13"), ckv("CKV2_AWS_61")),
            control="lifecycle configuration present",
            severity=Severity.LOW,
            remediation="Declare `aws.s3.BucketLifecycleConfiguration(bucket=b.id, rules=[...])` with expiry per "
            "prefix and noncurrent-version expiry.",
            tags=("cost",),
        ),
        each_of(BUCKET, _lifecycle),
    ),
    stack_policy(
        _about(
            "configure-abort-incomplete-multipart-upload",
            description="Every S3 bucket must have an enabled lifecycle rule for the whole bucket that aborts "
            "incomplete multipart uploads.",
            refs=(ckv("CKV_AWS_300"),),
            control="lifecycle aborts incomplete multipart uploads",
            severity=Severity.LOW,
            remediation='Add a rule with `"filter": {"prefix": ""}` and `"abort_incomplete_multipart_upload": '
            '{"days_after_initiation": 2}`.',
            tags=("cost",),
            url=f"{_S3_GUIDE}/mpu-abort-incomplete-mpu-lifecycle-config.html",
        ),
        each_of(BUCKET, _abort_multipart),
    ),
    stack_policy(
        _about(
            "disallow-acls",
            description="Every S3 bucket must disable ACLs (BucketOwnershipControls BucketOwnerEnforced).",
            refs=(fsbp("S3.12"), ckv("CKV2_AWS_65")),
            control="ACLs disabled (`BucketOwnerEnforced`)",
            severity=Severity.MEDIUM,
            remediation='Declare `aws.s3.BucketOwnershipControls(bucket=b.id, rule={"object_ownership": '
            '"BucketOwnerEnforced"})`.',
            url=f"{_S3_GUIDE}/about-object-ownership.html",
        ),
        each_of(BUCKET, _ownership),
    ),
    resource_policy(
        _about(
            "disallow-public-acl",
            description="S3 buckets and bucket ACLs must not grant public read or write (canned ACLs public-read, "
            "public-read-write, authenticated-read, or grants to AllUsers/AuthenticatedUsers).",
            refs=(fsbp("S3.2"), fsbp("S3.3"), ckv("CKV_AWS_20"), ckv("CKV_AWS_57")),
            control="no public ACL",
            severity=Severity.CRITICAL,
            remediation="Remove the `acl` / grant; with BucketOwnerEnforced ACLs are not used at all.",
        ),
        (BUCKET, BUCKET_ACL),
        _public_acl,
    ),
    flag_policy(
        _about(
            "disallow-force-destroy",
            description="S3 buckets must not set force_destroy in prod: `pulumi destroy` would delete every object "
            "(and every backup) in them.",
            refs=(platform("data-loss baseline"),),
            control="no `force_destroy` on backup buckets in prod",
            severity=Severity.HIGH,
            remediation="Set `force_destroy=False` (the default).",
            tags=("data-loss", "prod-only"),
            url=f"{_S3_GUIDE}/delete-bucket.html",
        ),
        BUCKET, "forceDestroy", required=False, default=False,
        consequence="`pulumi destroy` or a replacement deletes every object",
    ),
    protected_policy(
        _about(
            "require-protect",
            description="S3 buckets must carry the `protect` resource option (prod).",
            refs=(platform("data-loss baseline"),),
            control="every stateful resource (backup bucket) is protected in prod",
            severity=Severity.HIGH,
            remediation="Pass `opts=pulumi.ResourceOptions(protect=True)`.",
            tags=("data-loss", "prod-only"),
            url="https://www.pulumi.com/docs/iac/concepts/options/protect/",
        ),
        BUCKET, "bucket and its objects",
    ),
]
