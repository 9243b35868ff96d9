"""IAM roles trusted through GitHub's OIDC provider pin aud and sub with StringEquals (CKV_AWS_358)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.harness import CANT_RUN, UNKNOWN, Pack, only, violations

ROLE = "aws:iam/role:Role"
POLICY = "aws-iam-role-require-pinned-github-oidc-subject"
PROVIDER = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
AUD = "token.actions.githubusercontent.com:aud"
SUB = "token.actions.githubusercontent.com:sub"


def _trust(condition: dict[str, Any] | None, principal: Any = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": "GitHubActionsOidc", "Effect": "Allow",
                                 "Principal": principal or {"Federated": PROVIDER},
                                 "Action": "sts:AssumeRoleWithWebIdentity"}
    if condition is not None:
        statement["Condition"] = condition
    return {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}


PINNED = {"StringEquals": {AUD: "sts.amazonaws.com", SUB: "repo:example-org/web-app:environment:prod"}}


@pytest.mark.parametrize(
    "props",
    [
        _trust(PINNED),
        _trust({"StringEquals": {AUD: "sts.amazonaws.com",
                                 SUB: ["repo:example-org/web-app:environment:prod",
                                       "repo:example-org/web-app:pull_request"]}}),
        # A service role is not this policy's business.
        {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})},
    ],
)
def test_pinned_and_unrelated_trust_policies_pass(pack: Pack, props: dict[str, Any]) -> None:
    assert pack.analyze(ROLE, props) == []


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        (None, "without StringEquals"),
        ({"StringEquals": {SUB: "repo:example-org/web-app:environment:prod"}}, f"without StringEquals {AUD}"),
        ({"StringEquals": {AUD: "sts.amazonaws.com"}}, f"without pinning {SUB}"),
        ({"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: "repo:example-org/*"}},
         "admits token.actions.githubusercontent.com:sub 'repo:example-org/*'"),
        ({"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: "repo:example-org/web-app:*"}},
         "no wildcard"),
        ({"StringEquals": {AUD: "sts.amazonaws.com", SUB: "example-org/web-app"}}, "pin one repository"),
        ({"StringEquals": {AUD: "other", SUB: "repo:example-org/web-app:environment:prod"}}, "another audience"),
    ],
)
def test_unpinned_claims_are_caught(pack: Pack, condition: dict[str, Any] | None, fragment: str) -> None:
    diags = violations(pack.analyze(ROLE, _trust(condition)))
    assert {d.policy for d in diags} == {POLICY}
    assert any(fragment in d.message for d in diags), diags


def test_a_github_condition_without_the_provider_principal_is_still_checked(pack: Pack) -> None:
    props = _trust({"StringLike": {SUB: "repo:*"}, "StringEquals": {AUD: "sts.amazonaws.com"}},
                   principal={"Federated": "arn:aws:iam::111122223333:oidc-provider/other"})
    only(pack.analyze(ROLE, props), POLICY, "no wildcard")


def test_an_unknown_trust_policy_cannot_be_judged(pack: Pack) -> None:
    diags = pack.analyze(ROLE, {"assumeRolePolicy": UNKNOWN})
    assert violations(diags) == []
    assert any(d.message.startswith(CANT_RUN) for d in diags)


def test_any_access_key_is_caught(pack: Pack) -> None:
    only(pack.analyze("aws:iam/accessKey:AccessKey", {"user": "deployer"}),
         "aws-iam-access-key-disallow-long-lived-keys", "long-lived credential")
