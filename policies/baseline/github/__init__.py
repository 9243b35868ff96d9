"""GitHub policies: deployment environments, Actions secrets (pulumi-github 6.x type tokens)."""

from typing import Final

REPOSITORY_ENVIRONMENT: Final = "github:index/repositoryEnvironment:RepositoryEnvironment"
DEPLOYMENT_POLICY: Final = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
ENVIRONMENT_SECRET: Final = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
REPOSITORY_SECRET: Final = "github:index/actionsSecret:ActionsSecret"
ENVIRONMENT_VARIABLE: Final = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
REPOSITORY_VARIABLE: Final = "github:index/actionsVariable:ActionsVariable"

ENVIRONMENTS_URL: Final = (
    "https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/"
    "managing-environments-for-deployment"
)
HARDENING_URL: Final = "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions"
OIDC_URL: Final = (
    "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/"
    "configuring-openid-connect-in-amazon-web-services"
)
