"""KMS keys (`aws:kms/key:Key`). `enableKeyRotation` defaults to false; `customerMasterKeySpec` to SYMMETRIC_DEFAULT;
without `policy` KMS attaches its default key policy (the account root may do `kms:*`, nobody else is named).

The key policy arrives as a JSON string. During a preview it is unknown when it is computed from other outputs
(e.g. the caller identity): the policies that read it then report "can't run during preview" and run at `up`.

Keys whose data outlives the stack (an RDS instance's final snapshot and retained automated backups) must survive
`pulumi destroy`. Pulumi expresses that with `retain_on_delete`, but the Analyzer protocol does not carry it
(pulumi_policy 1.21 `PolicyResourceOptions` has `protect`, `ignore_changes`, `delete_before_replace`, `aliases`,
`custom_timeouts`, `additional_secret_outputs`, `parent`; pulumi's `AnalyzerResourceOptions` has no
`retainOnDelete`), so no policy can check it. The pack checks the half it can see: such keys are `protect`ed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from ...common import (
    KMS_KEY,
    MISSING,
    RDS_INSTANCE,
    UNKNOWN,
    Family,
    StackIndex,
    as_list,
    as_str,
    get,
    is_set,
    known,
    resource_policy,
    stack_policy,
)
from ...factories import flag_policy
from ...refs import aws_docs, awsguard, ckv, fsbp, platform

_TAGS = ("aws", "kms", "encryption")
_KMS_GUIDE = "https://docs.aws.amazon.com/kms/latest/developerguide"
_ROOT = re.compile(r"arn:aws(?:-[a-z]+)*:iam::\d{12}:root|\d{12}", re.ASCII)
# Resource types whose data outlives the stack, and the input that names the KMS key encrypting it.
RETAINED_DATA: Final[dict[str, tuple[str, ...]]] = {
    RDS_INSTANCE: ("kmsKeyId",),  # final snapshot, retained automated backups
    "aws:backup/vault:Vault": ("kmsKeyArn",),  # recovery points
    # objects of a kept (not force-destroyed) bucket: the backup dumps
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ("rules",),
}


_about = Family("aws-kms-key", _TAGS).about


# --------------------------------------------------------------------------------------------------
# The key policy document
# --------------------------------------------------------------------------------------------------
class PolicyDocumentError(ValueError):
    """The key policy is not a JSON policy document."""


def _listify(value: Any) -> list[Any]:
    """A JSON policy field that may be one value or a list of them, as a list (absent -> [])."""
    if value is MISSING or value is UNKNOWN or value is None:
        return []
    items = as_list(value)
    return items if isinstance(items, list) else [value]


def key_policy_statements(args: ResourceValidationArgs) -> list[Mapping[str, Any]] | None:
    """The statements of the key's `policy` input; None when absent; unknown -> "can't run during preview"."""
    raw = get(args.props, "policy")
    if not is_set(raw):
        return None
    document: Any = known(raw, "policy")
    if isinstance(document, str):
        if UNKNOWN_STRING_VALUE in document:  # an interpolated unknown, e.g. the account id during a preview
            known(UNKNOWN, "policy")
        try:
            document = json.loads(document)
        except (ValueError, RecursionError) as exc:
            raise PolicyDocumentError("the key policy is not valid JSON") from exc
    if not isinstance(document, Mapping):
        raise PolicyDocumentError("the key policy is not a JSON object")
    statements = [s for s in _listify(get(document, "Statement")) if isinstance(s, Mapping)]
    if not statements:
        raise PolicyDocumentError("the key policy has no Statement")
    return statements


def _label(i: int, statement: Mapping[str, Any]) -> str:
    sid = get(statement, "Sid")
    return f"statement {i} ({sid})" if isinstance(sid, str) and sid else f"statement {i}"


def _allows(statement: Mapping[str, Any]) -> bool:
    effect = get(statement, "Effect")
    return isinstance(effect, str) and effect.strip() == "Allow"


def _aws_principals(statement: Mapping[str, Any]) -> list[Any]:
    principal = get(statement, "Principal")
    if isinstance(principal, str):
        return [principal]
    return _listify(get(principal, "AWS")) if isinstance(principal, Mapping) else []


def _has_condition(statement: Mapping[str, Any]) -> bool:
    condition = get(statement, "Condition")
    return isinstance(condition, Mapping) and len(condition) > 0


def _is_root_admin(statement: Mapping[str, Any]) -> bool:
    """An unconditional Allow of `kms:*` on `*` to an account root (`arn:<partition>:iam::<account>:root`)."""
    if not _allows(statement) or _has_condition(statement):
        return False
    actions = {a.strip().lower() for a in _listify(get(statement, "Action")) if isinstance(a, str)}
    resources = {r.strip() for r in _listify(get(statement, "Resource")) if isinstance(r, str)}
    roots = [p for p in _aws_principals(statement) if isinstance(p, str) and _ROOT.fullmatch(p.strip())]
    return bool(roots) and bool(actions & {"kms:*", "*"}) and "*" in resources


def _is_wildcard(principal: Any) -> bool:
    return isinstance(principal, str) and principal.strip() == "*"


# --------------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------------
def _rotatable(args: ResourceValidationArgs) -> bool:
    """AWS rotates only symmetric encryption keys with AWS-generated material in the default key store.
    (Checkov CKV_AWS_7 also checks HMAC keys, which KMS cannot rotate automatically.)"""
    spec = known(as_str(get(args.props, "customerMasterKeySpec")), "customerMasterKeySpec")
    if isinstance(spec, str) and spec.strip().upper() not in {"", "SYMMETRIC_DEFAULT"}:
        return False
    return not is_set(get(args.props, "customKeyStoreId"))


