"""Every publisher's path to where its failure must land, evaluated with `ops.iam.evaluate` against the planned
policies: the alert topics (topic policy + key policy), the dead-letter queues (queue policy, the sender's
identity policy and boundary where it sends as a role, the queue's key) and the Chatbot role.

One table (`PATHS`, built by `delivery_paths`) drives the tests and the page: `render_table` is the markdown in
docs/alerting.md between the `delivery-paths` markers, and a test fails when the page is stale. Regenerate with

    .venv/bin/python -m tests.components.alerting.test_delivery_paths

Each request carries the context keys the service's documentation says it sends, each key with its source. The
KMS requests SNS makes for a publisher carry NO source keys (the SNS Developer Guide says they are not supported
there for EventBridge, and no publisher documents them), only SNS's encryption context (the topic's ARN); the KMS
requests into an SSE-KMS dead-letter queue carry nothing the key policy relies on. What the documents cannot
show (that a service really
sends that context, that SNS delivers to Chatbot) is the manual post-deploy checks' job (docs/alerting.md).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import pytest

from components.aws.kms import TOPIC_ENCRYPTION_CONTEXT
from components.aws.sqs import sender_policy
from components.backup.checker import starter_policy, topic_key_policy
from components.jobs.component import _scheduler_policy
from components.state_backend.component import StateNames, boundary_policy
from ops.iam import Context, Decision, Policy, PolicyKind, Principal, Request, evaluate, plan_policy
from tests.support.plans import PlanView, plan_stack

ACCOUNT = "123456789012"  # the planner's offline caller identity
REGION = "eu-west-1"
HEALTH_REGION = "us-east-1"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:platform-prod-alerts"
HEALTH_TOPIC = f"arn:aws:sns:{HEALTH_REGION}:{ACCOUNT}:platform-prod-alerts-us-east-1"
# A key's ARN is unknown until `pulumi up`; each key policy's Resource is "*", so any key ARN stands in for it.
KEY_ID = "key/0000aaaa-00aa-00aa-00aa-000000aaaaaa"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:{KEY_ID}"
SLACK = {"workspace_id": "T07EA123LEP", "channel_id": "C07EZ1ABC23"}
DOC = FilePath(__file__).resolve().parents[3] / "docs" / "alerting.md"
START, END = "<!-- delivery-paths:start -->", "<!-- delivery-paths:end -->"

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
BACKUP_SNS = (
    "AWS Backup Developer Guide, Notification options with AWS Backup: the topic policy admits "
    "backup.amazonaws.com to sns:Publish; aws:SourceArn is the vault's ARN (global keys page) "
    "(https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-notifications.html)"
)
BUDGETS_SNS = (
    "AWS Cost Management User Guide, Creating an Amazon SNS topic for budget notifications: the topic policy "
    "admits the Budgets service to SNS:Publish with '\"aws:SourceAccount\": \"<account-id>\"' and "
    "'\"aws:SourceArn\": \"arn:aws:budgets::<account-id>:*\"'; 'Amazon SNS topics must be in the same account as "
    "the Budgets you're configuring' (https://docs.aws.amazon.com/cost-management/latest/userguide/"
    "budgets-sns-policy.html)"
)
SNS_KMS = (
    "SNS Developer Guide, sns-key-management, Enable compatibility between event sources from AWS services and "
    "encrypted topics: the service needs kms:GenerateDataKey* and kms:Decrypt; 'Adding the aws:SourceAccount and "
    "aws:SourceArn to a AWS KMS policy is not supported for EventBridge-to-encrypted topics' "
    "(https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services; quoted in "
    "https://github.com/awslabs/landing-zone-accelerator-on-aws/issues/407)"
)
SNS_CONTEXT = (
    "GameLift FlexMatch Developer Guide, Set up an SNS topic with server-side encryption: the key policy for a "
    "service publishing to an SSE-KMS topic conditions on 'kms:EncryptionContext:aws:sns:topicArn' = the topic's "
    "ARN (https://docs.aws.amazon.com/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html)"
)
EVENTBRIDGE_DLQ = (
    "EventBridge User Guide, Using dead-letter queues: EventBridge sends a target's failed event to the queue as "
    "events.amazonaws.com, the queue policy conditioned on aws:SourceArn = the rule's ARN; an SSE-KMS queue's key "
    "must let it use the key (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html)"
)
SCHEDULER_DLQ = (
    "EventBridge Scheduler User Guide, Configuring a schedule's dead-letter queue: 'your schedule execution role "
    "requires' sqs:SendMessage; Scheduler delivers dead letters with the execution role "
    "(https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html)"
)
SQS_KMS = (
    "SQS Developer Guide, Key management: a producer of an SSE-KMS queue needs kms:GenerateDataKey and "
    "kms:Decrypt (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html); "
    "EventBridge User Guide, Event bus targets: 'If your target, such as an Amazon SQS queue, uses AWS KMS "
    "encryption, you must include the following section in your KMS key policy', a statement with no condition "
    "(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html); no page documents a source key on "
    "that KMS call"
)
CHATBOT_ROLE = (
    "AWS Chatbot Administrator Guide, Understanding permissions / channel role: chatbot.amazonaws.com assumes the "
    "channel's IAM role; the notification-permissions template reads CloudWatch "
    "(https://docs.aws.amazon.com/chatbot/latest/adminguide/chatbot-iam-policies.html)"
)
SNS_IDENTITY_KMS = (
    "SNS Developer Guide, sns-key-management: a principal publishing to an SSE-KMS topic needs kms:GenerateDataKey "
    "and kms:Decrypt on its key, which SNS calls on the publisher's behalf; AWS KMS Developer Guide, kms:ViaService: "
    "'sns.<region>.amazonaws.com' on such a call "
    "(https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service)"
)
SFN_SNS = (
    "Step Functions Developer Guide, Publish messages to an Amazon SNS topic (arn:aws:states:::sns:publish): the "
    "state machine's execution role calls sns:Publish "
    "(https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html)"
)
CHATBOT_SNS = (
    "AWS Chatbot Administrator Guide, Getting started / Testing notifications: the channel configuration "
    "subscribes Chatbot's HTTPS endpoint to the topic and SNS pushes to it; there is no Chatbot request to the "
    "topic or its key to evaluate (https://docs.aws.amazon.com/chatbot/latest/adminguide/getting-started.html)"
)

# The manual checks (docs/alerting.md, "After the first `pulumi up`"), by anchor name.
ALARM_CHECK = "set-alarm-state on `platform-prod-db-cpu` (then OK)"
HEALTH_CHECK = "set-alarm-state on `platform-prod-app-health` in us-east-1 (then OK)"
RULE_CHECK = "a failing on-demand backup job (or the test rule), then its alert"
RDS_CHECK = "describe-event-subscriptions: `Status` = `active`"
BUDGET_CHECK = ("describe-notifications-for-budget lists the three notifications (Budgets refuses to create one it "
                "cannot publish); a threshold a real month crosses proves delivery")
DLQ_CHECK = "`NumberOfMessagesSent` of the DLQ after a failure (none forced)"
CHATBOT_CHECK = "the set-alarm-state test above appears in the Slack channel"
CHECKER_CHECK = ("the runbook's start-execution of the checker succeeds; its alert arrives only when a tier is due "
                 "and silent")


@dataclass(frozen=True)
class Check:
    """One request of a path, and the policies that decide it."""

    policy: str  # what is evaluated, for the table ("topic policy", "key policy", ...)
    request: Request
    policies: Mapping[str, Any] = field(default_factory=dict)  # evaluate()'s keyword arguments

    def decide(self) -> Decision:
        return evaluate(self.request, **self.policies)


@dataclass(frozen=True)
class Path:
    """A publisher's way to where its failure must land: the requests the service sends, with their sources."""

    publisher: str
    destination: str
    principal: str
    actions: str
    keys: str
    source: str
    checks: tuple[Check, ...]
    offline: str  # what the offline evaluation cannot prove, and the manual check after the first `pulumi up`

    def outcomes(self) -> list[tuple[str, Decision]]:
        return [(check.policy, check.decide()) for check in self.checks]


