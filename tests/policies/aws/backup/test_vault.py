"""AWS Backup vault policies: a customer-managed key, and `protect` in prod."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import KEY_ARN, changed
from tests.policies.harness import UNKNOWN, Pack

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
