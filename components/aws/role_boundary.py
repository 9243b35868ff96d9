"""The permissions boundary as a resource input: the account's boundary ARN from the caller-identity invoke.

Every `aws.iam.Role` of the main stacks sets `permissions_boundary` to this (tests/components/test_iam_roles.py
checks both plans; the pack's `aws-iam-role-require-permissions-boundary` refuses a role without one).
"""

from __future__ import annotations

import pulumi

from components.aws.partition import aws_partition
from components.aws.permissions_boundary import permissions_boundary_arn


def boundary_arn(account_id: pulumi.Input[str], *, region: str) -> pulumi.Output[str]:
    """The boundary ARN of the account `account_id` (an output of `aws.get_caller_identity_output`)."""
    partition = aws_partition(region)
    return pulumi.Output.from_input(account_id).apply(
        lambda account: permissions_boundary_arn(partition=partition, account_id=account)
    )
