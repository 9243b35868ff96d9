"""SNS topic policies (`aws:sns/topicPolicy:TopicPolicy`, and the inline `policy` of `aws:sns/topic:Topic`): no
statement allows the `*` principal unless a source condition (aws:SourceAccount, aws:SourceArn,
aws:SourceOwner, aws:PrincipalOrgID, aws:PrincipalAccount) narrows who may act. `...IfExists` operators do not
count: a request without the key passes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from ...common import (
    MISSING,
    SNS_TOPIC,
    SNS_TOPIC_POLICY,
    UNKNOWN,
    Family,
    as_list,
    get,
    is_set,
    known,
    resource_policy,
)
from ...refs import ckv, fsbp

_TAGS = ("aws", "sns", "access")
SOURCE_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:principalorgid",
                         "aws:principalaccount"})


def _listify(value: Any) -> list[Any]:
    if value is MISSING or value is UNKNOWN or value is None:
        return []
    items = as_list(value)
    return items if isinstance(items, list) else [value]


def statements(args: ResourceValidationArgs) -> list[Mapping[str, Any]] | None:
    """The statements of the `policy` input; None when absent or not a policy document; unknown -> can't run."""
    raw = get(args.props, "policy")
    if not is_set(raw):
        return None
    document: Any = known(raw, "policy")
    if isinstance(document, str):
        if UNKNOWN_STRING_VALUE in document:
            known(UNKNOWN, "policy")
        try:
            document = json.loads(document)
        except (ValueError, RecursionError):
            return None
    if not isinstance(document, Mapping):
        return None
    return [s for s in _listify(get(document, "Statement")) if isinstance(s, Mapping)]


def _wildcard(statement: Mapping[str, Any]) -> bool:
    principal = get(statement, "Principal")
    if isinstance(principal, str):
        return principal.strip() == "*"
    if isinstance(principal, Mapping):
        return any(isinstance(p, str) and p.strip() == "*" for p in _listify(get(principal, "AWS")))
    return False


def _source_conditioned(statement: Mapping[str, Any]) -> bool:
    condition = get(statement, "Condition")
    if not isinstance(condition, Mapping):
        return False
    for operator in condition:
        if not isinstance(operator, str) or operator.endswith("IfExists"):
            continue
        keys = get(condition, operator)
        if isinstance(keys, Mapping) and any(isinstance(k, str) and k.lower() in SOURCE_KEYS for k in keys):
            return True
    return False


def _unconditioned_wildcard(args: ResourceValidationArgs) -> Iterator[str]:
    for i, statement in enumerate(statements(args) or []):
        effect = get(statement, "Effect")
        if not (isinstance(effect, str) and effect.strip() == "Allow"):
            continue
        sid = get(statement, "Sid")
        label = f"statement {i} ({sid})" if isinstance(sid, str) and sid else f"statement {i}"
        if is_set(get(statement, "NotPrincipal")):
            yield f"{label} allows with NotPrincipal: everyone except the listed principals."
        elif _wildcard(statement) and not _source_conditioned(statement):
            yield (
                f"{label} allows the '*' principal without a source condition (aws:SourceAccount, aws:SourceArn, "
                "aws:PrincipalOrgID): anyone could publish to or subscribe to the topic."
            )


RESOURCE_TYPE = SNS_TOPIC_POLICY
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        Family("aws-sns-topic-policy", _TAGS).about(
            "disallow-unconditioned-wildcard-principal",
            description="SNS topic policies must not allow the '*' principal without a source condition.",
            refs=(fsbp("SNS.4"), ckv("CKV_AWS_169")),
            control="no topic policy allows `*` without a source condition",
            severity=Severity.HIGH,
            remediation="Name the publishing service principals (events.amazonaws.com, cloudwatch.amazonaws.com, "
            "...) with aws:SourceAccount / aws:SourceArn conditions instead of '*'.",
            url="https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html",
        ),
        (SNS_TOPIC_POLICY, SNS_TOPIC),
        _unconditioned_wildcard,
    ),
]
