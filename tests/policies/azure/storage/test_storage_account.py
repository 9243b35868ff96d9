"""Azure storage: the account's own settings, its blob-service and lifecycle joins, private containers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.backup_fixtures import (
    BLOB_CONTAINER,
    STORAGE_ACCOUNT,
    STORAGE_ACCOUNT_PROPS,
    azure_stack,
)
from tests.policies.harness import Pack, only, violated


def test_compliant_account_passes(pack: Pack) -> None:
    assert pack.analyze(STORAGE_ACCOUNT, STORAGE_ACCOUNT_PROPS, protect=True) == []
    assert pack.analyze_stack(list(azure_stack())) == []
    _, _, container, _ = azure_stack()
    assert pack.analyze(BLOB_CONTAINER, container.props) == []


@pytest.mark.parametrize(
    ("change", "policy"),
    [
        ({"enableHttpsTrafficOnly": False}, "azure-storage-account-require-https-only"),
        ({"minimumTlsVersion": "TLS1_1"}, "azure-storage-account-configure-minimum-tls"),
        ({"minimumTlsVersion": None}, "azure-storage-account-configure-minimum-tls"),
        ({"allowBlobPublicAccess": True}, "azure-storage-account-disallow-blob-public-access"),
        ({"allowBlobPublicAccess": None}, "azure-storage-account-disallow-blob-public-access"),
        ({"allowSharedKeyAccess": True}, "azure-storage-account-disallow-shared-key-access"),
        ({"allowSharedKeyAccess": None}, "azure-storage-account-disallow-shared-key-access"),
    ],
)
def test_each_weakened_setting_is_one_violation(pack: Pack, change: dict[str, Any], policy: str) -> None:
    props = {k: v for k, v in {**STORAGE_ACCOUNT_PROPS, **change}.items() if v is not None}
    only(pack.analyze(STORAGE_ACCOUNT, props, protect=True), policy)


def test_https_only_is_the_default(pack: Pack) -> None:
    props = {k: v for k, v in STORAGE_ACCOUNT_PROPS.items() if k != "enableHttpsTrafficOnly"}
    assert pack.analyze(STORAGE_ACCOUNT, props, protect=True) == []


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("isVersioningEnabled", False),
        ("deleteRetentionPolicy", {"enabled": False}),
        ("containerDeleteRetentionPolicy", {"enabled": True, "days": 0}),
    ],
)
def test_versioning_and_soft_delete_are_required(pack: Pack, prop: str, value: Any) -> None:
    account, service, container, policy = azure_stack()
    service.props[prop] = value
    diag = only(pack.analyze_stack([account, service, container, policy]),
                "azure-storage-account-enable-blob-soft-delete-and-versioning", prop)
    assert diag.urn == account.urn


def test_missing_blob_service_and_lifecycle(pack: Pack) -> None:
    account, _, container, _ = azure_stack()
    assert violated(pack.analyze_stack([account, container])) == {
        "azure-storage-account-enable-blob-soft-delete-and-versioning",
        "azure-storage-account-configure-lifecycle-management",
    }


def test_disabled_lifecycle_rules_do_not_count(pack: Pack) -> None:
    account, service, container, policy = azure_stack()
    policy.props["policy"]["rules"][0]["enabled"] = False
    only(pack.analyze_stack([account, service, container, policy]),
         "azure-storage-account-configure-lifecycle-management")


@pytest.mark.parametrize("access", ["Blob", "Container"])
def test_public_containers_are_refused(pack: Pack, access: str) -> None:
    only(pack.analyze(BLOB_CONTAINER, {"accountName": "a", "publicAccess": access}),
         "azure-storage-blob-container-disallow-public-access", access)


def test_unprotected_account_in_prod(prod_pack: Pack, preview_pack: Pack) -> None:
    only(prod_pack.analyze(STORAGE_ACCOUNT, STORAGE_ACCOUNT_PROPS), "azure-storage-account-require-protect")
    # Preview relaxes it to advisory: shown to reviewers, never blocking.
    assert {d.level for d in preview_pack.analyze(STORAGE_ACCOUNT, STORAGE_ACCOUNT_PROPS)} == {"advisory"}
