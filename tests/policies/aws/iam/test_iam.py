"""IAM: no wildcard actions in policy documents, no '*' or whole-account trust, no admin managed policies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.fixtures import changed
from tests.policies.harness import UNKNOWN, Pack, only

IAM_POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
WILDCARD = "aws-iam-policy-disallow-wildcard-actions"
TRUST = "aws-iam-role-disallow-broad-assume-role-principals"
ADMIN = "aws-iam-role-disallow-admin-managed-policies"
ABSENT = ...


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


READ_SECRET = {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
               "Resource": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db"}
POLICY_PROPS: dict[str, Any] = {"name": "app-read", "policy": _doc(READ_SECRET)}
TRUST_LAMBDA = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
ROLE_PROPS: dict[str, Any] = {"assumeRolePolicy": _doc(TRUST_LAMBDA), "managedPolicyArns": [
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
    "permissionsBoundary": "arn:aws:iam::111122223333:policy/platform-infra-boundary"}
ATTACHMENT_PROPS: dict[str, Any] = {
    "role": "app", "policyArn": "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"}


@pytest.mark.parametrize(
    ("type_", "props"),
    [(IAM_POLICY, POLICY_PROPS), (ROLE_POLICY, {**POLICY_PROPS, "role": "app"}), (ROLE, ROLE_PROPS),
     (ATTACHMENT, ATTACHMENT_PROPS)],
)
def test_compliant_iam_passes(pack: Pack, type_: str, props: dict[str, Any]) -> None:
    assert pack.analyze(type_, props) == []


@pytest.mark.parametrize("action", ["*", "iam:*", ["s3:GetObject", "*:*"]])
@pytest.mark.parametrize("type_", [IAM_POLICY, ROLE_POLICY])
def test_wildcard_actions_violate(pack: Pack, type_: str, action: Any) -> None:
    # Scoped to one ARN: on "*" the same statement also breaks aws-iam-role-policy-disallow-wildcard-actions-on-
    # all-resources (FSBP IAM.21), a separate control.
    scoped = {"Effect": "Allow", "Action": action, "Resource": "arn:aws:iam::123456789012:role/app"}
    props = changed(POLICY_PROPS, policy=_doc(READ_SECRET, scoped))
    only(pack.analyze(type_, props), WILDCARD, "statement 1 allows")


def test_role_inline_policy_with_wildcard_violates(pack: Pack) -> None:
    inline = [{"name": "all", "policy": _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})}]
    only(pack.analyze(ROLE, changed(ROLE_PROPS, inlinePolicies=inline)), WILDCARD, "inlinePolicies[0]")


def test_deny_wildcards_and_unknown_documents_pass(pack: Pack) -> None:
    deny = _doc(READ_SECRET, {"Effect": "Deny", "Action": "*", "Resource": "*"})
    assert pack.analyze(IAM_POLICY, changed(POLICY_PROPS, policy=deny)) == []
    # Computed from other resources' ARNs: judged at `up` (documented), no note at every preview.
    assert pack.analyze(IAM_POLICY, changed(POLICY_PROPS, policy=UNKNOWN)) == []
    assert pack.analyze(IAM_POLICY, changed(POLICY_PROPS, policy="not json")) == []


@pytest.mark.parametrize(
    ("principal", "fragment"),
    [({"AWS": "*"}, "any AWS principal"), ("*", "any AWS principal"),
     ({"AWS": ["arn:aws:iam::111122223333:role/ci", "arn:aws:iam::111122223333:root"]}, "trusts a whole account"),
     ({"AWS": "111122223333"}, "trusts a whole account")],
)
def test_broad_trust_violates(pack: Pack, principal: Any, fragment: str) -> None:
    statement = {**TRUST_LAMBDA, "Principal": principal}
    only(pack.analyze(ROLE, changed(ROLE_PROPS, assumeRolePolicy=_doc(statement))), TRUST, fragment)


def test_trusting_a_named_role_passes(pack: Pack) -> None:
    statement = {**TRUST_LAMBDA, "Principal": {"AWS": "arn:aws:iam::111122223333:role/deployer"}}
    assert pack.analyze(ROLE, changed(ROLE_PROPS, assumeRolePolicy=_doc(statement))) == []


@pytest.mark.parametrize("name", ["AdministratorAccess", "IAMFullAccess"])
def test_admin_managed_policies_violate(pack: Pack, name: str) -> None:
    arn = f"arn:aws:iam::aws:policy/{name}"
    only(pack.analyze(ATTACHMENT, changed(ATTACHMENT_PROPS, policyArn=arn)), ADMIN, name)
    only(pack.analyze(ROLE, changed(ROLE_PROPS, managedPolicyArns=[arn])), ADMIN, name)


def test_customer_policy_named_like_admin_and_unknown_arn_pass(pack: Pack) -> None:
    own = "arn:aws:iam::111122223333:policy/AdministratorAccess"  # the account's own policy, not AWS's
    assert pack.analyze(ATTACHMENT, changed(ATTACHMENT_PROPS, policyArn=own)) == []
    assert pack.analyze(ATTACHMENT, changed(ATTACHMENT_PROPS, policyArn=UNKNOWN)) == []
    assert pack.analyze(ROLE, changed(ROLE_PROPS, managedPolicyArns=ABSENT)) == []
