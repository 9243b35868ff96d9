"""Condition operators, IfExists, Null, set operators and policy variables: the IAM User Guide's "Condition
operators", "Single-valued vs. multivalued context keys" and "Policy variables" pages."""

from __future__ import annotations

from typing import Any

import pytest

from ops.iam import Context, PolicyError, Principal, Request, evaluate
from ops.iam.conditions import Condition

from .sources import ACCOUNT, identity

SRC = "test context (the operator semantics under test come from the IAM User Guide)"
USER = Principal.user(f"arn:aws:iam::{ACCOUNT}:user/mary")


def holds(operator: str, key: str, values: Any, context: dict[str, Any]) -> bool | None:
    """Evaluate one condition through a whole Allow statement (so parsing and evaluation are both exercised)."""
    policy = identity(
        "p", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {operator: {key: values}}}
    )
    ctx = Context({name: (value, SRC) for name, value in context.items()})
    decision = evaluate(
        Request("s3:GetObject", "arn:aws:s3:::b/k", USER, ctx, resource_account=ACCOUNT), identity_policies=[policy]
    )
    return True if decision.allowed else None if decision.unknown else False


# (operator, key, policy values, request context, expected) — each operator with a case that holds and one that
# does not; examples adapted from CONDITION_OPERATORS (the page's own keys and values where it gives them).
OPERATOR_CASES = [
    # String: "StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}; values case-sensitive.
    (
        "StringEquals",
        "aws:PrincipalTag/job-category",
        "iamuser-admin",
        {"aws:PrincipalTag/job-category": "iamuser-admin"},
        True,
    ),
    (
        "StringEquals",
        "aws:PrincipalTag/job-category",
        "iamuser-admin",
        {"aws:PrincipalTag/job-category": "IAMUSER-ADMIN"},
        False,
    ),
    ("StringEquals", "aws:PrincipalTag/job-category", "iamuser-admin", {}, False),
    (
        "StringNotEquals",
        "aws:PrincipalTag/job-category",
        "iamuser-admin",
        {"aws:PrincipalTag/job-category": "dev-ops"},
        True,
    ),
    (
        "StringNotEquals",
        "aws:PrincipalTag/job-category",
        "iamuser-admin",
        {"aws:PrincipalTag/job-category": "iamuser-admin"},
        False,
    ),
    ("StringNotEquals", "aws:PrincipalTag/job-category", "iamuser-admin", {}, True),  # negated + absent key
    ("StringEqualsIgnoreCase", "aws:PrincipalTag/name", "Mary", {"aws:PrincipalTag/name": "MARY"}, True),
    ("StringEqualsIgnoreCase", "aws:PrincipalTag/name", "Mary", {"aws:PrincipalTag/name": "Maria"}, False),
    ("StringNotEqualsIgnoreCase", "aws:PrincipalTag/name", "Mary", {"aws:PrincipalTag/name": "Maria"}, True),
    ("StringNotEqualsIgnoreCase", "aws:PrincipalTag/name", "Mary", {"aws:PrincipalTag/name": "mary"}, False),
    # "StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/"]}
    ("StringLike", "s3:prefix", ["", "home/", "home/${aws:username}/"], {"s3:prefix": "home/mary/"}, True),
    ("StringLike", "s3:prefix", ["", "home/", "home/${aws:username}/"], {"s3:prefix": "home/bob/"}, False),
    ("StringLike", "aws:PrincipalTag/cost-center", "cc-??-*", {"aws:PrincipalTag/cost-center": "cc-12-eu"}, True),
    ("StringLike", "aws:PrincipalTag/cost-center", "cc-??-*", {"aws:PrincipalTag/cost-center": "cc-1-eu"}, False),
    ("StringNotLike", "s3:prefix", "home/*", {"s3:prefix": "tmp/"}, True),
    ("StringNotLike", "s3:prefix", "home/*", {"s3:prefix": "home/x"}, False),
    ("StringNotLike", "s3:prefix", "home/*", {}, True),  # negated + absent key
    # Numeric: "NumericLessThanEquals": {"s3:max-keys": "10"}
    ("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": "10"}, True),
    ("NumericLessThanEquals", "s3:max-keys", "10", {"s3:max-keys": "11"}, False),
    ("NumericEquals", "s3:max-keys", "10", {"s3:max-keys": 10}, True),
    ("NumericEquals", "s3:max-keys", "10", {"s3:max-keys": "ten"}, False),  # not a number: no match
    ("NumericNotEquals", "s3:max-keys", "10", {"s3:max-keys": "9"}, True),
    ("NumericNotEquals", "s3:max-keys", "10", {"s3:max-keys": "10.0"}, False),
    ("NumericLessThan", "s3:TlsVersion", "1.2", {"s3:TlsVersion": "1.1"}, True),
    ("NumericLessThan", "s3:TlsVersion", "1.2", {"s3:TlsVersion": "1.3"}, False),
    ("NumericGreaterThan", "s3:max-keys", "10", {"s3:max-keys": "11"}, True),
    ("NumericGreaterThan", "s3:max-keys", "10", {"s3:max-keys": "10"}, False),
    ("NumericGreaterThanEquals", "s3:max-keys", "10", {"s3:max-keys": "10"}, True),
    ("NumericGreaterThanEquals", "s3:max-keys", "10", {"s3:max-keys": "9.5"}, False),
    # Date: "DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}; ISO 8601 or epoch seconds.
    (
        "DateGreaterThan",
        "aws:TokenIssueTime",
        "2020-01-01T00:00:01Z",
        {"aws:TokenIssueTime": "2020-06-30T12:00:00Z"},
        True,
    ),
    (
        "DateGreaterThan",
        "aws:TokenIssueTime",
        "2020-01-01T00:00:01Z",
        {"aws:TokenIssueTime": "2019-12-31T23:59:59Z"},
        False,
    ),
    ("DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", {"aws:CurrentTime": "1577836799"}, True),  # epoch
    ("DateLessThan", "aws:CurrentTime", "1577836800", {"aws:CurrentTime": "2020-01-01T00:00:00Z"}, False),
    ("DateEquals", "aws:CurrentTime", "2020-01-01", {"aws:CurrentTime": "2020-01-01T00:00:00+00:00"}, True),
    ("DateNotEquals", "aws:CurrentTime", "2020-01-01", {"aws:CurrentTime": "2020-01-01T00:00:00+01:00"}, True),
    (
        "DateLessThanEquals",
        "aws:CurrentTime",
        "2020-01-01T00:00:00Z",
        {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
        True,
    ),
    ("DateGreaterThanEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", {"aws:CurrentTime": "not a date"}, False),
    # Bool: "Bool": {"aws:SecureTransport": "true"}; the request's boolean is compared as "true"/"false".
    ("Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": True}, True),
    ("Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": "false"}, False),
    ("Bool", "aws:SecureTransport", True, {"aws:SecureTransport": "true"}, True),  # a JSON boolean in the policy
    # Binary: "BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}
    ("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, True),
    ("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", {"key": "b3RoZXI="}, False),
    # IP address: "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.7"}, True),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "198.51.100.7"}, False),
    (
        "NotIpAddress",
        "aws:SourceIp",
        ["203.0.113.0/24", "2001:DB8:1234:5678::/64"],
        {"aws:SourceIp": "2001:db8:1234:5678::1"},
        False,
    ),
    ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "198.51.100.7"}, True),
    # ARN: "ArnEquals": {"aws:SourceArn": "arn:aws:sns:REGION:123456789012:TOPIC-ID"}; segment by segment.
    (
        "ArnEquals",
        "aws:SourceArn",
        "arn:aws:sns:us-east-1:123456789012:topic",
        {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic"},
        True,
    ),
    (
        "ArnEquals",
        "aws:SourceArn",
        "arn:aws:sns:us-east-1:123456789012:topic",
        {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:other"},
        False,
    ),
    (
        "ArnLike",
        "aws:SourceArn",
        "arn:aws:events:*:123456789012:rule/*",
        {"aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/a/b"},
        True,
    ),
    (
        "ArnLike",
        "aws:SourceArn",
        "arn:aws:events:*:123456789012:rule/*",
        {"aws:SourceArn": "arn:aws:events:eu-west-1:999999999999:rule/a"},
        False,
    ),
    # a wildcard stays within its segment: "arn:aws:*:123456789012:x" has five segments and matches no ARN
    (
        "ArnLike",
        "aws:SourceArn",
        "arn:aws:*:123456789012:topic",
        {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic"},
        False,
    ),
    ("ArnLike", "aws:SourceArn", "arn:aws:sns:*", {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic"}, False),
    ("ArnLike", "aws:SourceArn", "arn:aws:*:*:*:*", {"aws:SourceArn": "not-an-arn"}, False),
    (
        "ArnNotEquals",
        "aws:SourceArn",
        "arn:aws:sns:us-east-1:123456789012:topic",
        {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:other"},
        True,
    ),
    (
        "ArnNotLike",
        "aws:SourceArn",
        "arn:aws:sns:*:123456789012:*",
        {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"},
        False,
    ),
    ("ArnNotLike", "aws:SourceArn", "arn:aws:sns:*:123456789012:*", {}, True),  # negated + absent key
    # Null: "Null": {"aws:TokenIssueTime": "true"} holds when the key is absent (long-term credentials).
    ("Null", "aws:TokenIssueTime", "true", {}, True),
    ("Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}, False),
    ("Null", "aws:TokenIssueTime", "false", {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}, True),
    ("Null", "aws:TokenIssueTime", "false", {}, False),
]


@pytest.mark.parametrize(("operator", "key", "values", "context", "expected"), OPERATOR_CASES)
def test_operator(operator, key, values, context, expected) -> None:
    # CONDITION_OPERATORS
    assert holds(operator, key, values, context) is expected


@pytest.mark.parametrize(
    ("operator", "context", "expected"),
    [
        # CONDITION_OPERATORS, "...IfExists condition operators": "StringLikeIfExists": {"ec2:InstanceType":
        # ["t1.*", "t2.*", "m3.*"]} — true when the key is absent, otherwise the plain operator decides.
        ("StringLikeIfExists", {}, True),
        ("StringLikeIfExists", {"ec2:InstanceType": "t2.micro"}, True),
        ("StringLikeIfExists", {"ec2:InstanceType": "c5.large"}, False),
        ("StringLike", {}, False),
        ("StringNotLikeIfExists", {}, True),
        ("StringNotLikeIfExists", {"ec2:InstanceType": "t2.micro"}, False),
    ],
)
def test_if_exists(operator, context, expected) -> None:
    assert holds(operator, "ec2:InstanceType", ["t1.*", "t2.*", "m3.*"], context) is expected


@pytest.mark.parametrize(
    ("operator", "tag_keys", "expected"),
    [
        # MULTIVALUED: "ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}: every
        # requested tag key is in the list; true for an absent key or an empty set.
        ("ForAllValues:StringEquals", ["environment", "cost-center"], True),
        ("ForAllValues:StringEquals", ["environment"], True),
        ("ForAllValues:StringEquals", ["environment", "dept"], False),
        ("ForAllValues:StringEquals", [], True),
        ("ForAllValues:StringEquals", None, True),
        # "ForAnyValue:StringEquals": at least one requested key is in the list; false for absent/empty.
        ("ForAnyValue:StringEquals", ["environment", "dept"], True),
        ("ForAnyValue:StringEquals", ["dept"], False),
        ("ForAnyValue:StringEquals", [], False),
        ("ForAnyValue:StringEquals", None, False),
        # negated set operators test each value: "ForAllValues:StringNotEquals" = none of them is listed
        ("ForAllValues:StringNotEquals", ["dept", "owner"], True),
        ("ForAllValues:StringNotEquals", ["dept", "environment"], False),
        ("ForAnyValue:StringNotEquals", ["dept", "environment"], True),
        ("ForAnyValue:StringNotEquals", ["environment"], False),
        ("ForAllValues:StringLike", ["cost-center", "cost-owner"], True),
        ("ForAnyValue:StringEqualsIfExists", None, True),
        # a single-valued operator on a multivalued key: any value matching is a match
        ("StringEquals", ["dept", "environment"], True),
        ("StringNotEquals", ["dept", "environment"], False),
    ],
)
def test_set_operators(operator, tag_keys, expected) -> None:
    values = ["environment", "cost-center"] if "Like" not in operator else ["cost-*"]
    context = {} if tag_keys is None else {"aws:TagKeys": tag_keys}
    assert holds(operator, "aws:TagKeys", values, context) is expected


def test_for_all_values_empty_set_edge_needs_a_null_guard() -> None:
    # MULTIVALUED warns that ForAllValues with Allow is true when the request has no tags, and shows the fix:
    # add "Null": {"aws:TagKeys": "false"} so the statement needs the key.
    statement = {
        "Effect": "Allow",
        "Action": "iam:TagRole",
        "Resource": "*",
        "Condition": {
            "ForAllValues:StringEquals": {"aws:TagKeys": ["environment"]},
            "Null": {"aws:TagKeys": "false"},
        },
    }
    role = f"arn:aws:iam::{ACCOUNT}:role/x"
    with_tags = Context({"aws:TagKeys": (["environment"], SRC)})
    assert evaluate(Request("iam:TagRole", role, USER, with_tags), identity_policies=[identity("p", statement)]).allowed
    assert evaluate(Request("iam:TagRole", role, USER), identity_policies=[identity("p", statement)]).denied


def test_several_keys_and_operators_are_anded_values_ored() -> None:
    # CONDITION_OPERATORS, "The condition block": keys ANDed, a key's values ORed.
    condition = {"StringEquals": {"aws:PrincipalTag/team": ["a", "b"], "aws:RequestedRegion": "eu-west-1"}}
    assert holds("StringEquals", "aws:PrincipalTag/team", ["a", "b"], {"aws:PrincipalTag/team": "b"}) is True
    policy = identity("p", {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": condition})

    def allowed(team: str, region: str) -> bool:
        ctx = Context({"aws:PrincipalTag/team": (team, SRC), "aws:RequestedRegion": (region, SRC)})
        request = Request("s3:GetObject", "arn:aws:s3:::b/k", USER, ctx, resource_account=ACCOUNT)
        return evaluate(request, identity_policies=[policy]).allowed

    assert allowed("b", "eu-west-1")
    assert not allowed("b", "us-east-1")
    assert not allowed("c", "eu-west-1")


def test_key_names_match_case_insensitively_values_case_sensitively() -> None:
    # CONDITION_OPERATORS: condition key names are not case-sensitive; StringEquals values are.
    assert holds("StringEquals", "AWS:SourceAccount", ACCOUNT, {"aws:sourceaccount": ACCOUNT}) is True
    assert holds("stringequals", "aws:SourceVpc", "vpc-ABC", {"aws:SourceVpc": "vpc-abc"}) is False


def test_policy_variables_resolve_from_the_request() -> None:
    # VARIABLES: "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"; ${*} is a literal asterisk;
    # a default value applies when the key is absent; an unresolvable variable matches nothing.
    home = identity(
        "home", {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/home/${aws:username}/*"}
    )

    def get(user: Principal, key: str) -> bool:
        request = Request("s3:GetObject", f"arn:aws:s3:::bucket/{key}", user, resource_account=ACCOUNT)
        return evaluate(request, identity_policies=[home]).allowed

    assert get(USER, "home/mary/notes.txt")
    assert not get(USER, "home/bob/notes.txt")
    assert not get(Principal.role_session(f"arn:aws:iam::{ACCOUNT}:role/r"), "home/r/x")  # no aws:username
    assert holds("StringEquals", "s3:prefix", "${*}", {"s3:prefix": "*"}) is True
    assert holds("StringEquals", "s3:prefix", "${*}", {"s3:prefix": "x"}) is False
    assert holds("StringEquals", "s3:prefix", "${aws:PrincipalTag/team, 'none'}", {"s3:prefix": "none"}) is True
    assert holds("StringEquals", "s3:prefix", "${aws:PrincipalTag/team}", {"s3:prefix": "none"}) is False
    # a multivalued key is no policy variable
    assert holds("StringEquals", "s3:prefix", "${aws:TagKeys}", {"s3:prefix": "a", "aws:TagKeys": ["a"]}) is False


@pytest.mark.parametrize(
    ("operator", "value"),
    [
        ("StringEqualsMaybe", "x"),
        ("NullIfExists", "true"),
        ("NumericEquals", "ten"),
        ("DateEquals", "yesterday"),
        ("Bool", "yes"),
        ("Null", "maybe"),
        ("IpAddress", "300.0.0.0/8"),
    ],
)
def test_malformed_conditions_are_policy_errors(operator, value) -> None:
    with pytest.raises(PolicyError, match=operator.replace("Maybe", "")):
        Condition.parse(operator, "k", (value,))


def test_condition_operator_names_parse_prefix_and_suffix() -> None:
    condition = Condition.parse("ForAnyValue:StringNotEqualsIgnoreCaseIfExists", "k", ("v",))
    assert (condition.set_op, condition.family, condition.test, condition.negated, condition.if_exists) == (
        "any",
        "string",
        "iequals",
        True,
        True,
    )
