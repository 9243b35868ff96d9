"""The pack: its modules in order, and the arguments `__main__.py` hands to `pulumi_policy.PolicyPack` (tests
build the pack's gRPC servicer from the same arguments)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from pulumi_policy import EnforcementLevel, Policy

from . import by_type, config_keys, convert_once, secret_inputs, secret_marks
from .aws.backup import plan as backup_plan
from .aws.backup import selection as backup_selection
from .aws.backup import vault as backup_vault
from .aws.cloudwatch import event_rule, event_target, log_group, metric_alarm
from .aws.ec2 import default_security_group, flow_log, security_group, subnet, vpc
from .aws.elasticache import serverless_cache, user, user_group
from .aws.iam import access_key, role, role_policy
from .aws.iam import policy as iam_policy
from .aws.kms import key
from .aws.lambda_ import function as lambda_function
from .aws.rds import instance, parameter_group, proxy
from .aws.s3 import bucket, bucket_policy
from .aws.scheduler import schedule
from .aws.sns import topic, topic_policy
from .aws.sqs import queue
from .azure.storage import blob_container, storage_account
from .cloudflare import zone
from .github import actions_environment_secret, repository_environment, repository_environment_deployment_policy
from .stack import budget as stack_budget
from .stack import secrets as stack_secrets
from .stack import stateful as stack_stateful
from .stack import tags as stack_tags

PACK_NAME = "platform-security-baseline"
PACK_DESCRIPTION = (
    "Security baseline for the platform stack: RDS PostgreSQL, RDS Proxy, ElastiCache Serverless, KMS, CloudWatch "
    "Logs and alarms, SNS, VPC, security groups, IAM, Lambda, S3 and Azure backup storage, AWS Backup, EventBridge "
    "Scheduler, SQS, the Cloudflare zone and GitHub deployment environments and secrets, plus stack-wide controls "
    "(protected stateful resources, required tags, no plaintext secrets). FSBP, Checkov and AWSGuard IDs are in "
    "each policy's framework, tags and description."
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
    access_key,
    storage_account,
    blob_container,
    backup_vault,
    backup_plan,
    backup_selection,
    schedule,
    event_target,
    queue,
    security_group,
    default_security_group,
    subnet,
    iam_policy,
    lambda_function,
    repository_environment,
    repository_environment_deployment_policy,
    actions_environment_secret,
    stack_stateful,
    stack_tags,
    stack_secrets,
    stack_budget,
)
"""The resource-type modules, in the pack's order."""


def all_policies() -> list[Policy]:
    """Every policy of the pack, in a stable order (per module: as declared)."""
    return [policy for module in MODULES for policy in module.POLICIES]


def pack_arguments() -> dict[str, Any]:
    """Keyword arguments for `pulumi_policy.PolicyPack`."""
    secret_marks.install()  # secrets stay recognisable to stack-disallow-plaintext-secrets
    convert_once.install()  # one property conversion per resource, not one per policy
    secret_inputs.install()  # which properties arrived as secrets (GitHub secret values)
    by_type.install()  # Analyze runs the policies of the resource's type only (same diagnostics)
    config_keys.install()  # Configure refuses a property no policy declares (a typo'd threshold)
    return {
        "name": PACK_NAME,
        "policies": by_type.PoliciesByType(all_policies()),
        "enforcement_level": EnforcementLevel.MANDATORY,
        "description": PACK_DESCRIPTION,
        "provider": "aws",
        "tags": ["aws", "security", "baseline"],
    }
