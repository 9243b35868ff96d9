"""ARN partitions, so managed-policy and service ARNs are right outside the commercial partition."""

from __future__ import annotations


def aws_partition(region: str) -> str:
    """The ARN partition of a region."""
    if region.startswith("cn-"):
        return "aws-cn"
    if "-gov-" in region:
        return "aws-us-gov"
    return "aws"


def dns_suffix(region: str) -> str:
    """The DNS suffix of service endpoints and principals in a region's partition."""
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
