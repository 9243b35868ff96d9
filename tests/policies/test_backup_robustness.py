"""Garbage in the backup-storage resource types never makes a policy raise (resource and stack policies)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.policies import backup_fixtures as bx
from tests.policies.harness import INTERNAL_ERROR, UNKNOWN, Pack, Resource

TYPES = [bx.BUCKET, bx.PUBLIC_ACCESS_BLOCK, bx.ENCRYPTION, bx.BUCKET_POLICY, bx.VERSIONING, bx.LIFECYCLE,
         bx.OWNERSHIP, bx.LOGGING, bx.BUCKET_ACL, bx.ROLE, bx.ROLE_POLICY, bx.ROLE_POLICY_ATTACHMENT,
         bx.STORAGE_ACCOUNT, bx.BLOB_SERVICE, bx.BLOB_CONTAINER, bx.MANAGEMENT_POLICY]
KEYS = ["bucket", "policy", "rules", "rule", "acl", "grants", "accessControlPolicy", "targetBucket", "status",
        "versioningConfiguration", "objectOwnership", "assumeRolePolicy", "policyArn", "accountName", "publicAccess",
        "minimumTlsVersion", "enableHttpsTrafficOnly", "allowSharedKeyAccess", "allowBlobPublicAccess",
        "isVersioningEnabled", "deleteRetentionPolicy", "enabled", "days", "filter", "prefix", "Statement", "Effect",
        "Principal", "Action", "Resource", "Condition", "applyServerSideEncryptionByDefault", "sseAlgorithm",
        "blockPublicAcls", "abortIncompleteMultipartUpload", "daysAfterInitiation", "Bool", "AWS", "Federated"]
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-2, 400), st.text(max_size=8), st.just(UNKNOWN),
                   st.sampled_from(["Enabled", "aws:kms", "*", "Allow", "Deny", "s3:*", "TLS1_2", "None",
                                    bx.document(bx.DENY_HTTP), '{"Statement": [1, null]}', "[" * 50]))
VALUES = st.recursive(LEAVES, lambda c: st.one_of(st.lists(c, max_size=3),
                                                  st.dictionaries(st.sampled_from(KEYS), c, max_size=4)),
                      max_leaves=8)
PROPS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6)
PACK = Pack()
ROBUST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ROBUST
@given(type_=st.sampled_from(TYPES), props=PROPS)
def test_garbage_props_never_raise(type_: str, props: dict[str, Any]) -> None:
    assert not [d for d in PACK.analyze(type_, props) if INTERNAL_ERROR in d.message]


@ROBUST
@given(data=st.data())
def test_garbage_stacks_never_raise(data: st.DataObject) -> None:
    resources = [Resource(data.draw(st.sampled_from(TYPES)), f"r{i}", data.draw(PROPS)) for i in range(4)]
    for r in resources:
        r.deps = {k: data.draw(st.lists(st.sampled_from(resources), max_size=2))
                  for k in data.draw(st.lists(st.sampled_from(["bucket", "accountName", "targetBucket"]), max_size=2))}
    assert not [d for d in PACK.analyze_stack(resources) if INTERNAL_ERROR in d.message]
