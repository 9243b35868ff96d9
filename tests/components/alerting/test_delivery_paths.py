"""Each publisher's path to the encrypted alert topic, evaluated with `ops.iam.evaluate` against the planned topic
policy and key policy: the `sns:Publish` the service sends (with the source keys its documentation says it sends)
and the `kms:GenerateDataKey`/`kms:Decrypt` SNS makes for it on the topic's key (WITHOUT source keys: the SNS
Developer Guide says they are not supported there for EventBridge, and no publisher documents them)."""

from __future__ import annotations

from typing import Any

import pytest

from ops.iam import Context, Principal, Request, evaluate, plan_policy
from tests.support.plans import PlanView

ACCOUNT = "123456789012"  # the planner's offline caller identity
REGION = "eu-west-1"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:platform-prod-alerts"
# The key's ARN is unknown until `pulumi up`; the key policy's Resource is "*", so any key ARN stands in for it.
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0000aaaa-00aa-00aa-00aa-000000aaaaaa"
GLOBAL_KEYS = (
    "IAM User Guide, global condition keys: aws:SourceArn/aws:SourceAccount are in the request context when a "
    "resource makes a service principal act for it "
    "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcearn)"
)
EVENTBRIDGE_SNS = (
    "EventBridge User Guide, Amazon SNS permissions: aws:SourceArn is the rule's ARN "
    "(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions)"
)
CLOUDWATCH_SNS = (
    "AWS re:Post knowledge center, cloudwatch-receive-sns-for-alarm-trigger: the refused publish names "
    "'Resource: arn:aws:cloudwatch:<region>:<account>:alarm:<name>' and the topic policy restricts it with "
    "aws:SourceArn (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger)"
)
RDS_SNS = (
    "RDS User Guide, Granting permissions to publish notifications to an Amazon SNS topic: 'SourceARN - RDS "
    "resource ARN', 'SourceAccount - your AWS account ID' "
    "(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.GrantingPermissions.html)"
)
SNS_KMS = (
    "SNS Developer Guide, sns-key-management, Enable compatibility between event sources from AWS services and "
    "encrypted topics: the service needs kms:GenerateDataKey* and kms:Decrypt; 'Adding the aws:SourceAccount and "
    "aws:SourceArn to a AWS KMS policy is not supported for EventBridge-to-encrypted topics' "
    "(https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services; quoted in "
    "https://github.com/awslabs/landing-zone-accelerator-on-aws/issues/407)"
)

# One request per publisher: (service principal, its source ARN, the sources of its context keys).
PUBLISHERS: dict[str, tuple[str, str, str]] = {
    "events.amazonaws.com": (f"arn:aws:events:{REGION}:{ACCOUNT}:rule/platform-prod-restore-job-failed",
                             EVENTBRIDGE_SNS, EVENTBRIDGE_SNS),
    "cloudwatch.amazonaws.com": (f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:platform-prod-db-cpu-alarm",
                                 CLOUDWATCH_SNS, GLOBAL_KEYS),
    "backup.amazonaws.com": (f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:platform-prod-backup-vault",
                             GLOBAL_KEYS, GLOBAL_KEYS),
    "events.rds.amazonaws.com": (f"arn:aws:rds:{REGION}:{ACCOUNT}:db:platform-prod-postgres", RDS_SNS, RDS_SNS),
}


def _raw(plan: PlanView) -> dict[str, Any]:
    return {"resources": [{"name": r.name, "type": r.type, "inputs": r.inputs} for r in plan.plan.resources]}


@pytest.fixture(scope="module")
def policies(prod: PlanView) -> tuple[Any, Any]:
    raw = _raw(prod)
    return (plan_policy(raw, "alerting-topic", type_="aws:sns/topicPolicy:TopicPolicy"),
            plan_policy(raw, "alerting-key", type_="aws:kms/key:Key"))


def _publish(service: str, source_arn: str, *, account: str = ACCOUNT) -> Request:
    _, arn_source, account_source = PUBLISHERS[service]
    context = Context({"aws:SourceArn": (source_arn, arn_source), "aws:SourceAccount": (account, account_source)})
    return Request("sns:Publish", TOPIC, Principal.service(service), context, source=arn_source)


@pytest.mark.parametrize("service", sorted(PUBLISHERS))
def test_each_publisher_reaches_the_encrypted_topic(policies: tuple[Any, Any], service: str) -> None:
    topic_policy, key_policy = policies
    source_arn = PUBLISHERS[service][0]
    publish = evaluate(_publish(service, source_arn), resource_policy=topic_policy)
    assert publish.allowed, publish.explain()
    # SNS asks the topic's key for a data key (and decrypts it) for the publishing service: a request WITHOUT
    # aws:SourceAccount/aws:SourceArn, as the SNS guide says the KMS policy cannot rely on them.
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        decision = evaluate(Request(action, KEY, Principal.service(service), Context(), source=SNS_KMS),
                            resource_policy=key_policy)
        assert decision.allowed, decision.explain()


@pytest.mark.parametrize("service", sorted(PUBLISHERS))
def test_the_topic_policy_keeps_the_confused_deputy_guard(policies: tuple[Any, Any], service: str) -> None:
    topic_policy, _ = policies
    source_arn = PUBLISHERS[service][0]
    foreign = evaluate(_publish(service, source_arn, account="999999999999"), resource_policy=topic_policy)
    assert foreign.denied, foreign.explain()
    bare = evaluate(Request("sns:Publish", TOPIC, Principal.service(service), Context(), source=SNS_KMS),
                    resource_policy=topic_policy)
    assert bare.denied, bare.explain()


def test_rds_events_are_admitted_from_the_watched_instance_only(policies: tuple[Any, Any]) -> None:
    topic_policy, _ = policies
    subscription = f"arn:aws:rds:{REGION}:{ACCOUNT}:es:platform-prod-rds-events"
    other_db = f"arn:aws:rds:{REGION}:{ACCOUNT}:db:someone-elses-db"
    for source in (subscription, other_db):
        decision = evaluate(_publish("events.rds.amazonaws.com", source), resource_policy=topic_policy)
        assert decision.denied, decision.explain()


def test_the_us_east_1_health_path(prod: PlanView) -> None:
    raw = _raw(prod)
    topic_policy = plan_policy(raw, "alerting-us-east-1-topic", type_="aws:sns/topicPolicy:TopicPolicy")
    key_policy = plan_policy(raw, "alerting-us-east-1-key", type_="aws:kms/key:Key")
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:platform-prod-alerts-us-east-1"
    alarm = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:platform-prod-app-health-alarm"
    context = Context({"aws:SourceArn": (alarm, CLOUDWATCH_SNS), "aws:SourceAccount": (ACCOUNT, GLOBAL_KEYS)})
    cloudwatch = Principal.service("cloudwatch.amazonaws.com")
    publish = evaluate(Request("sns:Publish", topic, cloudwatch, context, source=CLOUDWATCH_SNS),
                       resource_policy=topic_policy)
    assert publish.allowed, publish.explain()
    key = KEY.replace(REGION, "us-east-1")
    data_key = evaluate(Request("kms:GenerateDataKey", key, cloudwatch, Context(), source=SNS_KMS),
                        resource_policy=key_policy)
    assert data_key.allowed, data_key.explain()
