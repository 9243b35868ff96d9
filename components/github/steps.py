"""The GitHub Actions settings the workflows read and neither the bootstrap nor a stack writes, and the Azure
identity the deploy job signs in as: the manual steps of the delivery concern.

Every `vars.*` and `secrets.*` the workflows (.github/workflows/*.yml) read comes from one of three writers:
- the bootstrap (components/state_backend, its GitHub provider) creates the environments `infra-<stack>` (the
  deploy job's) and `infra-drift-<stack>` (the drift job's) and writes `DEPLOY_ENVIRONMENT_VARIABLES` /
  `DRIFT_ENVIRONMENT_VARIABLES` into them;
- the stack writes `STACK_VARIABLES` and `stack_secrets` into its own environments at `pulumi up` (`__main__.py`
  passes them to `GitHubDelivery`: the app's environment `<stack>` and the off-site copy's `backup-copy-<stack>`);
- a person sets the rest (the constants below, by environment).
tests/components/test_manual_steps.py checks that the three together cover every name the workflows read, and that
nothing is listed that none reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.edge.permissions import token_permissions
from components.github.config import protection_rules_available
from components.state_backend.identities import (
    DEPLOY_ENVIRONMENT_VARIABLES,
    DRIFT_ENVIRONMENT_VARIABLES,
    deploy_environment,
    drift_environment,
)
from components.steps import ManualStep

if TYPE_CHECKING:
    from components.stack import StackConfig


#: Variables a person sets in `infra-<stack>`, with where the value comes from.
DEPLOY_VARIABLES: dict[str, str] = {
    "AZURE_DEPLOY_CLIENT_ID": "<the deploying identity's clientId>",
    "AZURE_TENANT_ID": "<the Azure tenant id>",
    "AZURE_SUBSCRIPTION_ID": "<the off-site copy's Azure subscription id>",
}
#: Secrets a person sets in `infra-<stack>`: the deploy job's provider tokens.
DEPLOY_SECRETS = ("PULUMI_GITHUB_TOKEN", "CLOUDFLARE_API_TOKEN")
#: Optional, in `infra-drift-<stack>`: the drift job's read-only Azure identity and provider tokens (without them
#: drift reports those providers' checks as failed).
DRIFT_VARIABLES: dict[str, str] = {
    "AZURE_READONLY_CLIENT_ID": "<a Reader identity's clientId>",
    "AZURE_TENANT_ID": "<the Azure tenant id>",
    "AZURE_SUBSCRIPTION_ID": "<the off-site copy's Azure subscription id>",
}
DRIFT_SECRETS = ("DRIFT_GITHUB_TOKEN", "DRIFT_CLOUDFLARE_API_TOKEN")
#: Repository variable, set to 'dispatch' when prod cannot have required reviewers (docs/github.md): the prod
#: stacks then deploy only by hand.
PROD_DEPLOY = "PROD_DEPLOY"
#: What the stack writes into its own environments at `pulumi up` (never set these by hand).
STACK_VARIABLES = (
    "AWS_ROLE_ARN", "AWS_REGION", "DATABASE_PROXY_ENDPOINT", "DATABASE_APP_CONNECT_POLICY_ARN", "ALERT_TOPIC_ARN",
    "CLOUDFLARE_ZONE_ID", "BACKUP_BUCKET_NAME", "BACKUP_PREFIXES", "BACKUP_WRITER_ROLE_ARN", "BACKUP_COPY_ROLE_ARN",
    "BACKUP_MAX_AGE_HOURS", "BACKUP_OFFSITE_CONTAINER_URL", "BACKUP_OFFSITE_CLIENT_ID", "BACKUP_OFFSITE_TENANT_ID",
    "BACKUP_OFFSITE_SUBSCRIPTION_ID",
)


def stack_secrets(config: StackConfig) -> tuple[str, ...]:
    """The environment secrets the stack writes: the Redis URL, and the jobs' auth secret when jobs exist."""
    return ("REDIS_URL", "CRON_AUTH_SECRET") if config.jobs.base_url is not None else ("REDIS_URL",)


