"""EventBridge rule targets (`aws:cloudwatch/eventTarget:EventTarget`): every target states its retry policy and
has a dead-letter queue, so an event EventBridge cannot deliver (an API destination that times out, an alert
topic whose policy refuses it) lands somewhere visible instead of being dropped (EventBridge User Guide,
"Using dead-letter queues to process undelivered events"). Absent inputs: `retryPolicy` none (EventBridge's
default: 185 attempts over 24 hours), `deadLetterConfig` none (no DLQ).
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import EVENT_TARGET, Family, get, is_set, resource_policy
from ...refs import aws_docs

_about = Family("aws-cloudwatch-event-target", ("aws", "eventbridge", "event-target")).about
_GUIDE = "https://docs.aws.amazon.com/eventbridge/latest/userguide"


def _retry_and_dlq(args: ResourceValidationArgs) -> Iterator[str]:
    if not is_set(get(args.props, "retryPolicy")):
        yield ("retryPolicy is not set: the target silently takes EventBridge's default (185 attempts over 24 "
               "hours); state the attempts and the event age it tolerates.")
    if not is_set(get(args.props, "deadLetterConfig", "arn")):
        yield ("deadLetterConfig.arn is not set: an event that still cannot be delivered after its retries is "
               "dropped without a trace; send it to an SQS dead-letter queue with an alarm.")


RESOURCE_TYPE = EVENT_TARGET
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        _about(
            "configure-retry-and-dead-letter-queue",
            description="EventBridge rule targets must set a retry policy and a dead-letter queue.",
            refs=(aws_docs("EventBridge dead-letter queues", f"{_GUIDE}/eb-rule-dlq.html"),),
            control="every schedule has a retry policy and a dead-letter queue",
            severity=Severity.MEDIUM,
            remediation="Set `retry_policy` (maximum_retry_attempts, maximum_event_age_in_seconds) and "
            "`dead_letter_config.arn` to an encrypted SQS queue with a depth alarm.",
            tags=("reliability",),
        ),
        (EVENT_TARGET,),
        _retry_and_dlq,
    ),
]
