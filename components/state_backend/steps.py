"""The bootstrap's manual step: the once-per-account project an administrator applies before any stack exists
(docs/state-backend.md). Nothing in a stack can do it: the stack's state lives in what it creates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.steps import ManualStep

if TYPE_CHECKING:
    from components.stack import StackConfig


def bootstrap_steps(config: StackConfig) -> list[ManualStep]:
    """Always one step: the state backend, the secrets key, the GitHub OIDC provider and the CI roles."""
    return [ManualStep(
        id="bootstrap.state-backend",
        phase="before-first-up",
        title="Bootstrap the AWS account as the administrator (once per account)",
        instruction=(
            "as the principal named in admin_principal_arn, with bootstrap/Pulumi.shared.yaml's PLACEHOLDERs "
            "replaced, run `cd bootstrap && pulumi login --local && pulumi stack select shared --create && "
            "pulumi up`, note `pulumi stack output backend_url`, `secrets_provider`, `deploy_role_arn` and "
            "`read_only_role_arn`, back up ~/.pulumi/stacks/platform-bootstrap/, then from the repository root "
            f"`pulumi login \"<backend_url>\"` and `pulumi stack init {config.stack} --secrets-provider "
            "\"<secrets_provider>\"`; done when `pulumi stack ls` lists the stack on the S3 backend "
            "(skip the bootstrap `pulumi up` if the account already has it)"
        ),
    )]
