"""AWS helpers shared by the concerns: the ARN partition and the customer-managed KMS key."""

from components.aws.partition import aws_partition

__all__ = ["aws_partition"]
