"""KMS key policies: the key policy must allow, directly or by delegating to IAM through the account root
(AWS KMS Developer Guide, "Key policies in AWS KMS" and "Default key policy"; "AWS KMS condition keys")."""

from __future__ import annotations

from ops.iam import Context, Outcome, Principal, Request, evaluate, resource_policy_must_allow

from .sources import ACCOUNT, KMS_CONDITIONS, identity, resource

KEY = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ExampleRole"
ROLE = Principal.role_session(ROLE_ARN)
USE_ANY_KEY = identity(
    "use-keys", {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}
)

# DEFAULT_KEY_POLICY, "Allows access to the AWS account and enables IAM policies".
ENABLE_IAM = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
# DEFAULT_KEY_POLICY, "Allows key users to use the KMS key".
KEY_USERS = {
    "Sid": "Allow use of the key",
    "Effect": "Allow",
    "Principal": {"AWS": ROLE_ARN},
    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
    "Resource": "*",
}


def decrypt(principal: Principal = ROLE, context: Context | None = None) -> Request:
    return Request("kms:Decrypt", KEY, principal, context or Context())


def test_key_requests_need_the_key_policy() -> None:
    assert resource_policy_must_allow(decrypt())
    assert not resource_policy_must_allow(Request("s3:GetObject", "arn:aws:s3:::b/k", ROLE))
    assert resource_policy_must_allow(Request("sts:AssumeRole", ROLE_ARN, ROLE))


def test_default_key_policy_delegates_to_iam_policies() -> None:
    # DEFAULT_KEY_POLICY: the root statement "enables IAM policies" to allow access to the key.
    key_policy = resource("key", ENABLE_IAM)
    allowed = evaluate(decrypt(), identity_policies=[USE_ANY_KEY], resource_policy=key_policy)
    assert allowed.allowed
    assert {s.sid for s in allowed.statements} == {"Enable IAM User Permissions", None}
    # ... and delegating is all it does: without an identity policy the role is not allowed.
    assert evaluate(decrypt(), resource_policy=key_policy).outcome == Outcome.IMPLICIT_DENY


def test_key_policy_without_the_root_statement_denies_an_iam_allowed_principal() -> None:
    # KEY_POLICIES: "Unless the key policy explicitly allows it, you cannot use IAM policies to allow access to a
    # KMS key" — same account, an identity policy that allows kms:Decrypt on every key is not enough.
    key_policy = resource("key", {**KEY_USERS, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Other"}})
    admin = identity("admin", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    decision = evaluate(decrypt(), identity_policies=[admin, USE_ANY_KEY], resource_policy=key_policy)
    assert decision.outcome == Outcome.IMPLICIT_DENY
    assert "must allow" in decision.reason


def test_key_policy_naming_the_role_is_enough() -> None:
    # DEFAULT_KEY_POLICY, key users: the key policy grants the role; no IAM policy is needed.
    assert evaluate(decrypt(), resource_policy=resource("key", KEY_USERS)).allowed


def test_key_policy_for_a_service_principal() -> None:
    # SNS_KEY_MANAGEMENT, "Enable compatibility between event sources from AWS services and encrypted topics":
    # the key policy allows the service principal kms:GenerateDataKey* and kms:Decrypt.
    key_policy = resource(
        "key",
        ENABLE_IAM,
        {
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
            "Resource": "*",
        },
    )
    alarm = Principal.service("cloudwatch.amazonaws.com")
    assert evaluate(Request("kms:GenerateDataKey", KEY, alarm), resource_policy=key_policy).allowed
    events = Principal.service("events.amazonaws.com")
    assert evaluate(Request("kms:GenerateDataKey", KEY, events), resource_policy=key_policy).denied
    assert evaluate(Request("kms:CreateGrant", KEY, alarm), resource_policy=key_policy).denied


CALLER_SRC = f"AWS KMS Developer Guide, AWS KMS condition keys: kms:CallerAccount, kms:ViaService ({KMS_CONDITIONS})"


def test_via_service_and_caller_account() -> None:
    # KMS_CONDITIONS, kms:ViaService: the AWS managed key policy pattern — any principal of the account, only
    # through EBS (kms:CallerAccount + kms:ViaService).
    key_policy = resource(
        "aws/ebs",
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "ec2.us-west-2.amazonaws.com"}
            },
        },
    )

    def via(service: str | None, account: str = ACCOUNT) -> bool:
        ctx = Context({"kms:CallerAccount": (account, CALLER_SRC)})
        if service is not None:
            ctx = ctx.with_key("kms:ViaService", service, source=CALLER_SRC)
        return evaluate(decrypt(context=ctx), resource_policy=key_policy).allowed

    assert via("ec2.us-west-2.amazonaws.com")
    assert not via("s3.us-west-2.amazonaws.com")
    assert not via(None)  # called directly, not through a service
    assert not via("ec2.us-west-2.amazonaws.com", account="444455556666")


def test_encryption_context_condition() -> None:
    # KMS_CONDITIONS, kms:EncryptionContext:context-key: "StringEquals": {"kms:EncryptionContext:AppName": ...}.
    key_policy = resource(
        "key",
        {**KEY_USERS, "Condition": {"StringEquals": {"kms:EncryptionContext:AppName": "ExampleApp"}}},
    )
    src = f"AWS KMS Developer Guide, kms:EncryptionContext:context-key ({KMS_CONDITIONS})"
    good = Context({"kms:EncryptionContext:AppName": ("ExampleApp", src)})
    bad = Context({"kms:EncryptionContext:AppName": ("OtherApp", src)})
    assert evaluate(decrypt(context=good), resource_policy=key_policy).allowed
    assert evaluate(decrypt(context=bad), resource_policy=key_policy).denied
    assert evaluate(decrypt(), resource_policy=key_policy).denied


def test_explicit_deny_in_the_key_policy_beats_the_identity_allow() -> None:
    key_policy = resource(
        "key",
        ENABLE_IAM,
        {
            "Sid": "NoDecryptOutsideVpc",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:SourceVpc": "vpc-1"}},
        },
    )
    decision = evaluate(decrypt(), identity_policies=[USE_ANY_KEY], resource_policy=key_policy)
    assert decision.outcome == Outcome.EXPLICIT_DENY
    assert decision.evidence() == ("aws:SourceVpc (absent)",)