def _raw(plan: PlanView) -> dict[str, Any]:
    return {"resources": [{"name": r.name, "type": r.type, "inputs": r.inputs} for r in plan.plan.resources]}


def _source_context(source_arn: str, arn_source: str, *, account: str = ACCOUNT,
                    account_source: str = GLOBAL_KEYS) -> Context:
    return Context({"aws:SourceArn": (source_arn, arn_source), "aws:SourceAccount": (account, account_source)})


def _topic_checks(service: str, topic: str, *, source_arn: str, arn_source: str, topic_policy: Policy,
                  key_policy: Policy, region: str = REGION) -> tuple[Check, ...]:
    principal = Principal.service(service)
    key = KEY.replace(REGION, region)
    publish = Check("topic policy", Request("sns:Publish", topic, principal, _source_context(source_arn, arn_source),
                                            source=arn_source), {"resource_policy": topic_policy})
    # SNS asks the topic's key for a data key (and decrypts it) for the publishing service: a request WITHOUT
    # aws:SourceAccount/aws:SourceArn, as the SNS guide says the KMS policy cannot rely on them, with SNS's
    # encryption context (the topic's ARN).
    encryption = Context({TOPIC_ENCRYPTION_CONTEXT: (topic, SNS_CONTEXT)})
    keys = tuple(Check("key policy", Request(action, key, principal, encryption, source=SNS_KMS),
                       {"resource_policy": key_policy}) for action in ("kms:GenerateDataKey", "kms:Decrypt"))
    return (publish, *keys)


