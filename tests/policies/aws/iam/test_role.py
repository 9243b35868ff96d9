"""IAM trust and permission policies: no '*' principal, GitHub OIDC trust pinned, no admin or wildcard grants."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.policies.backup_fixtures import (
    BOUNDED,
    BUCKET_ARN,
    GITHUB_TRUST_STATEMENT,
    ROLE,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
    UNKNOWN,
    WRITER_POLICY,
    WRITER_TRUST,
    document,
)
from tests.policies.harness import Pack, cant_run, only

OIDC = "aws-iam-role-configure-oidc-trust-conditions"


def github_trust(**condition: Any) -> str:
    statement = copy.deepcopy(GITHUB_TRUST_STATEMENT)
    statement["Condition"] = condition
    return document(statement)


def test_compliant_roles_and_policies_pass(pack: Pack) -> None:
    assert pack.analyze(ROLE, {**BOUNDED, "assumeRolePolicy": WRITER_TRUST}) == []
    assert pack.analyze(ROLE, {**BOUNDED, "assumeRolePolicy": document(GITHUB_TRUST_STATEMENT)}) == []
    assert pack.analyze(ROLE_POLICY, {"role": "r", "policy": WRITER_POLICY}) == []
    attachment = {"role": "r", "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
    assert pack.analyze(ROLE_POLICY_ATTACHMENT, attachment) == []


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}])
def test_wildcard_trust_is_refused(pack: Pack, principal: Any) -> None:
    trust = document({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})
    only(pack.analyze(ROLE, {**BOUNDED, "assumeRolePolicy": trust}),
         "aws-iam-role-disallow-broad-assume-role-principals")


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        ({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}, ":sub is not pinned"),
        ({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
          "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}, ":sub is not pinned"),
        ({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                           "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:*"}},
         ":sub is not pinned"),
        ({"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/app:environment:prod"}},
         ":aud is not pinned"),
    ],
)
def test_github_trust_must_pin_sub_and_aud(pack: Pack, condition: dict[str, Any], fragment: str) -> None:
    only(pack.analyze(ROLE, {**BOUNDED, "assumeRolePolicy": github_trust(**condition)}), OIDC, fragment)


def test_a_branch_ref_is_pinned_too(pack: Pack) -> None:
    trust = github_trust(StringEquals={"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                       "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"})
    assert pack.analyze(ROLE, {**BOUNDED, "assumeRolePolicy": trust}) == []


@pytest.mark.parametrize(("sub", "pinned"), [("repo:acme/app:pull_request", True),
                                             ("repo:acme/*:pull_request", False)])
def test_same_repository_pull_requests_are_a_pinned_subject(pack: Pack, sub: str, pinned: bool) -> None:
    trust = github_trust(StringEquals={"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                       "token.actions.githubusercontent.com:sub": sub})
    diags = pack.analyze(ROLE, {**BOUNDED, "assumeRolePolicy": trust})
    assert (diags == []) is pinned, diags


def test_unknown_trust_is_checked_at_up(pack: Pack) -> None:
    assert pack.analyze(ROLE, {**BOUNDED, "assumeRolePolicy": UNKNOWN}) == []


@pytest.mark.parametrize("action", ["*", "*:*"])
def test_admin_statements_are_refused(pack: Pack, action: str) -> None:
    policy = document({"Effect": "Allow", "Action": action, "Resource": "*"})
    only(pack.analyze(ROLE_POLICY, {"role": "r", "policy": policy}), "aws-iam-policy-disallow-wildcard-actions")


def test_wildcard_actions_on_every_resource_are_refused(pack: Pack) -> None:
    policy = document({"Effect": "Allow", "Action": ["s3:Get*", "kms:Decrypt"], "Resource": "*"})
    only(pack.analyze(ROLE_POLICY, {"role": "r", "policy": policy}),
         "aws-iam-role-policy-disallow-wildcard-actions-on-all-resources", "s3:get*")
    # On named resources a wildcard action is scoped by the resource.
    scoped = document({"Effect": "Allow", "Action": "s3:Get*", "Resource": f"{BUCKET_ARN}/daily/*"})
    assert pack.analyze(ROLE_POLICY, {"role": "r", "policy": scoped}) == []


def test_deny_statements_are_not_grants(pack: Pack) -> None:
    policy = json.dumps({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
    assert pack.analyze(ROLE_POLICY, {"role": "r", "policy": policy}) == []


@pytest.mark.parametrize("name", ["AdministratorAccess", "IAMFullAccess"])
def test_admin_managed_policies_are_refused(pack: Pack, name: str) -> None:
    only(pack.analyze(ROLE_POLICY_ATTACHMENT, {"role": "r", "policyArn": f"arn:aws:iam::aws:policy/{name}"}),
         "aws-iam-role-disallow-admin-managed-policies", name)


# ------------------------------------------------------------------------ the account's permissions boundary
BOUNDARY = "aws-iam-role-require-permissions-boundary"
BOUNDED_ROLE = {**BOUNDED, "name": "platform-prod-backup-writer", "assumeRolePolicy": WRITER_TRUST}
BOOTSTRAP_URN = "urn:pulumi:prod::platform-bootstrap::platform:bootstrap:TeamStateBackend$aws:iam/role:Role::deploy"


def test_a_role_with_the_accounts_boundary_passes(pack: Pack, prod_pack: Pack, preview_pack: Pack) -> None:
    for configured in (pack, prod_pack, preview_pack):
        assert configured.analyze(ROLE, BOUNDED_ROLE) == []
    # Any partition, any account: the ARN is derived from the account the stack deploys to.
    gov = {**BOUNDED_ROLE, "permissionsBoundary": "arn:aws-us-gov:iam::123456789012:policy/platform-infra-boundary"}
    assert pack.analyze(ROLE, gov) == []


@pytest.mark.parametrize(
    ("boundary", "fragment"),
    [
        (..., "sets no permissionsBoundary"),
        ("", "sets no permissionsBoundary"),
        ("arn:aws:iam::aws:policy/AdministratorAccess", "is not a customer-managed policy"),
        ("arn:aws:iam::111122223333:role/platform-infra-boundary", "is not a customer-managed policy"),
        ("arn:aws:iam::111122223333:policy/some-other-boundary", "not the account's boundary"),
    ],
)
def test_a_role_without_the_accounts_boundary_is_refused(
    prod_pack: Pack, preview_pack: Pack, boundary: object, fragment: str
) -> None:
    props = {k: v for k, v in BOUNDED_ROLE.items() if k != "permissionsBoundary"}
    if boundary is not ...:
        props["permissionsBoundary"] = boundary
    for configured in (prod_pack, preview_pack):  # mandatory in both stacks
        diagnostic = only(configured.analyze(ROLE, props), BOUNDARY, fragment)
        assert diagnostic.level == "mandatory"


def test_an_unknown_boundary_is_checked_at_up(pack: Pack) -> None:
    assert cant_run(pack.analyze(ROLE, {**BOUNDED_ROLE, "permissionsBoundary": UNKNOWN})) == {BOUNDARY}


def test_the_bootstraps_own_roles_are_not_bounded(pack: Pack) -> None:
    # The deploy and read-only roles enforce the boundary on what they create; they cannot carry it themselves.
    # Recognised by the URN's project, which no resource property of the main program can set ...
    unbounded = {"name": "platform-infra-deploy-prod", "assumeRolePolicy": WRITER_TRUST}
    assert pack.analyze(ROLE, unbounded, urn=BOOTSTRAP_URN) == []
    # ... not by a tag or a name a main-stack role could copy.
    copied = {**unbounded, "tags": {"pulumi-project": "platform-bootstrap"}}
    only(pack.analyze(ROLE, copied), BOUNDARY, "sets no permissionsBoundary")
