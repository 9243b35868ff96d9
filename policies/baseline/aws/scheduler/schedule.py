"""EventBridge Scheduler schedules (`aws:scheduler/schedule:Schedule`): every target states its retry policy and
has a dead-letter queue. Without a DLQ, an invocation that fails after its retries is dropped without a trace;
without an explicit retry policy, Scheduler retries for 24 hours (185 attempts), which a job that must not
run late may not want (EventBridge Scheduler User Guide, "Configuring a retry policy" and "Configuring a
dead-letter queue"). Absent inputs: `target.retryPolicy` none (Scheduler's default), `target.deadLetterConfig`
none (no DLQ).
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import SCHEDULE, Family, get, is_set, resource_policy
from ...refs import aws_docs

_about = Family("aws-scheduler-schedule", ("aws", "scheduler", "schedule")).about
_GUIDE = "https://docs.aws.amazon.com/scheduler/latest/UserGuide"


def _retry_and_dlq(args: ResourceValidationArgs) -> Iterator[str]:
    if not is_set(get(args.props, "target", "retryPolicy")):
        yield ("target.retryPolicy is not set: the schedule silently takes Scheduler's default (185 attempts over "
               "24 hours); state the attempts and the event age the job tolerates.")
    if not is_set(get(args.props, "target", "deadLetterConfig", "arn")):
        yield ("target.deadLetterConfig.arn is not set: an invocation that still fails after its retries is "
               "dropped without a trace; send it to an SQS dead-letter queue with an alarm.")


RESOURCE_TYPE = SCHEDULE
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        _about(
            "configure-retry-and-dead-letter-queue",
            description="EventBridge Scheduler schedules must set a retry policy and a dead-letter queue on their "
            "target.",
            refs=(aws_docs("EventBridge Scheduler dead-letter queues", f"{_GUIDE}/configuring-schedule-dlq.html"),),
            control="every schedule has a retry policy and a dead-letter queue",
            severity=Severity.MEDIUM,
            remediation="Set `target.retry_policy` (maximum_retry_attempts, maximum_event_age_in_seconds) and "
            "`target.dead_letter_config.arn` to an encrypted SQS queue with a depth alarm.",
            tags=("reliability",),
        ),
        (SCHEDULE,),
        _retry_and_dlq,
    ),
]
