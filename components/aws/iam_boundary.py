"""The account's permissions boundary: the managed policy every role the main stacks create carries.

The bootstrap (components/state_backend/) creates one customer-managed policy per account,
`platform-infra-boundary`, and lets its deploy role create or change a role only when the request sets this
boundary (`iam:PermissionsBoundary`). A role's effective permissions are the intersection of its own policies
and its boundary (IAM User Guide, "Permissions boundaries for IAM entities"), so no role a stack creates can do
more than the boundary allows, whatever the deploy role attaches to it.

The main stacks derive the ARN from the account id (the same invoke that gives them the GitHub OIDC provider's
ARN, components/aws/github_oidc.py): no output of the bootstrap is read, and nothing is looked up.

No provider import: the main program and the bootstrap project both build the ARN with this.
"""

from __future__ import annotations

#: The boundary policy's name (IAM `CreatePolicy` PolicyName), one per account.
PERMISSIONS_BOUNDARY_NAME = "platform-infra-boundary"


def permissions_boundary_arn(*, partition: str, account_id: str) -> str:
    """The ARN of the account's boundary policy (customer-managed policies have no path here: `policy/<name>`)."""
    return f"arn:{partition}:iam::{account_id}:policy/{PERMISSIONS_BOUNDARY_NAME}"
