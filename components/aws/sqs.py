"""Dead-letter queues for EventBridge and Scheduler targets: SSE-KMS with a CMK, a queue policy that lets only
the named rules and schedules send, and an alarm to the alert topic on every dead letter."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from components.base import ChildTransform, PlatformComponent

# SQS keeps a message at most 14 days (SetQueueAttributes, MessageRetentionPeriod): the longest window to
# read a failed invocation's details.
DLQ_RETENTION_SECONDS = 1_209_600
# EventBridge and EventBridge Scheduler send to a DLQ as these services (resource-based queue policy), each
# limited by aws:SourceArn to this stack's rules and schedules (EventBridge User Guide, "Using dead-letter
# queues"; EventBridge Scheduler User Guide, "Configuring a dead-letter queue").
DLQ_SENDERS = ("events.amazonaws.com", "scheduler.amazonaws.com")


class DeadLetterQueueTransforms(TypedDict, total=False):
    """The children `dead_letter_queue` creates; a component that uses it inherits these kinds."""

    dlq: ChildTransform
    dlq_policy: ChildTransform
    dlq_alarm: ChildTransform


def dead_letter_queue(
    component: PlatformComponent,
    name: str,
    *,
    queue_name: str,
    key_arn: pulumi.Input[str],
    tags: dict[str, str],
) -> aws.sqs.Queue:
    """An encrypted standard queue (Scheduler does not support FIFO DLQs). Child kind: dlq."""
    return component.child("dlq", aws.sqs.Queue, f"{name}-dlq", {
        "name": queue_name,
        "kms_master_key_id": key_arn,
        "kms_data_key_reuse_period_seconds": 300,
        "message_retention_seconds": DLQ_RETENTION_SECONDS,
        "tags": tags,
    })


def sender_policy(queue_arn: str, source_arns: Sequence[str]) -> str:
    """The queue policy document: EventBridge and Scheduler may send to `queue_arn` only on behalf of `source_arns`
    (a pure function, so tests/components/alerting/test_delivery_paths.py evaluates the document the plan cannot
    show: the queue's and the rules' ARNs are known only after `pulumi up`)."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DeadLettersFromTheseRulesAndSchedules",
            "Effect": "Allow",
            "Principal": {"Service": list(DLQ_SENDERS)},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": sorted(source_arns)}},
        }],
    })


def allow_senders(
    component: PlatformComponent,
    name: str,
    queue: aws.sqs.Queue,
    *,
    source_arns: Sequence[pulumi.Input[str]],
) -> aws.sqs.QueuePolicy:
    """The queue policy: EventBridge and Scheduler may send, only on behalf of `source_arns`. Child kind:
    dlq_policy."""
    policy = pulumi.Output.all(queue.arn, *source_arns).apply(lambda values: sender_policy(values[0], values[1:]))
    return component.child("dlq_policy", aws.sqs.QueuePolicy, f"{name}-dlq", {
        "queue_url": queue.url,
        "policy": policy,
    })


#: An EventBridge rule whose target sends its dead letters to a queue: (rule name, event bus name or None for the
#: default bus), the dimensions of its AWS/Events metrics (EventBridge User Guide, "Monitoring Amazon EventBridge":
#: RuleName, and EventBusName with RuleName for a rule on a custom bus).
RuleOnBus = tuple[pulumi.Input[str], pulumi.Input[str] | None]


def depth_alarm(
    component: PlatformComponent,
    name: str,
    queue: aws.sqs.Queue,
    *,
    alarm_name: str,
    what: str,
    check_first: str,
    alert_topic_arn: pulumi.Input[str],
    tags: dict[str, str],
    rules: Sequence[RuleOnBus] = (),
) -> aws.cloudwatch.MetricAlarm:
    """An alarm as soon as a dead letter arrives, waits, or cannot be written, and an OK when none has for five
    minutes and the queue is drained. Child kind: dlq_alarm.

    Three signals, the alarm on the largest (metric math `MAX`): `ApproximateNumberOfMessagesVisible` (one waits:
    a message received by someone is invisible, so not this alone), `NumberOfMessagesSent` (one arrived: counted
    for SendMessage, which is how EventBridge and Scheduler deliver dead letters; SQS Developer Guide, "Available
    CloudWatch metrics"), and each rule's `InvocationsFailedToBeSentToDlq` (AWS/Events: the queue or its key
    refused the dead letter, so it is lost). Missing data is `notBreaching`: SQS stops publishing metrics for a
    queue that has been empty and idle for six hours, which is the healthy state here."""
    queries: list[dict[str, object]] = [
        {"id": "visible", "metric": {"namespace": "AWS/SQS", "metric_name": "ApproximateNumberOfMessagesVisible",
                                     "dimensions": {"QueueName": queue.name}, "stat": "Maximum", "period": 300}},
        {"id": "sent", "metric": {"namespace": "AWS/SQS", "metric_name": "NumberOfMessagesSent",
                                  "dimensions": {"QueueName": queue.name}, "stat": "Sum", "period": 300}},
    ]
    for index, (rule_name, bus_name) in enumerate(rules):
        dimensions: dict[str, pulumi.Input[str]] = {"RuleName": rule_name}
        if bus_name is not None:
            dimensions["EventBusName"] = bus_name
        queries.append({"id": f"lost{index}", "metric": {
            "namespace": "AWS/Events", "metric_name": "InvocationsFailedToBeSentToDlq",
            "dimensions": dimensions, "stat": "Sum", "period": 300}})
    signals = ", ".join(str(query["id"]) for query in queries)
    queries.append({"id": "deadletters", "expression": f"MAX([{signals}])",
                    "label": "dead letters waiting, arrived or lost", "return_data": True})
    return component.child("dlq_alarm", aws.cloudwatch.MetricAlarm, f"{name}-dlq", {
        "name": alarm_name,
        "alarm_description": f"{what} could not be delivered: its dead letter arrived in, waits in, or could not "
                             f"be written to its dead-letter queue. Check first: {check_first} Then read the "
                             "message in the queue (it carries the error), fix, and redrive or purge it; if the "
                             "queue is empty, the rule's InvocationsFailedToBeSentToDlq says the queue's policy or "
                             "key refused the dead letter.",
        "metric_queries": queries,
        "evaluation_periods": 1,
        "threshold": 0,
        "comparison_operator": "GreaterThanThreshold",
        "treat_missing_data": "notBreaching",
        "alarm_actions": [alert_topic_arn],
        "ok_actions": [alert_topic_arn],
        "tags": tags,
    })
