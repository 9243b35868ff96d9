"""The bootstrap's manual step: the once-per-account project an administrator applies before any stack exists
(docs/state-backend.md). Nothing in a stack can do it: the stack's state lives in what it creates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.steps import ManualStep

if TYPE_CHECKING:
    from components.stack import StackConfig


def bootstrap_steps(config: StackConfig) -> list[ManualStep]:
    """Always one step: the state backend, the secrets key, the OIDC provider, the boundary, the CI roles and the
    infrastructure workflows' GitHub environments of the stack's account."""
    stack = config.stack
    return [ManualStep(
        id="bootstrap.state-backend",
        phase="before-first-up",
        title="Bootstrap the AWS account as the administrator (once per account)",
        instruction=(
            f"in the bootstrap stack file of the account that hosts {stack} (bootstrap/Pulumi.{config.environment}"
            f".yaml, with {stack} in platform-bootstrap:stacks and every PLACEHOLDER replaced), as the principal "
            "named in admin_principal_arn and with a GITHUB_TOKEN that administers the repository's environments, "
            f"run `cd bootstrap && pulumi login --local && pulumi stack select {config.environment} --create && "
            "pulumi up` (it creates the environments infra-<stack> and infra-drift-<stack> and their variables), "
            "note `pulumi stack output backend_url` and `secrets_provider`, back up "
            "~/.pulumi/stacks/platform-bootstrap/, then from the repository root "
            f"`pulumi login \"<backend_url>\"` and `pulumi stack init {stack} --secrets-provider "
            f"\"<secrets_provider>\"` and commit the two lines it writes into Pulumi.{stack}.yaml "
            "(`secretsprovider` and `encryptedkey`); done when `pulumi stack ls` lists the stack on the S3 backend, "
            f"Pulumi.{stack}.yaml has both lines, and `gh api repos/<owner>/<repo>/environments --jq "
            "'.environments[].name'` lists infra-<stack> and infra-drift-<stack> (skip the bootstrap `pulumi up` if "
            "the account already has it and lists the stack)"
        ),
    )]
