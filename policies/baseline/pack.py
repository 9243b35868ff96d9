"""The pack: its modules in order, and the arguments `__main__.py` hands to `pulumi_policy.PolicyPack` (tests
build the pack's gRPC servicer from the same arguments)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from pulumi_policy import EnforcementLevel, Policy

from . import convert_once, secret_inputs
from .aws.cloudwatch import event_rule, log_group, metric_alarm
from .aws.ec2 import flow_log, vpc
from .aws.elasticache import serverless_cache, user, user_group
from .aws.iam import access_key, role
from .aws.kms import key
from .aws.rds import instance, parameter_group, proxy
from .aws.sns import topic, topic_policy
from .github import actions_environment_secret, repository_environment, repository_environment_deployment_policy

PACK_NAME = "platform-security-baseline"
PACK_DESCRIPTION = (
    "Security baseline for the platform stack: RDS PostgreSQL, RDS Proxy, ElastiCache Serverless, KMS, CloudWatch "
    "Logs and alarms, SNS alert topics, VPC flow-log, GitHub OIDC role, deployment environment and Actions secret "
    "controls (AWS FSBP, Checkov and AWSGuard IDs in each policy's framework, tags and description)."
)

MODULES: tuple[ModuleType, ...] = (
    instance,
    parameter_group,
    proxy,
    serverless_cache,
    user,
    user_group,
    key,
    log_group,
    vpc,
    flow_log,
    metric_alarm,
    event_rule,
    topic,
    topic_policy,
    role,
    access_key,
    repository_environment,
    repository_environment_deployment_policy,
    actions_environment_secret,
)
"""The resource-type modules, in the pack's order."""


def all_policies() -> list[Policy]:
    """Every policy of the pack, in a stable order (per module: as declared)."""
    return [policy for module in MODULES for policy in module.POLICIES]


def pack_arguments() -> dict[str, Any]:
    """Keyword arguments for `pulumi_policy.PolicyPack`."""
    convert_once.install()  # one property conversion per resource, not one per policy
    secret_inputs.install()  # which properties arrived as secrets (GitHub secret values)
    return {
        "name": PACK_NAME,
        "policies": all_policies(),
        "enforcement_level": EnforcementLevel.MANDATORY,
        "description": PACK_DESCRIPTION,
        "provider": "aws",
        "tags": ["aws", "security", "baseline"],
    }
