"""Permissions boundaries: the IAM User Guide's "Permissions boundaries for IAM entities" examples and the
boundary-vs-resource-policy rules of "Policy evaluation for requests within a single account"."""

from __future__ import annotations

import pytest

from ops.iam import Context, Outcome, Principal, Request, evaluate

from .sources import ACCOUNT, IAM_CONDITION_KEYS, identity, resource

# BOUNDARIES, first example: ShirleyRodriguez may manage only S3, CloudWatch and EC2 ...
SHIRLEY = Principal.user(f"arn:aws:iam::{ACCOUNT}:user/ShirleyRodriguez")
SHIRLEY_BOUNDARY = identity(
    "ShirleyBoundary", {"Effect": "Allow", "Action": ["s3:*", "cloudwatch:*", "ec2:*"], "Resource": "*"}
)
# ... and is given a permissions policy that allows iam:CreateUser.
SHIRLEY_POLICY = identity("ShirleyCreateUser", {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"})


def test_shirley_cannot_create_a_user_the_boundary_does_not_allow() -> None:
    # BOUNDARIES: "If you attach this permissions policy ... and Shirley tries to create a user, the operation fails."
    request = Request("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/new", SHIRLEY)
    decision = evaluate(request, identity_policies=[SHIRLEY_POLICY], boundary=SHIRLEY_BOUNDARY)
    assert decision.outcome == Outcome.IMPLICIT_DENY
    assert "boundary" in decision.reason
    assert evaluate(request, identity_policies=[SHIRLEY_POLICY]).allowed  # the same policy without the boundary


def test_the_boundary_alone_grants_nothing() -> None:
    # BOUNDARIES: "it limits the user's permissions but does not provide permissions on its own".
    request = Request("s3:ListAllMyBuckets", "*", SHIRLEY)
    assert evaluate(request, identity_policies=[SHIRLEY_POLICY], boundary=SHIRLEY_BOUNDARY).denied


# BOUNDARIES, "Delegating responsibility to others using permissions boundaries", Task 2: Zhang's boundary.
ZHANG = Principal.user(f"arn:aws:iam::{ACCOUNT}:user/Zhang")
DELEGATED_USER_BOUNDARY = identity(
    "DelegatedUserBoundary",
    {
        "Sid": "CreateOrChangeOnlyWithBoundary",
        "Effect": "Allow",
        "Action": [
            "iam:CreateUser",
            "iam:DeleteUserPolicy",
            "iam:AttachUserPolicy",
            "iam:DetachUserPolicy",
            "iam:PutUserPermissionsBoundary",
            "iam:PutUserPolicy",
        ],
        "Resource": "*",
        "Condition": {"StringEquals": {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/XCompanyBoundaries"}},
    },
    {
        "Sid": "CloudWatchAndOtherIAMTasks",
        "Effect": "Allow",
        "Action": ["cloudwatch:*", "iam:GetUser", "iam:ListUsers", "iam:DeleteUser", "iam:UpdateUser"],
        "NotResource": f"arn:aws:iam::{ACCOUNT}:user/Maria",
    },
    {
        "Sid": "NoBoundaryPolicyEdit",
        "Effect": "Deny",
        "Action": [
            "iam:CreatePolicyVersion",
            "iam:DeletePolicy",
            "iam:DeletePolicyVersion",
            "iam:SetDefaultPolicyVersion",
        ],
        "Resource": [
            f"arn:aws:iam::{ACCOUNT}:policy/XCompanyBoundaries",
            f"arn:aws:iam::{ACCOUNT}:policy/DelegatedUserBoundary",
        ],
    },
    {"Sid": "NoBoundaryUserDelete", "Effect": "Deny", "Action": "iam:DeleteUserPermissionsBoundary", "Resource": "*"},
)
ZHANG_PERMISSIONS = identity("broad", {"Effect": "Allow", "Action": ["iam:*", "cloudwatch:*"], "Resource": "*"})
BOUNDARY_KEY_SOURCE = (
    f"Service Authorization Reference, IAM condition keys: iam:PermissionsBoundary ({IAM_CONDITION_KEYS})"
)


def zhang(action: str, resource_arn: str, boundary_arn: str | None = None) -> Outcome:
    ctx = Context()
    if boundary_arn is not None:
        ctx = ctx.with_key("iam:PermissionsBoundary", boundary_arn, source=BOUNDARY_KEY_SOURCE)
    request = Request(action, resource_arn, ZHANG, ctx)
    return evaluate(request, identity_policies=[ZHANG_PERMISSIONS], boundary=DELEGATED_USER_BOUNDARY).outcome


@pytest.mark.parametrize(
    ("action", "target", "boundary_arn", "expected"),
    [
        # "allows Zhang to create IAM users but only if he uses the XCompanyBoundaries policy"
        ("iam:CreateUser", "user/new", f"arn:aws:iam::{ACCOUNT}:policy/XCompanyBoundaries", Outcome.ALLOWED),
        ("iam:CreateUser", "user/new", f"arn:aws:iam::{ACCOUNT}:policy/AdministratorAccess", Outcome.IMPLICIT_DENY),
        ("iam:CreateUser", "user/new", None, Outcome.IMPLICIT_DENY),
        # "reset passwords ... for any IAM user not listed" (NotResource Maria)
        ("iam:GetUser", "user/someone", None, Outcome.ALLOWED),
        ("iam:GetUser", "user/Maria", None, Outcome.IMPLICIT_DENY),
        # "denies Zhang access to update the XCompanyBoundaries policy" / "remove ... boundary"
        ("iam:CreatePolicyVersion", "policy/XCompanyBoundaries", None, Outcome.EXPLICIT_DENY),
        ("iam:DeleteUserPermissionsBoundary", "user/someone", None, Outcome.EXPLICIT_DENY),
        # outside the boundary altogether, though the permissions policy allows iam:*
        ("iam:CreateRole", "role/x", None, Outcome.IMPLICIT_DENY),
    ],
)
def test_zhang_delegated_user_boundary(action, target, boundary_arn, expected) -> None:
    assert zhang(action, f"arn:aws:iam::{ACCOUNT}:{target}", boundary_arn) == expected


# SINGLE_ACCOUNT: a boundary's implicit deny does not limit a resource-based policy's grant to the role session
# (or to an IAM user ARN); it does limit a grant to the role ARN, and a grant to the account goes through the
# identity-based policies, which the boundary limits.
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/app"
APP = Principal.role_session(ROLE_ARN, "worker")
QUEUE = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:jobs"
S3_ONLY_BOUNDARY = identity("s3-only", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
SEND_ANYTHING = identity("send", {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"})


def queue_policy(principal_arn: str) -> object:
    return resource(
        "jobs-queue",
        {"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": "sqs:SendMessage", "Resource": QUEUE},
    )


def test_resource_policy_grant_to_the_role_session_is_not_limited_by_the_boundary() -> None:
    decision = evaluate(
        Request("sqs:SendMessage", QUEUE, APP), boundary=S3_ONLY_BOUNDARY, resource_policy=queue_policy(APP.arn)
    )
    assert decision.allowed, decision.explain()
    assert "principal itself" in decision.reason


def test_resource_policy_grant_to_the_role_arn_is_limited_by_the_boundary() -> None:
    request = Request("sqs:SendMessage", QUEUE, APP)
    limited = evaluate(request, boundary=S3_ONLY_BOUNDARY, resource_policy=queue_policy(ROLE_ARN))
    assert limited.outcome == Outcome.IMPLICIT_DENY
    assert "role ARN" in limited.reason
    within = identity("sqs-too", {"Effect": "Allow", "Action": ["s3:*", "sqs:SendMessage"], "Resource": "*"})
    assert evaluate(request, boundary=within, resource_policy=queue_policy(ROLE_ARN)).allowed
    assert evaluate(request, resource_policy=queue_policy(ROLE_ARN)).allowed  # no boundary at all


def test_resource_policy_grant_to_a_user_arn_is_not_limited_by_the_boundary() -> None:
    request = Request("sqs:SendMessage", QUEUE, SHIRLEY)
    assert evaluate(request, boundary=SHIRLEY_BOUNDARY, resource_policy=queue_policy(SHIRLEY.arn)).allowed


def test_resource_policy_grant_to_the_account_needs_identity_within_the_boundary() -> None:
    request = Request("sqs:SendMessage", QUEUE, APP)
    account_grant = queue_policy(f"arn:aws:iam::{ACCOUNT}:root")
    denied = evaluate(
        request, identity_policies=[SEND_ANYTHING], boundary=S3_ONLY_BOUNDARY, resource_policy=account_grant
    )
    assert denied.outcome == Outcome.IMPLICIT_DENY
    assert evaluate(request, identity_policies=[SEND_ANYTHING], resource_policy=account_grant).allowed


def test_boundary_deny_is_an_explicit_deny() -> None:
    boundary = identity(
        "guard",
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "NoAdmin", "Effect": "Deny", "Action": "iam:AttachRolePolicy", "Resource": "*"},
    )
    request = Request("iam:AttachRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/x", APP)
    decision = evaluate(
        request,
        identity_policies=[identity("admin", {"Effect": "Allow", "Action": "*", "Resource": "*"})],
        boundary=boundary,
    )
    assert decision.outcome == Outcome.EXPLICIT_DENY
    assert decision.statements[0].kind == "boundary"


def test_not_principal_deny_always_denies_a_principal_with_a_boundary() -> None:
    # BOUNDARIES, "Important": "The NotPrincipal element with a Deny effect will always deny any IAM principal
    # that has a permissions boundary policy attached, regardless of the values specified". Listing follows
    # NOT_PRINCIPAL's advice (session, role and account).
    bucket = resource(
        "bucket",
        {"Effect": "Allow", "Principal": {"AWS": APP.arn}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": [APP.arn, ROLE_ARN, f"arn:aws:iam::{ACCOUNT}:root"]},
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::b/*",
        },
    )
    request = Request("s3:GetObject", "arn:aws:s3:::b/k", APP, resource_account=ACCOUNT)
    assert evaluate(request, resource_policy=bucket).allowed
    bounded = evaluate(request, boundary=S3_ONLY_BOUNDARY, resource_policy=bucket)
    assert bounded.outcome == Outcome.EXPLICIT_DENY
