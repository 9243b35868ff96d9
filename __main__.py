"""The platform stack: typed config in, components out. No provider logic lives here."""

import pulumi
import pulumi_aws as aws

from components.backup.component import DatabaseBackup, DatabaseBackupArgs
from components.cache.component import RedisCache, RedisCacheArgs
from components.jobs.component import CronJobs, CronJobsArgs
from components.network.component import Network, NetworkArgs
from components.postgres.component import PostgresDatabase, PostgresDatabaseArgs
from components.stack import load_stack_config

config = load_stack_config()


def _alert_topic_stub() -> pulumi.Output[str]:
    # MERGE: replaced by components.alerting AlertChannel (its CMK and topic policy admit events, cloudwatch,
    # backup and events.rds). EventBridge cannot publish to a topic encrypted with the AWS-managed aws/sns key.
    return aws.sns.Topic("alerts-stub", kms_master_key_id="alias/aws/sns", tags=config.tags("alerting")).arn


alert_topic_arn = _alert_topic_stub()

network = Network("network", NetworkArgs.from_stack(config))
database = PostgresDatabase(
    "postgres",
    PostgresDatabaseArgs.from_stack(
        config,
        vpc_id=network.vpc_id,
        subnet_ids=network.private_subnet_ids,
        database_security_group_id=network.database_security_group_id,
        proxy_security_group_id=network.proxy_security_group_id,
        # The app subnets reach Secrets Manager (through the NAT, or the endpoint when egress is none); an
        # adopted VPC's private subnets are the adopter's to route.
        bootstrap_subnet_ids=network.app_subnet_ids if config.network.mode == "create" else network.private_subnet_ids,
    ),
)
cache = RedisCache(
    "cache",
    RedisCacheArgs.from_stack(
        config, subnet_ids=network.private_subnet_ids, security_group_id=network.cache_security_group_id
    ),
)
backup = DatabaseBackup(
    "backup",
    DatabaseBackupArgs.from_stack(
        config,
        instance_arn=database.instance_arn,
        db_subnet_group_name=database.instance.db_subnet_group_name,
        alert_topic_arn=alert_topic_arn,
    ),
)
jobs = None
if config.jobs.base_url is not None:
    jobs = CronJobs("jobs", CronJobsArgs.from_stack(config, alert_topic_arn=alert_topic_arn))
else:
    pulumi.log.warn("platform:jobs.base_url is not set: no cron jobs are declared (README: Cron jobs)")

pulumi.export("environment", config.environment)
pulumi.export("vpc_id", network.vpc_id)
pulumi.export("private_subnet_ids", network.private_subnet_ids)
# What the app's compute joins (Lambda VPC config, ECS service): null when the stack adopts a VPC.
pulumi.export("app_subnet_ids", network.app_subnet_ids)
pulumi.export("app_security_group_id", network.app_security_group_id)
pulumi.export("database_proxy_endpoint", database.proxy_endpoint)
pulumi.export("database_proxy_arn", database.proxy_arn)
pulumi.export("database_app_username", database.app_username)
pulumi.export("database_app_connect_policy_arn", database.app_connect_policy_arn)
pulumi.export("database_bootstrap_function", database.bootstrap_function_name)
pulumi.export("database_endpoint", database.endpoint)
pulumi.export("database_port", database.port)
pulumi.export("database_name", database.database_name)
pulumi.export("database_master_username", database.master_username)
pulumi.export("database_secret_arn", database.secret_arn)
pulumi.export("cache_endpoint", cache.endpoint)
pulumi.export("cache_port", cache.port)
pulumi.export("cache_url", cache.url)
pulumi.export("backup_vault_name", backup.vault_name)
pulumi.export("backup_copy_vault_arn", backup.copy_vault_arn)
pulumi.export("backup_restore_testing_plan", backup.restore_testing_plan_name)
if jobs is not None:
    # Each job's cron, zone and next three runs, computed when the program runs (plan time).
    pulumi.export("job_schedule", jobs.schedule)
    pulumi.export("job_event_bus_name", jobs.event_bus_name)
    # For the edge (exempt job traffic from bot challenges) and the app (verify the header): secret end to end.
    pulumi.export("job_auth_header", jobs.auth_header)
    pulumi.export("job_auth_secret", jobs.auth_secret)
