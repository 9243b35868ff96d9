"""The bootstrap project: what exists once per account, before (and beneath) the platform stacks' own state."""

import sys
from pathlib import Path

# The repository's components are one directory up (the language host starts the program in bootstrap/).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi

from components.state_backend.component import TeamStateBackend, TeamStateBackendArgs
from components.state_backend.config import load_bootstrap_config

config = load_bootstrap_config()
backend = TeamStateBackend("state", TeamStateBackendArgs(config=config, region=pulumi.Config("aws").require("region")))

# What the teams need: `pulumi login <backend_url>` and `pulumi stack init --secrets-provider <secrets_provider>`.
pulumi.export("backend_url", backend.backend_url)
pulumi.export("secrets_provider", backend.secrets_provider)
# The roles the infrastructure workflows assume (the bootstrap also writes them into the GitHub environments
# infra-<stack> and infra-drift-<stack> as AWS_DEPLOY_ROLE_ARN and AWS_READONLY_ROLE_ARN).
pulumi.export("deploy_role_arns", backend.deploy_role_arns)
pulumi.export("read_only_role_arn", backend.read_only_role_arn)
pulumi.export("github_oidc_provider_arn", backend.oidc_provider_arn)
# The boundary every role of the main stacks carries (they derive the same ARN from the account).
pulumi.export("permissions_boundary_arn", backend.permissions_boundary_arn)
pulumi.export("github_environments", backend.github_environments)
