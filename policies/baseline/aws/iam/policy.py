"""IAM policy documents: customer-managed policies (`aws:iam/policy:Policy`), inline role policies
(`aws:iam/rolePolicy:RolePolicy`) and a role's `inlinePolicies`.

Documents arrive as JSON strings. One computed from other outputs (the ARNs it names) is unknown during a preview,
wholly or where an ARN is interpolated; the policies then report nothing at preview and judge the document at
`pulumi up`, where the engine analyzes each resource again with its resolved inputs before creating it. (A
"can't run during preview" note would be reported for every such document of every preview, which is the
normal case for least-privilege documents that name resources, not a finding.) A document that is not JSON is
left to IAM, which refuses it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

from pulumi_policy import ResourceValidationArgs, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from ...common import UNKNOWN, About, as_list, get, is_set, is_unknown, resource_policy
from ...refs import ckv, fsbp

IAM_POLICY: Final = "aws:iam/policy:Policy"
IAM_ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
IAM_ROLE: Final = "aws:iam/role:Role"
_IAM_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"
# Actions that grant everything (CKV_AWS_62/63) or every IAM action (CKV2_AWS_40).
_WILDCARD_ACTIONS: Final = frozenset({"*", "*:*", "iam:*"})


def listify(value: Any) -> list[Any]:
    """A JSON policy field that may be one value or a list of them, as a list."""
    items = as_list(value)
    if isinstance(items, list):
        return items
    return [] if value is UNKNOWN or not is_set(value) else [value]


def statements(document: Any) -> list[Mapping[str, Any]]:
    """The statements of a policy document (JSON string or object); [] when it is absent, not yet known (a
    preview: judged at `up`), or not a JSON object."""
    if not is_set(document) or is_unknown(document):
        return []
    if isinstance(document, str):
        if UNKNOWN_STRING_VALUE in document:  # an interpolated unknown (an ARN during a preview)
            return []
        try:
            document = json.loads(document)
        except (ValueError, RecursionError):
            return []
    if not isinstance(document, Mapping):
        return []
    return [s for s in listify(get(document, "Statement")) if isinstance(s, Mapping)]


def allows(statement: Mapping[str, Any]) -> bool:
    effect = get(statement, "Effect")
    return isinstance(effect, str) and effect.strip() == "Allow"


def _documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    if args.resource_type == IAM_ROLE:
        for i, inline in enumerate(listify(get(args.props, "inlinePolicies"))):
            yield f"inlinePolicies[{i}]", get(inline, "policy")
    else:
        yield "policy", get(args.props, "policy")


def _wildcard_actions(args: ResourceValidationArgs) -> Iterator[str]:
    for path, document in _documents(args):
        for i, statement in enumerate(statements(document)):
            if not allows(statement):
                continue
            actions = {a.strip().lower() for a in listify(get(statement, "Action")) if isinstance(a, str)}
            wild = sorted(actions & _WILDCARD_ACTIONS)
            if wild:
                yield f"{path} statement {i} allows {', '.join(wild)}: full (IAM) administrative privileges."


RESOURCE_TYPE = IAM_POLICY
"""The resource type this module's policies are about (inline role policies are checked too)."""

POLICIES = [
    resource_policy(
        About(
            name="aws-iam-policy-disallow-wildcard-actions",
            description="IAM policy documents must not allow '*' or 'iam:*' actions.",
            refs=(ckv("CKV_AWS_62"), ckv("CKV_AWS_63"), ckv("CKV2_AWS_40"), fsbp("IAM.1")),
            control="least privilege: no wildcard actions in the stack's IAM policies",
            severity=Severity.HIGH,
            remediation="List the actions the principal needs (e.g. `secretsmanager:GetSecretValue`) on the "
            "resources it needs them on.",
            tags=("aws", "iam"),
            url=_IAM_URL,
        ),
        (IAM_POLICY, IAM_ROLE_POLICY, IAM_ROLE),
        _wildcard_actions,
    ),
]
