"""Stateful resources and their keys are protected, with their provider's deletion guard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import BACKUP_VAULT, KEY_ARN, KMS_KEY, RDS_INSTANCE, SERVERLESS_CACHE
from tests.policies.harness import UNKNOWN, Pack, Resource, only

from baseline.stack.stateful import STATEFUL  # isort: skip

POLICY = "stack-require-protect-stateful-resources"
BUCKET = "aws:s3/bucket:Bucket"
STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
CLOUDFLARE_ZONE = "cloudflare:index/zone:Zone"
GUARDED: dict[str, dict[str, Any]] = {
    RDS_INSTANCE: {"deletionProtection": True},
    BUCKET: {"forceDestroy": False},
    BACKUP_VAULT: {"forceDestroy": False},
    SERVERLESS_CACHE: {},
    STORAGE_ACCOUNT: {"kind": "StorageV2"},
    # A created zone as the edge component declares it (no deletion guard exists: `protect` is the only one).
    CLOUDFLARE_ZONE: {"account": {"id": "0123456789abcdef0123456789abcdef"}, "name": "example.com", "type": "full"},
}


def _mine(pack: Pack, resources: list[Resource]) -> list[Any]:
    """This policy's diagnostics (the other stack-wide controls, e.g. tags, judge the same resources)."""
    return [d for d in pack.analyze_stack(resources) if d.policy == POLICY]


def _only(pack: Pack, resources: list[Resource], fragment: str) -> None:
    only(_mine(pack, resources), POLICY, fragment)


def test_every_stateful_row_is_tested() -> None:
    assert set(STATEFUL) - {KMS_KEY, "aws:rds/cluster:Cluster"} == set(GUARDED)


@pytest.mark.parametrize("type_", sorted(GUARDED))
def test_protected_and_guarded_passes(stack_pack: Pack, type_: str) -> None:
    assert _mine(stack_pack, [Resource(type_, "data", dict(GUARDED[type_]), protect=True)]) == []


@pytest.mark.parametrize("type_", sorted(GUARDED))
def test_unprotected_violates(stack_pack: Pack, type_: str) -> None:
    _only(stack_pack, [Resource(type_, "data", dict(GUARDED[type_]))], "is not `protect`ed")


@pytest.mark.parametrize(
    ("type_", "props", "fragment"),
    [
        (RDS_INSTANCE, {}, "deletionProtection is absent (default false)"),
        (RDS_INSTANCE, {"deletionProtection": False}, "deletionProtection is false"),
        (BUCKET, {"forceDestroy": True}, "forceDestroy is true"),
        (BACKUP_VAULT, {"forceDestroy": True}, "AWS Backup refuses"),
    ],
)
def test_missing_deletion_guard_violates(stack_pack: Pack, type_: str, props: dict[str, Any], fragment: str) -> None:
    _only(stack_pack, [Resource(type_, "data", props, protect=True)], fragment)


def test_unknown_guard_is_judged_at_up(stack_pack: Pack) -> None:
    assert _mine(stack_pack, [Resource(RDS_INSTANCE, "db", {"deletionProtection": UNKNOWN}, protect=True)]) == []


def test_key_of_stateful_data_must_be_protected(stack_pack: Pack) -> None:
    key = Resource(KMS_KEY, "db-key", {"arn": UNKNOWN})
    db = Resource(RDS_INSTANCE, "db", {"deletionProtection": True, "kmsKeyId": UNKNOWN}, protect=True)
    db.deps["kmsKeyId"] = [key]
    _only(stack_pack, [key, db], "db-key: the KMS key is not `protect`ed")
    key.protect = True
    assert _mine(stack_pack, [key, db]) == []


def test_key_named_by_literal_arn_counts_and_unrelated_keys_do_not(stack_pack: Pack) -> None:
    key = Resource(KMS_KEY, "vault-key", {"arn": KEY_ARN})
    logs_key = Resource(KMS_KEY, "logs-key", {"arn": "arn:aws:kms:eu-west-1:111122223333:key/other"})
    vault = Resource(BACKUP_VAULT, "vault", {"kmsKeyArn": KEY_ARN}, protect=True)
    _only(stack_pack, [key, logs_key, vault], "vault-key")


def test_preview_config_turns_the_checks_off_but_keeps_the_policy(preview_stack_pack: Pack) -> None:
    assert _mine(preview_stack_pack, [Resource(RDS_INSTANCE, "db", {"deletionProtection": False})]) == []
    level = {p.name: p.enforcementLevel for p in preview_stack_pack.info.policies}
    assert POLICY in level
