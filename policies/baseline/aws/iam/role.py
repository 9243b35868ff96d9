"""IAM roles (`aws:iam/role:Role`): who may assume them, and which AWS-managed policies they carry (through
`managedPolicyArns` or an `aws:iam/rolePolicyAttachment:RolePolicyAttachment`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import About, as_str, get, resource_policy, strings
from ...refs import ckv, fsbp
from .policy import IAM_ROLE, allows, listify, statements

ROLE_POLICY_ATTACHMENT: Final = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT: Final = "aws:iam/policyAttachment:PolicyAttachment"
# Checkov CKV_AWS_61's pattern: a whole account (any of its principals) as the trusted principal.
_ACCOUNT: Final = re.compile(r"\d{12}|arn:aws(?:-[a-z]+)*:iam::\d{12}:root")
_ADMIN_POLICIES: Final = ("AdministratorAccess", "IAMFullAccess")
_ROLES_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html"


def _trusted_principals(args: ResourceValidationArgs) -> Iterator[str]:
    for i, statement in enumerate(statements(get(args.props, "assumeRolePolicy"))):
        if not allows(statement):
            continue
        principal = get(statement, "Principal")
        aws = [principal] if isinstance(principal, str) else listify(get(principal, "AWS"))
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


RESOURCE_TYPE = IAM_ROLE
"""The resource type this module's policies are about (policy attachments are checked too)."""

POLICIES = [
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
]
