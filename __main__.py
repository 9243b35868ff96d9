"""The platform stack: typed config in, components out. No provider logic lives here."""

import pulumi

from components.alerting.component import Alerting, AlertingArgs
from components.cache.component import RedisCache, RedisCacheArgs
from components.github.component import GitHubDelivery, GitHubDeliveryArgs
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

# The stack's GitHub environment: what the app's workflows need from this stack, as environment secrets
# (Pulumi secrets end to end) and variables, and the OIDC role they assume (its ARN is AWS_ROLE_ARN).
# MERGE: the lead adds the outputs of the concerns built beside this one:
#   variables BACKUP_BUCKET, BACKUP_PREFIX, BACKUP_WRITER_ROLE_ARN (backup storage, S3),
#             AZURE_BACKUP_CONTAINER_URL, AZURE_BACKUP_CLIENT_ID (backup storage, Azure),
#             CLOUDFLARE_ZONE_ID (edge);
#   secrets   CRON_AUTH_SECRET (cron jobs).
delivery = GitHubDelivery(
    "github",
    GitHubDeliveryArgs.from_stack(
        config,
        secrets={"REDIS_URL": cache.url},
        variables={
            "DATABASE_PROXY_ENDPOINT": database.proxy_endpoint,
            "DATABASE_APP_CONNECT_POLICY_ARN": database.app_connect_policy_arn,
            "ALERT_TOPIC_ARN": alerting.topic_arn,
        },
        # Migrations connect through the proxy as the app user (IAM auth): the same policy the app's compute gets.
        role_policy_arns=[database.app_connect_policy_arn],
    ),
)

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
# Backup and cron failures publish here; so do the alarms below and the RDS event subscription.
pulumi.export("alert_topic_arn", alerting.topic_arn)
pulumi.export("alarms", alerting.alarm_names)
# Steps only a person can do (confirm each email subscription; link Slack to AWS Chatbot once).
pulumi.export("manual_steps", alerting.manual_steps)
# The role the stack's GitHub environment assumes through OIDC, and the environment's name.
pulumi.export("github_actions_role_arn", delivery.role_arn)
pulumi.export("github_environment", delivery.environment_name)
