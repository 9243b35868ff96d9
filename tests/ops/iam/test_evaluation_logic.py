"""The IAM User Guide's "Policy evaluation logic" pages: explicit deny wins, same account is identity OR resource
policy, cross-account needs both, services only through resource policies."""

from __future__ import annotations

import pytest

from ops.iam import Context, Outcome, Principal, Request, RequestError, evaluate

from .sources import ACCOUNT, OTHER_ACCOUNT, identity, resource

CARLOS = Principal.user(f"arn:aws:iam::{ACCOUNT}:user/carlossalazar")

# SINGLE_ACCOUNT, "Example identity-based and resource-based policy evaluation": Carlos's user policy ...
CARLOS_POLICY = identity(
    "carlossalazar",
    {
        "Sid": "AllowS3ListRead",
        "Effect": "Allow",
        "Action": [
            "s3:GetBucketLocation",
            "s3:GetAccountPublicAccessBlock",
            "s3:ListAccessPoints",
            "s3:ListAllMyBuckets",
        ],
        "Resource": "arn:aws:s3:::*",
    },
    {
        "Sid": "AllowS3Self",
        "Effect": "Allow",
        "Action": "s3:*",
        "Resource": [
            "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*",
            "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar",
        ],
    },
    {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*log*"},
)
# ... and the bucket policy that lets only carlossalazar use his bucket (same page).
CARLOS_BUCKET_POLICY = resource(
    "amzn-s3-demo-bucket-carlossalazar",
    {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/carlossalazar"},
        "Action": "s3:*",
        "Resource": "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*",
    },
)


def carlos_put(bucket: str) -> Request:
    return Request("s3:PutObject", f"arn:aws:s3:::{bucket}/file.txt", CARLOS, resource_account=ACCOUNT)


def test_carlos_cannot_save_to_the_logs_bucket_explicit_deny() -> None:
    # SINGLE_ACCOUNT: "the DenyS3Logs statement ... explicitly denies" the save to ...-carlossalazar-logs.
    decision = evaluate(carlos_put("amzn-s3-demo-bucket-carlossalazar-logs"), identity_policies=[CARLOS_POLICY])
    assert decision.outcome == Outcome.EXPLICIT_DENY
    assert [s.sid for s in decision.statements] == ["DenyS3Logs"]


def test_carlos_saves_to_his_own_bucket_either_policy_suffices() -> None:
    # SINGLE_ACCOUNT, "Important": "If either the identity-based policy or the resource-based policy within the
    # same account allows the request and the other doesn't, the request is still allowed."
    request = carlos_put("amzn-s3-demo-bucket-carlossalazar")
    both = evaluate(request, identity_policies=[CARLOS_POLICY], resource_policy=CARLOS_BUCKET_POLICY)
    identity_only = evaluate(request, identity_policies=[CARLOS_POLICY])
    bucket_only = evaluate(request, resource_policy=CARLOS_BUCKET_POLICY)
    assert both.allowed
    assert identity_only.allowed
    assert bucket_only.allowed
    assert [s.sid for s in identity_only.statements] == ["AllowS3Self"]
    assert bucket_only.statements[0].kind == "resource"


def test_explicit_deny_in_any_policy_overrides_every_allow() -> None:
    # DENY_ALLOW, "Deny evaluation": one applicable explicit deny returns a final Deny.
    bucket_policy = resource(
        "bucket",
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
        {"Sid": "NoDeletes", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject*", "Resource": "*"},
    )
    admin = identity("admin", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    request = Request("s3:DeleteObjectVersion", "arn:aws:s3:::b/k", CARLOS, resource_account=ACCOUNT)
    decision = evaluate(request, identity_policies=[admin], resource_policy=bucket_policy)
    assert decision.outcome == Outcome.EXPLICIT_DENY
    assert [s.sid for s in decision.statements] == ["NoDeletes"]


def test_nothing_allows_is_an_implicit_deny() -> None:
    # DENY_ALLOW: "By default, all requests are implicitly denied".
    decision = evaluate(carlos_put("someone-elses-bucket"), identity_policies=[CARLOS_POLICY])
    assert decision.outcome == Outcome.IMPLICIT_DENY
    assert decision.denied
    assert not decision.allowed


CROSS_USER = Principal.user(f"arn:aws:iam::{OTHER_ACCOUNT}:user/ana")
SHARED_BUCKET = resource(
    "shared",
    {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::shared/*",
    },
)
ANA_READS = identity("ana", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"})


@pytest.mark.parametrize(
    ("identity_policies", "resource_policy", "allowed"),
    [
        ([ANA_READS], SHARED_BUCKET, True),
        ([], SHARED_BUCKET, False),  # the trusting account allows, the trusted account's identity does not
        ([ANA_READS], None, False),  # the identity allows, the resource's account does not
    ],
)
def test_cross_account_needs_both_sides(identity_policies, resource_policy, allowed) -> None:
    # CROSS_ACCOUNT: "the identity-based policy in the trusted account AND the resource-based policy in the
    # trusting account must both allow".
    request = Request("s3:GetObject", "arn:aws:s3:::shared/a", CROSS_USER, resource_account=ACCOUNT)
    decision = evaluate(request, identity_policies=identity_policies, resource_policy=resource_policy)
    assert decision.allowed is allowed, decision.explain()


def test_service_principal_is_allowed_only_by_the_resource_policy() -> None:
    # SINGLE_ACCOUNT / the Principal element page: services are named by Principal.Service in resource policies.
    topic = resource(
        "topic",
        {
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts",
        },
    )
    ctx = Context()
    events = Request(
        "sns:Publish", f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts", Principal.service("events.amazonaws.com")
    )
    other = Request("sns:Publish", events.resource, Principal.service("s3.amazonaws.com"), ctx)
    assert evaluate(events, resource_policy=topic).allowed
    assert evaluate(other, resource_policy=topic).outcome == Outcome.IMPLICIT_DENY
    assert evaluate(events).outcome == Outcome.IMPLICIT_DENY  # no resource policy, nothing can allow a service
    with pytest.raises(RequestError):
        evaluate(events, identity_policies=[ANA_READS])  # services carry no identity policies


def test_account_root_user_in_its_own_account() -> None:
    # DENY_ALLOW: "all requests are implicitly denied with the exception of the AWS account root user".
    root = Principal.root(ACCOUNT)
    request = Request("s3:GetObject", "arn:aws:s3:::b/k", root, resource_account=ACCOUNT)
    assert evaluate(request).allowed
    deny = resource("b", {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    assert evaluate(request, resource_policy=deny).outcome == Outcome.EXPLICIT_DENY


def test_an_s3_request_must_say_who_owns_the_bucket() -> None:
    request = Request("s3:GetObject", "arn:aws:s3:::b/k", CARLOS)
    with pytest.raises(RequestError, match="resource_account"):
        evaluate(request, resource_policy=SHARED_BUCKET)
