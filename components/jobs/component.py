"""CronJobs: the app's cron jobs, with time zones, retries and dead-letter queues at every hop.

EventBridge Scheduler keeps time zones, retries and DLQs but calls only AWS APIs; EventBridge API destinations
call HTTPS. So each job is:

    Scheduler schedule (cron + IANA zone, retry policy, DLQ)
      -> events:PutEvents on the stack's custom event bus (detail-type = the job)
      -> rule on that bus matching the job's detail-type
      -> API-destination target (its own retry policy and DLQ)
      -> connection with an API key held by EventBridge (in its Secrets Manager secret) -> the app's HTTPS path

An API destination waits at most 5 seconds for the response (EventBridge User Guide, "API destinations"), so
the app answers 202 Accepted at once and runs the job asynchronously (docs/cron-jobs.md). Each job's DLQ (SQS,
SSE-KMS with the jobs CMK) is alarmed to the alert topic as soon as one message is in it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.aws.cron import next_runs
from components.aws.kms import CustomerManagedKeyTransforms, customer_managed_key
from components.aws.role_boundary import boundary_arn
from components.aws.sqs import DeadLetterQueueTransforms, allow_senders, dead_letter_queue, depth_alarm
from components.aws.trust import service_trust_policy
from components.base import ChildTransform, PlatformComponent
from components.jobs.config import JobsConfig
from components.naming import CLOUDWATCH_ALARM, EVENTBRIDGE, IAM_ROLE, KMS_ALIAS, SQS_QUEUE, physical_name
from components.stack import StackConfig

EVENT_SOURCE = "platform.jobs"
SECRET_LENGTH = 48


@dataclass(frozen=True, kw_only=True)
class CronJobsArgs:
    config: JobsConfig
    name_prefix: str
    region: str
    alert_topic_arn: pulumi.Input[str]
    tags: dict[str, str]

    @classmethod
    def from_stack(cls, stack: StackConfig, *, alert_topic_arn: pulumi.Input[str]) -> CronJobsArgs:
        return cls(
            config=stack.jobs,
            name_prefix=stack.name_prefix,
            region=stack.aws_region,
            alert_topic_arn=alert_topic_arn,
            tags=stack.tags("jobs"),
        )


class CronJobsTransforms(CustomerManagedKeyTransforms, DeadLetterQueueTransforms, total=False):
    """The children of `CronJobs` a transform may adjust."""

    event_bus: ChildTransform
    schedule_group: ChildTransform
    secret: ChildTransform
    connection: ChildTransform
    scheduler_role: ChildTransform
    scheduler_role_policy: ChildTransform
    events_role: ChildTransform
    events_role_policy: ChildTransform
    api_destination: ChildTransform
    schedule: ChildTransform
    rule: ChildTransform
    target: ChildTransform


class JobSchedule(TypedDict):
    schedule: str
    time_zone: str
    next_runs: list[str]


def job_schedule(config: JobsConfig, *, after: dt.datetime | None = None) -> dict[str, JobSchedule]:
    """Each enabled job's cron, zone and next three runs (ISO 8601 in its zone), computed at plan time."""
    return {
        job_name: {
            "schedule": job.schedule,
            "time_zone": config.zone_of(job),
            "next_runs": [run.isoformat() for run in next_runs(job.schedule, config.zone_of(job), 3, after=after)],
        }
        for job_name, job in sorted(config.jobs.items())
        if job.enabled
    }


