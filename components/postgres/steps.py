"""The database concern's manual step: the bootstrap SQL, by hand, when `pulumi up` does not apply it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.steps import ManualStep

if TYPE_CHECKING:
    from components.stack import StackConfig


def database_steps(config: StackConfig) -> list[ManualStep]:
    """With `bootstrap_on_up: false` the app role does not exist until someone invokes the bootstrap function."""
    if config.database.bootstrap_on_up:
        return []
    return [ManualStep(
        id="database.bootstrap",
        phase="after-first-up",
        title="Run the database bootstrap (bootstrap_on_up is false)",
        instruction=(
            "once the function can reach Secrets Manager and the RDS CA bundle (a NAT gateway, or an interface "
            "endpoint plus RDS_CA_BUNDLE_URL): `aws lambda invoke --function-name \"$(pulumi stack output "
            "database_bootstrap_function)\" --cli-binary-format raw-in-base64-out --payload '{}' /dev/stdout`; "
            "idempotent, run it again after every change of components/postgres/bootstrap/sql/; done when it "
            "prints {\"applied\": [...], \"app_role\": ...} (no FunctionError) and the app connects as "
            "`pulumi stack output database_app_username`"
        ),
    )]
