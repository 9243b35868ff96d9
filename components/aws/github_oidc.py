"""GitHub Actions OIDC for AWS: the account's identity provider, and trust policies that pin the token's claims.

A workflow job asks GitHub for an OIDC token (`permissions: id-token: write`) and exchanges it with STS
(`aws-actions/configure-aws-credentials` with `role-to-assume`): no long-lived access key exists anywhere.
The trust policy decides which jobs may do that, so it pins both claims with `StringEquals`
(CKV_AWS_358 / CKV_AWS_393; GitHub Docs, "Configuring OpenID Connect in Amazon Web Services"):

* `aud` = `sts.amazonaws.com` (the audience configure-aws-credentials requests), and
* `sub` = `repo:OWNER/REPO:environment:NAME` for a job that declares `environment: NAME` (GitHub Docs, "OpenID
  Connect reference", subject claims), or `repo:OWNER/REPO:pull_request` for a pull_request-triggered job that
  declares none. Fork pull requests get no id-token at all, so only same-repository pull requests can match.

`StringEquals` is case-sensitive and the claim carries the repository as GitHub spells it: write the
repository exactly so in config. No wildcard: `repo:OWNER/*` would admit every repository of the owner.

No provider import: the main program and the bootstrap project both build their policies with this.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_URL = f"https://{GITHUB_OIDC_HOST}"
STS_AUDIENCE = "sts.amazonaws.com"
AUD_KEY = f"{GITHUB_OIDC_HOST}:aud"
SUB_KEY = f"{GITHUB_OIDC_HOST}:sub"


def oidc_provider_arn(*, partition: str, account_id: str) -> str:
    """The ARN IAM gives the account's GitHub OIDC provider (one per account and URL; the bootstrap creates it)."""
    return f"arn:{partition}:iam::{account_id}:oidc-provider/{GITHUB_OIDC_HOST}"


def environment_subject(repository: str, environment: str) -> str:
    """The `sub` claim of a job in `repository` that declares `environment: <environment>`."""
    return f"repo:{repository}:environment:{environment}"


def pull_request_subject(repository: str) -> str:
    """The `sub` claim of a pull_request-triggered job (same repository only) that declares no environment."""
    return f"repo:{repository}:pull_request"


def github_trust_policy(*, provider_arn: str, subjects: Sequence[str]) -> str:
    """An assume-role policy admitting exactly `subjects` through the GitHub OIDC provider, audience STS."""
    if not subjects or any("*" in s or "?" in s for s in subjects):
        raise ValueError(f"a GitHub OIDC trust policy needs exact subjects, got {list(subjects)!r}")
    ordered = sorted(set(subjects))
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "GitHubActionsOidc",
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    AUD_KEY: STS_AUDIENCE,
                    SUB_KEY: ordered[0] if len(ordered) == 1 else ordered,
                },
            },
        }],
    })
