"""IAM roles (`aws:iam/role:Role`): their trust (assume-role) policies, and the AWS-managed policies they carry.

* No statement trusts the `*` principal (anyone in any account could assume the role).
* A role trusted by GitHub Actions (the `token.actions.githubusercontent.com` OIDC provider) pins the audience
  to `sts.amazonaws.com` and the subject to one repository and environment or branch with StringEquals, or
  StringLike without wildcards: an unpinned `sub` lets every repository on GitHub assume the role.
* Every role carries the account's permissions boundary (`platform-infra-boundary`, a customer-managed policy the
  bootstrap creates): the deploy role may create roles only with it (`iam:PermissionsBoundary`), so a role
  without it fails at `up`; this says so at preview, with the fix. The bootstrap's own roles are exempt: the
  deploy and read-only roles hold the guard the boundary is part of, and must not be bounded by it. They are
  recognised by the URN's project (`platform-bootstrap`, from the program's Pulumi.yaml), which no resource
  property of the main program can set: a tag or a name could be copied by any component, and a name test would
  miss exactly the auto-named roles.

A trust document computed from outputs not known during a preview is checked at `up`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import About, Family, as_str, get, known, resource_policy, strings
from ...refs import aws_docs, ckv, fsbp, platform
from .documents import (
    PolicyDocumentError,
    allows,
    condition_values,
    is_wildcard_principal,
    label,
    principals,
    statements,
)
from .policy import IAM_ROLE
from .policy import allows as _allows
from .policy import listify as _listify
from .policy import statements as _statements

ROLE = "aws:iam/role:Role"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
# repo:<owner>/<repo>:environment:<name> | :ref:refs/heads/<branch> | :ref:refs/tags/<tag> (no wildcards).
# One repository and one environment, branch or tag, or the repository's pull requests (same-repository PRs only:
# fork PRs get no id-token), never a wildcard.
_PINNED_SUBJECT = re.compile(
    r"repo:[A-Za-z0-9-]+/[A-Za-z0-9._-]+:(environment:[^*?:]+|ref:refs/(heads|tags)/[^*?]+|pull_request)"
)
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


ROLE_POLICY_ATTACHMENT: Final = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT: Final = "aws:iam/policyAttachment:PolicyAttachment"
# Checkov CKV_AWS_61's pattern: a whole account (any of its principals) as the trusted principal.
_ACCOUNT: Final = re.compile(r"\d{12}|arn:aws(?:-[a-z]+)*:iam::\d{12}:root")
_ADMIN_POLICIES: Final = ("AdministratorAccess", "IAMFullAccess")
_ROLES_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html"


def _trusted_principals(args: ResourceValidationArgs) -> Iterator[str]:
    for i, statement in enumerate(_statements(get(args.props, "assumeRolePolicy"))):
        if not _allows(statement):
            continue
        principal = get(statement, "Principal")
        aws = [principal] if isinstance(principal, str) else _listify(get(principal, "AWS"))
        for p in (p.strip() for p in aws if isinstance(p, str)):
            if p == "*":
                yield f"assumeRolePolicy statement {i} lets any AWS principal ('*') assume the role."
            elif _ACCOUNT.match(p):
                yield (
                    f"assumeRolePolicy statement {i} trusts a whole account ({p}): every principal of it whose IAM "
                    "policy allows sts:AssumeRole can assume the role; name the role or service instead."
                )


def _admin_policies(args: ResourceValidationArgs) -> Iterator[str]:
    if args.resource_type == IAM_ROLE:
        arns = strings(get(args.props, "managedPolicyArns"))
    else:
        # A computed ARN (unknown at preview) is the stack's own policy; the AWS-managed ones are literals.
        arn = as_str(get(args.props, "policyArn"))
        arns = [arn] if isinstance(arn, str) else []
    for arn in arns:
        name = arn.rsplit("/", 1)[-1]
        if arn.startswith("arn:aws") and ":iam::aws:policy/" in arn and name in _ADMIN_POLICIES:
            yield f"attaches the AWS-managed {name}: full administrative privileges."


#: The account's boundary (components/aws/permissions_boundary.py) and the projects whose roles are not bounded by it.
BOUNDARY_POLICY_NAME: Final = "platform-infra-boundary"
BOOTSTRAP_PROJECTS: Final = ("platform-bootstrap",)
_CUSTOMER_POLICY_ARN: Final = re.compile(r"arn:aws(?:-[a-z]+)*:iam::(\d{12}):policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)")
_BOUNDARY_URL = f"{_IAM_GUIDE}/access_policies_boundaries.html"


def _project(urn: str) -> str | None:
    """The project of `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    parts = urn.split("::")
    return parts[1] if len(parts) >= 4 and parts[0].startswith("urn:pulumi:") else None


def _permissions_boundary(args: ResourceValidationArgs) -> Iterator[str]:
    if _project(args.urn) in BOOTSTRAP_PROJECTS:
        return
    expected = BOUNDARY_POLICY_NAME
    boundary = known(as_str(get(args.props, "permissionsBoundary")), "permissionsBoundary")
    if not boundary:
        yield (f"sets no permissionsBoundary: the deploy role may create a role only with the account's boundary "
               f"({expected}), so `up` would fail, and an unbounded role could be given any policy.")
        return
    match = _CUSTOMER_POLICY_ARN.fullmatch(boundary)
    if match is None:
        yield (f"permissionsBoundary {boundary!r} is not a customer-managed policy of the account "
               f"(arn:<partition>:iam::<account>:policy/{expected}): an AWS-managed boundary bounds nothing the "
               "stack decides.")
    elif match.group(2) != expected:
        yield f"permissionsBoundary names policy {match.group(2)!r}, not the account's boundary {expected!r}."


RESOURCE_TYPE = ROLE
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        _about(
            "configure-oidc-trust-conditions",
            description="IAM roles trusted by GitHub Actions OIDC must pin the token's aud to sts.amazonaws.com and "
            "its sub to one repository and environment (or branch), without wildcards.",
            refs=(ckv("CKV_AWS_358"), ckv("CKV_AWS_393")),
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

    resource_policy(
        About(
            name="aws-iam-role-disallow-broad-assume-role-principals",
            description="IAM roles must not trust '*' or a whole account in their assume-role policy.",
            refs=(ckv("CKV_AWS_60"), ckv("CKV_AWS_61")),
            control="roles are assumable by named services or principals only",
            severity=Severity.HIGH,
            remediation='Trust the service (`{"Service": "lambda.amazonaws.com"}`, with an `aws:SourceAccount` '
            "condition) or the specific role ARN that needs to assume the role.",
            tags=("aws", "iam"),
            url=_ROLES_URL,
        ),
        (IAM_ROLE,),
        _trusted_principals,
    ),
    resource_policy(
        About(
            name="aws-iam-role-disallow-admin-managed-policies",
            description="IAM roles must not carry the AWS-managed AdministratorAccess or IAMFullAccess policies.",
            refs=(ckv("CKV_AWS_274"), ckv("CKV2_AWS_56"), fsbp("IAM.1", analogue=True)),
            control="least privilege: no administrator policies on the stack's roles",
            severity=Severity.CRITICAL,
            remediation="Attach a customer-managed or inline policy that lists only the actions the role needs.",
            tags=("aws", "iam"),
            url=_ROLES_URL,
        ),
        (IAM_ROLE, ROLE_POLICY_ATTACHMENT, POLICY_ATTACHMENT),
        _admin_policies,
    ),
    resource_policy(
        _about(
            "require-permissions-boundary",
            description="Every IAM role a stack creates must carry the account's permissions boundary "
            "(platform-infra-boundary); the bootstrap's own roles are exempt.",
            refs=(
                aws_docs("Permissions boundaries for IAM entities", _BOUNDARY_URL),
                platform("delivery baseline"),
            ),
            control="the deploy identity cannot create a role with more permissions than the account's boundary",
            severity=Severity.HIGH,
            remediation="Set `permissions_boundary` to the account's boundary: `boundary_arn(account_id, "
            "region=...)` (components/aws/role_boundary.py), i.e. arn:<partition>:iam::<account>:policy/"
            "platform-infra-boundary.",
            tags=("aws", "iam"),
            url=_BOUNDARY_URL,
        ),
        (ROLE,),
        _permissions_boundary,
    ),
]
