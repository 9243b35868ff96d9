"""Azure blob containers (`azure-native:storage:BlobContainer`): never anonymously readable."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import Family, as_str, get, known, resource_policy
from ...refs import ckv

BLOB_CONTAINER = "azure-native:storage:BlobContainer"
_about = Family("azure-storage-blob-container", ("azure", "storage")).about


def _public(args: ResourceValidationArgs) -> Iterator[str]:
    access = known(as_str(get(args.props, "publicAccess")), "publicAccess")
    if isinstance(access, str) and access.strip().lower() not in {"", "none"}:
        yield f"publicAccess is {access.strip()!r}: anyone on the internet can read its blobs."


RESOURCE_TYPE = BLOB_CONTAINER
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        _about(
            "disallow-public-access",
            description="Blob containers must not allow anonymous access (publicAccess None).",
            refs=(ckv("CKV_AZURE_34"),),
            control="no anonymous blob access; containers private",
            severity=Severity.CRITICAL,
            remediation='Set `public_access="None"` (and `allow_blob_public_access=False` on the account).',
            url="https://learn.microsoft.com/en-us/azure/storage/blobs/anonymous-read-access-prevent",
        ),
        (BLOB_CONTAINER,),
        _public,
    ),
]
