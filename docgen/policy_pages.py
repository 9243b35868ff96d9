"""`policies <page>`: the policies that judge a resource type the page's component creates.

A policy belongs to a page when its resource type is created by that page's component: the component resources
of the program (and of the bootstrap project) are mapped to pages in `COMPONENT_PAGES`, and `TYPE_PAGES` lists,
for every resource type the pack judges, the pages whose components create it. Shared types (KMS keys, log
groups, IAM roles and policies, queues, alarms) are on every such page. Stack-wide policies (`pulumi:pulumi:Stack`)
and policies of types no component creates are on docs/policy-pack.md's full table only.

tests/docs/test_policy_pages.py plans both stacks and the bootstrap, derives the same table from each resource's
type and its component ancestor, and fails when this one differs.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import UnknownArgument
from .pack import baseline

#: The component resource types of the program and the bootstrap, and the docs page (file stem) of each.
COMPONENT_PAGES: Mapping[str, str] = {
    "platform:network:Network": "network",
    "platform:data:PostgresDatabase": "database",
    "platform:data:RedisCache": "cache",
    "platform:ops:Alerting": "alerting",
    "platform:edge:EdgeNotifications": "alerting",
    "platform:app:CronJobs": "cron-jobs",
    "platform:edge:CloudflareEdge": "edge",
    "platform:data:BackupBucket": "backups",
    "platform:data:OffsiteBackupCopy": "backups",
    "platform:data:DatabaseBackup": "backups",
    "platform:delivery:GitHubDelivery": "github",
    "platform:ops:CostBudget": "cost",
    "platform:bootstrap:TeamStateBackend": "state-backend",
}

#: Resource type the pack judges -> the pages whose components create it (checked against real plans).
TYPE_PAGES: Mapping[str, tuple[str, ...]] = {
    "aws:backup/plan:Plan": ("backups",),
    "aws:backup/selection:Selection": ("backups",),
    "aws:backup/vault:Vault": ("backups",),
    "aws:cloudwatch/eventRule:EventRule": ("backups", "cron-jobs"),
    "aws:cloudwatch/eventTarget:EventTarget": ("backups", "cron-jobs"),
    "aws:cloudwatch/logGroup:LogGroup": ("database", "network"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("alerting", "backups", "cron-jobs"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ("network",),
    "aws:ec2/flowLog:FlowLog": ("network",),
    "aws:ec2/securityGroup:SecurityGroup": ("database", "network"),
    "aws:ec2/subnet:Subnet": ("network",),
    "aws:ec2/vpc:Vpc": ("network",),
    "aws:elasticache/serverlessCache:ServerlessCache": ("cache",),
    "aws:elasticache/user:User": ("cache",),
    "aws:elasticache/userGroup:UserGroup": ("cache",),
    "aws:iam/policy:Policy": ("database", "state-backend"),
    "aws:iam/role:Role": ("backups", "cron-jobs", "database", "github", "network", "state-backend"),
    "aws:iam/rolePolicy:RolePolicy": ("backups", "cron-jobs", "database", "github", "network", "state-backend"),
    "aws:kms/key:Key": ("alerting", "backups", "cache", "cron-jobs", "database", "network", "state-backend"),
    "aws:lambda/function:Function": ("database",),
    "aws:rds/instance:Instance": ("database",),
    "aws:rds/parameterGroup:ParameterGroup": ("database",),
    "aws:rds/proxy:Proxy": ("database",),
    "aws:s3/bucket:Bucket": ("backups", "state-backend"),
    "aws:s3/bucketPolicy:BucketPolicy": ("backups", "state-backend"),
    "aws:scheduler/schedule:Schedule": ("backups", "cron-jobs"),
    "aws:sns/topic:Topic": ("alerting",),
    "aws:sns/topicPolicy:TopicPolicy": ("alerting",),
    "aws:sqs/queue:Queue": ("backups", "cron-jobs"),
    "azure-native:storage:BlobContainer": ("backups",),
    "azure-native:storage:StorageAccount": ("backups",),
    "cloudflare:index/zone:Zone": ("edge",),
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": ("github",),
    "github:index/repositoryEnvironment:RepositoryEnvironment": ("github", "state-backend"),
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": ("github",
                                                                                                 "state-backend"),
}


def pages() -> list[str]:
    return sorted(set(COMPONENT_PAGES.values()))


def page_types(page: str) -> set[str]:
    """The resource types of the pack that `page`'s components create."""
    return {resource_type for resource_type, on in TYPE_PAGES.items() if page in on}


def render(arg: str) -> str:
    if arg not in pages():
        raise UnknownArgument("policies", arg, pages())
    return baseline("catalog").markdown_table(resource_types=page_types(arg))