class CronJobs(PlatformComponent):
    """Scheduler -> custom bus -> rule -> API destination, per job; retries, DLQs and alarms at both hops."""

    Transforms = CronJobsTransforms

    event_bus_name: pulumi.Output[str]
    schedule_group_name: pulumi.Output[str]
    auth_header: pulumi.Output[str]
    auth_secret: pulumi.Output[str]
    schedule: dict[str, JobSchedule]

    def __init__(
        self,
        name: str,
        args: CronJobsArgs,
        *,
        transform: CronJobsTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:app:CronJobs", name, transform=transform, opts=opts)
        config, tags, prefix = args.config, args.tags, args.name_prefix
        if config.base_url is None:
            raise ValueError("CronJobs needs platform:jobs.base_url")
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        boundary = boundary_arn(account_id, region=args.region)

        # The DLQs hold failed invocations for 14 days at most; their key need not outlive the stack.
        key = customer_managed_key(
            self, name, alias=physical_name(prefix, "jobs", KMS_ALIAS),
            description=f"{prefix}: cron job dead-letter queues", region=args.region, tags=tags, protect=False,
            # Scheduler delivers its dead letters as the execution role (IAM, below), not as its service principal.
            service_principals=("events.amazonaws.com",), outlives_stack=False,
        )
        bus = self.child("event_bus", aws.cloudwatch.EventBus, f"{name}-bus", {
            "name": physical_name(prefix, "jobs", EVENTBRIDGE),
            "description": f"{prefix}: cron job events from EventBridge Scheduler",
            "tags": tags,
        })
        group = self.child("schedule_group", aws.scheduler.ScheduleGroup, f"{name}-schedules", {
            "name": physical_name(prefix, "jobs", EVENTBRIDGE),
            "tags": tags,
        })
        secret = self.child("secret", random.RandomPassword, f"{name}-auth", {
            "length": SECRET_LENGTH,
            "special": False,
        })
        connection = self.child("connection", aws.cloudwatch.EventConnection, f"{name}-app", {
            "name": physical_name(prefix, "jobs-app", EVENTBRIDGE),
            "description": f"{prefix}: the app's job endpoints; the API key header is stored by EventBridge",
            "authorization_type": "API_KEY",
            "auth_parameters": {"api_key": {"key": config.auth_header, "value": secret.result}},
        })

        scheduler_role = self.child("scheduler_role", aws.iam.Role, f"{name}-scheduler", {
            "name": physical_name(prefix, "jobs-scheduler", IAM_ROLE),
            "description": f"{prefix}: EventBridge Scheduler puts job events on the jobs bus",
            "assume_role_policy": account_id.apply(
                lambda account: service_trust_policy("scheduler.amazonaws.com", source_account=account)
            ),
            "permissions_boundary": boundary,
            "tags": tags,
        })
        events_role = self.child("events_role", aws.iam.Role, f"{name}-events", {
            "name": physical_name(prefix, "jobs-events", IAM_ROLE),
            "description": f"{prefix}: EventBridge invokes the job API destinations",
            "assume_role_policy": account_id.apply(
                lambda account: service_trust_policy("events.amazonaws.com", source_account=account)
            ),
            "permissions_boundary": boundary,
            "tags": tags,
        })

        destinations, queues = [], []
        for job_name, job in sorted(config.jobs.items()):
            detail_type = f"job:{job_name}"
            queue = dead_letter_queue(self, f"{name}-{job_name}",
                                      queue_name=physical_name(prefix, f"job-{job_name}-dlq", SQS_QUEUE),
                                      key_arn=key.arn, tags=tags)
            retry = {
                "maximum_retry_attempts": config.retry.maximum_retry_attempts,
                "maximum_event_age_in_seconds": config.retry.maximum_event_age_seconds,
            }
            destination = self.child("api_destination", aws.cloudwatch.EventApiDestination, f"{name}-{job_name}", {
                "name": physical_name(prefix, f"job-{job_name}", EVENTBRIDGE),
                "description": f"{job_name}: {job.method} {job.path}",
                "connection_arn": connection.arn,
                "invocation_endpoint": f"{config.base_url}{job.path}",
                "http_method": job.method,
                "invocation_rate_limit_per_second": config.invocation_rate_limit_per_second,
            })
            window = ({"mode": "FLEXIBLE", "maximum_window_in_minutes": config.flexible_window_minutes}
                      if config.flexible_window_minutes else {"mode": "OFF"})
            schedule = self.child("schedule", aws.scheduler.Schedule, f"{name}-{job_name}", {
                "name": physical_name(prefix, f"job-{job_name}", EVENTBRIDGE),
                "group_name": group.name,
                "description": f"{job_name}: {job.schedule} {config.zone_of(job)}",
                "schedule_expression": job.schedule,
                "schedule_expression_timezone": config.zone_of(job),
                "flexible_time_window": window,
                "state": "ENABLED" if job.enabled else "DISABLED",
                "target": {
                    "arn": bus.arn,
                    "role_arn": scheduler_role.arn,
                    "eventbridge_parameters": {"detail_type": detail_type, "source": EVENT_SOURCE},
                    "input": json.dumps(job.payload or {}, sort_keys=True),
                    "retry_policy": retry,
                    "dead_letter_config": {"arn": queue.arn},
                },
            })
            rule = self.child("rule", aws.cloudwatch.EventRule, f"{name}-{job_name}", {
                "name": physical_name(prefix, f"job-{job_name}", EVENTBRIDGE),
                "description": f"{job_name}: job events from Scheduler to the app",
                "event_bus_name": bus.name,
                "event_pattern": json.dumps({"source": [EVENT_SOURCE], "detail-type": [detail_type]}),
                "tags": tags,
            })
            self.child("target", aws.cloudwatch.EventTarget, f"{name}-{job_name}", {
                "rule": rule.name,
                "event_bus_name": bus.name,
                "arn": destination.arn,
                "role_arn": events_role.arn,
                # The body is the job's payload (the event's detail), not the whole event envelope.
                "input_path": "$.detail",
                "retry_policy": retry,
                "dead_letter_config": {"arn": queue.arn},
            })
            allow_senders(self, f"{name}-{job_name}", queue, source_arns=[schedule.arn, rule.arn])
            depth_alarm(
                self, f"{name}-{job_name}", queue,
                alarm_name=physical_name(prefix, f"job-{job_name}-dlq", CLOUDWATCH_ALARM),
                what=f"Cron job '{job_name}' ({job.method} {config.base_url}{job.path})",
                check_first="that the app answers the endpoint with 2xx within 5 seconds (202, then work "
                            "asynchronously) and accepts the job header; then the schedule's and rule's roles.",
                alert_topic_arn=args.alert_topic_arn, tags=tags, rules=[(rule.name, bus.name)],
            )
            destinations.append(destination.arn)
            queues.append(queue.arn)

        self.child("scheduler_role_policy", aws.iam.RolePolicy, f"{name}-scheduler", {
            "role": scheduler_role.id,
            "policy": pulumi.Output.all(bus.arn, key.arn, *queues).apply(
                lambda values: _scheduler_policy(values[0], values[1], values[2:])
            ),
        })
        self.child("events_role_policy", aws.iam.RolePolicy, f"{name}-events", {
            "role": events_role.id,
            "policy": pulumi.Output.all(*destinations).apply(lambda arns: json.dumps({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "InvokeTheJobApiDestinations",
                    "Effect": "Allow",
                    "Action": "events:InvokeApiDestination",
                    "Resource": sorted(arns),
                }],
            })),
        })

        self.event_bus_name = bus.name
        self.schedule_group_name = group.name
        self.auth_header = pulumi.Output.from_input(config.auth_header)
        self.auth_secret = pulumi.Output.secret(secret.result)
        self.schedule = job_schedule(config)
        self.register_outputs({
            "event_bus_name": self.event_bus_name,
            "schedule_group_name": self.schedule_group_name,
            "auth_header": self.auth_header,
            "auth_secret": self.auth_secret,
        })



def _scheduler_policy(bus_arn: str, key_arn: str, queue_arns: list[str]) -> str:
    """PutEvents on the jobs bus only. Scheduler also delivers dead letters with the execution role (EventBridge
    Scheduler User Guide, "Configuring a dead-letter queue": sqs:SendMessage, and the key for an SSE-KMS queue)."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "PutJobEventsOnTheJobsBus", "Effect": "Allow", "Action": "events:PutEvents",
             "Resource": bus_arn},
            {"Sid": "DeliverDeadLetters", "Effect": "Allow", "Action": "sqs:SendMessage",
             "Resource": sorted(queue_arns)},
            {"Sid": "EncryptDeadLetters", "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
             "Resource": key_arn},
        ],
    })
