"""IAM roles (`aws:iam/role:Role`): a role federated through GitHub's OIDC provider pins the token's audience and
subject with `StringEquals` (CKV_AWS_358 / CKV_AWS_393; GitHub Docs, "Configuring OpenID Connect in Amazon Web
Services"). Without a pinned `sub`, any workflow of any repository on GitHub could assume the role; a wildcard
such as `repo:OWNER/*` admits every repository of the owner, and `repo:OWNER/REPO:*` every branch and fork-less
workflow of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from ...common import MISSING, UNKNOWN, Family, as_list, get, is_set, known, resource_policy
from ...refs import ckv, github_docs

IAM_ROLE = "aws:iam/role:Role"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
AUD_KEY = f"{GITHUB_OIDC_HOST}:aud"
SUB_KEY = f"{GITHUB_OIDC_HOST}:sub"
_OIDC_URL = (
    "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/"
    "configuring-openid-connect-in-amazon-web-services"
)


def _listify(value: Any) -> list[Any]:
    if value is MISSING or value is UNKNOWN or value is None:
        return []
    items = as_list(value)
    return items if isinstance(items, list) else [value]


def trust_statements(args: ResourceValidationArgs) -> list[Mapping[str, Any]]:
    """The statements of `assumeRolePolicy` (JSON text or object); unknown -> can't run."""
    raw = get(args.props, "assumeRolePolicy")
    if not is_set(raw):
        return []
    document: Any = known(raw, "assumeRolePolicy")
    if isinstance(document, str):
        if UNKNOWN_STRING_VALUE in document:
            known(UNKNOWN, "assumeRolePolicy")
        try:
            document = json.loads(document)
        except (ValueError, RecursionError):
            return []
    if not isinstance(document, Mapping):
        return []
    return [s for s in _listify(get(document, "Statement")) if isinstance(s, Mapping)]


def _federated_by_github(statement: Mapping[str, Any]) -> bool:
    principal = get(statement, "Principal")
    federated = _listify(get(principal, "Federated")) if isinstance(principal, Mapping) else []
    if any(isinstance(f, str) and f.strip().endswith(f"oidc-provider/{GITHUB_OIDC_HOST}") for f in federated):
        return True
    condition = get(statement, "Condition")
    return isinstance(condition, Mapping) and any(
        isinstance(keys, Mapping) and any(isinstance(k, str) and k.lower().startswith(GITHUB_OIDC_HOST) for k in keys)
        for keys in (get(condition, op) for op in condition)
    )


def _values(condition: Any, operators: tuple[str, ...], key: str) -> list[Any] | None:
    """The values a condition gives `key` under the first of `operators` that names it (keys case-insensitive)."""
    if not isinstance(condition, Mapping):
        return None
    for operator in condition:
        if not isinstance(operator, str) or operator not in operators:
            continue
        keys = get(condition, operator)
        if not isinstance(keys, Mapping):
            continue
        for name in keys:
            if isinstance(name, str) and name.lower() == key:
                return _listify(get(keys, name))
    return None


def _pinned_subject(args: ResourceValidationArgs) -> Iterator[str]:
    for i, statement in enumerate(trust_statements(args)):
        effect = get(statement, "Effect")
        if not (isinstance(effect, str) and effect.strip() == "Allow") or not _federated_by_github(statement):
            continue
        sid = get(statement, "Sid")
        label = f"statement {i} ({sid})" if isinstance(sid, str) and sid else f"statement {i}"
        condition = get(statement, "Condition")
        audiences = _values(condition, ("StringEquals",), AUD_KEY)
        if not audiences or any(a != "sts.amazonaws.com" for a in audiences):
            yield (f"{label} trusts GitHub's OIDC provider without StringEquals {AUD_KEY} = sts.amazonaws.com: "
                   "tokens minted for another audience would be accepted.")
        exact = _values(condition, ("StringEquals",), SUB_KEY)
        like = _values(condition, ("StringLike",), SUB_KEY)
        subjects = exact if exact is not None else like
        if not subjects:
            yield (f"{label} trusts GitHub's OIDC provider without pinning {SUB_KEY}: any workflow of any "
                   "repository on GitHub could assume the role.")
            continue
        for subject in subjects:
            text = subject if isinstance(subject, str) else ""
            if not text.startswith("repo:") or text.count(":") < 2 or any(c in text for c in "*?"):
                yield (f"{label} admits {SUB_KEY} {text or subject!r}: pin one repository and its environment "
                       "(repo:OWNER/REPO:environment:NAME) or event, with StringEquals and no wildcard.")


RESOURCE_TYPE = IAM_ROLE
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        Family("aws-iam-role", ("aws", "iam", "oidc")).about(
            "require-pinned-github-oidc-subject",
            description="A role trusted through GitHub's OIDC provider must pin the token's aud to sts.amazonaws.com "
            "and its sub to exact repository subjects (StringEquals, no wildcard).",
            refs=(ckv("CKV_AWS_358"), ckv("CKV_AWS_393"),
                  github_docs("Configuring OpenID Connect in Amazon Web Services", _OIDC_URL)),
            control="OIDC trust policy pins `token.actions.githubusercontent.com:sub` to repository and "
            "environment/branch, and `aud` to `sts.amazonaws.com`",
            severity=Severity.CRITICAL,
            remediation="Build the trust policy with components/aws/github_oidc.github_trust_policy: StringEquals "
            "aud = sts.amazonaws.com and sub = repo:OWNER/REPO:environment:NAME.",
            url=_OIDC_URL,
        ),
        (IAM_ROLE,),
        _pinned_subject,
    ),
]
