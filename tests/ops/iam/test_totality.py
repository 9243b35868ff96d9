"""The evaluator is total: any document shape gives a Decision or a PolicyError, never another exception, and a
plan-unknown value never yields a definite allow that the known value could refute."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ops.iam import Context, Decision, Outcome, PolicyError, Principal, Request, evaluate
from ops.values import UNKNOWN

ACCOUNT = "111122223333"
TEXT = st.sampled_from(
    [
        "*",
        "?",
        "s3:*",
        "s3:GetObject",
        "kms:Decrypt",
        "arn:aws:s3:::b/*",
        "arn:aws:*",
        "arn:aws:s3:::b/k",
        f"arn:aws:iam::{ACCOUNT}:root",
        ACCOUNT,
        "${aws:username}",
        "${*}",
        "${",
        "a:b:c:d:e:f:g",
        "",
        "true",
        "2020-01-01",
        "10",
        "10.0.0.0/8",
        UNKNOWN,
        "[unknown]",
        "events.amazonaws.com",
    ]
) | st.text(max_size=12)
SCALAR = TEXT | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.none()
JSONISH = st.recursive(
    SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=12
)
OPERATORS = st.sampled_from(
    [
        "StringEquals",
        "StringNotLike",
        "ForAllValues:StringLike",
        "ForAnyValue:StringNotEquals",
        "ArnLike",
        "ArnNotEquals",
        "NumericLessThan",
        "DateGreaterThan",
        "Bool",
        "BoolIfExists",
        "Null",
        "IpAddress",
        "BinaryEquals",
        "StringEqualsIfExists",
        "Unknown",
    ]
)
VALUES = TEXT | st.lists(TEXT, max_size=3) | st.booleans() | st.integers()
STATEMENT = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", UNKNOWN, "allow"])},
    optional={
        "Sid": TEXT,
        "Action": VALUES,
        "NotAction": VALUES,
        "Resource": VALUES,
        "NotResource": VALUES,
        "Principal": st.sampled_from(["*", UNKNOWN])
        | st.dictionaries(
            st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser"]), VALUES, min_size=1, max_size=2
        ),
        "NotPrincipal": st.dictionaries(st.sampled_from(["AWS", "Service"]), VALUES, min_size=1, max_size=2),
        "Condition": st.dictionaries(OPERATORS, st.dictionaries(TEXT, VALUES, max_size=2), max_size=2),
    },
)
DOCUMENT = st.fixed_dictionaries({"Version": st.just("2012-10-17"), "Statement": st.lists(STATEMENT, max_size=3)})
CONTEXT = st.dictionaries(
    st.sampled_from(["aws:SourceArn", "aws:username", "aws:TagKeys", "aws:SecureTransport", "aws:SourceIp", "k"]),
    SCALAR.filter(lambda v: v is not None) | st.lists(TEXT, max_size=3),
    max_size=3,
)
PRINCIPALS = st.sampled_from(
    [
        Principal.role_session(f"arn:aws:iam::{ACCOUNT}:role/r"),
        Principal.user(f"arn:aws:iam::{ACCOUNT}:user/u"),
        Principal.user("arn:aws:iam::444455556666:user/x"),
        Principal.root(ACCOUNT),
        Principal.service("events.amazonaws.com"),
        Principal.anonymous(),
    ]
)


def _run(principal: Principal, action: str, context: dict[str, Any], **policies: Any) -> Decision | None:
    ctx = Context({k: (v, "hypothesis") for k, v in context.items()})
    request = Request(action, "arn:aws:s3:::b/k", principal, ctx, resource_account=ACCOUNT)
    if not principal.is_iam or principal.kind == "root":
        policies.pop("identity_policies", None)
        policies.pop("boundary", None)
    try:
        return evaluate(request, **policies)
    except PolicyError:
        return None


@settings(max_examples=300)  # fixed: the CI profile's 2500 would take most of a minute
@given(document=JSONISH | DOCUMENT, principal=PRINCIPALS, context=CONTEXT)
def test_any_shape_gives_a_decision_or_a_policy_error(document, principal, context) -> None:
    for role in ("identity_policies", "boundary", "resource_policy"):
        value = [document] if role == "identity_policies" else document
        result = _run(principal, "s3:GetObject", context, **{role: value})
        assert result is None or isinstance(result, Decision)


@settings(max_examples=300)
@given(identity=DOCUMENT, boundary=DOCUMENT, bucket=DOCUMENT, context=CONTEXT, principal=PRINCIPALS)
def test_whole_policy_sets_never_crash(identity, boundary, bucket, context, principal) -> None:
    result = _run(
        principal, "s3:GetObject", context, identity_policies=[identity], boundary=boundary, resource_policy=bucket
    )
    assert result is None or isinstance(result.outcome, Outcome)


KNOWN = st.sampled_from(["arn:aws:s3:::b/k", "arn:aws:s3:::b/*", "arn:aws:s3:::other/*", "*", "arn:aws:s3:::b/?"])


@given(resource_pattern=KNOWN, effect=st.sampled_from(["Allow", "Deny"]), negate=st.booleans())
def test_an_unknown_is_never_decided_against_its_known_value(resource_pattern, effect, negate) -> None:
    # Replacing the pattern by the unknown sentinel gives UNKNOWN or the same decision the known pattern gives.
    element = "NotResource" if negate else "Resource"
    principal = Principal.user(f"arn:aws:iam::{ACCOUNT}:user/u")

    def decide(pattern: str) -> Outcome:
        statements = [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}] if effect == "Deny" else []
        statements.append({"Effect": effect, "Action": "s3:GetObject", element: pattern})
        document = {"Version": "2012-10-17", "Statement": statements}
        request = Request("s3:GetObject", "arn:aws:s3:::b/k", principal, resource_account=ACCOUNT)
        return evaluate(request, identity_policies=[document]).outcome

    assert decide(UNKNOWN) in (Outcome.UNKNOWN, decide(resource_pattern))
