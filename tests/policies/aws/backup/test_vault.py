"""AWS Backup vault policies: a customer-managed key, and `protect` in prod."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import KEY_ARN, changed
from tests.policies.harness import UNKNOWN, Pack, Resource

VAULT = "aws:backup/vault:Vault"
VAULT_PROPS: dict[str, Any] = {"name": "app-backup", "kmsKeyArn": KEY_ARN, "forceDestroy": False}
CMK = "aws-backup-vault-configure-customer-managed-key"


def test_compliant_vault_passes(pack: Pack) -> None:
    assert pack.analyze(VAULT, VAULT_PROPS, protect=True) == []


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"kmsKeyArn": ...}, "kmsKeyArn is not set"),
        ({"kmsKeyArn": ""}, "kmsKeyArn is not set"),
        ({"kmsKeyArn": "arn:aws:kms:eu-west-1:111122223333:alias/aws/backup"}, "AWS-managed key alias"),
    ],
)
def test_vault_one_change_one_violation(pack: Pack, changes: dict[str, Any], fragment: str) -> None:
    diags = pack.analyze(VAULT, changed(VAULT_PROPS, **changes), protect=True)
    assert [d.policy for d in diags] == [CMK]
    assert fragment in diags[0].message


def test_unprotected_vault_blocks_only_in_prod(pack: Pack, preview_pack: Pack) -> None:
    assert [d.policy for d in pack.analyze(VAULT, VAULT_PROPS)] == ["aws-backup-vault-require-protect"]
    # Preview shows it to reviewers (advisory) without blocking.
    assert [(d.policy, d.level) for d in preview_pack.analyze(VAULT, VAULT_PROPS)] == [
        ("aws-backup-vault-require-protect", "advisory")
    ]


def test_unknown_key_is_a_key(pack: Pack) -> None:
    assert pack.analyze(VAULT, changed(VAULT_PROPS, kmsKeyArn=UNKNOWN), protect=True) == []


# ---- every vault is locked (a stack policy: prod mandatory, preview advisory)

LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
LOCKED = "aws-backup-vault-require-vault-lock"


def _lock_diags(pack: Pack, resources: list[Resource]) -> list[Any]:
    return [d for d in pack.analyze_stack(resources) if d.policy == LOCKED]


def test_a_vault_named_by_a_lock_is_locked(pack: Pack) -> None:
    vault = Resource(VAULT, "vault", VAULT_PROPS, protect=True)
    by_dependency = Resource(LOCK, "lock", {"backupVaultName": UNKNOWN, "minRetentionDays": 7},
                             deps={"backupVaultName": [vault]})
    by_name = Resource(LOCK, "lock", {"backupVaultName": "app-backup", "minRetentionDays": 7})
    assert _lock_diags(pack, [vault, by_dependency]) == []
    assert _lock_diags(pack, [vault, by_name]) == []


def test_an_unlocked_vault_blocks_in_prod_and_shows_in_preview(pack: Pack, preview_pack: Pack) -> None:
    vault = Resource(VAULT, "vault", VAULT_PROPS, protect=True)
    other = Resource(LOCK, "lock", {"backupVaultName": "another-vault", "minRetentionDays": 7})
    for resources in ([vault], [vault, other]):
        (diag,) = _lock_diags(pack, resources)
        assert diag.level == "mandatory"
        assert "no vault lock names this vault" in diag.message
    assert [d.level for d in _lock_diags(preview_pack, [vault])] == ["advisory"]
