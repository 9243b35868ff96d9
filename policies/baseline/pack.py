"""The pack: its modules in order, and the arguments `__main__.py` hands to `pulumi_policy.PolicyPack` (tests
build the pack's gRPC servicer from the same arguments)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from pulumi_policy import EnforcementLevel, Policy

from . import convert_once
from .aws.backup import plan as backup_plan
from .aws.backup import selection as backup_selection
from .aws.backup import vault as backup_vault
from .aws.cloudwatch import event_rule, event_target, log_group, metric_alarm
from .aws.ec2 import flow_log, vpc
from .aws.elasticache import serverless_cache, user, user_group
from .aws.iam import role, role_policy
from .aws.kms import key
from .aws.rds import instance, parameter_group, proxy
from .aws.s3 import bucket, bucket_policy
from .aws.scheduler import schedule
from .aws.sns import topic, topic_policy
from .aws.sqs import queue
from .azure.storage import blob_container, storage_account
from .cloudflare import zone

PACK_NAME = "platform-security-baseline"
PACK_DESCRIPTION = (
    "Security baseline for the platform stack: RDS PostgreSQL, RDS Proxy, ElastiCache Serverless, KMS, CloudWatch "
    "Logs and alarms, SNS alert topics and VPC flow-log controls (AWS FSBP, Checkov and AWSGuard IDs in each "
    "policy's framework, tags and description)."
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
    zone,
    bucket,
    bucket_policy,
    role,
    role_policy,
    storage_account,
    blob_container,
    backup_vault,
    backup_plan,
    backup_selection,
    schedule,
    event_target,
    queue,
)
"""The resource-type modules, in the pack's order."""


def all_policies() -> list[Policy]:
    """Every policy of the pack, in a stable order (per module: as declared)."""
    return [policy for module in MODULES for policy in module.POLICIES]


def pack_arguments() -> dict[str, Any]:
    """Keyword arguments for `pulumi_policy.PolicyPack`."""
    convert_once.install()  # one property conversion per resource, not one per policy
    return {
        "name": PACK_NAME,
        "policies": all_policies(),
        "enforcement_level": EnforcementLevel.MANDATORY,
        "description": PACK_DESCRIPTION,
        "provider": "aws",
        "tags": ["aws", "security", "baseline"],
    }
