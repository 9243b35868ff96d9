"""IAM permission policies: inline role policies (`aws:iam/rolePolicy:RolePolicy`), managed policies
(`aws:iam/policy:Policy`) and managed-policy attachments (`aws:iam/rolePolicyAttachment:RolePolicyAttachment`).

* No Allow of `*` / `*:*` on `*` (administrator access), and no AdministratorAccess / IAMFullAccess attached.
* No wildcard action (`s3:*`, `kms:*`, `s3:Get*`) allowed on every resource (`*`).

A document computed from outputs not known during a preview (a key's ARN) is checked at `up`.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import Family, as_str, get, is_set, resource_policy
from ...refs import ckv, fsbp
from .documents import PolicyDocumentError, allows, label, lowered, statements, stripped

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ADMIN_POLICIES = ("/AdministratorAccess", "/IAMFullAccess")
_IAM_GUIDE = "https://docs.aws.amazon.com/IAM/latest/UserGuide"
_about = Family("aws-iam-role-policy", ("aws", "iam")).about
_attachment = Family("aws-iam-role-policy-attachment", ("aws", "iam")).about


def _allow_statements(args: ResourceValidationArgs) -> Iterator[tuple[int, dict]]:
    try:
        found = statements(get(args.props, "policy"))
    except PolicyDocumentError:
        return
    for i, statement in enumerate(found or []):
        if allows(statement):
            yield i, statement  # type: ignore[misc]


def _admin(args: ResourceValidationArgs) -> Iterator[str]:
    for i, statement in _allow_statements(args):
        if lowered(statement, "Action") & {"*", "*:*"} and "*" in stripped(statement, "Resource"):
            yield f"{label(i, statement)} allows every action on every resource: administrator access."
        elif is_set(get(statement, "NotAction")) and "*" in stripped(statement, "Resource"):
            yield f"{label(i, statement)} allows NotAction on every resource: nearly everything."


def _wildcard_actions(args: ResourceValidationArgs) -> Iterator[str]:
    for i, statement in _allow_statements(args):
        if "*" not in stripped(statement, "Resource"):
            continue
        wild = sorted(a for a in lowered(statement, "Action") if "*" in a and a not in {"*", "*:*"})
        if wild:
            yield f"{label(i, statement)} allows {', '.join(wild)} on every resource ('*'): name the resources."


def _admin_attachment(args: ResourceValidationArgs) -> Iterator[str]:
    arn = as_str(get(args.props, "policyArn"))
    if isinstance(arn, str) and arn.strip().endswith(ADMIN_POLICIES):
        yield f"policyArn attaches {arn.strip().rsplit('/', 1)[-1]}: full administrator (or IAM) access."


RESOURCE_TYPE = ROLE_POLICY
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        _about(
            "disallow-wildcard-actions-on-all-resources",
            description="IAM policies must not allow wildcard actions (e.g. 's3:*') on '*' resources.",
            refs=(fsbp("IAM.21"), ckv("CKV_AWS_355")),
            control="no wildcard actions on `*` resources",
            severity=Severity.HIGH,
            remediation="Name the actions and scope Resource to the ARNs the role works on.",
        ),
        (ROLE_POLICY, POLICY),
        _wildcard_actions,
    ),
]
