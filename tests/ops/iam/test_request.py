"""The request context: every key carries its documenting source; principals add their global keys."""

from __future__ import annotations

import pytest

from ops.iam import Context, ContextKey, Principal, Request, RequestError
from ops.iam.request import GLOBAL_KEYS_SOURCE

from .sources import ACCOUNT, GLOBAL_KEYS, SNS_KEY_MANAGEMENT


def test_every_key_needs_a_source() -> None:
    with pytest.raises(RequestError, match="needs a source"):
        Context({"aws:SourceAccount": (ACCOUNT, "")})
    with pytest.raises(RequestError, match="needs a source"):
        Context().with_key("aws:SourceAccount", ACCOUNT, source=" ")


def test_keys_are_case_insensitive_and_keep_their_source() -> None:
    ctx = Context({"aws:SourceAccount": (ACCOUNT, f"SNS Developer Guide, sns-key-management ({SNS_KEY_MANAGEMENT})")})
    assert ctx.values("AWS:sourceaccount") == (ACCOUNT,)
    assert ctx.sources() == {"aws:SourceAccount": f"SNS Developer Guide, sns-key-management ({SNS_KEY_MANAGEMENT})"}
    assert ctx.values("aws:SourceArn") is None
    with pytest.raises(RequestError, match="twice"):
        Context([ContextKey.of("a:b", "1", "s"), ContextKey.of("A:B", "2", "s")])


def test_values_are_text_lists_are_multivalued() -> None:
    ctx = Context({"aws:SecureTransport": (True, "s"), "s3:max-keys": (10, "s"), "aws:TagKeys": (["a", "b"], "s")})
    assert ctx.values("aws:SecureTransport") == ("true",)
    assert ctx.values("s3:max-keys") == ("10",)
    assert ctx.get("aws:TagKeys").multivalued
    assert ctx.resolve("aws:TagKeys") is None  # no policy variable from a multivalued key
    with pytest.raises(RequestError):
        Context({"k": ({"nested": 1}, "s")})  # type: ignore[dict-item]


def test_principals_bring_their_global_keys() -> None:
    # GLOBAL_KEYS: aws:PrincipalArn is the role ARN for a role session; services set aws:PrincipalServiceName.
    session = Principal.role_session(f"arn:aws:iam::{ACCOUNT}:role/team/deploy", "ci")
    assert session.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/ci"
    ctx = Request("s3:GetObject", "arn:aws:s3:::b/k", session).full_context()
    assert ctx.values("aws:PrincipalArn") == (f"arn:aws:iam::{ACCOUNT}:role/team/deploy",)
    assert ctx.values("aws:PrincipalAccount") == (ACCOUNT,)
    assert ctx.get("aws:PrincipalArn").source == GLOBAL_KEYS_SOURCE
    service = Request("sns:Publish", "arn:aws:sns:eu-west-1:1:t", Principal.service("events.amazonaws.com"))
    assert service.full_context().values("aws:PrincipalServiceName") == ("events.amazonaws.com",)
    # a key the request sets wins over the derived one
    own = Context({"aws:PrincipalAccount": ("999999999999", "test")})
    assert Request("s3:GetObject", "arn:aws:s3:::b/k", session, own).full_context().values("aws:PrincipalAccount") == (
        "999999999999",
    )


def test_principal_constructors_check_their_arns() -> None:
    with pytest.raises(RequestError):
        Principal.role_session(f"arn:aws:iam::{ACCOUNT}:user/x")
    with pytest.raises(RequestError):
        Principal.user("not-an-arn")
    with pytest.raises(RequestError):
        Principal.service("events")


def test_owner_comes_from_the_arn_or_the_request() -> None:
    p = Principal.root(ACCOUNT)
    assert Request("sns:Publish", f"arn:aws:sns:eu-west-1:{ACCOUNT}:t", p).owner() == ACCOUNT
    assert Request("s3:GetObject", "arn:aws:s3:::b/k", p).owner() is None
    assert Request("s3:GetObject", "arn:aws:s3:::b/k", p, resource_account="444455556666").owner() == "444455556666"
    assert GLOBAL_KEYS in GLOBAL_KEYS_SOURCE
