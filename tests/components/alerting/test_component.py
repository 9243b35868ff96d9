"""Alerting: the channel, the uptime check and the data-tier alarms as the engine would receive them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.alerting.alarms import GB
from components.alerting.limits import GIB
from tests.support.plans import PlanView, _plan_directory, plan_stack
from tests.support.stacks import stack_file

ACCOUNT = "123456789012"  # the planner's offline caller identity
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
KEY = "aws:kms/key:Key"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
EVENTS = "aws:rds/eventSubscription:EventSubscription"
CHATBOT = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
PUBLISHERS = {"backup.amazonaws.com", "budgets.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com",
              "events.rds.amazonaws.com"}


def alarms(plan: PlanView) -> dict[str, Any]:
    """The alerting component's own alarms (the jobs and backup components alarm on their dead letters)."""
    return {r.name.removeprefix("alerting-"): r for r in plan.of_type(ALARM) if r.name.startswith("alerting-")}


def email_confirmations(plan: PlanView) -> list[str]:
    """The stack's manual steps in which an address confirms a topic (components/alerting/steps.py)."""
    return [step for step in plan.plan.outputs["manual_steps"] if "(alerts.email-confirmation[" in step]


def statements(policy: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


# ------------------------------------------------------------------------------------------------ the channel
def test_one_topic_per_environment_encrypted_with_its_own_key(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    topic = plan.one(TOPIC, "alerting-topic")
    assert topic.inputs["name"] == f"platform-{stack}-alerts"
    assert topic.property_dependencies["kmsMasterKeyId"] == [plan.urn(KEY, "alerting-key")]
    key = plan.one(KEY, "alerting-key")
    assert key.inputs["enableKeyRotation"] is True
    assert key.protect is (stack == "prod")


def test_key_policy_admits_exactly_the_publishers_as_the_sns_guide_documents(prod: PlanView) -> None:
    policy = statements(prod.one(KEY, "alerting-key").inputs["policy"])
    publishers = policy["ServicesPublishToTheEncryptedTopic"]
    assert set(publishers["Principal"]["Service"]) == PUBLISHERS
    assert publishers["Action"] == ["kms:GenerateDataKey*", "kms:Decrypt"]
    # SNS Developer Guide, sns-key-management: aws:SourceAccount/aws:SourceArn on the key are not supported for
    # EventBridge-to-encrypted topics (awslabs/landing-zone-accelerator-on-aws#407); the topic policy has them.
    # The key is scoped to this topic's messages by SNS's encryption context instead.
    assert publishers["Condition"] == {"StringEquals": {
        "kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:eu-west-1:123456789012:platform-prod-alerts"}}
    assert set(policy) == {"AccountRootAdministersTheKey", "ServicesPublishToTheEncryptedTopic"}


def test_topic_policy_admits_each_publisher_from_its_own_resources_only(prod: PlanView) -> None:
    policy = prod.one(TOPIC_POLICY, "alerting-topic")
    assert policy.property_dependencies["arn"] == [prod.urn(TOPIC, "alerting-topic")]
    by_service = {s["Principal"].get("Service"): s for s in json.loads(policy.inputs["policy"])["Statement"]}
    assert set(by_service) - {None} == PUBLISHERS
    arn = f"arn:aws:sns:eu-west-1:{ACCOUNT}:platform-prod-alerts"
    expected_sources = {
        "events.amazonaws.com": f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/*",
        "cloudwatch.amazonaws.com": f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:*",
        "backup.amazonaws.com": f"arn:aws:backup:eu-west-1:{ACCOUNT}:backup-vault:*",
        # AWS Cost Management User Guide, budgets-sns-policy: budget ARNs have no region.
        "budgets.amazonaws.com": f"arn:aws:budgets::{ACCOUNT}:*",
    }
    for service, source in expected_sources.items():
        statement = by_service[service]
        assert statement["Action"] == "sns:Publish"
        assert statement["Resource"] == arn
        assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                          "ArnLike": {"aws:SourceArn": source}}
    # RDS User Guide, "Granting permissions to publish notifications to an Amazon SNS topic": the source is the
    # RDS resource (the DB instance the subscription covers), not the event subscription (`:es:`).
    assert by_service["events.rds.amazonaws.com"]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnEquals": {"aws:SourceArn": [f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:platform-prod-postgres"]},
    }
    owner = by_service[None]
    assert owner["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


def test_each_email_subscribes_to_both_topics_and_is_a_manual_step() -> None:
    plan = plan_stack("prod", alerts={"emails": ["oncall@example.com", "db-team@example.org"]})
    subscriptions = plan.of_type(SUBSCRIPTION)
    assert len(subscriptions) == 4
    topics = {plan.urn(TOPIC, "alerting-topic"), plan.urn(TOPIC, "alerting-us-east-1-topic")}
    for subscription in subscriptions:
        assert subscription.inputs["protocol"] == "email"
        assert set(subscription.property_dependencies["topic"]) <= topics
    assert {s.inputs["endpoint"] for s in subscriptions} == {"oncall@example.com", "db-team@example.org"}
    steps = email_confirmations(plan)
    assert len(steps) == 4
    assert any("db-team@example.org" in step and "platform-prod-alerts-us-east-1 (us-east-1)" in step
               for step in steps)


def test_slack_through_chatbot_with_a_least_privilege_role_and_explicit_guardrails() -> None:
    plan = plan_stack("preview", alerts={"slack": {"workspace_id": "T07EA123LEP", "channel_id": "C07EZ1ABC23"}})
    channel = plan.one(CHATBOT)
    assert channel.inputs["slackTeamId"] == "T07EA123LEP"
    assert channel.inputs["slackChannelId"] == "C07EZ1ABC23"
    assert channel.inputs["guardrailPolicyArns"] == ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]
    assert set(channel.property_dependencies["snsTopicArns"]) == {
        plan.urn(TOPIC, "alerting-topic"), plan.urn(TOPIC, "alerting-us-east-1-topic")
    }
    role = plan.one("aws:iam/role:Role", "alerting-chatbot")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "chatbot.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    policy = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy", "alerting-chatbot").inputs["policy"])
    assert all(action.startswith("cloudwatch:") for s in policy["Statement"] for action in s["Action"])
    (link,) = [step for step in plan.plan.outputs["manual_steps"] if step.endswith("(alerts.slack-link)")]
    assert "[before-first-up] Link Slack workspace T07EA123LEP to AWS Chatbot" in link


def test_no_slack_no_chatbot(prod: PlanView) -> None:
    assert prod.of_type(CHATBOT) == []


# ------------------------------------------------------------------------------------------------ uptime
def test_health_check_of_the_app_from_config(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    check = plan.one(HEALTH_CHECK).inputs
    assert check["fqdn"] == ("app.example.com" if stack == "prod" else "app.example-preview.com")
    assert check["resourcePath"] == "/health"
    assert check["port"] == 443
    assert check["requestInterval"] == 30
    assert check["failureThreshold"] == 3
    if stack == "prod":
        assert (check["type"], check["searchString"]) == ("HTTPS_STR_MATCH", '"status":"ok"')
    else:
        assert check["type"] == "HTTPS"
        assert "searchString" not in check


def test_health_alarm_topic_and_key_live_in_us_east_1(prod: PlanView) -> None:
    alarm = alarms(prod)["app-health"]
    assert alarm.inputs["region"] == "us-east-1"
    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == ("AWS/Route53", "HealthCheckStatus")
    assert alarm.property_dependencies["dimensions"] == [prod.urn(HEALTH_CHECK)]
    assert alarm.inputs["treatMissingData"] == "breaching"
    edge_topic = prod.one(TOPIC, "alerting-us-east-1-topic")
    assert edge_topic.inputs["region"] == "us-east-1"
    assert alarm.property_dependencies["alarmActions"] == [edge_topic.urn]
    assert alarm.property_dependencies["okActions"] == [edge_topic.urn]
    key = prod.one(KEY, "alerting-us-east-1-key")
    assert key.inputs["region"] == "us-east-1"
    assert edge_topic.property_dependencies["kmsMasterKeyId"] == [key.urn]
    assert prod.one("aws:kms/alias:Alias", "alerting-us-east-1-key-alias").inputs["region"] == "us-east-1"
    publishers = statements(key.inputs["policy"])["ServicesPublishToTheEncryptedTopic"]
    assert publishers["Principal"]["Service"] == ["cloudwatch.amazonaws.com"]
    policy = prod.one(TOPIC_POLICY, "alerting-us-east-1-topic").inputs
    assert policy["region"] == "us-east-1"
    assert "arn:aws:cloudwatch:us-east-1:" in policy["policy"]


def test_a_us_east_1_stack_needs_no_second_topic(tmp_path: Path) -> None:
    data = stack_file("preview", network={"availability_zones": ["use1-az1", "use1-az2"]})
    data["config"]["aws:region"] = "us-east-1"
    plan = _plan_directory(tmp_path, "preview", data, None)
    (topic,) = plan.of_type(TOPIC)
    alarm = alarms(plan)["app-health"]
    assert "region" not in alarm.inputs
    assert alarm.property_dependencies["alarmActions"] == [topic.urn]
    assert len(email_confirmations(plan)) == 1


# ------------------------------------------------------------------------------------------------ data tier
EXPECTED_PROD = {
    # key: (metric, dimension, target resource, statistic, comparison, threshold, treat missing data)
    "db-cpu": ("CPUUtilization", "DBInstanceIdentifier", "database", "Average", "GreaterThanThreshold", 80,
               "missing"),
    "db-free-storage": ("FreeStorageSpace", "DBInstanceIdentifier", "database", "Minimum", "LessThanThreshold",
                        100 * GIB * 5 // 100, "missing"),
    # db.m7g.large: 8 GiB
    "db-freeable-memory": ("FreeableMemory", "DBInstanceIdentifier", "database", "Minimum", "LessThanThreshold",
                           8 * GIB // 10, "missing"),
    # max_connections = 8 GiB / 9531392 = 901; 80% of it
    "db-connections": ("DatabaseConnections", "DBInstanceIdentifier", "database", "Maximum",
                       "GreaterThanOrEqualToThreshold", 720, "missing"),
    "db-read-latency": ("ReadLatency", "DBInstanceIdentifier", "database", "Average", "GreaterThanThreshold",
                        0.02, "missing"),
    "db-write-latency": ("WriteLatency", "DBInstanceIdentifier", "database", "Average", "GreaterThanThreshold",
                         0.02, "missing"),
    "proxy-client-connections": ("ClientConnections", "ProxyName", "proxy", "Sum", "GreaterThanThreshold",
                                 1000, "notBreaching"),
    # Pulumi.prod.yaml: connection_borrow_timeout_seconds 60; 50% of it, in microseconds
    "proxy-borrow-latency": ("DatabaseConnectionsBorrowLatency", "ProxyName", "proxy", "Maximum",
                             "GreaterThanOrEqualToThreshold", 30_000_000, "notBreaching"),
    # 50,000 ECPU/s limit; 80% of it, per minute
    "cache-ecpu": ("ElastiCacheProcessingUnits", "clusterId", "cache", "Sum", "GreaterThanOrEqualToThreshold",
                   2_400_000, "notBreaching"),
    "cache-data-storage": ("BytesUsedForCache", "clusterId", "cache", "Maximum", "GreaterThanOrEqualToThreshold",
                           50 * GB * 80 // 100, "notBreaching"),
    "cache-throttled": ("ThrottledCmds", "clusterId", "cache", "Sum", "GreaterThanOrEqualToThreshold", 1,
                        "notBreaching"),
}
TARGETS = {
    "database": ("aws:rds/instance:Instance", "postgres-instance"),
    "proxy": ("aws:rds/proxy:Proxy", "postgres-proxy"),
    "cache": ("aws:elasticache/serverlessCache:ServerlessCache", "cache-cache"),
}


def test_prod_alarms_for_the_defaults(prod: PlanView) -> None:
    found = alarms(prod)
    assert set(found) == {"app-health", "offsite-copy-heartbeat", *EXPECTED_PROD}
    topic = prod.urn(TOPIC, "alerting-topic")
    for key, (metric, dimension, target, statistic, comparison, threshold, missing) in EXPECTED_PROD.items():
        alarm = found[key]
        inputs = alarm.inputs
        assert inputs["metricName"] == metric, key
        assert set(inputs["dimensions"]) == {dimension}, key
        assert alarm.property_dependencies["dimensions"] == [prod.urn(*TARGETS[target])], key
        assert inputs["statistic"] == statistic, key
        assert inputs["comparisonOperator"] == comparison, key
        assert inputs["threshold"] == pytest.approx(threshold), key
        assert inputs["treatMissingData"] == missing, key
        assert inputs["actionsEnabled"] is True
        assert alarm.property_dependencies["alarmActions"] == [topic], key
        assert alarm.property_dependencies["okActions"] == [topic], key
        assert "Check first:" in inputs["alarmDescription"], key
        assert "region" not in inputs
    assert sorted(prod.plan.outputs["alarms"]) == sorted(f"platform-prod-{key}" for key in found)


def test_the_dimensions_name_the_watched_resources(prod: PlanView) -> None:
    found = alarms(prod)
    assert found["db-cpu"].inputs["dimensions"]["DBInstanceIdentifier"] == "platform-prod-postgres"
    assert found["cache-ecpu"].inputs["dimensions"]["clusterId"] == "platform-prod-cache"
    assert found["proxy-borrow-latency"].inputs["dimensions"]["ProxyName"] == "platform-prod-postgres-proxy"


def test_preview_is_quieter_but_not_silent(preview: PlanView) -> None:
    found = alarms(preview)
    assert set(found) == {"app-health", "db-free-storage", "db-freeable-memory", "db-connections",
                          "proxy-borrow-latency", "cache-data-storage", "cache-throttled", "offsite-copy-heartbeat"}
    assert all(a.inputs["tags"]["severity"] == "critical" for a in found.values())
    assert preview.one(EVENTS).inputs["eventCategories"] == ["failover", "failure", "low storage"]


@pytest.mark.parametrize(
    ("overrides", "key", "threshold"),
    [
        # The cache's usage limits move their alarms.
        ({"cache": {"max_data_storage_gb": 10}}, "cache-data-storage", 10 * GB * 80 // 100),
        ({"cache": {"max_ecpu_per_second": 10_000}}, "cache-ecpu", 10_000 * 60 * 80 // 100),
        ({"alerts": {"cache": {"data_storage_percent": 90}}}, "cache-data-storage", 50 * GB * 90 // 100),
        # The instance class's memory moves max_connections and the memory floor.
        ({"database": {"instance_class": "db.r7g.xlarge"}}, "db-connections", 3604 * 80 // 100),
        ({"database": {"instance_class": "db.r7g.xlarge"}}, "db-freeable-memory", 32 * GIB // 10),
        # The parameter group's max_connections wins over the formula.
        ({"database": {"extra_parameters": {"max_connections": "500"}}}, "db-connections", 400),
        ({"database": {"allocated_storage_gb": 400}}, "db-free-storage", 400 * GIB * 5 // 100),
        ({"database": {"proxy": {"connection_borrow_timeout_seconds": 120}}}, "proxy-borrow-latency", 60_000_000),
        ({"alerts": {"database": {"cpu_percent": 90}}}, "db-cpu", 90),
    ],
)
def test_near_the_limit_thresholds_follow_the_configured_limits(
    overrides: dict[str, Any], key: str, threshold: float
) -> None:
    plan = plan_stack("prod", **overrides)
    assert alarms(plan)[key].inputs["threshold"] == pytest.approx(threshold)


def test_rds_events_reach_the_channel(prod: PlanView) -> None:
    subscription = prod.one(EVENTS)
    assert subscription.inputs["sourceType"] == "db-instance"
    assert subscription.inputs["eventCategories"] == ["failover", "failure", "low storage", "maintenance"]
    assert subscription.property_dependencies["sourceIds"] == [prod.urn(*TARGETS["database"])]
    assert subscription.property_dependencies["snsTopic"] == [prod.urn(TOPIC, "alerting-topic")]


def test_outputs(prod: PlanView) -> None:
    assert "alert_topic_arn" in prod.plan.outputs
    component = prod.one("platform:ops:Alerting")
    assert set(component.outputs or {}) == {"topic_arn", "health_topic_arn", "alarm_names"}
    assert any("oncall@example.com" in step for step in email_confirmations(prod))


def test_the_rds_subscription_waits_for_the_topics_policy_and_key(prod: PlanView) -> None:
    # RDS checks its permission to publish when the subscription is created and the provider fails unless the status
    # becomes `active` (terraform-provider-aws internal/service/rds/event_subscription.go): the topic policy and key
    # must exist first, not be created in parallel.
    subscription = prod.one("aws:rds/eventSubscription:EventSubscription")
    assert prod.urn("aws:sns/topicPolicy:TopicPolicy", "alerting-topic") in subscription.dependencies
    assert prod.urn(KEY, "alerting-key") in subscription.dependencies
