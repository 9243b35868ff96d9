"""KMS key policies: rotation, the key policy document, and protecting the keys of retained data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.fixtures import (
    BACKUP_VAULT,
    KEY_ARN,
    KMS_KEY,
    KMS_KEY_PROPS,
    LOG_GROUP,
    LOG_GROUP_PROPS,
    RDS_INSTANCE,
    RDS_INSTANCE_PROPS,
    ROOT_ADMIN_STATEMENT,
    ROOT_ARN,
    USE_VIA_RDS_STATEMENT,
    changed,
    key_policy,
)
from tests.policies.harness import UNKNOWN, Pack, Resource, cant_run, only, violated, violations

ABSENT = ...
ROTATION = "aws-kms-key-enable-key-rotation"
KEY_POLICY = "aws-kms-key-configure-key-policy"
WILDCARD = "aws-kms-key-disallow-wildcard-principal"
PROTECT = "aws-kms-key-require-protect"


# ------------------------------------------------------------------------------------------------ rotation
def test_compliant_key_passes(pack: Pack) -> None:
    assert pack.analyze(KMS_KEY, KMS_KEY_PROPS) == []


@pytest.mark.parametrize("changes", [{"enableKeyRotation": False}, {"enableKeyRotation": ABSENT}])
def test_key_without_rotation_violates(pack: Pack, changes: dict[str, Any]) -> None:
    diags = pack.analyze(KMS_KEY, changed(KMS_KEY_PROPS, **changes))
    assert [d.policy for d in diags] == ["aws-kms-key-enable-key-rotation"]
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


# ------------------------------------------------------------------------------------------------ key policy
def _with_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return changed(KMS_KEY_PROPS, policy=key_policy(*statements))


def _root(**changes: Any) -> dict[str, Any]:
    return changed(ROOT_ADMIN_STATEMENT, **changes)


@pytest.mark.parametrize(
    ("props", "fragment"),
    [
        (changed(KMS_KEY_PROPS, policy=ABSENT), "policy is not set"),
        (changed(KMS_KEY_PROPS, policy=""), "policy is not set"),
        (changed(KMS_KEY_PROPS, policy="{not json"), "not valid JSON"),
        (changed(KMS_KEY_PROPS, policy="[1, 2]"), "not a JSON object"),
        (changed(KMS_KEY_PROPS, policy='{"Version": "2012-10-17"}'), "no Statement"),
        (_with_policy(USE_VIA_RDS_STATEMENT), "no statement allows the account root"),
        (_with_policy(_root(Action=["kms:Decrypt", "kms:Encrypt"])), "no statement allows the account root"),
        (_with_policy(_root(Effect="Deny")), "no statement allows the account root"),
        (_with_policy(_root(Resource="arn:aws:kms:eu-west-1:111122223333:key/x")), "no statement allows"),
        (_with_policy(_root(Principal={"AWS": "arn:aws:iam::111122223333:role/admin"})), "no statement allows"),
        (_with_policy(_root(Principal={"Service": "rds.amazonaws.com"})), "no statement allows"),
        (_with_policy(_root(Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})), "no statement allows"),
    ],
)
def test_key_policy_must_keep_the_account_root_as_administrator(
    pack: Pack, props: dict[str, Any], fragment: str
) -> None:
    only(pack.analyze(KMS_KEY, props), KEY_POLICY, fragment)


@pytest.mark.parametrize(
    "statement",
    [
        _root(Principal={"AWS": [ROOT_ARN, "arn:aws:iam::111122223333:role/admin"]}),
        _root(Principal={"AWS": "111122223333"}),  # the account-id shorthand KMS normalises to the root ARN
        _root(Principal={"AWS": "arn:aws-cn:iam::111122223333:root"}),
        _root(Principal={"AWS": "arn:aws-us-gov:iam::111122223333:root"}),
        _root(Action="*", Resource=["*"]),
        _root(Action=["KMS:*"], Condition={}),
    ],
)
def test_root_admin_spellings_pass(pack: Pack, statement: dict[str, Any]) -> None:
    assert pack.analyze(KMS_KEY, _with_policy(statement, USE_VIA_RDS_STATEMENT)) == []


def test_single_statement_object_is_a_policy(pack: Pack) -> None:
    props = changed(KMS_KEY_PROPS, policy=json.dumps({"Version": "2012-10-17", "Statement": ROOT_ADMIN_STATEMENT}))
    assert pack.analyze(KMS_KEY, props) == []


@pytest.mark.parametrize(
    "policy",
    [UNKNOWN, json.dumps({"Statement": [_root(Principal={"AWS": f"arn:aws:iam::{UNKNOWN}:root"})]})],
)
def test_unknown_key_policy_or_account_cannot_be_decided(pack: Pack, policy: str) -> None:
    diags = pack.analyze(KMS_KEY, changed(KMS_KEY_PROPS, policy=policy))
    assert violations(diags) == []
    assert cant_run(diags) == {KEY_POLICY, WILDCARD}


# ------------------------------------------------------------------------------------------------ wildcard principal
@pytest.mark.parametrize(
    ("statement", "fragment"),
    [
        (changed(USE_VIA_RDS_STATEMENT, Condition=ABSENT), "statement 1 (UseViaRds) allows the '*' principal"),
        (changed(USE_VIA_RDS_STATEMENT, Condition={}), "allows the '*' principal without a condition"),
        (changed(USE_VIA_RDS_STATEMENT, Principal="*", Condition=ABSENT), "allows the '*' principal"),
        (changed(USE_VIA_RDS_STATEMENT, Principal={"AWS": [ROOT_ARN, "*"]}, Condition=ABSENT), "'*' principal"),
        (changed(USE_VIA_RDS_STATEMENT, Sid=ABSENT, Condition=ABSENT), "statement 1 allows the '*' principal"),
        (changed(USE_VIA_RDS_STATEMENT, Principal=ABSENT, NotPrincipal={"AWS": ROOT_ARN}), "NotPrincipal"),
    ],
)
def test_wildcard_principal_without_condition_is_refused(
    pack: Pack, statement: dict[str, Any], fragment: str
) -> None:
    only(pack.analyze(KMS_KEY, _with_policy(ROOT_ADMIN_STATEMENT, statement)), WILDCARD, fragment)


def test_wildcard_deny_is_fine(pack: Pack) -> None:
    deny = changed(USE_VIA_RDS_STATEMENT, Effect="Deny", Condition=ABSENT)
    assert pack.analyze(KMS_KEY, _with_policy(ROOT_ADMIN_STATEMENT, deny)) == []


def test_invalid_policy_is_reported_once(pack: Pack) -> None:
    diags = pack.analyze(KMS_KEY, changed(KMS_KEY_PROPS, policy="{" * 5000))
    only(diags, KEY_POLICY, "not valid JSON")


# ------------------------------------------------------------------------------------------------ stack: protect
def _keyed_stack(*, protect: bool, join: bool = True) -> tuple[Resource, Resource]:
    key = Resource(KMS_KEY, "db-key", changed(KMS_KEY_PROPS), protect=protect)
    db = Resource(
        RDS_INSTANCE,
        "db",
        changed(RDS_INSTANCE_PROPS, kmsKeyId=UNKNOWN),
        deps={"kmsKeyId": [key]} if join else {},
        protect=True,
    )
    return key, db


def test_protected_key_of_a_database_passes(pack: Pack) -> None:
    assert PROTECT not in violated(pack.analyze_stack(list(_keyed_stack(protect=True))))


def test_unprotected_key_of_a_database_is_refused(pack: Pack) -> None:
    key, db = _keyed_stack(protect=False)
    diags = [d for d in pack.analyze_stack([key, db]) if d.policy == PROTECT]
    assert len(diags) == 1
    assert diags[0].urn == key.urn
    assert "encrypts data that outlives the stack (db)" in diags[0].message


def test_key_named_by_its_literal_arn_is_joined(pack: Pack) -> None:
    key, db = _keyed_stack(protect=False, join=False)
    key.props["arn"] = KEY_ARN
    db.props["kmsKeyId"] = KEY_ARN
    assert PROTECT in violated(pack.analyze_stack([key, db]))


def test_key_of_a_backup_vault_is_joined(pack: Pack) -> None:
    key = Resource(KMS_KEY, "vault-key", changed(KMS_KEY_PROPS))
    vault = Resource(BACKUP_VAULT, "vault", {"kmsKeyArn": UNKNOWN}, deps={"kmsKeyArn": [key]})
    lock = Resource("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "lock",
                    {"backupVaultName": UNKNOWN}, deps={"backupVaultName": [vault]})
    only(pack.analyze_stack([key, vault, lock]), PROTECT)


def test_unprotected_key_of_ephemeral_data_passes(pack: Pack) -> None:
    key = Resource(KMS_KEY, "logs-key", changed(KMS_KEY_PROPS))
    logs = Resource(LOG_GROUP, "logs", changed(LOG_GROUP_PROPS, kmsKeyId=UNKNOWN), deps={"kmsKeyId": [key]})
    assert pack.analyze_stack([key, logs]) == []


def test_protect_blocks_only_in_prod(preview_pack: Pack, prod_pack: Pack) -> None:
    resources = list(_keyed_stack(protect=False))
    # Preview shows it to reviewers (advisory) without blocking.
    assert {d.level for d in preview_pack.analyze_stack(resources) if d.policy == PROTECT} == {"advisory"}
    assert [d.level for d in prod_pack.analyze_stack(resources) if d.policy == PROTECT] == ["mandatory"]


# ------------------------------------------------------------------------------------------------ enabled
@pytest.mark.parametrize("changes", [{"isEnabled": True}, {"isEnabled": ABSENT}])
def test_enabled_key_passes(pack: Pack, changes: dict[str, Any]) -> None:
    assert pack.analyze(KMS_KEY, changed(KMS_KEY_PROPS, **changes)) == []


def test_disabled_key_violates(pack: Pack) -> None:
    diags = pack.analyze(KMS_KEY, changed(KMS_KEY_PROPS, isEnabled=False))
    only(diags, "aws-kms-key-require-enabled", "isEnabled is false")
