"""KMS keys (`aws:kms/key:Key`). `enableKeyRotation` defaults to false; `customerMasterKeySpec` to SYMMETRIC_DEFAULT."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from .common import KMS_KEY, as_bool, as_str, get, is_set, known, resource_policy


def _rotation(args: ResourceValidationArgs) -> Iterator[str]:
    # AWS rotates only symmetric encryption keys with AWS-generated material in the default key store.
    # (Checkov CKV_AWS_7 also checks HMAC keys, which KMS cannot rotate automatically.)
    spec = known(as_str(get(args.props, "customerMasterKeySpec")), "customerMasterKeySpec")
    if isinstance(spec, str) and spec.strip().upper() not in {"", "SYMMETRIC_DEFAULT"}:
        return
    if is_set(get(args.props, "customKeyStoreId")):
        return
    if not known(as_bool(get(args.props, "enableKeyRotation"), default=False), "enableKeyRotation"):
        yield "enableKeyRotation is not true (the provider default is false)."


POLICIES = [
    resource_policy(
        name="aws-kms-key-rotation-enabled",
        description="Customer-managed symmetric KMS keys must have automatic key rotation enabled.",
        sources=("CKV_AWS_7", "AWSGuard cmk-backing-key-rotation-enabled", "FSBP KMS.4"),
        control="KMS keys rotate",
        severity=Severity.MEDIUM,
        remediation="Set `enable_key_rotation=True` (optionally `rotation_period_in_days`).",
        resource_types=(KMS_KEY,),
        check=_rotation,
        tags=("aws", "kms", "encryption"),
    ),
]
