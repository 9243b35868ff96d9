"""SNS topic policies: the '*' principal only with a source condition (FSBP SNS.4, CKV_AWS_169)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.harness import CANT_RUN, UNKNOWN, Pack, only

TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
TOPIC = "aws:sns/topic:Topic"
POLICY = "aws-sns-topic-policy-disallow-unconditioned-wildcard-principal"
ARN = "arn:aws:sns:eu-west-1:111122223333:alerts"
SERVICE = {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish",
           "Resource": ARN, "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _wildcard(condition: dict[str, Any] | None = None, principal: Any = "*") -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": "Anyone", "Effect": "Allow", "Principal": principal,
                                 "Action": "sns:Publish", "Resource": ARN}
    if condition is not None:
        statement["Condition"] = condition
    return statement


@pytest.mark.parametrize(
    "statement",
    [
        SERVICE,
        _wildcard({"StringEquals": {"aws:SourceAccount": "111122223333"}}),
        _wildcard({"ArnLike": {"AWS:SourceArn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:*"}}),
        _wildcard({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, principal={"AWS": "*"}),
        {**_wildcard(), "Effect": "Deny"},
    ],
)
def test_scoped_statements_pass(pack: Pack, statement: dict[str, Any]) -> None:
    assert pack.analyze(TOPIC_POLICY, {"arn": ARN, "policy": _document(statement)}) == []


@pytest.mark.parametrize(
    ("statement", "fragment"),
    [
        (_wildcard(), "statement 1 (Anyone) allows the '*' principal without a source condition"),
        (_wildcard(principal={"AWS": ["*"]}), "without a source condition"),
        (_wildcard({"StringEquals": {"aws:UserAgent": "x"}}), "without a source condition"),
        (_wildcard({"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}), "without a source condition"),
        ({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sns:*", "Resource": ARN},
         "NotPrincipal"),
    ],
)
def test_open_statement_is_caught(pack: Pack, statement: dict[str, Any], fragment: str) -> None:
    only(pack.analyze(TOPIC_POLICY, {"arn": ARN, "policy": _document(SERVICE, statement)}), POLICY, fragment)


def test_a_topics_inline_policy_is_checked_too(pack: Pack) -> None:
    only(pack.analyze(TOPIC, {"kmsMasterKeyId": "k", "policy": _document(_wildcard())}), POLICY, "'*' principal")


def test_unknown_policy_cannot_run_and_malformed_does_not_raise(pack: Pack) -> None:
    (diag,) = pack.analyze(TOPIC_POLICY, {"arn": ARN, "policy": UNKNOWN})
    assert diag.message.startswith(CANT_RUN)
    assert pack.analyze(TOPIC_POLICY, {"arn": ARN, "policy": "{not json"}) == []
    assert pack.analyze(TOPIC_POLICY, {"arn": ARN}) == []
