"""The GitHub Actions settings the workflows read and no stack writes, and the Azure identity the deploy job
signs in as: the manual steps of the delivery concern.

The workflows' `vars.*` and `secrets.*` (.github/workflows/*.yml) are either written by the stack itself into its
environment (`STACK_VARIABLES`, `STACK_SECRETS`: `__main__.py` passes them to `GitHubDelivery`, which adds
`AWS_ROLE_ARN` and `AWS_REGION`) or set by hand (the constants below); tests/components/test_manual_steps.py
checks that the two together cover every name the workflows read, and that nothing is listed that none reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.github.config import protection_rules_available
from components.steps import ManualStep

if TYPE_CHECKING:
    from components.stack import StackConfig

#: Repository variables (read by jobs without an environment too: pr-review, drift), with where the value comes from.
REPOSITORY_VARIABLES: dict[str, str] = {
    "AWS_REGION": "",  # the stack's aws:region, filled in below
    "PULUMI_BACKEND_URL": "<bootstrap backend_url>",
    "AWS_READONLY_ROLE_ARN": "<bootstrap read_only_role_arn>",
    "AZURE_TENANT_ID": "<the Azure tenant id>",
    "AZURE_SUBSCRIPTION_ID": "<the off-site copy's Azure subscription id>",
}
#: Variables of the stack's environment (only its deploy job reads them).
ENVIRONMENT_VARIABLES: dict[str, str] = {
    "AWS_DEPLOY_ROLE_ARN": "<bootstrap deploy_role_arn>",
    "AZURE_DEPLOY_CLIENT_ID": "<the deploying identity's clientId>",
}
#: Secrets of the stack's environment: the deploy job's provider tokens.
ENVIRONMENT_SECRETS = ("PULUMI_GITHUB_TOKEN", "CLOUDFLARE_API_TOKEN")
#: Optional repository settings: the real PR preview (with the bootstrap's read_only_pull_requests), the drift
#: job's read-only Azure identity and provider tokens (without them drift reports those providers as failed).
OPTIONAL_REPOSITORY_VARIABLES = ("PR_PREVIEW", "AZURE_READONLY_CLIENT_ID")
OPTIONAL_REPOSITORY_SECRETS = ("DRIFT_GITHUB_TOKEN", "DRIFT_CLOUDFLARE_API_TOKEN")
#: Set to 'dispatch' when prod cannot have required reviewers (docs/github.md): prod then deploys only by hand.
PROD_DEPLOY = "PROD_DEPLOY"
#: What the stack writes into its own environment at `pulumi up` (never set these by hand).
STACK_VARIABLES = (
    "AWS_ROLE_ARN", "AWS_REGION", "DATABASE_PROXY_ENDPOINT", "DATABASE_APP_CONNECT_POLICY_ARN", "ALERT_TOPIC_ARN",
    "CLOUDFLARE_ZONE_ID", "BACKUP_BUCKET_NAME", "BACKUP_PREFIXES", "BACKUP_WRITER_ROLE_ARN", "BACKUP_COPY_ROLE_ARN",
    "BACKUP_OFFSITE_CONTAINER_URL", "BACKUP_OFFSITE_CLIENT_ID", "BACKUP_OFFSITE_TENANT_ID",
    "BACKUP_OFFSITE_SUBSCRIPTION_ID",
)


def stack_secrets(config: StackConfig) -> tuple[str, ...]:
    """The environment secrets the stack writes: the Redis URL, and the jobs' auth secret when jobs exist."""
    return ("REDIS_URL", "CRON_AUTH_SECRET") if config.jobs.base_url is not None else ("REDIS_URL",)


def github_steps(config: StackConfig) -> list[ManualStep]:
    repo, environment = config.github.repository, config.stack
    subject = f"repo:{repo}:environment:{environment}"
    cloudflare = "Zone Edit, Zone Settings Edit, DNS Edit, SSL and Certificates Edit, Zone WAF Edit"
    if config.edge.manage_subscription:
        cloudflare += ", Billing Edit"
    if config.edge.account_id is not None:
        cloudflare += ", Notifications Edit on the account"
    repository_variables = {**REPOSITORY_VARIABLES, "AWS_REGION": config.aws_region}
    dispatch = ""
    if config.is_prod and not protection_rules_available(config.github.plan, config.github.visibility):
        dispatch = (f"; prod cannot have required reviewers on this plan: `gh variable set {PROD_DEPLOY} "
                    f"--repo {repo} --body dispatch` (prod then deploys only from a manual run of deploy)")
    return [
        ManualStep(
            id="github.azure-deploy-identity",
            phase="before-first-up",
            title="Create the Azure identity the deploy job signs in as",
            instruction=(
                f"`az identity create -g <resource group> -n platform-deploy`, then `az identity "
                f"federated-credential create -g <resource group> --identity-name platform-deploy -n github-"
                f"{environment} --issuer https://token.actions.githubusercontent.com --subject {subject} "
                "--audiences api://AzureADTokenExchange` and `az role assignment create --assignee-object-id "
                "<its principalId> --assignee-principal-type ServicePrincipal --role Owner --scope "
                "/subscriptions/<subscription id>` (it creates a custom role and a role assignment: Owner, or "
                "Contributor plus User Access Administrator); its clientId is AZURE_DEPLOY_CLIENT_ID; done when "
                "`az identity federated-credential list -g <resource group> --identity-name platform-deploy` "
                f"shows the subject {subject}"
            ),
        ),
        ManualStep(
            id="github.actions-settings",
            phase="before-first-up",
            title=f"Set the GitHub Actions variables and secrets the workflows read, for environment {environment}",
            instruction=(
                f"create the environment (`gh api -X PUT repos/{repo}/environments/{environment}`; the stack then "
                "manages its reviewers and branch rule), then repository variables "
                f"`gh variable set NAME --repo {repo} --body VALUE` for "
                + ", ".join(f"{name}={value}" for name, value in repository_variables.items())
                + f"; environment variables `gh variable set NAME --repo {repo} --env {environment} --body VALUE` "
                "for " + ", ".join(f"{name}={value}" for name, value in ENVIRONMENT_VARIABLES.items())
                + f"; environment secrets `gh secret set NAME --repo {repo} --env {environment}` for "
                "PULUMI_GITHUB_TOKEN (fine-grained, on the repository: Administration, Environments, Secrets and "
                f"Variables write) and CLOUDFLARE_API_TOKEN ({cloudflare}){dispatch}; optional: "
                + ", ".join(OPTIONAL_REPOSITORY_VARIABLES) + " variables and "
                + ", ".join(OPTIONAL_REPOSITORY_SECRETS) + " repository secrets (read-only, for drift); "
                "`pulumi up` writes " + ", ".join((*STACK_VARIABLES, *stack_secrets(config)))
                + " itself (do not set them); done when `gh variable list --repo "
                f"{repo} --env {environment}` and `gh secret list --repo {repo} --env {environment}` list them"
            ),
        ),
    ]
