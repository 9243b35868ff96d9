"""The account's permissions boundary for the roles the platform stacks create: its name and ARN.

The bootstrap (`components/state_backend/`) creates one customer managed policy per account, named
`PERMISSIONS_BOUNDARY_NAME`, and lets the infrastructure deploy role create or change a role only when the role
carries it (`iam:PermissionsBoundary`). The main stacks set `permissions_boundary` on every role they create to
`permissions_boundary_arn(partition, account_id)`: the ARN follows from the account and the fixed name, as the
GitHub OIDC provider's does (`components/aws/github_oidc.py`), so neither side reads the other's outputs.

No provider import: the main program, the bootstrap and the tests use this without loading an SDK.
"""

from __future__ import annotations

#: The boundary's managed policy name (path `/`): one per account, created by the bootstrap.
PERMISSIONS_BOUNDARY_NAME = "platform-infra-boundary"


def permissions_boundary_arn(partition: str, account_id: str) -> str:
    """The ARN IAM gives the account's platform permissions boundary (a customer managed policy at path `/`)."""
    return f"arn:{partition}:iam::{account_id}:policy/{PERMISSIONS_BOUNDARY_NAME}"
