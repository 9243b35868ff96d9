"""S3 bucket stack policies: a compliant backup bucket passes; each missing or weakened configuration
resource yields exactly its violation."""

from __future__ import annotations

import pytest

from tests.policies.backup_fixtures import (
    BUCKET,
    BUCKET_ACL,
    DENY_HTTP,
    LOGGING,
    UNKNOWN,
    bucket_stack,
    document,
)
from tests.policies.harness import Pack, Resource, cant_run, only, violated


def test_compliant_bucket_passes(pack: Pack) -> None:
    assert pack.analyze_stack(bucket_stack().resources) == []
    assert pack.analyze(BUCKET, bucket_stack().bucket.props, protect=True) == []


@pytest.mark.parametrize(
    ("missing", "policy"),
    [
        ("block", "aws-s3-bucket-disallow-public-access"),
        ("encryption", "aws-s3-bucket-configure-customer-managed-key"),
        ("policy", "aws-s3-bucket-require-secure-transport"),
        ("versioning", "aws-s3-bucket-enable-versioning"),
        ("ownership", "aws-s3-bucket-disallow-acls"),
    ],
)
def test_each_missing_configuration_resource_is_one_violation(pack: Pack, missing: str, policy: str) -> None:
    stack = bucket_stack()
    diag = only(pack.analyze_stack(stack.without(missing)), policy)
    assert diag.urn == stack.bucket.urn


def test_no_lifecycle_is_two_violations(pack: Pack) -> None:
    assert violated(pack.analyze_stack(bucket_stack().without("lifecycle"))) == {
        "aws-s3-bucket-configure-lifecycle", "aws-s3-bucket-configure-abort-incomplete-multipart-upload",
    }


