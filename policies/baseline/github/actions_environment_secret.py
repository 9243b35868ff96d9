"""GitHub Actions secrets (`github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret`, and repository
secrets `github:index/actionsSecret:ActionsSecret`): the value comes from a Pulumi secret through `value` (or is
already encrypted for the repository's public key, `valueEncrypted`), never through the deprecated
`plaintextValue` / `encryptedValue` (CKV_GIT_4); and no secret or variable carries a long-lived cloud key where
OIDC is possible (security baseline, GitHub).

A policy cannot tell a secret input from pulumi_policy's arguments alone; `secret_inputs` notes which properties
arrived secret-wrapped. pulumi-github's SDK wraps `value` itself, so a literal written in a Python program also
arrives secret: literals are kept out by the component (it takes the stack's outputs only) and by review.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ..common import UNKNOWN, Family, as_str, get, is_set, known, resource_policy
from ..refs import ckv, github_docs
from ..secret_inputs import secret_properties
from . import (
    ENVIRONMENT_SECRET,
    ENVIRONMENT_VARIABLE,
    HARDENING_URL,
    OIDC_URL,
    REPOSITORY_SECRET,
    REPOSITORY_VARIABLE,
)

_SECRETS = (ENVIRONMENT_SECRET, REPOSITORY_SECRET)
_family = Family("github-actions-environment-secret", ("github", "secrets"))
_CHECKOV_URL = "https://www.checkov.io/5.Policy%20Index/github_configuration.html"
# Names of long-lived cloud credentials (AWS access keys, Azure client secrets, GCP key files).
LONG_LIVED_KEY_NAMES = re.compile(
    r"(^|_)(AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN|SECRET_ACCESS_KEY|ACCESS_KEY_ID|"
    r"AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET|GOOGLE_CREDENTIALS|GCP_SA_KEY)$",
    re.IGNORECASE,
)


def _plaintext(args: ResourceValidationArgs) -> Iterator[str]:
    for prop in ("plaintextValue", "encryptedValue"):
        if is_set(get(args.props, prop)):
            yield (f"{prop} is set: the deprecated input (CKV_GIT_4); pass the Pulumi secret as `value`, or a "
                   "value encrypted for the repository's public key as `value_encrypted`.")


def _secret_value(args: ResourceValidationArgs) -> Iterator[str]:
    value = get(args.props, "value")
    if value is UNKNOWN or is_set(value):
        secret = secret_properties(args.props)
        if secret is None:
            known(UNKNOWN, "value")  # cannot tell: "can't run", never a guess
        elif "value" not in secret:
            yield ("value did not arrive as a Pulumi secret: it would be stored in plaintext in the state; pass "
                   "`pulumi.Output.secret(...)` or an output that is secret.")
    elif not any(is_set(get(args.props, p)) for p in ("valueEncrypted", "plaintextValue", "encryptedValue")):
        yield "no value is set (value or value_encrypted): the secret would be empty."


def _name(args: ResourceValidationArgs) -> str | None:
    for prop in ("secretName", "variableName"):
        name = as_str(get(args.props, prop))
        if isinstance(name, str):
            return name
    return None


def _long_lived_keys(args: ResourceValidationArgs) -> Iterator[str]:
    name = _name(args)
    if name is not None and LONG_LIVED_KEY_NAMES.search(name.strip()):
        kind = "variable" if args.resource_type in (ENVIRONMENT_VARIABLE, REPOSITORY_VARIABLE) else "secret"
        yield (f"{kind} {name.strip()!r} carries a long-lived cloud key: workflows assume a role through GitHub "
               "OIDC (AWS_ROLE_ARN) instead, so no key exists to leak.")


RESOURCE_TYPE = ENVIRONMENT_SECRET
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        _family.about(
            "disallow-plaintext-value",
            description="GitHub Actions secrets must not use the deprecated plaintext_value / encrypted_value "
            "inputs.",
            refs=(ckv("CKV_GIT_4"), github_docs("Security hardening for GitHub Actions", HARDENING_URL)),
            control="no secret passed as `plaintext_value` / literal string in code; values come from Pulumi secrets",
            severity=Severity.HIGH,
            remediation="Pass the stack output (a Pulumi secret) as `value=`; never a literal string.",
            url=_CHECKOV_URL,
        ),
        _SECRETS,
        _plaintext,
    ),
    resource_policy(
        _family.about(
            "require-pulumi-secret-value",
            description="A GitHub Actions secret's value must arrive as a Pulumi secret (or pre-encrypted).",
            refs=(ckv("CKV_GIT_4"),),
            control="no secret passed as `plaintext_value` / literal string in code; values come from Pulumi secrets",
            severity=Severity.HIGH,
            remediation="Pass `value=pulumi.Output.secret(output)` (components/github does so for every secret).",
            url=_CHECKOV_URL,
        ),
        _SECRETS,
        _secret_value,
    ),
    resource_policy(
        _family.about(
            "disallow-long-lived-cloud-keys",
            description="No GitHub Actions secret or variable may carry a long-lived cloud key (AWS access keys, "
            "Azure client secrets) when OIDC is possible.",
            refs=(github_docs("Configuring OpenID Connect in Amazon Web Services", OIDC_URL),),
            control="no long-lived cloud keys in secrets when OIDC is possible",
            severity=Severity.HIGH,
            remediation="Delete the key; let the workflow assume the environment's role with "
            "aws-actions/configure-aws-credentials (role-to-assume: ${{ vars.AWS_ROLE_ARN }}, id-token: write).",
            url=OIDC_URL,
        ),
        (*_SECRETS, ENVIRONMENT_VARIABLE, REPOSITORY_VARIABLE),
        _long_lived_keys,
    ),
]
