"""No secret-looking value in plain text: not in a stack output (the root `pulumi:pulumi:Stack` resource's
outputs), not in any resource's inputs (providers included).

What the policy can see: pulumi_policy unwraps secrets before policies run; `secret_marks.install()` (called by
`pack_arguments`) keeps the mark on secret *strings* (`SecretStr`). A value is flagged when it is a known,
unmarked string and either
* its shape is a credential whatever its name: a URL with `user:password@`, a PEM private key, an AWS access key
  id, a connection string with `Password=` / `AccountKey=` / `SharedAccessKey=`; or
* its property name says it is one (password, secret, token, api key, private/access key, connection string) and
  the value is not a reference (ARN, id, name, alias, version, length: names ending so are skipped).

Limits: only strings carry the mark, so a numeric secret is invisible (none is secret-shaped anyway); a secret
whose name and shape are both innocent cannot be told from data; unknown values (computed at preview) are judged
at `up`. Messages name the resource and the property path, never the value. Checkov CKV_AWS_45 (hard-coded
secrets in a Lambda function's environment) is one instance of this check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from pulumi_policy import Severity, StackValidationArgs

from ..common import About, get, is_unknown, stack_policy
from ..refs import ckv, platform
from ..secret_marks import installed, is_secret

STACK: Final = "pulumi:pulumi:Stack"
_SHAPES: Final = (
    (re.compile(r"[a-z][a-z0-9+.-]*://[^\s/:@]+:[^\s/@]+@", re.IGNORECASE), "a URL with user:password@"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a PEM private key"),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"(?:password|pwd|accountkey|sharedaccesskey)\s*=\s*[^;\s]+", re.IGNORECASE), "a connection string "
     "with credentials"),
)
_SECRET_NAME: Final = re.compile(
    r"password|passwd|secret|token|apikey|privatekey|accesskey|secretkey|credential|connectionstring|authstring"
)
# Names that hold a reference to a secret, or a fact about it, not the secret itself.
_REFERENCE_SUFFIXES: Final = (
    "arn", "arns", "id", "ids", "name", "names", "version", "length", "enabled", "required", "type", "policy",
    "count", "wo", "wversion", "woversion", "rotation", "kmskeyid", "path", "provider", "url",
)
_MAX_DEPTH: Final = 12


def _normalized(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _looks_like_reference(value: str) -> bool:
    v = value.strip()
    # A key reference (`awskms://alias/...`, the stacks' secrets provider) names a key; it holds no secret.
    return v.startswith(("arn:", "alias/", "{{resolve:", "awskms://", "azurekeyvault://", "gcpkms://")) or v == ""


def _findings(value: Any, path: str, name: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(path, why) for each plain secret-looking string under `value`."""
    if depth > _MAX_DEPTH or is_unknown(value):
        return
    if isinstance(value, str):
        if is_secret(value):
            return
        for pattern, what in _SHAPES:
            if pattern.search(value):
                yield path, f"its value is {what}"
                return
        normalized = _normalized(name)
        if (
            _SECRET_NAME.search(normalized)
            and not normalized.endswith(_REFERENCE_SUFFIXES)
            and not _looks_like_reference(value)
        ):
            yield path, "its name says it holds a credential"
        return
    if isinstance(value, Mapping):
        try:
            keys = [k for k in value if isinstance(k, str)]
        except Exception:
            return
        for key in keys:
            yield from _findings(get(value, key), f"{path}.{key}" if path else key, key, depth + 1)
    elif isinstance(value, list | tuple) or (hasattr(value, "__len__") and hasattr(value, "__getitem__")):
        try:
            size = len(value)
        except Exception:
            return
        for i in range(size):
            yield from _findings(get(value, i), f"{path}[{i}]", name, depth + 1)


def _check(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    note = "" if installed() else " (secret marks are unavailable with this pulumi_policy: every value counts as plain)"
    for resource in args.resources:
        where = "stack output" if resource.resource_type == STACK else "input"
        for path, why in _findings(resource.props, "", ""):
            yield (
                f"{resource.name}: {where} `{path}` is not marked secret but {why}{note}: it would be stored in "
                "plain text in the state and shown by `pulumi stack output`.",
                resource.urn,
            )


RESOURCE_TYPE = STACK
"""Stack-wide: every resource's inputs and the stack's outputs."""

POLICIES = [
    stack_policy(
        About(
            name="stack-disallow-plaintext-secrets",
            description="No password, token, key or credential-bearing connection string may appear unmarked in a "
            "stack output or a resource input (providers included).",
            refs=(platform("secrets baseline"), ckv("CKV_AWS_45")),
            control="secrets never in plaintext in state or outputs",
            severity=Severity.CRITICAL,
            remediation="Wrap the value with `pulumi.Output.secret(...)` (or `pulumi.export(name, "
            "pulumi.Output.secret(value))`), list the output in `additional_secret_outputs`, or pass a Secrets "
            "Manager reference (ARN) instead of the value.",
            tags=("stack", "secrets"),
            url="https://www.pulumi.com/docs/iac/concepts/secrets/",
        ),
        _check,
    ),
]
