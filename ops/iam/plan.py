"""Policy documents out of a plan (`python -m ops plan --json`): by resource name and input property."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .policy import Policy, PolicyKind, parse_policy

# Which input holds the policy, per resource type (first match wins when `prop` is not given).
POLICY_INPUTS: dict[str, str] = {
    "aws:iam/role:Role": "assumeRolePolicy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/policy:Policy": "policy",
    "aws:kms/key:Key": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
}

_RESOURCE_KINDS = {
    "aws:kms/key:Key",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sqs/queuePolicy:QueuePolicy",
}


def plan_policy(plan: Mapping[str, Any], name: str, *, type_: str | None = None, prop: str | None = None) -> Policy:
    """The policy document of the planned resource `name` (and `type_`), parsed for its role.

    A role's `assumeRolePolicy` and the key/bucket/topic/queue policies are resource-based; role policies and
    managed policies are identity-based. An unknown document comes back as a `Policy` with `unknown` set.
    """
    matches = [
        r
        for r in plan.get("resources", [])
        if r.get("name") == name and (type_ is None or r.get("type") == type_) and r.get("type") in POLICY_INPUTS
    ]
    if len(matches) != 1:
        found = sorted({r.get("type", "?") for r in matches})
        raise KeyError(f"expected one policy-holding resource named {name!r}, found {len(matches)} {found}")
    resource = matches[0]
    rtype = resource["type"]
    key = prop or POLICY_INPUTS[rtype]
    inputs = resource.get("inputs", {})
    if key not in inputs:
        raise KeyError(f"{rtype} {name!r} has no input {key!r}")
    resource_based = rtype in _RESOURCE_KINDS or key == "assumeRolePolicy"
    kind = PolicyKind.RESOURCE if resource_based else PolicyKind.IDENTITY
    return parse_policy(inputs[key], name=f"{name}.{key}", kind=kind)