def _key_policy(args: ResourceValidationArgs) -> Iterator[str]:
    try:
        statements = key_policy_statements(args)
    except PolicyDocumentError as exc:
        yield f"{exc}; KMS would refuse it."
        return
    if statements is None:
        yield (
            "policy is not set: KMS attaches its default key policy, which grants use to any IAM principal of the "
            "account that an IAM policy allows, instead of only the services that need the key."
        )
        return
    if not any(_is_root_admin(s) for s in statements):
        yield (
            "no statement allows the account root (arn:<partition>:iam::<account>:root) kms:* on * without a "
            "condition: the key could become unmanageable (only AWS Support can recover it)."
        )


def _wildcard_principal(args: ResourceValidationArgs) -> Iterator[str]:
    try:
        statements = key_policy_statements(args)
    except PolicyDocumentError:
        return  # reported by aws-kms-key-configure-key-policy
    for i, statement in enumerate(statements or []):
        if not _allows(statement):
            continue
        if is_set(get(statement, "NotPrincipal")):
            yield f"{_label(i, statement)} allows with NotPrincipal: everyone except the listed principals."
        elif any(_is_wildcard(p) for p in _aws_principals(statement)) and not _has_condition(statement):
            yield f"{_label(i, statement)} allows the '*' principal without a condition: anyone can use the key."


def _protect_keys_of_retained_data(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    keys = index.of_type(KMS_KEY)
    for key in keys:
        if bool(getattr(key.opts, "protect", False)):
            continue
        users = _retained_data_users(index, key)
        if users:
            names = ", ".join(sorted({u.name for u in users}))
            yield (
                f"{key.name}: encrypts data that outlives the stack ({names}) but is not protected: `pulumi destroy` "
                "would schedule it for deletion, after which that data (final snapshots, retained backups, recovery "
                "points) is unreadable forever.",
                key.urn,
            )


def _retained_data_users(index: StackIndex, key: PolicyResource) -> list[PolicyResource]:
    users: list[PolicyResource] = []
    for type_, props in RETAINED_DATA.items():
        for resource in index.of_type(type_):
            if any(index.depends_on(resource, p, key, "arn", "keyId", "id") for p in props):
                users.append(resource)
    return users


RESOURCE_TYPE = KMS_KEY
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    flag_policy(
        _about(
            "enable-key-rotation",
            description="Customer-managed symmetric KMS keys must have automatic key rotation enabled.",
            refs=(ckv("CKV_AWS_7"), awsguard("cmk-backing-key-rotation-enabled"), fsbp("KMS.4")),
            control="KMS keys rotate",
            severity=Severity.MEDIUM,
            remediation="Set `enable_key_rotation=True` (optionally `rotation_period_in_days`).",
            url=f"{_KMS_GUIDE}/rotate-keys.html",
        ),
        KMS_KEY, "enableKeyRotation", required=True, default=False, applies=_rotatable,
        consequence="the key material is never rotated",
    ),
    flag_policy(
        _about(
            "require-enabled",
            description="KMS keys must be enabled: a disabled key cannot decrypt the data it protects.",
            refs=(ckv("CKV_AWS_227"),),
            control="KMS keys are enabled",
            severity=Severity.MEDIUM,
            remediation="Set `is_enabled=True` (or leave it unset: KMS enables new keys); to retire a key, schedule "
            "its deletion instead of disabling it in the program.",
            url=f"{_KMS_GUIDE}/enabling-keys.html",
        ),
        KMS_KEY, "isEnabled", required=True, default=True,
        consequence="every encrypt and decrypt call with the key fails",
    ),
    resource_policy(
        _about(
            "configure-key-policy",
            description="KMS keys must have an explicit key policy that keeps the account root as administrator "
            "(kms:* on *).",
            refs=(platform("explicit key policy baseline"), ckv("CKV2_AWS_64"),
             aws_docs("default key policy: allows access to the AWS account", f"{_KMS_GUIDE}/key-policy-default.html")),
            control="explicit key policy; account root keeps kms:*; use granted only to the services that need it",
            severity=Severity.HIGH,
            remediation="Pass `policy=json.dumps({...})` with a statement that allows "
            '`{"AWS": f"arn:{partition}:iam::{account_id}:root"}` `kms:*` on `*`, plus statements that grant use to '
            "the services that need the key (kms:ViaService, the CloudWatch Logs service principal).",
            tags=("iam",),
            url=f"{_KMS_GUIDE}/key-policy-default.html",
        ),
        (KMS_KEY,),
        _key_policy,
    ),
    resource_policy(
        _about(
            "disallow-wildcard-principal",
            description="KMS key policies must not allow the '*' principal without a condition.",
            refs=(ckv("CKV_AWS_33"),),
            control="no wildcard principal in the key policy",
            severity=Severity.CRITICAL,
            remediation="Name the principals (account root, service principals) or add a condition such as "
            "`kms:ViaService` or `kms:CallerAccount` to the statement.",
            tags=("iam",),
            url=f"{_KMS_GUIDE}/key-policies.html",
        ),
        (KMS_KEY,),
        _wildcard_principal,
    ),
    stack_policy(
        _about(
            "require-protect",
            description="KMS keys that encrypt data which outlives the stack (an RDS instance's final snapshot and "
            "retained backups, backup vaults) must be `protect`ed (prod); they should also be `retain_on_delete`, "
            "which the policy engine cannot see.",
            refs=(platform("data-loss baseline"), fsbp("KMS.3", analogue=True)),
            control="keys of retained data are retain_on_delete and protected in prod",
            severity=Severity.HIGH,
            remediation="Pass `opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True)` for the key.",
            tags=("data-loss", "prod-only"),
        ),
        _protect_keys_of_retained_data,
    ),
]
