"""Action/Resource/Principal and their Not* forms, and role trust policies (IAM User Guide element pages)."""

from __future__ import annotations

import pytest

from ops.iam import Context, Outcome, Principal, Request, evaluate

from .sources import (
    ACCOUNT,
    OTHER_ACCOUNT,
    identity,
    resource,
)

USER = Principal.user(f"arn:aws:iam::{ACCOUNT}:user/mary")


def request(action: str, resource_arn: str, principal: Principal = USER, context: Context | None = None) -> Request:
    return Request(action, resource_arn, principal, context or Context(), resource_account=ACCOUNT)


def test_not_action_allow_everything_but_iam() -> None:
    # NOT_ACTION: "Effect": "Allow", "NotAction": "iam:*", "Resource": "*" allows all but IAM actions.
    policy = identity("p", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert evaluate(request("s3:GetObject", "arn:aws:s3:::b/k"), identity_policies=[policy]).allowed
    assert evaluate(request("IAM:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x"), identity_policies=[policy]).denied


def test_not_action_deny_without_mfa() -> None:
    # NOT_ACTION: deny everything except IAM when "aws:MultiFactorAuthPresent" is false (BoolIfExists).
    policy = identity(
        "p",
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Effect": "Deny",
            "NotAction": "iam:*",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        },
    )
    src = "IAM User Guide, aws:MultiFactorAuthPresent"
    no_mfa = Context({"aws:MultiFactorAuthPresent": (False, src)})
    mfa = Context({"aws:MultiFactorAuthPresent": (True, src)})
    assert evaluate(
        request("s3:GetObject", "arn:aws:s3:::b/k", context=no_mfa), identity_policies=[policy]
    ).outcome == (Outcome.EXPLICIT_DENY)
    assert evaluate(request("s3:GetObject", "arn:aws:s3:::b/k", context=mfa), identity_policies=[policy]).allowed
    # the key is absent with long-term access keys: BoolIfExists makes the Deny apply too
    assert evaluate(request("s3:GetObject", "arn:aws:s3:::b/k"), identity_policies=[policy]).denied
    assert evaluate(request("iam:ListUsers", "*", context=no_mfa), identity_policies=[policy]).allowed


def test_not_resource_deny_all_but_payroll() -> None:
    # NOT_RESOURCE: deny S3 everywhere except the HRBucket/Payroll prefix.
    policy = identity(
        "p",
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "s3:*",
            "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"],
        },
    )
    assert evaluate(
        request("s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/jan.csv"), identity_policies=[policy]
    ).allowed
    other = evaluate(request("s3:GetObject", "arn:aws:s3:::HRBucket/Other/x"), identity_policies=[policy])
    assert other.outcome == Outcome.EXPLICIT_DENY


def test_actions_match_case_insensitively_resources_case_sensitively() -> None:
    policy = identity("p", {"Effect": "Allow", "Action": "S3:Get*", "Resource": "arn:aws:s3:::Bucket/*"})
    assert evaluate(request("s3:getobject", "arn:aws:s3:::Bucket/k"), identity_policies=[policy]).allowed
    assert evaluate(request("s3:GetObject", "arn:aws:s3:::bucket/k"), identity_policies=[policy]).denied


@pytest.mark.parametrize(
    ("pattern", "arn", "expected"),
    [
        # RESOURCE: wildcards within any ARN segment; the resource segment takes the rest.
        ("arn:aws:sns:*:111122223333:alerts", f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts", True),
        ("arn:aws:sns:eu-west-?:111122223333:alerts", f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts", True),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/daily/2026/x.dump", True),
        ("arn:aws:s3:::b/daily/*", "arn:aws:s3:::b/weekly/x", False),
        ("arn:aws:iam::*:role/*", f"arn:aws:iam::{ACCOUNT}:role/path/name", True),
        ("arn:aws:iam::*:role/*", f"arn:aws:iam::{ACCOUNT}:user/name", False),
        ("*", "anything", True),
    ],
)
def test_resource_wildcards(pattern, arn, expected) -> None:
    policy = identity("p", {"Effect": "Allow", "Action": "*", "Resource": pattern})
    assert evaluate(request("x:Y", arn), identity_policies=[policy]).allowed is expected


ROLE_ARN = f"arn:aws:iam::{OTHER_ACCOUNT}:role/cross-account-read-only-role"
AUDIT = Principal.role_session(ROLE_ARN, "cross-account-audit-app")
OTHER_APP = Principal.role_session(f"arn:aws:iam::{OTHER_ACCOUNT}:role/other", "x")
READ_AUDIT = identity("read", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})


