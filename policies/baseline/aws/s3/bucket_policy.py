"""S3 bucket policies (`aws:s3/bucketPolicy:BucketPolicy`): no statement allows everyone.

An Allow for the `*` principal (or `{"AWS": "*"}`, or NotPrincipal) grants anonymous access unless a condition
narrows it to named accounts or networks; CKV_AWS_70 flags it whatever the condition, and so does this policy:
a backup bucket names its principals. Deny statements for `*` (the TLS-only guards) are what a bucket policy
should have. An unknown document is checked at `up`.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import Family, get, resource_policy
from ...refs import ckv, fsbp
from ..iam.documents import PolicyDocumentError, allows, is_wildcard_principal, label, statements

BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
_about = Family("aws-s3-bucket-policy", ("aws", "s3", "iam")).about


def _wildcard_principal(args: ResourceValidationArgs) -> Iterator[str]:
    try:
        found = statements(get(args.props, "policy"))
    except PolicyDocumentError as exc:
        yield f"{exc}; S3 would refuse it."
        return
    for i, statement in enumerate(found or []):
        if allows(statement) and is_wildcard_principal(statement):
            yield f"{label(i, statement)} allows the '*' principal (or NotPrincipal): anyone may use it."


RESOURCE_TYPE = BUCKET_POLICY
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        _about(
            "disallow-wildcard-principal",
            description="S3 bucket policies must not allow the '*' principal.",
            refs=(fsbp("S3.6"), ckv("CKV_AWS_70")),
            control="no wildcard principal in the bucket policy",
            severity=Severity.CRITICAL,
            remediation="Name the principals (roles, service principals with aws:SourceArn/aws:SourceAccount); keep "
            "'*' only in Deny statements.",
        ),
        (BUCKET_POLICY,),
        _wildcard_principal,
    ),
]
