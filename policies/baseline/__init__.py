"""The platform-security-baseline policy pack: policies for the controls of security-baseline.md.

`pack_arguments()` is what `__main__.py` hands to `pulumi_policy.PolicyPack`; tests build the pack's gRPC
servicer from the same arguments.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Policy

from . import aws_elasticache, aws_kms, aws_rds, aws_rds_proxy

PACK_NAME = "platform-security-baseline"
PACK_DESCRIPTION = (
    "Security baseline for the platform stack: RDS PostgreSQL, RDS Proxy, ElastiCache Serverless and KMS "
    "controls (AWS FSBP, Checkov and AWSGuard IDs in each policy's description and tags)."
)


def all_policies() -> list[Policy]:
    """Every policy of the pack, in a stable order (resource policies, then stack policies, per module)."""
    return [*aws_rds.POLICIES, *aws_rds_proxy.POLICIES, *aws_elasticache.POLICIES, *aws_kms.POLICIES]


def pack_arguments() -> dict[str, Any]:
    """Keyword arguments for `pulumi_policy.PolicyPack`."""
    return {
        "name": PACK_NAME,
        "policies": all_policies(),
        "enforcement_level": EnforcementLevel.MANDATORY,
        "description": PACK_DESCRIPTION,
        "provider": "aws",
        "tags": ["aws", "security", "baseline"],
    }