def audit_bucket(not_principals: list[str]) -> object:
    # NOT_PRINCIPAL, "IAM role in the same or different account": everyone but the audit session is denied.
    return resource(
        "Bucket_AccountAudit",
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::Bucket_AccountAudit/*",
        },
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": not_principals},
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::Bucket_AccountAudit", "arn:aws:s3:::Bucket_AccountAudit/*"],
        },
    )


def test_not_principal_deny_spares_only_the_listed_session() -> None:
    listed = [AUDIT.arn, ROLE_ARN, f"arn:aws:iam::{OTHER_ACCOUNT}:root"]
    req = Request("s3:GetObject", "arn:aws:s3:::Bucket_AccountAudit/x", AUDIT, resource_account=ACCOUNT)
    other = Request("s3:GetObject", "arn:aws:s3:::Bucket_AccountAudit/x", OTHER_APP, resource_account=ACCOUNT)
    assert evaluate(req, identity_policies=[READ_AUDIT], resource_policy=audit_bucket(listed)).allowed
    assert evaluate(other, identity_policies=[READ_AUDIT], resource_policy=audit_bucket(listed)).outcome == (
        Outcome.EXPLICIT_DENY
    )


def test_not_principal_without_the_account_might_deny() -> None:
    # NOT_PRINCIPAL: without the account (or role) ARN "the policy might deny access" — AWS "might validate the
    # account first": the evaluator cannot tell, so the outcome is unknown, not an allow.
    req = Request("s3:GetObject", "arn:aws:s3:::Bucket_AccountAudit/x", AUDIT, resource_account=ACCOUNT)
    decision = evaluate(req, identity_policies=[READ_AUDIT], resource_policy=audit_bucket([AUDIT.arn]))
    assert decision.outcome == Outcome.UNKNOWN


def test_not_principal_allow_grants_everyone_else_including_services() -> None:
    # NOT_PRINCIPAL, "NotPrincipal with Allow": all principals except the one named, even anonymous ones.
    policy = resource(
        "open",
        {"Effect": "Allow", "NotPrincipal": {"AWS": USER.arn}, "Action": "s3:GetObject", "Resource": "*"},
    )
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k", Principal.anonymous()), resource_policy=policy).allowed
    assert evaluate(request("s3:GetObject", "arn:aws:s3:::b/k"), resource_policy=policy).outcome == Outcome.UNKNOWN


def test_principal_forms() -> None:
    # PRINCIPAL: an account as its id or root ARN, a role, a role session, "*", {"AWS": "*"}, services.
    target = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:q"
    session = Principal.role_session(f"arn:aws:iam::{ACCOUNT}:role/app", "s1")

    def allows(principal_element: object, who: Principal = session) -> bool:
        policy = resource(
            "q", {"Effect": "Allow", "Principal": principal_element, "Action": "sqs:*", "Resource": target}
        )
        return evaluate(Request("sqs:SendMessage", target, who), resource_policy=policy).allowed

    assert allows("*")
    assert allows({"AWS": "*"})
    assert allows({"AWS": session.arn})
    assert allows({"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"})
    assert not allows({"AWS": f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s2"})
    assert not allows({"AWS": ACCOUNT})  # the account alone delegates to identity policies; there are none
    assert allows({"Service": ["sqs.amazonaws.com", "SNS.amazonaws.com"]}, Principal.service("sns.amazonaws.com"))
    assert not allows({"Service": "sns.amazonaws.com"})


# Role trust policies (PRINCIPAL, "Role trust policies"): the trust policy must allow, like a key policy.
DEPLOY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/deploy"
OIDC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
GITHUB_SRC = "GitHub Docs, Configuring OpenID Connect in Amazon Web Services (token claims aud, sub)"
TRUST = resource(
    "deploy-trust",
    {
        "Effect": "Allow",
        "Principal": {"Federated": OIDC},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:example-org/web-app:environment:prod",
            }
        },
    },
)


def test_trust_policy_for_a_web_identity() -> None:
    def assume(sub: str) -> Outcome:
        ctx = Context(
            {
                "token.actions.githubusercontent.com:aud": ("sts.amazonaws.com", GITHUB_SRC),
                "token.actions.githubusercontent.com:sub": (sub, GITHUB_SRC),
            }
        )
        req = Request("sts:AssumeRoleWithWebIdentity", DEPLOY_ROLE, Principal.federated(OIDC), ctx)
        return evaluate(req, resource_policy=TRUST).outcome

    assert assume("repo:example-org/web-app:environment:prod") == Outcome.ALLOWED
    assert assume("repo:example-org/web-app:ref:refs/heads/feature") == Outcome.IMPLICIT_DENY
    assert assume("repo:attacker/web-app:environment:prod") == Outcome.IMPLICIT_DENY


def test_trust_policy_must_allow_even_an_admin_of_the_account() -> None:
    admin = Principal.role_session(f"arn:aws:iam::{ACCOUNT}:role/admin")
    everything = identity("admin", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    req = Request("sts:AssumeRole", DEPLOY_ROLE, admin)
    assert evaluate(req, identity_policies=[everything], resource_policy=TRUST).denied
    trusting_account = resource(
        "t", {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    )
    assert evaluate(req, identity_policies=[everything], resource_policy=trusting_account).allowed
    assert evaluate(req, resource_policy=trusting_account).denied