def github_steps(config: StackConfig) -> list[ManualStep]:
    repo, stack = config.github.repository, config.stack
    deploy, drift = deploy_environment(stack), drift_environment(stack)
    subject = f"repo:{repo}:environment:{deploy}"
    # Per resource the stack declares: components/edge/permissions.py, docs/edge.md "Credentials".
    cloudflare = ", ".join(token_permissions(config.edge))
    dispatch = ""
    if config.is_prod and not protection_rules_available(config.github.plan, config.github.visibility):
        dispatch = (f"; prod cannot have required reviewers on this plan: `gh variable set {PROD_DEPLOY} "
                    f"--repo {repo} --body dispatch` (the prod stacks then deploy only from a manual run of "
                    "deploy)")
    return [
        ManualStep(
            id="github.azure-deploy-identity",
            phase="before-first-up",
            title="Create the Azure identity the deploy job signs in as",
            instruction=(
                f"one identity per stack, so that preview's deploy job cannot change prod's Azure resources "
                f"(best in a subscription per environment): `az identity create -g <resource group> -n "
                f"platform-deploy-{stack}`, then `az identity federated-credential create -g <resource group> "
                f"--identity-name platform-deploy-{stack} -n github-"
                f"{deploy} --issuer https://token.actions.githubusercontent.com --subject {subject} "
                "--audiences api://AzureADTokenExchange` (the deploy job's environment, which only deploy.yml's "
                f"job for {stack} declares) and `az role assignment create --assignee-object-id <its principalId> "
                "--assignee-principal-type ServicePrincipal --role Owner --scope /subscriptions/<subscription "
                "id>` (it creates a custom role and a role assignment: Owner, or Contributor plus User Access "
                "Administrator); its clientId is AZURE_DEPLOY_CLIENT_ID; done when `az identity "
                f"federated-credential list -g <resource group> --identity-name platform-deploy-{stack}` shows the "
                f"subject {subject}"
            ),
        ),
        ManualStep(
            id="github.actions-settings",
            phase="before-first-up",
            title=f"Set the GitHub Actions variables and secrets of environments {deploy} and {drift}",
            instruction=(
                f"the bootstrap created the environments {deploy} (deploy) and {drift} (drift) and wrote "
                + ", ".join(DEPLOY_ENVIRONMENT_VARIABLES) + f" into {deploy} and "
                + ", ".join(DRIFT_ENVIRONMENT_VARIABLES) + f" into {drift} (do not set those); set the variables "
                f"of {deploy} with `gh variable set NAME --repo {repo} --env {deploy} --body VALUE` for "
                + ", ".join(f"{name}={value}" for name, value in DEPLOY_VARIABLES.items())
                + f", and its secrets with `gh secret set NAME --repo {repo} --env {deploy}` for "
                "PULUMI_GITHUB_TOKEN (fine-grained, on the repository: Administration, Environments, Secrets and "
                f"Variables write) and CLOUDFLARE_API_TOKEN ({cloudflare}){dispatch}; optional, for drift "
                f"(read-only; without them drift reports those providers' checks as failed), in {drift}: the "
                "variables " + ", ".join(f"{name}={value}" for name, value in DRIFT_VARIABLES.items())
                + f" (its federated credential trusts repo:{repo}:environment:{drift}) and the secrets "
                + ", ".join(DRIFT_SECRETS) + "; `pulumi up` writes "
                + ", ".join((*STACK_VARIABLES, *stack_secrets(config)))
                + f" itself into the environments {stack} and backup-copy-{stack} (do not set them); done when "
                f"`gh variable list --repo {repo} --env {deploy}` lists " + ", ".join(
                    (*DEPLOY_ENVIRONMENT_VARIABLES, *DEPLOY_VARIABLES)
                ) + f" and `gh secret list --repo {repo} --env {deploy}` lists " + ", ".join(DEPLOY_SECRETS)
            ),
        ),
    ]
