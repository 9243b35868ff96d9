"""The platform stack: typed config in, components out. No provider logic lives here."""

import pulumi

from components.alerting.component import Alerting, AlertingArgs
from components.alerting.edge import EdgeNotifications, EdgeNotificationsArgs
from components.backup.component import DatabaseBackup, DatabaseBackupArgs
from components.backup_storage.azure import OffsiteBackupCopy, OffsiteBackupCopyArgs
from components.backup_storage.component import BackupBucket, BackupBucketArgs
from components.backup_storage.copy_schedule import max_age_variable, newest_dump_max_age_hours
from components.cache.component import RedisCache, RedisCacheArgs
from components.cost.component import CostBudget, CostBudgetArgs
from components.edge.component import CloudflareEdge, CloudflareEdgeArgs
from components.github.component import GitHubDelivery, GitHubDeliveryArgs
from components.jobs.component import CronJobs, CronJobsArgs
from components.manual_steps import manual_step_lines
from components.network.component import Network, NetworkArgs
from components.postgres.component import PostgresDatabase, PostgresDatabaseArgs
from components.stack import load_stack_config

config = load_stack_config()

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
alerting = Alerting(
    "alerting",
    AlertingArgs.from_stack(
        config,
        db_instance_identifier=database.instance.identifier,
        proxy_name=database.proxy.name,
        cache_name=cache.cache.name,
    ),
)
# Backup and cron failures, alarms, RDS events and the budget all publish to the one alert topic.
alert_topic_arn = alerting.topic_arn
# The month's AWS spend against platform:budget.monthly_usd (docs/cost.md); Budgets checks it may publish when
# it creates the notifications, so it waits for the topic's policy and key.
if config.budget.monthly_usd is not None:
    CostBudget("cost", CostBudgetArgs.from_stack(
        config, alert_topic_arn=alert_topic_arn, delivery_guards=alerting.topic_delivery_guards))
jobs = None
if config.jobs.base_url is not None:
    jobs = CronJobs("jobs", CronJobsArgs.from_stack(config, alert_topic_arn=alert_topic_arn))
else:
    pulumi.log.warn("platform:jobs.base_url is not set: no cron jobs are declared (docs/cron-jobs.md)")
# The jobs call the app through the zone with their secret header: the WAF exempts them from the bot challenge.
edge = CloudflareEdge(
    "edge",
    CloudflareEdgeArgs.from_stack(
        config,
        job_auth_header=config.jobs.auth_header if jobs else None,
        job_auth_header_value=jobs.auth_secret if jobs else None,
    ),
)
# Cloudflare's notification policies live in the account: an adopted zone gets them when edge.account_id is set.
edge_alerts = (
    EdgeNotifications(
        "edge-alerts",
        EdgeNotificationsArgs(
            zone_id=edge.zone_id,
            zone_plan=config.edge.plan,
            account_id=config.edge.account_id,
            emails=list(config.alerts.emails),
            name_prefix=config.name_prefix,
            environment=config.environment,
        ),
    )
    if config.edge.account_id is not None
    else None
)
# The off-site copy job reports its failure and a heartbeat to the alert topic, as its own identity.
backups = BackupBucket("backups", BackupBucketArgs.from_stack(
    config, alert_topic_arn=alerting.topic_arn, alert_key_arn=alerting.topic.kms_master_key_id))
offsite = OffsiteBackupCopy("offsite-backups", OffsiteBackupCopyArgs.from_stack(config))
backup = DatabaseBackup(
    "backup",
    DatabaseBackupArgs.from_stack(
        config,
        instance_arn=database.instance_arn,
        db_subnet_group_name=database.instance.db_subnet_group_name,
        alert_topic_arn=alert_topic_arn,
        # The backup checker publishes silence to the encrypted topic as its own role.
        alert_key_arn=alerting.topic.kms_master_key_id,
    ),
)

# Two GitHub environments in the app's repository (docs/github.md), each with its own OIDC subject:
# - `<stack>`: what the app's workflows need from this stack, as environment secrets (Pulumi secrets end to end)
#   and variables, and the OIDC role they assume (its ARN is AWS_ROLE_ARN). The app's dump job runs on the app's
#   compute with the writer role, so its deploy needs BACKUP_WRITER_ROLE_ARN and BACKUP_BUCKET_NAME.
# - `backup-copy-<stack>`: what the off-site copy workflow reads (offsite-copy.yml, vars.*), and nothing else.
github_secrets: dict[str, pulumi.Input[str]] = {"REDIS_URL": cache.url}
if jobs is not None:
    github_secrets["CRON_AUTH_SECRET"] = jobs.auth_secret