@pytest.mark.parametrize("flag", ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
def test_each_public_access_flag_is_required(pack: Pack, flag: str) -> None:
    stack = bucket_stack()
    stack.block.props[flag] = False
    only(pack.analyze_stack(stack.resources), "aws-s3-bucket-disallow-public-access", flag)


def test_sse_s3_or_the_aws_managed_key_is_not_a_cmk(pack: Pack) -> None:
    stack = bucket_stack()
    stack.encryption.props["rules"][0]["applyServerSideEncryptionByDefault"] = {"sseAlgorithm": "AES256"}
    only(pack.analyze_stack(stack.resources), "aws-s3-bucket-configure-customer-managed-key")
    stack.encryption.props["rules"][0]["applyServerSideEncryptionByDefault"] = {
        "sseAlgorithm": "aws:kms", "kmsMasterKeyId": "alias/aws/s3"}
    only(pack.analyze_stack(stack.resources), "aws-s3-bucket-configure-customer-managed-key")


def test_an_access_log_target_may_use_sse_s3(pack: Pack) -> None:
    source, logs = bucket_stack(), bucket_stack("logs")
    logs.encryption.props["rules"][0]["applyServerSideEncryptionByDefault"] = {"sseAlgorithm": "AES256"}
    logging = Resource(LOGGING, "logging", {"bucket": UNKNOWN, "targetBucket": UNKNOWN, "targetPrefix": "x/"},
                       deps={"bucket": [source.bucket], "targetBucket": [logs.bucket]})
    assert pack.analyze_stack([*source.resources, *logs.resources, logging]) == []
    # ... but the source bucket, which is not a target, may not.
    source.encryption.props["rules"][0]["applyServerSideEncryptionByDefault"] = {"sseAlgorithm": "AES256"}
    diag = only(pack.analyze_stack([*source.resources, *logs.resources, logging]),
                "aws-s3-bucket-configure-customer-managed-key")
    assert diag.urn == source.bucket.urn


def test_bucket_policy_must_deny_old_tls_too(pack: Pack) -> None:
    stack = bucket_stack()
    stack.policy.props["policy"] = document(DENY_HTTP)
    only(pack.analyze_stack(stack.resources), "aws-s3-bucket-require-secure-transport", "s3:TlsVersion < 1.2")


def test_an_unknown_bucket_policy_is_checked_at_up_not_guessed(pack: Pack) -> None:
    stack = bucket_stack()
    stack.policy.props["policy"] = UNKNOWN
    assert pack.analyze_stack(stack.resources) == []


def test_suspended_versioning_is_refused(pack: Pack) -> None:
    stack = bucket_stack()
    stack.versioning.props["versioningConfiguration"]["status"] = "Suspended"
    only(pack.analyze_stack(stack.resources), "aws-s3-bucket-enable-versioning")


def test_multipart_abort_must_cover_the_whole_bucket(pack: Pack) -> None:
    stack = bucket_stack()
    stack.lifecycle.props["rules"][1]["filter"] = {"prefix": "daily/"}
    only(pack.analyze_stack(stack.resources), "aws-s3-bucket-configure-abort-incomplete-multipart-upload")


def test_disabled_rules_do_not_count(pack: Pack) -> None:
    stack = bucket_stack()
    for rule in stack.lifecycle.props["rules"]:
        rule["status"] = "Disabled"
    assert violated(pack.analyze_stack(stack.resources)) == {
        "aws-s3-bucket-configure-lifecycle", "aws-s3-bucket-configure-abort-incomplete-multipart-upload",
    }


def test_object_writer_ownership_keeps_acls(pack: Pack) -> None:
    stack = bucket_stack()
    stack.ownership.props["rule"]["objectOwnership"] = "ObjectWriter"
    only(pack.analyze_stack(stack.resources), "aws-s3-bucket-disallow-acls")


def test_configuration_of_another_bucket_does_not_count(pack: Pack) -> None:
    mine, other = bucket_stack("mine"), bucket_stack("other")
    diag = only(pack.analyze_stack([*mine.without("block"), *other.resources]), "aws-s3-bucket-disallow-public-access")
    assert diag.urn == mine.bucket.urn


def test_literal_bucket_name_joins(pack: Pack) -> None:
    stack = bucket_stack()
    stack.block.deps = {}
    stack.block.props["bucket"] = stack.bucket.props["bucket"]
    assert pack.analyze_stack(stack.resources) == []


@pytest.mark.parametrize("acl", ["public-read", "public-read-write", "authenticated-read"])
def test_public_acls_are_refused(pack: Pack, acl: str) -> None:
    only(pack.analyze(BUCKET, {"acl": acl}, protect=True), "aws-s3-bucket-disallow-public-acl", acl)
    only(pack.analyze(BUCKET_ACL, {"bucket": "b", "acl": acl}), "aws-s3-bucket-disallow-public-acl")


def test_grant_to_all_users_is_refused(pack: Pack) -> None:
    props = {"bucket": "b", "accessControlPolicy": {"grants": [
        {"grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}, "permission": "READ"}
    ]}}
    only(pack.analyze(BUCKET_ACL, props), "aws-s3-bucket-disallow-public-acl", "AllUsers")


def test_force_destroy_and_protect_in_prod(prod_pack: Pack, preview_pack: Pack) -> None:
    props = {"bucket": "b", "forceDestroy": True}
    assert violated(prod_pack.analyze(BUCKET, props)) == {
        "aws-s3-bucket-disallow-force-destroy", "aws-s3-bucket-require-protect"}
    # Preview relaxes both to advisory: shown to reviewers, never blocking.
    assert {d.level for d in preview_pack.analyze(BUCKET, props)} == {"advisory"}


def test_unknown_flags_are_not_judged(pack: Pack) -> None:
    stack = bucket_stack()
    stack.block.props["blockPublicAcls"] = UNKNOWN
    diags = pack.analyze_stack(stack.resources)
    assert diags == []
    assert not cant_run(diags)


def test_the_key_of_a_bucket_must_be_protected_in_prod(prod_pack: Pack) -> None:
    from tests.policies.fixtures import KMS_KEY, KMS_KEY_PROPS

    stack = bucket_stack()
    key = Resource(KMS_KEY, "backups-key", dict(KMS_KEY_PROPS))
    stack.encryption.deps["rules"] = [key]
    diags = prod_pack.analyze_stack([*stack.resources, key])
    diag = only(diags, "aws-kms-key-require-protect", "backups")
    assert diag.urn == key.urn
    key.protect = True
    assert prod_pack.analyze_stack([*stack.resources, key]) == []
