"""Deployment branch policies (`github:index/repositoryEnvironmentDeploymentPolicy:...`): a pattern that matches
every branch (or tag) restricts nothing."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ..common import Family, as_str, get, known, resource_policy
from ..refs import github_docs
from . import DEPLOYMENT_POLICY, ENVIRONMENTS_URL

# fnmatch-style patterns that match any name: '*' (no '/'), '**' and runs of them.
_EVERYTHING = {"*", "**", "*/**", "**/*", "**/**"}


def _wildcard(args: ResourceValidationArgs) -> Iterator[str]:
    for prop in ("branchPattern", "tagPattern"):
        pattern = known(as_str(get(args.props, prop)), prop)
        if isinstance(pattern, str) and pattern.strip() in _EVERYTHING:
            yield f"{prop} is {pattern.strip()!r}: every {prop[:-7]} may deploy, so the policy restricts nothing."


RESOURCE_TYPE = DEPLOYMENT_POLICY
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        Family("github-repository-environment-deployment-policy", ("github", "deployments")).about(
            "disallow-wildcard-pattern",
            description="A deployment branch policy must name branches (e.g. 'main'), not match all of them.",
            refs=(github_docs("Managing environments for deployment", ENVIRONMENTS_URL),),
            control="deployments only from the named branches",
            severity=Severity.MEDIUM,
            remediation="Set platform:github.deployment_branches to the branches that deploy (default: main).",
            url=ENVIRONMENTS_URL,
        ),
        (DEPLOYMENT_POLICY,),
        _wildcard,
    ),
]