delivery = GitHubDelivery(
    "github",
    GitHubDeliveryArgs.from_stack(
        config,
        secrets=github_secrets,
        variables={
            "DATABASE_PROXY_ENDPOINT": database.proxy_endpoint,
            "DATABASE_APP_CONNECT_POLICY_ARN": database.app_connect_policy_arn,
            "ALERT_TOPIC_ARN": alerting.topic_arn,
            "CLOUDFLARE_ZONE_ID": edge.zone_id,
            "BACKUP_BUCKET_NAME": backups.bucket_name,
            "BACKUP_WRITER_ROLE_ARN": backups.writer_role_arn,
        },
        # Migrations connect through the proxy as the app user (IAM auth): the same policy the app's compute gets.
        role_policy_arns=[database.app_connect_policy_arn],
        copy_variables={
            "ALERT_TOPIC_ARN": alerting.topic_arn,
            "BACKUP_COPY_ROLE_ARN": backups.copy_role_arn,
            "BACKUP_BUCKET_NAME": backups.bucket_name,
            "BACKUP_PREFIXES": backups.prefixes.apply(",".join),
            # The copy fails (and alerts) when a prefix's newest dump is older than this: a dump job that stopped.
            "BACKUP_MAX_AGE_HOURS": max_age_variable(newest_dump_max_age_hours(config.jobs, config.backup_storage)),
            "BACKUP_OFFSITE_CONTAINER_URL": offsite.container_url,
            "BACKUP_OFFSITE_CLIENT_ID": offsite.identity_client_id,
            "BACKUP_OFFSITE_TENANT_ID": offsite.tenant_id,
            "BACKUP_OFFSITE_SUBSCRIPTION_ID": offsite.subscription_id,
        },
    ),
)

pulumi.export("environment", config.environment)
# What the offline cost estimate assumes about usage (platform:cost with its environment's defaults): `ops plan`,
# `ops diff` and the policy pack's budget check price the same numbers (docs/cost.md).
pulumi.export("cost_usage", config.cost.model_dump())
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
# Backup and cron failures publish here; so do the alarms below and the RDS event subscription.
pulumi.export("alert_topic_arn", alerting.topic_arn)
pulumi.export("alarms", alerting.alarm_names)
# What only a person can do to take the stack live, in order, each concern's steps computed from the config
# (components/manual_steps.py; the runbook is docs/going-live.md): one line each,
# "<n>. [<phase>] <title>: <instruction> (<step id>)".
pulumi.export("manual_steps", manual_step_lines(config))
pulumi.export("edge_zone_id", edge.zone_id)
pulumi.export("edge_name_servers", edge.name_servers)
pulumi.export("edge_ds_record", edge.ds_record)
# Both null until the zone is active (platform:edge.zone_active: the second up of a created zone, docs/edge.md).
pulumi.export("edge_origin_certificate", edge.origin_certificate_pem)
pulumi.export("edge_origin_private_key", edge.origin_private_key_pem)
# Edge alerts the zone's plan does not offer, each with why; null when edge.account_id is not set.
pulumi.export("edge_alerts_skipped", edge_alerts.skipped if edge_alerts else None)
# Backup storage: what the app's backup job and the off-site copy workflow are given (docs/backups.md).
pulumi.export("backup_bucket_name", backups.bucket_name)
pulumi.export("backup_bucket_arn", backups.bucket_arn)
pulumi.export("backup_prefixes", backups.prefixes)
pulumi.export("backup_writer_role_arn", backups.writer_role_arn)
pulumi.export("backup_copy_role_arn", backups.copy_role_arn)
pulumi.export("backup_offsite_container_url", offsite.container_url)
pulumi.export("backup_offsite_client_id", offsite.identity_client_id)
pulumi.export("backup_offsite_tenant_id", offsite.tenant_id)
pulumi.export("backup_offsite_subscription_id", offsite.subscription_id)
pulumi.export("backup_vault_name", backup.vault_name)
pulumi.export("backup_copy_vault_arn", backup.copy_vault_arn)
pulumi.export("backup_restore_testing_plan", backup.restore_testing_plan_name)
# The state machine that reports a backup tier (or restore testing) gone silent: start it by hand to check it.
pulumi.export("backup_checker_arn", backup.checker_arn)
if jobs is not None:
    # Each job's cron, zone and next three runs, computed when the program runs (plan time).
    pulumi.export("job_schedule", jobs.schedule)
    pulumi.export("job_event_bus_name", jobs.event_bus_name)
    # For the edge (exempt job traffic from bot challenges) and the app (verify the header): secret end to end.
    pulumi.export("job_auth_header", jobs.auth_header)
    pulumi.export("job_auth_secret", jobs.auth_secret)
# The role the stack's GitHub environment assumes through OIDC, the environment's name, and the copy job's.
pulumi.export("github_actions_role_arn", delivery.role_arn)
pulumi.export("github_environment", delivery.environment_name)
pulumi.export("backup_copy_github_environment", delivery.copy_environment_name)
