"""The boundary's ARN is derived from the account alone, so the main stacks need no output of the bootstrap."""

from __future__ import annotations

from components.aws.permissions_boundary import PERMISSIONS_BOUNDARY_NAME, permissions_boundary_arn


def test_the_boundary_arn_is_the_accounts_policy_of_that_name() -> None:
    assert PERMISSIONS_BOUNDARY_NAME == "platform-infra-boundary"
    assert permissions_boundary_arn("aws", "123456789012") == (
        "arn:aws:iam::123456789012:policy/platform-infra-boundary")
    assert permissions_boundary_arn(partition="aws-us-gov", account_id="123456789012") == (
        "arn:aws-us-gov:iam::123456789012:policy/platform-infra-boundary")
