"""RDS Proxy, ElastiCache serverless cache and KMS key resource policies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import (
    KMS_KEY,
    KMS_KEY_PROPS,
    RDS_PROXY,
    RDS_PROXY_PROPS,
    SERVERLESS_CACHE,
    SERVERLESS_CACHE_PROPS,
    changed,
)
from tests.policies.harness import UNKNOWN, Pack, cant_run, violated, violations

ABSENT = ...


# ------------------------------------------------------------------------------------------------ RDS Proxy
def test_compliant_proxy_passes(pack: Pack) -> None:
    assert pack.analyze(RDS_PROXY, RDS_PROXY_PROPS) == []


def _auth(**changes: Any) -> list[dict[str, Any]]:
    return [changed(RDS_PROXY_PROPS["auths"][0], **changes)]


@pytest.mark.parametrize(
    ("policy", "changes", "fragment"),
    [
        ("aws-rds-proxy-require-tls", {"requireTls": False}, "requireTls is not true"),
        ("aws-rds-proxy-require-tls", {"requireTls": ABSENT}, "default is false"),
        ("aws-rds-proxy-disallow-debug-logging", {"debugLogging": True}, "debugLogging is true"),
        ("aws-rds-proxy-credentials-from-secrets-manager-or-iam", {"auths": ABSENT}, "no auths"),
        ("aws-rds-proxy-credentials-from-secrets-manager-or-iam", {"auths": []}, "no auths"),
        ("aws-rds-proxy-credentials-from-secrets-manager-or-iam", {"auths": _auth(secretArn=ABSENT)}, "no secretArn"),
        (
            "aws-rds-proxy-credentials-from-secrets-manager-or-iam",
            {"auths": _auth(secretArn=ABSENT, username="app")},
            "auths[0] has no secretArn",
        ),
        (
            "aws-rds-proxy-credentials-from-secrets-manager-or-iam",
            {"auths": _auth(authScheme="PASSWORD")},
            "authScheme is 'PASSWORD'",
        ),
    ],
)
def test_proxy_one_change_one_violation(pack: Pack, policy: str, changes: dict[str, Any], fragment: str) -> None:
    diags = pack.analyze(RDS_PROXY, changed(RDS_PROXY_PROPS, **changes))
    assert [d.policy for d in diags] == [policy]
    assert fragment in diags[0].message


@pytest.mark.parametrize(
    "changes",
    [
        {"debugLogging": ABSENT},  # default false
        {"auths": ABSENT, "defaultAuthScheme": "IAM_AUTH"},  # end-to-end IAM: no stored credentials
        {"auths": _auth(secretArn=UNKNOWN)},  # instance.master_user_secrets[0].secret_arn during preview
        {"auths": _auth(authScheme=ABSENT)},  # SECRETS is the only scheme
    ],
)
def test_proxy_defaults_and_unknown_secret_arn_pass(pack: Pack, changes: dict[str, Any]) -> None:
    assert pack.analyze(RDS_PROXY, changed(RDS_PROXY_PROPS, **changes)) == []


def test_proxy_unknown_auths_list_cannot_be_decided(pack: Pack) -> None:
    diags = pack.analyze(RDS_PROXY, changed(RDS_PROXY_PROPS, auths=UNKNOWN))
    assert violations(diags) == []
    assert cant_run(diags) == {"aws-rds-proxy-credentials-from-secrets-manager-or-iam"}


# ------------------------------------------------------------------------------------------------ ElastiCache
def test_compliant_cache_passes(pack: Pack) -> None:
    assert pack.analyze(SERVERLESS_CACHE, SERVERLESS_CACHE_PROPS, protect=True) == []


@pytest.mark.parametrize(
    ("policy", "changes", "fragment"),
    [
        ("aws-elasticache-serverless-cache-snapshot-retention", {"snapshotRetentionLimit": 0}, "is 0; at least 1"),
        ("aws-elasticache-serverless-cache-snapshot-retention", {"snapshotRetentionLimit": ABSENT}, "absent"),
        ("aws-elasticache-serverless-cache-daily-snapshot-time", {"dailySnapshotTime": ABSENT}, "dailySnapshotTime"),
        ("aws-elasticache-serverless-cache-user-group-access-control", {"userGroupId": ABSENT}, "userGroupId"),
        ("aws-elasticache-serverless-cache-encrypted-with-customer-managed-key", {"kmsKeyId": ABSENT}, "kmsKeyId"),
    ],
)
def test_cache_one_change_one_violation(pack: Pack, policy: str, changes: dict[str, Any], fragment: str) -> None:
    diags = pack.analyze(SERVERLESS_CACHE, changed(SERVERLESS_CACHE_PROPS, **changes), protect=True)
    assert [d.policy for d in diags] == [policy]
    assert fragment in diags[0].message


def test_unprotected_cache_violates_protect_policy(pack: Pack, preview_pack: Pack) -> None:
    assert violated(pack.analyze(SERVERLESS_CACHE, SERVERLESS_CACHE_PROPS)) == {
        "aws-elasticache-serverless-cache-protected"
    }
    assert preview_pack.analyze(SERVERLESS_CACHE, SERVERLESS_CACHE_PROPS) == []


def test_cache_present_unknowns_pass(pack: Pack) -> None:
    props = changed(SERVERLESS_CACHE_PROPS, kmsKeyId=UNKNOWN, userGroupId=UNKNOWN, dailySnapshotTime=UNKNOWN)
    assert pack.analyze(SERVERLESS_CACHE, props, protect=True) == []


def test_cache_snapshot_minimum_comes_from_stack_config(preview_pack: Pack, prod_pack: Pack) -> None:
    props = changed(SERVERLESS_CACHE_PROPS, snapshotRetentionLimit=3)
    assert preview_pack.analyze(SERVERLESS_CACHE, props, protect=True) == []
    diags = prod_pack.analyze(SERVERLESS_CACHE, props, protect=True)
    assert violated(diags) == {"aws-elasticache-serverless-cache-snapshot-retention"}
    assert "at least 7 snapshots" in diags[0].message


def test_memcached_is_out_of_scope_for_snapshot_and_rbac_controls(pack: Pack) -> None:
    props = {"engine": "memcached", "kmsKeyId": UNKNOWN}
    assert pack.analyze(SERVERLESS_CACHE, props, protect=True) == []


# ------------------------------------------------------------------------------------------------ KMS
def test_compliant_key_passes(pack: Pack) -> None:
    assert pack.analyze(KMS_KEY, KMS_KEY_PROPS) == []


@pytest.mark.parametrize("changes", [{"enableKeyRotation": False}, {"enableKeyRotation": ABSENT}])
def test_key_without_rotation_violates(pack: Pack, changes: dict[str, Any]) -> None:
    diags = pack.analyze(KMS_KEY, changed(KMS_KEY_PROPS, **changes))
    assert [d.policy for d in diags] == ["aws-kms-key-rotation-enabled"]
    assert diags[0].level == "mandatory"


@pytest.mark.parametrize(
    "changes",
    [
        {"enableKeyRotation": ABSENT, "customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"},
        {"enableKeyRotation": ABSENT, "customerMasterKeySpec": "HMAC_256", "keyUsage": "GENERATE_VERIFY_MAC"},
        {"enableKeyRotation": ABSENT, "customKeyStoreId": "cks-1234567890abcdef0"},
        {"customerMasterKeySpec": "SYMMETRIC_DEFAULT"},
    ],
)
def test_keys_kms_cannot_rotate_are_exempt(pack: Pack, changes: dict[str, Any]) -> None:
    assert pack.analyze(KMS_KEY, changed(KMS_KEY_PROPS, **changes)) == []