def _queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def _rule_arn(name: str, bus: str | None = None) -> str:
    return f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{bus + '/' if bus else ''}{name}"


def _boundary() -> Policy:
    names = StateNames(alias="alias/platform-state", region=REGION, account_id=ACCOUNT,
                       bucket_name=f"platform-state-{ACCOUNT}")
    return Policy.parse(boundary_policy(names), name="platform-infra-boundary", kind=PolicyKind.BOUNDARY)


def _events_dlq_checks(queue: str, rule: str, queue_policy: Policy, key_policy: Policy) -> tuple[Check, ...]:
    principal = Principal.service("events.amazonaws.com")
    context = _source_context(rule, EVENTBRIDGE_DLQ)
    send = Check("queue policy", Request("sqs:SendMessage", queue, principal, context, source=EVENTBRIDGE_DLQ),
                 {"resource_policy": queue_policy})
    # The KMS call into the queue's key carries no documented source key: evaluated without any.
    keys = tuple(Check("key policy", Request(action, KEY, principal, Context(), source=SQS_KMS),
                       {"resource_policy": key_policy}) for action in ("kms:GenerateDataKey", "kms:Decrypt"))
    return (send, *keys)


def delivery_paths(prod: PlanView, slack: PlanView) -> list[Path]:
    """The paths of the prod stack (and of prod with a Slack channel, for the Chatbot role), in table order."""
    raw, slack_raw = _raw(prod), _raw(slack)
    topic_policy = plan_policy(raw, "alerting-topic", type_="aws:sns/topicPolicy:TopicPolicy")
    topic_key = plan_policy(raw, "alerting-key", type_="aws:kms/key:Key")
    health_policy = plan_policy(raw, "alerting-us-east-1-topic", type_="aws:sns/topicPolicy:TopicPolicy")
    health_key = plan_policy(raw, "alerting-us-east-1-key", type_="aws:kms/key:Key")
    boundary = _boundary()

    def inputs(type_: str, name: str) -> dict[str, Any]:
        return prod.one(type_, name).inputs

    db = inputs("aws:rds/instance:Instance", "postgres-instance")["identifier"]
    budget = inputs("aws:budgets/budget:Budget", "cost-monthly")["name"]
    alarm = inputs("aws:cloudwatch/metricAlarm:MetricAlarm", "alerting-db-cpu")["name"]
    health_alarm = inputs("aws:cloudwatch/metricAlarm:MetricAlarm", "alerting-app-health")["name"]
    backup_rules = sorted(r.inputs["name"] for r in prod.of_type("aws:cloudwatch/eventRule:EventRule")
                          if r.name.startswith("backup-"))
    jobs_bus = inputs("aws:cloudwatch/eventBus:EventBus", "jobs-bus")["name"]
    schedules = {r.name.removeprefix("jobs-"): r.inputs for r in prod.of_type("aws:scheduler/schedule:Schedule")
                 if r.name.startswith("jobs-")}

    paths = [
        Path("CloudWatch alarms (stack region)", f"`{TOPIC.rsplit(':', 1)[1]}` ({REGION})",
             "`cloudwatch.amazonaws.com`", "`sns:Publish`; SNS: `kms:GenerateDataKey`, `kms:Decrypt`",
             "`aws:SourceArn` (alarm ARN), `aws:SourceAccount`; none on the key",
             "re:Post cloudwatch-receive-sns-for-alarm-trigger; SNS sns-key-management",
             _topic_checks("cloudwatch.amazonaws.com", TOPIC,
                           source_arn=f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{alarm}",
                           arn_source=CLOUDWATCH_SNS, topic_policy=topic_policy, key_policy=topic_key),
             f"context documented, not observed: {ALARM_CHECK}"),
        Path("CloudWatch alarm (us-east-1: uptime)", f"`{HEALTH_TOPIC.rsplit(':', 1)[1]}` ({HEALTH_REGION})",
             "`cloudwatch.amazonaws.com`", "`sns:Publish`; SNS: `kms:GenerateDataKey`, `kms:Decrypt`",
             "`aws:SourceArn` (alarm ARN), `aws:SourceAccount`; none on the key",
             "re:Post cloudwatch-receive-sns-for-alarm-trigger; SNS sns-key-management",
             _topic_checks("cloudwatch.amazonaws.com", HEALTH_TOPIC,
                           source_arn=f"arn:aws:cloudwatch:{HEALTH_REGION}:{ACCOUNT}:alarm:{health_alarm}",
                           arn_source=CLOUDWATCH_SNS, topic_policy=health_policy, key_policy=health_key,
                           region=HEALTH_REGION),
             f"context documented, not observed: {HEALTH_CHECK}"),
        Path("EventBridge rules (backup, copy, restore failures)", f"`{TOPIC.rsplit(':', 1)[1]}`",
             "`events.amazonaws.com`", "`sns:Publish`; SNS: `kms:GenerateDataKey`, `kms:Decrypt`",
             "`aws:SourceArn` (rule ARN), `aws:SourceAccount`; none on the key (not supported there)",
             "EventBridge eb-use-resource-based#eb-sns-permissions; SNS sns-key-management",
             tuple(check for rule in backup_rules for check in _topic_checks(
                 "events.amazonaws.com", TOPIC, source_arn=_rule_arn(rule), arn_source=EVENTBRIDGE_SNS,
                 topic_policy=topic_policy, key_policy=topic_key)),
             f"context documented, not observed: {RULE_CHECK}"),
        Path("RDS event subscription", f"`{TOPIC.rsplit(':', 1)[1]}`",
             "`events.rds.amazonaws.com`", "`sns:Publish`; SNS: `kms:GenerateDataKey`, `kms:Decrypt`",
             "`aws:SourceArn` (the DB instance's ARN, not the subscription's), `aws:SourceAccount`; none on the key",
             "RDS USER_Events.GrantingPermissions; SNS sns-key-management",
             _topic_checks("events.rds.amazonaws.com", TOPIC, source_arn=f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{db}",
                           arn_source=RDS_SNS, topic_policy=topic_policy, key_policy=topic_key),
             f"context documented, not observed: {RDS_CHECK}"),
        Path("AWS Backup (vault notifications)", f"`{TOPIC.rsplit(':', 1)[1]}`",
             "`backup.amazonaws.com`", "`sns:Publish`; SNS: `kms:GenerateDataKey`, `kms:Decrypt`",
             "`aws:SourceArn` (vault ARN), `aws:SourceAccount`; none on the key",
             "AWS Backup backup-notifications; SNS sns-key-management",
             _topic_checks("backup.amazonaws.com", TOPIC,
                           source_arn=f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:platform-prod-backup-vault",
                           arn_source=BACKUP_SNS, topic_policy=topic_policy, key_policy=topic_key),
             "admitted, but no vault notification is declared: backup job failures reach the topic through the "
             "EventBridge rules row"),
        Path("AWS Budgets (monthly budget notifications)", f"`{TOPIC.rsplit(':', 1)[1]}`",
             "`budgets.amazonaws.com`", "`sns:Publish`; SNS: `kms:GenerateDataKey`, `kms:Decrypt`",
             "`aws:SourceArn` (the budget's ARN, no region), `aws:SourceAccount`; none on the key",
             "Cost Management budgets-sns-policy; SNS sns-key-management",
             _topic_checks("budgets.amazonaws.com", TOPIC,
                           source_arn=f"arn:aws:budgets::{ACCOUNT}:budget/{budget}",
                           arn_source=BUDGETS_SNS, topic_policy=topic_policy, key_policy=topic_key),
             f"context documented, not observed: {BUDGET_CHECK}"),
    ]

    # Scheduler -> each job's DLQ, as the schedule's execution role (identity policy, boundary, queue, key).
    scheduler_role = inputs("aws:iam/role:Role", "jobs-scheduler")["name"]
    role = Principal.role_session(f"arn:aws:iam::{ACCOUNT}:role/{scheduler_role}", "scheduler")
    jobs_key = plan_policy(raw, "jobs-key", type_="aws:kms/key:Key")
    job_queues = {job: _queue_arn(inputs("aws:sqs/queue:Queue", f"jobs-{job}-dlq")["name"]) for job in schedules}
    role_policy = Policy.parse(_scheduler_policy(f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{jobs_bus}", KEY,
                                                 sorted(job_queues.values())),
                               name="jobs-scheduler (role policy)", kind=PolicyKind.IDENTITY)
    scheduler_checks: list[Check] = []
    events_checks: list[Check] = []
    for job, schedule in sorted(schedules.items()):
        queue = job_queues[job]
        schedule_arn = f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/{schedule['groupName']}/{schedule['name']}"
        rule = _rule_arn(inputs("aws:cloudwatch/eventRule:EventRule", f"jobs-{job}")["name"], jobs_bus)
        queue_policy = Policy.parse(sender_policy(queue, [schedule_arn, rule]), name=f"jobs-{job}-dlq",
                                    kind=PolicyKind.RESOURCE)
        identity = {"identity_policies": [role_policy], "boundary": boundary}
        scheduler_checks.append(Check("role policy + boundary + queue policy",
                                      Request("sqs:SendMessage", queue, role, Context(), source=SCHEDULER_DLQ),
                                      {**identity, "resource_policy": queue_policy}))
        scheduler_checks += [Check("role policy + boundary + key policy",
                                   Request(action, KEY, role, Context(), source=SQS_KMS),
                                   {**identity, "resource_policy": jobs_key})
                             for action in ("kms:GenerateDataKey", "kms:Decrypt")]
        events_checks += _events_dlq_checks(queue, rule, queue_policy, jobs_key)
    queue_note = ("queue policy: `sender_policy` with the ARNs the planned names give (the planned document is "
                  "unknown until `pulumi up`)")
    paths += [
        Path("EventBridge Scheduler (job schedules)", f"each job's DLQ ({len(job_queues)}), `jobs` key",
             f"the execution role `{scheduler_role}`", "`sqs:SendMessage`, `kms:GenerateDataKey`, "
             "`kms:Decrypt`", "none (a role session of this account)",
             "Scheduler configuring-schedule-dlq; SQS sqs-key-management", tuple(scheduler_checks),
             f"{queue_note}; role policy: `_scheduler_policy` likewise; {DLQ_CHECK}"),
        Path("EventBridge targets (job rules)", f"each job's DLQ ({len(job_queues)}), `jobs` key",
             "`events.amazonaws.com`", "`sqs:SendMessage`, `kms:GenerateDataKey`, `kms:Decrypt`",
             "`aws:SourceArn` (rule ARN), `aws:SourceAccount`", "EventBridge eb-rule-dlq; SQS sqs-key-management",
             tuple(events_checks), f"{queue_note}; {DLQ_CHECK}"),
    ]
    backup_queue = _queue_arn(inputs("aws:sqs/queue:Queue", "backup-alerts-dlq")["name"])
    backup_rule_arns = [_rule_arn(rule) for rule in backup_rules]
    backup_queue_policy = Policy.parse(sender_policy(backup_queue, backup_rule_arns), name="backup-alerts-dlq",
                                      kind=PolicyKind.RESOURCE)
    backup_key = plan_policy(raw, "backup-alerts-key", type_="aws:kms/key:Key")
    paths.append(Path(
        "EventBridge targets (backup failure rules)", "`platform-prod-backup-alerts-dlq`, `backup-alerts` key",
        "`events.amazonaws.com`", "`sqs:SendMessage`, `kms:GenerateDataKey`, `kms:Decrypt`",
        "`aws:SourceArn` (rule ARN), `aws:SourceAccount`", "EventBridge eb-rule-dlq; SQS sqs-key-management",
        tuple(check for rule in backup_rule_arns
              for check in _events_dlq_checks(backup_queue, rule, backup_queue_policy, backup_key)),
        f"{queue_note}; {DLQ_CHECK}"))

    # The backup checker publishes as its own role (Step Functions' sns:publish integration); SNS uses the topic's
    # key for it. Its schedule delivers dead letters as the schedule's role.
    checker = inputs("aws:iam/role:Role", "backup-checker")["name"]
    checker_role = Principal.role_session(f"arn:aws:iam::{ACCOUNT}:role/{checker}", "checker")
    checker_reads = plan_policy(raw, "backup-checker", type_="aws:iam/rolePolicy:RolePolicy")
    checker_key = Policy.parse(topic_key_policy(key_arn=KEY, region=REGION), name="backup-checker-topic-key",
                               kind=PolicyKind.IDENTITY)
    identity = {"identity_policies": [checker_reads, checker_key], "boundary": boundary}
    via_sns = Context({"kms:ViaService": (f"sns.{REGION}.amazonaws.com", SNS_IDENTITY_KMS)})
    paths.append(Path(
        "Step Functions (backup checker role)", f"`{TOPIC.rsplit(':', 1)[1]}`", f"the role `{checker}`",
        "`sns:Publish`; SNS for it: `kms:GenerateDataKey`, `kms:Decrypt`",
        "none on the publish (a role session of this account); `kms:ViaService` = SNS on the key",
        "Step Functions connect-sns; SNS sns-key-management; KMS kms:ViaService",
        (Check("role policy + boundary + topic policy",
               Request("sns:Publish", TOPIC, checker_role, Context(), source=SFN_SNS),
               {**identity, "resource_policy": topic_policy}),
         *(Check("role policy + boundary + key policy", Request(action, KEY, checker_role, via_sns,
                                                                source=SNS_IDENTITY_KMS),
                 {**identity, "resource_policy": topic_key})
           for action in ("kms:GenerateDataKey", "kms:Decrypt"))),
        "role policy for the key: `topic_key_policy` with a key ARN standing in (the planned document is unknown "
        f"until `pulumi up`); {CHECKER_CHECK}"))
    starter = inputs("aws:iam/role:Role", "backup-checker-start")["name"]
    starter_role = Principal.role_session(f"arn:aws:iam::{ACCOUNT}:role/{starter}", "scheduler")
    checker_queue = _queue_arn(inputs("aws:sqs/queue:Queue", "backup-checker-dlq")["name"])
    checker_schedule = inputs("aws:scheduler/schedule:Schedule", "backup-checker")["name"]
    machine = inputs("aws:sfn/stateMachine:StateMachine", "backup-checker")["name"]
    starter_identity = {"identity_policies": [Policy.parse(starter_policy(
        state_machine_arn=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{machine}", queue_arn=checker_queue,
        key_arn=KEY), name="backup-checker-start (role policy)", kind=PolicyKind.IDENTITY)], "boundary": boundary}
    checker_queue_policy = Policy.parse(
        sender_policy(checker_queue, [f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/{checker_schedule}"]),
        name="backup-checker-dlq", kind=PolicyKind.RESOURCE)
    paths.append(Path(
        "EventBridge Scheduler (backup checker schedule)", "`platform-prod-backup-checker-dlq`, `backup-alerts` key",
        f"the execution role `{starter}`", "`sqs:SendMessage`, `kms:GenerateDataKey`, `kms:Decrypt`",
        "none (a role session of this account)", "Scheduler configuring-schedule-dlq; SQS sqs-key-management",
        (Check("role policy + boundary + queue policy",
               Request("sqs:SendMessage", checker_queue, starter_role, Context(), source=SCHEDULER_DLQ),
               {**starter_identity, "resource_policy": checker_queue_policy}),
         *(Check("role policy + boundary + key policy", Request(action, KEY, starter_role, Context(), source=SQS_KMS),
                 {**starter_identity, "resource_policy": backup_key})
           for action in ("kms:GenerateDataKey", "kms:Decrypt"))),
        f"{queue_note}; role policy: `starter_policy` likewise; {DLQ_CHECK}"))

    # Chatbot: SNS pushes to Chatbot's endpoint (nothing to evaluate on the topic or key); Chatbot assumes the
    # channel role and reads the alarm it renders.
    chatbot = slack.one("aws:iam/role:Role", "alerting-chatbot").inputs
    trust = plan_policy(slack_raw, "alerting-chatbot", type_="aws:iam/role:Role")
    reads = plan_policy(slack_raw, "alerting-chatbot", type_="aws:iam/rolePolicy:RolePolicy")
    chatbot_arn = f"arn:aws:iam::{ACCOUNT}:role/{chatbot['name']}"
    assume = Request("sts:AssumeRole", chatbot_arn, Principal.service("chatbot.amazonaws.com"),
                     Context({"aws:SourceAccount": (ACCOUNT, GLOBAL_KEYS)}), source=CHATBOT_ROLE)
    describe = Request("cloudwatch:DescribeAlarms", f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{alarm}",
                       Principal.role_session(chatbot_arn, "chatbot"), Context(), source=CHATBOT_ROLE)
    paths.append(Path(
        "AWS Chatbot (Slack channel role)", "the Slack channel, subscribed to both topics",
        f"`chatbot.amazonaws.com`, then the role `{chatbot['name']}`",
        "`sts:AssumeRole`, `cloudwatch:DescribeAlarms`", "`aws:SourceAccount` on the trust",
        "Chatbot chatbot-iam-policies, getting-started",
        (Check("trust policy", assume, {"resource_policy": trust}),
         Check("role policy + boundary", describe, {"identity_policies": [reads], "boundary": boundary})),
        f"not provable offline: SNS's push to Chatbot's HTTPS endpoint ({CHATBOT_SNS.split(':', 1)[0]}); "
        f"{CHATBOT_CHECK}"))
    return paths


def _outcome(outcomes: Sequence[tuple[str, Decision]]) -> str:
    by_policy: dict[str, list[Decision]] = {}
    for policy, decision in outcomes:
        by_policy.setdefault(policy, []).append(decision)
    parts = []
    for policy, decisions in by_policy.items():
        worst = next((d for d in decisions if not d.allowed), decisions[0])
        sids = sorted({s.sid for d in decisions for s in d.statements if s.sid and d.allowed})
        by = f" by `{'`, `'.join(sids)}`" if sids and worst.allowed else ""
        parts.append(f"{policy}: **{worst.outcome.value}**{by}")
    return "; ".join(parts)


def render_table(paths: Sequence[Path]) -> str:
    """The markdown table of docs/alerting.md (between the delivery-paths markers)."""
    head = ("| publisher | destination | principal | actions | context keys present | documentation | "
            "outcome (evaluated on the plan) | not proven offline / after the first `pulumi up` |")
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    for path in paths:
        cells = [path.publisher, path.destination, path.principal, path.actions, path.keys, path.source,
                 _outcome(path.outcomes()), path.offline]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def plan_slack() -> PlanView:
    return plan_stack("prod", alerts={"slack": SLACK})


# ----------------------------------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def paths(prod: PlanView) -> list[Path]:
    return delivery_paths(prod, plan_slack())


PUBLISHERS = ("CloudWatch alarms (stack region)", "CloudWatch alarm (us-east-1: uptime)",
              "EventBridge rules (backup, copy, restore failures)", "RDS event subscription",
              "AWS Backup (vault notifications)", "AWS Budgets (monthly budget notifications)",
              "EventBridge Scheduler (job schedules)",
              "EventBridge targets (job rules)", "EventBridge targets (backup failure rules)",
              "Step Functions (backup checker role)", "EventBridge Scheduler (backup checker schedule)",
              "AWS Chatbot (Slack channel role)")


def test_the_table_covers_every_publisher(paths: list[Path]) -> None:
    assert tuple(path.publisher for path in paths) == PUBLISHERS


@pytest.mark.parametrize("publisher", PUBLISHERS)
def test_each_path_is_allowed(paths: list[Path], publisher: str) -> None:
    (path,) = [p for p in paths if p.publisher == publisher]
    assert path.checks
    for check in path.checks:
        decision = check.decide()
        assert decision.allowed, f"{publisher}, {check.policy}:\n{decision.explain()}"


def test_every_context_key_cites_its_source(paths: list[Path]) -> None:
    for path in paths:
        for check in path.checks:
            assert check.request.source, (path.publisher, check.policy)
            for key in check.request.context:
                assert key.source.strip(), (path.publisher, key.name)


def test_the_page_shows_the_current_table(paths: list[Path]) -> None:
    text = DOC.read_text()
    assert START in text, f"docs/alerting.md needs the {START} marker"
    assert END in text, f"docs/alerting.md needs the {END} marker"
    shown = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert shown == render_table(paths), (
        "docs/alerting.md's delivery-path table is stale: run "
        "`.venv/bin/python -m tests.components.alerting.test_delivery_paths` and paste its output between the markers"
    )


# The guards the allowed paths must not have bought with an open door.


def _topic_policies(prod: PlanView) -> tuple[Policy, Policy]:
    raw = _raw(prod)
    return (plan_policy(raw, "alerting-topic", type_="aws:sns/topicPolicy:TopicPolicy"),
            plan_policy(raw, "alerting-key", type_="aws:kms/key:Key"))


@pytest.mark.parametrize("service", ["cloudwatch.amazonaws.com", "events.amazonaws.com", "backup.amazonaws.com",
                                     "events.rds.amazonaws.com", "budgets.amazonaws.com"])
def test_the_topic_policy_keeps_the_confused_deputy_guard(prod: PlanView, service: str) -> None:
    topic_policy, _ = _topic_policies(prod)
    principal = Principal.service(service)
    source = {"cloudwatch.amazonaws.com": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:x",
              "events.amazonaws.com": _rule_arn("x"),
              "backup.amazonaws.com": f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:x",
              "events.rds.amazonaws.com": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:platform-prod-postgres",
              "budgets.amazonaws.com": f"arn:aws:budgets::{ACCOUNT}:budget/x"}[service]
    foreign = evaluate(Request("sns:Publish", TOPIC, principal,
                               _source_context(source, GLOBAL_KEYS, account="999999999999"), source=GLOBAL_KEYS),
                       resource_policy=topic_policy)
    assert foreign.denied, foreign.explain()
    bare = evaluate(Request("sns:Publish", TOPIC, principal, Context(), source=SNS_KMS), resource_policy=topic_policy)
    assert bare.denied, bare.explain()


def test_rds_events_are_admitted_from_the_watched_instance_only(prod: PlanView) -> None:
    topic_policy, _ = _topic_policies(prod)
    principal = Principal.service("events.rds.amazonaws.com")
    for source in (f"arn:aws:rds:{REGION}:{ACCOUNT}:es:platform-prod-rds-events",
                   f"arn:aws:rds:{REGION}:{ACCOUNT}:db:someone-elses-db"):
        decision = evaluate(Request("sns:Publish", TOPIC, principal, _source_context(source, RDS_SNS), source=RDS_SNS),
                            resource_policy=topic_policy)
        assert decision.denied, decision.explain()


def test_a_dead_letter_queue_admits_only_its_own_rules_and_schedules() -> None:
    queue = _queue_arn("platform-prod-job-cleanup-dlq")
    policy = Policy.parse(sender_policy(queue, [_rule_arn("platform-prod-job-cleanup", "platform-prod-jobs")]),
                          name="dlq", kind=PolicyKind.RESOURCE)
    other = evaluate(Request("sqs:SendMessage", queue, Principal.service("events.amazonaws.com"),
                             _source_context(_rule_arn("someone-elses-rule"), EVENTBRIDGE_DLQ),
                             source=EVENTBRIDGE_DLQ), resource_policy=policy)
    assert other.denied, other.explain()


@pytest.mark.parametrize("service", ["cloudwatch.amazonaws.com", "events.amazonaws.com", "backup.amazonaws.com",
                                     "events.rds.amazonaws.com", "budgets.amazonaws.com"])
def test_the_topic_key_serves_only_this_topics_messages(prod: PlanView, service: str) -> None:
    # With no source condition on the key, SNS's encryption context is what keeps another account's topic (or
    # another of ours) from using it.
    _, key_policy = _topic_policies(prod)
    principal = Principal.service(service)
    for foreign in (f"arn:aws:sns:{REGION}:999999999999:their-topic", f"{TOPIC}-other"):
        decision = evaluate(Request("kms:GenerateDataKey", KEY, principal,
                                    Context({TOPIC_ENCRYPTION_CONTEXT: (foreign, SNS_CONTEXT)}), source=SNS_KMS),
                            resource_policy=key_policy)
        assert decision.denied, decision.explain()
    ours = evaluate(Request("kms:GenerateDataKey", KEY, principal,
                            Context({TOPIC_ENCRYPTION_CONTEXT: (TOPIC, SNS_CONTEXT)}), source=SNS_KMS),
                    resource_policy=key_policy)
    assert ours.allowed, ours.explain()


def test_the_dead_letter_keys_admit_eventbridge_without_a_source_key(prod: PlanView) -> None:
    # The statement EventBridge's page gives has no condition: a key policy that required aws:SourceAccount would
    # refuse the request if SQS's KMS call does not carry it, and every dead letter would be lost.
    for key_name in ("jobs-key", "backup-alerts-key"):
        key_policy = plan_policy(_raw(prod), key_name, type_="aws:kms/key:Key")
        decision = evaluate(Request("kms:GenerateDataKey", KEY, Principal.service("events.amazonaws.com"),
                                    Context(), source=SQS_KMS), resource_policy=key_policy)
        assert decision.allowed, f"{key_name}: {decision.explain()}"


def main() -> int:
    print(render_table(delivery_paths(plan_stack("prod"), plan_slack())))
    return 0


if __name__ == "__main__":
    sys.exit(main())


def test_budgets_is_admitted_only_from_this_accounts_budgets(prod: PlanView) -> None:
    # The Budgets guide's statement: another account's budget (or a budget ARN naming another account) is refused.
    topic_policy, _ = _topic_policies(prod)
    principal = Principal.service("budgets.amazonaws.com")
    for source, account in (("arn:aws:budgets::999999999999:budget/x", "999999999999"),
                            ("arn:aws:budgets::999999999999:budget/x", ACCOUNT)):
        decision = evaluate(Request("sns:Publish", TOPIC, principal,
                                    _source_context(source, BUDGETS_SNS, account=account), source=BUDGETS_SNS),
                            resource_policy=topic_policy)
        assert decision.denied, decision.explain()
