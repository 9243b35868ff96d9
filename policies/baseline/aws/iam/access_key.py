"""IAM access keys (`aws:iam/accessKey:AccessKey`): none at all. Every automation here authenticates with a role
(GitHub Actions through OIDC, services through their service principals), so a long-lived key has no user and
is only something to leak (security baseline, GitHub: "no long-lived cloud keys in secrets when OIDC is possible";
FSBP IAM.3 rotates keys only because they exist)."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import Family, resource_policy
from ...refs import fsbp, github_docs

ACCESS_KEY = "aws:iam/accessKey:AccessKey"
_OIDC_URL = (
    "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/"
    "configuring-openid-connect-in-amazon-web-services"
)


def _any_key(args: ResourceValidationArgs) -> Iterator[str]:
    yield ("an IAM access key is a long-lived credential: give the workload a role (GitHub Actions assume one "
           "through OIDC) instead.")


RESOURCE_TYPE = ACCESS_KEY
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        Family("aws-iam-access-key", ("aws", "iam", "credentials")).about(
            "disallow-long-lived-keys",
            description="The stack must not create IAM access keys (long-lived credentials); OIDC roles instead.",
            refs=(github_docs("Configuring OpenID Connect in Amazon Web Services", _OIDC_URL), fsbp("IAM.3")),
            control="no long-lived cloud keys in secrets when OIDC is possible",
            severity=Severity.HIGH,
            remediation="Remove the `aws.iam.AccessKey`; the workflow assumes the environment's role through "
            "GitHub OIDC (components/github).",
            url=_OIDC_URL,
        ),
        (ACCESS_KEY,),
        _any_key,
    ),
]
