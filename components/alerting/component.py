"""Alerting: the alert channel every "something is wrong" goes through, the app's uptime check, and the data
tier's alarms.

The channel is one SNS topic per environment, encrypted with its own CMK, whose key policy and topic policy
admit exactly the AWS services that publish to it (EventBridge, CloudWatch, AWS Backup, RDS event
subscriptions). The topic policy admits each only for this account (`aws:SourceAccount`) and only from this
account's rules, alarms, vaults and the watched DB instance (`aws:SourceArn`); the key policy grants them data
keys without those conditions, which the KMS requests of these paths do not carry (components/aws/kms.py,
`TOPIC_PUBLISHER_KEY_SOURCES`). Email
addresses from config subscribe to it (each recipient confirms once per topic: components/alerting/steps.py adds
those steps to the stack's `manual_steps` output), and optionally a Slack channel through AWS Chatbot, with a
least-privilege role and explicit guardrails (the Chatbot default guardrail is AdministratorAccess).

Uptime: a Route 53 HTTPS health check of the app's health endpoint, from several regions. Route 53 publishes
health-check metrics only in us-east-1, and a CloudWatch alarm can only notify a topic in its own region, so
the health check's alarm, a small us-east-1 topic and its key are created in us-east-1 (pulumi-aws v7's
per-resource `region`), with the same subscribers as the main topic (so the email recipients confirm both).

Data tier: CloudWatch alarms on the RDS instance, RDS Proxy and ElastiCache Serverless cache, with thresholds
derived from the limits the stack configures (components/alerting/alarms.py), and an RDS event subscription
(failover, failure, low storage, maintenance). Every alarm has an alarm action and an OK action to the channel,
a deliberate `treat_missing_data`, and a description that says what to check first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.alerting.alarms import (
    DIMENSION,
    AlarmSpec,
    Target,
    cache_alarms,
    database_alarms,
    health_check_alarm,
    notifying,
    offsite_copy_alarm,
)
from components.alerting.config import AlertsConfig
from components.alerting.steps import HEALTH_METRICS_REGION, alert_topics
from components.aws.kms import CustomerManagedKeyTransforms, customer_managed_key
from components.aws.partition import aws_partition
from components.aws.role_boundary import boundary_arn
from components.base import ChildTransform, PlatformComponent
from components.cache.config import CacheConfig
from components.naming import (
    CHATBOT_CONFIGURATION,
    CLOUDWATCH_ALARM,
    IAM_ROLE,
    RDS_EVENT_SUBSCRIPTION,
    physical_name,
)
from components.postgres.config import DatabaseConfig
from components.stack import StackConfig

# The services that publish to the main topic, and the shape of the ARN each publishes from (aws:SourceArn).
# AWS Budgets publishes from the account's budgets, whose ARNs have no region (AWS Cost Management User Guide,
# "Creating an Amazon SNS topic for budget notifications": `"aws:SourceArn": "arn:aws:budgets::<account-id>:*"`
# with `"aws:SourceAccount": "<account-id>"`).
# RDS events carry the ARN of the RDS *resource* the event is about, not the event subscription's (RDS User Guide,
# "Granting permissions to publish notifications to an Amazon SNS topic": "SourceARN - RDS resource ARN", example
# `arn:aws:rds:us-east-1:123456789012:db:prefix-*`): one ARN per DB instance the subscription covers ({db}).
MAIN_PUBLISHERS: dict[str, str] = {
    "events.amazonaws.com": "arn:{partition}:events:{region}:{account}:rule/*",
    "cloudwatch.amazonaws.com": "arn:{partition}:cloudwatch:{region}:{account}:alarm:*",
    "backup.amazonaws.com": "arn:{partition}:backup:{region}:{account}:backup-vault:*",
    "events.rds.amazonaws.com": "arn:{partition}:rds:{region}:{account}:db:{db}",
    "budgets.amazonaws.com": "arn:{partition}:budgets::{account}:*",
}
HEALTH_PUBLISHERS: dict[str, str] = {
    "cloudwatch.amazonaws.com": MAIN_PUBLISHERS["cloudwatch.amazonaws.com"],
}
# "low storage" includes storage autoscaling reaching max_allocated_storage_gb (RDS-EVENT-0225, AWS RDS User
# Guide, "Managing capacity automatically with Amazon RDS storage autoscaling"): no metric says "near the maximum".
RDS_EVENT_CATEGORIES = {"critical": ["failover", "failure", "low storage"], "warning": ["maintenance"]}
# What Chatbot needs to render CloudWatch alarm notifications (AWS Chatbot User Guide, "Notification permissions"
# policy template); channel members get no more than the read-only guardrail below.
CHATBOT_ACTIONS = ["cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"]
CHATBOT_GUARDRAIL = "arn:{partition}:iam::aws:policy/CloudWatchReadOnlyAccess"


@dataclass(frozen=True, kw_only=True)
class AlertingArgs:
    config: AlertsConfig
    database_config: DatabaseConfig
    cache_config: CacheConfig
    name_prefix: str
    region: str
    tags: dict[str, str]
    protect: bool
    #: The stack's name: the off-site copy job's heartbeat carries it as its `Stack` dimension.
    stack: str
    #: The watched resources' names, as outputs of their resources (the alarms' dimensions depend on them).
    db_instance_identifier: pulumi.Input[str]
    proxy_name: pulumi.Input[str]
    cache_name: pulumi.Input[str]

    @classmethod
    def from_stack(
        cls,
        stack: StackConfig,
        *,
        db_instance_identifier: pulumi.Input[str],
        proxy_name: pulumi.Input[str],
        cache_name: pulumi.Input[str],
    ) -> AlertingArgs:
        return cls(
            config=stack.alerts,
            database_config=stack.database,
            cache_config=stack.cache,
            name_prefix=stack.name_prefix,
            region=stack.aws_region,
            tags=stack.tags("alerting"),
            protect=stack.is_prod,
            stack=stack.stack,
            db_instance_identifier=db_instance_identifier,
            proxy_name=proxy_name,
            cache_name=cache_name,
        )


class AlertingTransforms(CustomerManagedKeyTransforms, total=False):
    """The children of `Alerting` a transform may adjust."""

    topic: ChildTransform
    topic_policy: ChildTransform
    email_subscription: ChildTransform
    chatbot_role: ChildTransform
    chatbot_role_policy: ChildTransform
    chatbot_channel: ChildTransform
    health_check: ChildTransform
    alarm: ChildTransform
    rds_event_subscription: ChildTransform


def topic_policy(
    *, topic_arn: str, account_id: str, region: str, publishers: dict[str, str], db_identifiers: Sequence[str] = (),
) -> str:
    """Each publishing service may publish, only for this account and from its own kind of resource; the
    account administers the topic through IAM. A source ARN with `{db}` names each of `db_identifiers` (the DB
    instances the RDS event subscription covers) exactly."""
    partition = aws_partition(region)
    statements: list[dict[str, Any]] = [{
        "Sid": "AccountAdministersTheTopic",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
        "Action": [
            "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission", "sns:RemovePermission",
            "sns:DeleteTopic", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish",
        ],
        "Resource": topic_arn,
    }]
    for service, source_arn in sorted(publishers.items()):
        values = {"partition": partition, "region": region, "account": account_id}
        if "{db}" in source_arn:
            if not db_identifiers:
                raise ValueError(f"{service} publishes from DB instances: the topic policy needs their identifiers")
            sources: dict[str, Any] = {"ArnEquals": {"aws:SourceArn": sorted(
                source_arn.format(**values, db=identifier) for identifier in db_identifiers
            )}}
        else:
            sources = {"ArnLike": {"aws:SourceArn": source_arn.format(**values)}}
        statements.append({
            "Sid": "Publish" + "".join(part.capitalize() for part in service.split(".")[:-2]),
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}, **sources},
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def chatbot_trust_policy(account_id: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "chatbot.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }]})


def _address_suffix(address: str) -> str:
    # Stable per address, whatever the list's order: reordering the emails replaces nothing.
    return hashlib.sha256(address.lower().encode()).hexdigest()[:8]


class Alerting(PlatformComponent):
    """The alert channel, the uptime check and the data-tier alarms."""

    Transforms = AlertingTransforms

    topic_arn: pulumi.Output[str]
    health_topic_arn: pulumi.Output[str]
    #: What must exist before a service checks its permission to publish to the main topic (its key and policy).
    topic_delivery_guards: list[pulumi.Resource]
    alarm_names: pulumi.Output[list[str]]
    topic: aws.sns.Topic

    def __init__(
        self,
        name: str,
        args: AlertingArgs,
        *,
        transform: AlertingTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:ops:Alerting", name, transform=transform, opts=opts)
        self._name, self._args = name, args
        config = args.config
        self._account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        # The topics' names and regions come from the steps module, so the manual steps (each address confirms
        # each topic: components/alerting/steps.py) name exactly the topics created here.
        (topic_name, _), *health = alert_topics(args.name_prefix, args.region)
        # Per topic, what must exist before a service checks its permission to publish (the topic's key and policy).
        self._delivery_guards: dict[str, list[pulumi.Resource]] = {}
        self.topic = self._channel(name, topic_name, args.region, MAIN_PUBLISHERS, in_region=False)
        self.topic_delivery_guards = self._delivery_guards[topic_name]
        if not health:
            health_topic = self.topic
        else:
            ((health_topic_name, health_region),) = health
            health_topic = self._channel(f"{name}-us-east-1", health_topic_name, health_region,
                                         HEALTH_PUBLISHERS, in_region=True)
        if config.slack is not None:
            self._slack([self.topic, health_topic])

        alarms: list[aws.cloudwatch.MetricAlarm] = []
        alarms.append(self._health_check(name, health_topic))
        targets: dict[Target, pulumi.Input[str]] = {
            "database": args.db_instance_identifier, "proxy": args.proxy_name, "cache": args.cache_name,
            "offsite-copy": args.stack,
        }
        specs = notifying(
            database_alarms(config, args.database_config) + cache_alarms(config, args.cache_config)
            + [offsite_copy_alarm(args.stack)],
            config.minimum_severity,
        )
        for spec in specs:
            alarms.append(self._alarm(spec, {DIMENSION[spec.target]: targets[spec.target]}, self.topic))
        self._rds_events(name, args.db_instance_identifier, depends_on=self._delivery_guards[topic_name])

        self.topic_arn = self.topic.arn
        self.health_topic_arn = health_topic.arn
        self.alarm_names = pulumi.Output.all(*[alarm.name for alarm in alarms]).apply(list)
        self.register_outputs({
            "topic_arn": self.topic_arn,
            "health_topic_arn": self.health_topic_arn,
            "alarm_names": self.alarm_names,
        })

    # ---------------------------------------------------------------------------------------------- channel
    def _channel(
        self, name: str, topic_name: str, region: str, publishers: dict[str, str], *, in_region: bool
    ) -> aws.sns.Topic:
        args = self._args
        placement = {"region": region} if in_region else {}
        key = customer_managed_key(
            self, name, alias=topic_name, description=f"{topic_name}: alert messages at rest",
            region=region, tags=args.tags, protect=args.protect,
            topic_publishers=sorted(publishers), topic_name=topic_name,
            # The key encrypts only messages in flight; nothing it protects outlives the topic.
            outlives_stack=False, key_region=region if in_region else None,
        )
        topic = self.child("topic", aws.sns.Topic, f"{name}-topic", {
            "name": topic_name,
            "display_name": f"{args.tags['environment']} alerts",
            "kms_master_key_id": key.arn,
            "tags": args.tags,
            **placement,
        })
        arn = self._account_id.apply(
            lambda account: f"arn:{aws_partition(region)}:sns:{region}:{account}:{topic_name}"
        )
        self._delivery_guards[topic_name] = [key, self.child("topic_policy", aws.sns.TopicPolicy, f"{name}-topic", {
            "arn": topic.arn,
            "policy": pulumi.Output.all(arn, self._account_id, args.db_instance_identifier).apply(
                lambda values: topic_policy(
                    topic_arn=values[0], account_id=values[1], region=region, publishers=publishers,
                    db_identifiers=[values[2]],
                )),
            **placement,
        })]
        for address in self._args.config.emails:
            self.child("email_subscription", aws.sns.TopicSubscription,
                       f"{name}-email-{_address_suffix(address)}", {
                           "topic": topic.arn,
                           "protocol": "email",
                           "endpoint": address,
                           **placement,
                       })
        return topic

    def _slack(self, topics: list[aws.sns.Topic]) -> None:
        args = self._args
        slack = args.config.slack
        assert slack is not None
        partition = aws_partition(args.region)
        configuration_name = physical_name(args.name_prefix, "alerts", CHATBOT_CONFIGURATION)
        role = self.child("chatbot_role", aws.iam.Role, f"{self._name}-chatbot", {
            "name": physical_name(args.name_prefix, "alerts-chatbot", IAM_ROLE),
            "description": f"{configuration_name}: AWS Chatbot reads the alarms it posts to Slack",
            "assume_role_policy": self._account_id.apply(chatbot_trust_policy),
            "permissions_boundary": boundary_arn(self._account_id, region=args.region),
            "tags": args.tags,
        })
        self.child("chatbot_role_policy", aws.iam.RolePolicy, f"{self._name}-chatbot", {
            "role": role.id,
            "policy": json.dumps({"Version": "2012-10-17", "Statement": [{
                "Sid": "ReadAlarmsForNotifications",
                "Effect": "Allow",
                "Action": CHATBOT_ACTIONS,
                "Resource": "*",
            }]}),
        })
        self.child("chatbot_channel", aws.chatbot.SlackChannelConfiguration, f"{self._name}-slack", {
            "configuration_name": configuration_name,
            "iam_role_arn": role.arn,
            "slack_team_id": slack.workspace_id,
            "slack_channel_id": slack.channel_id,
            "sns_topic_arns": list(dict.fromkeys(topic.arn for topic in topics)),
            # Explicit: without it Chatbot applies AdministratorAccess as the channel's guardrail.
            "guardrail_policy_arns": [CHATBOT_GUARDRAIL.format(partition=partition)],
            "logging_level": "ERROR",
            "tags": args.tags,
        })

    # ----------------------------------------------------------------------------------------------- uptime
    def _health_check(self, name: str, topic: aws.sns.Topic) -> aws.cloudwatch.MetricAlarm:
        args = self._args
        check = args.config.health_check
        props: dict[str, Any] = {
            "type": "HTTPS_STR_MATCH" if check.search_string is not None else "HTTPS",
            "fqdn": check.fqdn,
            "port": check.port,
            "resource_path": check.path,
            "request_interval": check.request_interval_seconds,
            "failure_threshold": check.failure_threshold,
            "enable_sni": True,
            "measure_latency": True,
            "tags": {**args.tags, "Name": physical_name(args.name_prefix, "app-health", CLOUDWATCH_ALARM)},
        }
        if check.search_string is not None:
            props["search_string"] = check.search_string
        health_check = self.child("health_check", aws.route53.HealthCheck, f"{name}-app-health", props)
        return self._alarm(health_check_alarm(), {"HealthCheckId": health_check.id}, topic,
                           region=HEALTH_METRICS_REGION if args.region != HEALTH_METRICS_REGION else None)

    # ---------------------------------------------------------------------------------------------- alarms
    def _alarm(
        self,
        spec: AlarmSpec,
        dimensions: dict[str, pulumi.Input[str]],
        topic: aws.sns.Topic,
        *,
        region: str | None = None,
    ) -> aws.cloudwatch.MetricAlarm:
        args = self._args
        props: dict[str, Any] = {
            "name": physical_name(args.name_prefix, spec.key, CLOUDWATCH_ALARM),
            "alarm_description": spec.description,
            "namespace": spec.namespace,
            "metric_name": spec.metric,
            "dimensions": dimensions,
            "statistic": spec.statistic,
            "period": spec.period,
            "evaluation_periods": spec.evaluation_periods,
            "datapoints_to_alarm": spec.datapoints_to_alarm,
            "comparison_operator": spec.comparison,
            "threshold": spec.threshold,
            "treat_missing_data": spec.treat_missing_data,
            "actions_enabled": True,
            "alarm_actions": [topic.arn],
            "ok_actions": [topic.arn],
            "tags": {**args.tags, "severity": spec.severity},
        }
        if region is not None:
            props["region"] = region
        return self.child("alarm", aws.cloudwatch.MetricAlarm, f"{self._name}-{spec.key}", props)

    def _rds_events(self, name: str, identifier: pulumi.Input[str], *, depends_on: list[pulumi.Resource]) -> None:
        """RDS checks that it may publish when the subscription is created, and the provider waits for `active`
        (any other status, such as no-permission, fails the create: terraform-provider-aws
        internal/service/rds/event_subscription.go, waitEventSubscriptionCreated): after the topic's policy and key."""
        args = self._args
        categories = RDS_EVENT_CATEGORIES["critical"] + (
            RDS_EVENT_CATEGORIES["warning"] if args.config.minimum_severity == "warning" else []
        )
        self.child("rds_event_subscription", aws.rds.EventSubscription, f"{name}-rds-events", {
            "name": physical_name(args.name_prefix, "rds-events", RDS_EVENT_SUBSCRIPTION),
            "sns_topic": self.topic.arn,
            "source_type": "db-instance",
            "source_ids": [identifier],
            "event_categories": categories,
            "enabled": True,
            "tags": args.tags,
        }, depends_on=depends_on)
