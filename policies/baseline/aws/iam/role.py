"""IAM roles (`aws:iam/role:Role`): their trust (assume-role) policies.

* No statement trusts the `*` principal (anyone in any account could assume the role).
* A role trusted by GitHub Actions (the `token.actions.githubusercontent.com` OIDC provider) pins the audience
  to `sts.amazonaws.com` and the subject to one repository and environment or branch with StringEquals, or
  StringLike without wildcards: an unpinned `sub` lets every repository on GitHub assume the role.

A trust document computed from outputs not known during a preview is checked at `up`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import Family, get, resource_policy
from ...refs import ckv
from .documents import (
    PolicyDocumentError,
    allows,
    condition_values,
    is_wildcard_principal,
    label,
    principals,
    statements,
)

ROLE = "aws:iam/role:Role"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
# repo:<owner>/<repo>:environment:<name> | :ref:refs/heads/<branch> | :ref:refs/tags/<tag> (no wildcards).
_PINNED_SUBJECT = re.compile(r"repo:[A-Za-z0-9-]+/[A-Za-z0-9._-]+:(environment:[^*?:]+|ref:refs/(heads|tags)/[^*?]+)")
_IAM_GUIDE = "https://docs.aws.amazon.com/IAM/latest/UserGuide"
_about = Family("aws-iam-role", ("aws", "iam")).about


def _trust(args: ResourceValidationArgs) -> list[Mapping[str, Any]] | None:
    return statements(get(args.props, "assumeRolePolicy"))


def _wildcard_principal(args: ResourceValidationArgs) -> Iterator[str]:
    try:
        found = _trust(args)
    except PolicyDocumentError as exc:
        yield f"assumeRolePolicy: {exc}; IAM would refuse it."
        return
    for i, statement in enumerate(found or []):
        if allows(statement) and is_wildcard_principal(statement):
            yield f"{label(i, statement)} of the trust policy allows the '*' principal: anyone may assume the role."


def _trusts_github(statement: Mapping[str, Any]) -> bool:
    return any(p.endswith(f"oidc-provider/{GITHUB_OIDC_HOST}") or p == GITHUB_OIDC_HOST
               for p in principals(statement, "Federated"))


def _pinned(statement: Mapping[str, Any]) -> list[str]:
    problems = []
    audiences = condition_values(statement, "StringEquals", f"{GITHUB_OIDC_HOST}:aud")
    if audiences != ["sts.amazonaws.com"]:
        problems.append(f"{GITHUB_OIDC_HOST}:aud is not pinned to sts.amazonaws.com with StringEquals")
    subjects = condition_values(statement, "StringEquals", f"{GITHUB_OIDC_HOST}:sub") or condition_values(
        statement, "StringLike", f"{GITHUB_OIDC_HOST}:sub"
    )
    if not subjects or not all(isinstance(s, str) and _PINNED_SUBJECT.fullmatch(s) for s in subjects):
        problems.append(
            f"{GITHUB_OIDC_HOST}:sub is not pinned to repo:<owner>/<repo>:environment:<name> (or a branch/tag ref) "
            "without wildcards"
        )
    return problems


def _oidc_trust(args: ResourceValidationArgs) -> Iterator[str]:
    try:
        found = _trust(args)
    except PolicyDocumentError:
        return  # reported by aws-iam-role-disallow-wildcard-principal
    for i, statement in enumerate(found or []):
        if allows(statement) and _trusts_github(statement):
            for problem in _pinned(statement):
                yield f"{label(i, statement)} trusts GitHub Actions but {problem}: other workflows could assume it."


RESOURCE_TYPE = ROLE
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        _about(
            "disallow-wildcard-principal",
            description="IAM role trust policies must not allow the '*' principal.",
            refs=(ckv("CKV_AWS_60"), ckv("CKV_AWS_61")),
            control="no `*` principal in assume-role policies",
            severity=Severity.CRITICAL,
            remediation="Name the service principal (with aws:SourceAccount), account or OIDC provider that may "
            "assume the role.",
            url=f"{_IAM_GUIDE}/reference_policies_elements_principal.html",
        ),
        (ROLE,),
        _wildcard_principal,
    ),
    resource_policy(
        _about(
            "configure-oidc-trust-conditions",
            description="IAM roles trusted by GitHub Actions OIDC must pin the token's aud to sts.amazonaws.com and "
            "its sub to one repository and environment (or branch), without wildcards.",
            refs=(ckv("CKV_AWS_358"),),
            control="OIDC trust policy pins `token.actions.githubusercontent.com:sub` to repository and "
            "environment/branch, and `aud` to `sts.amazonaws.com`",
            severity=Severity.CRITICAL,
            remediation='Condition `{"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", '
            '"token.actions.githubusercontent.com:sub": "repo:OWNER/REPO:environment:prod"}}`.',
            tags=("github", "oidc"),
            url="https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/"
            "configuring-openid-connect-in-amazon-web-services",
        ),
        (ROLE,),
        _oidc_trust,
    ),
]
