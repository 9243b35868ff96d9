"""DatabaseBackup: AWS Backup for the database, with a copy in a second region, restore testing and alerts.

* A vault encrypted with its own CMK and, in prod, a vault lock (compliance mode by default: immutable after
  its grace period; see `VaultLockConfig`) whose minimum and maximum retention are the plan's shortest and
  longest rule.
* A plan with the daily, weekly and monthly rules of config (cron, time zone, retention), each copying its
  recovery points to a vault in `copy_region` (its own CMK there; pulumi-aws v7's per-resource `region`, so no
  second provider), kept as long.
* A selection of the RDS instance, with a role holding the AWS managed backup and restore policies.
* Restore testing: the latest snapshot of the database is restored on a schedule (monthly by default) into the
  database's own subnet group, private and single-AZ, kept for the validation window, then deleted.
* Failure alerts: EventBridge rules on the default bus for backup jobs FAILED/ABORTED/EXPIRED, copy jobs
  FAILED and restore jobs (restore tests included) FAILED, to the alert topic. `BACKUP_JOB_FAILED` vault
  notifications are no longer sent by AWS Backup; the events are.
* Silence alerts: the backup checker (`components/backup/checker.py`), a Step Functions state machine that
  EventBridge Scheduler starts every 6 hours. Per tier it lists the vault's recovery points created within the
  tier's window (`silence_window_hours`) and counts those of the tier's rule; with restore testing it lists the
  plan's restore jobs within its window; silence is published to the alert topic. Its own failures and a day
  without a successful run are alarmed, and so is its schedule's dead-letter queue (docs/backups.md, "Silence").

Only the selection and the restore-testing selection take the database's ARN: nothing else waits for the
instance, so backups do not lengthen the first deployment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws.kms import CustomerManagedKeyTransforms, customer_managed_key
from components.aws.partition import aws_partition
from components.aws.role_boundary import boundary_arn
from components.aws.sqs import (
    DeadLetterQueueTransforms,
    RuleOnBus,
    allow_senders,
    dead_letter_queue,
    depth_alarm,
)
from components.aws.trust import service_trust_policy
from components.backup.checker import (
    CHECK_EVERY_HOURS,
    CHECKER_STALLED_HOURS,
    RULE_NAME_MISSING,
    checker_definition,
    checker_name,
    checker_policy,
    checker_target,
    starter_policy,
    topic_key_policy,
)
from components.backup.config import BackupConfig
from components.base import ChildTransform, PlatformComponent
from components.naming import (
    BACKUP_PLAN,
    BACKUP_VAULT,
    CLOUDWATCH_ALARM,
    EVENTBRIDGE,
    IAM_ROLE,
    KMS_ALIAS,
    SQS_QUEUE,
    physical_name,
    restore_testing_name,
)
from components.stack import StackConfig

MANAGED_POLICIES = ("AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores")
# AWS Backup events on the default bus, and the detail field each job type reports its outcome in (AWS Backup
# Developer Guide, "Monitoring AWS Backup events using Amazon EventBridge",
# https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html: "Some events report status: COMPLETED
# whereas other events report state: COMPLETED. This is consistent with the AWS Backup API." Its sample events:
# backup and copy jobs carry `detail.state` (DescribeBackupJob/DescribeCopyJob return State), restore jobs carry
# `detail.status` (DescribeRestoreJob returns Status) for FAILED, RUNNING, COMPLETED and PENDING).
FAILURE_EVENTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "backup-job-failed": ("Backup Job State Change", "state", ("FAILED", "ABORTED", "EXPIRED")),
    "copy-job-failed": ("Copy Job State Change", "state", ("FAILED",)),
    "restore-job-failed": ("Restore Job State Change", "status", ("FAILED",)),
}


def failure_pattern(kind: str) -> dict[str, Any]:
    """The EventBridge pattern of one job type's failures, keyed on the field that event type carries."""
    detail_type, field, outcomes = FAILURE_EVENTS[kind]
    return {"source": ["aws.backup"], "detail-type": [detail_type], "detail": {field: list(outcomes)}}
# Alert deliveries are retried for a day before they land in the DLQ (EventBridge PutTargets RetryPolicy).
ALERT_RETRY = {"maximum_retry_attempts": 185, "maximum_event_age_in_seconds": 86_400}


@dataclass(frozen=True, kw_only=True)
class DatabaseBackupArgs:
    config: BackupConfig
    name_prefix: str
    region: str
    instance_arn: pulumi.Input[str]
    db_subnet_group_name: pulumi.Input[str]
    alert_topic_arn: pulumi.Input[str]
    #: The alert topic's key: the checker publishes to the encrypted topic as its own role.
    alert_key_arn: pulumi.Input[str]
    tags: dict[str, str]

    @classmethod
    def from_stack(
        cls,
        stack: StackConfig,
        *,
        instance_arn: pulumi.Input[str],
        db_subnet_group_name: pulumi.Input[str],
        alert_topic_arn: pulumi.Input[str],
        alert_key_arn: pulumi.Input[str],
    ) -> DatabaseBackupArgs:
        return cls(
            config=stack.backup,
            name_prefix=stack.name_prefix,
            region=stack.aws_region,
            instance_arn=instance_arn,
            db_subnet_group_name=db_subnet_group_name,
            alert_topic_arn=alert_topic_arn,
            alert_key_arn=alert_key_arn,
            tags=stack.tags("backup"),
        )


class DatabaseBackupTransforms(CustomerManagedKeyTransforms, DeadLetterQueueTransforms, total=False):
    """The children of `DatabaseBackup` a transform may adjust."""

    vault: ChildTransform
    vault_lock: ChildTransform
    plan: ChildTransform
    role: ChildTransform
    role_policy: ChildTransform
    selection: ChildTransform
    restore_testing_plan: ChildTransform
    restore_testing_selection: ChildTransform
    alert_rule: ChildTransform
    alert_target: ChildTransform
    checker_role: ChildTransform
    checker_role_policy: ChildTransform
    checker: ChildTransform
    checker_schedule: ChildTransform
    checker_alarm: ChildTransform


class DatabaseBackup(PlatformComponent):
    """AWS Backup of the RDS instance: vault(s), plan, selection, restore testing, failure alerts."""

    Transforms = DatabaseBackupTransforms

    vault_name: pulumi.Output[str]
    vault_arn: pulumi.Output[str]
    copy_vault_arn: pulumi.Output[str] | None
    plan_id: pulumi.Output[str]
    restore_testing_plan_name: pulumi.Output[str] | None
    checker_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: DatabaseBackupArgs,
        *,
        transform: DatabaseBackupTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:data:DatabaseBackup", name, transform=transform, opts=opts)
        config, tags = args.config, args.tags
        self._config, self._tags = config, tags
        partition = aws_partition(args.region)
        vault_name = physical_name(args.name_prefix, "backup", BACKUP_VAULT)

        vault = self._vault(name, vault_name, args.region, None)
        copy_vault = (
            self._vault(f"{name}-copy", physical_name(args.name_prefix, "backup-copy", BACKUP_VAULT),
                        config.copy_region, config.copy_region)
            if config.copy_region is not None else None
        )

        rules = []
        for tier, rule in config.rules.items():
            lifecycle = {"delete_after": rule.delete_after_days}
            rule_args: dict[str, Any] = {
                "rule_name": tier,
                "target_vault_name": vault.name,
                "schedule": rule.schedule,
                "schedule_expression_timezone": config.time_zone,
                "start_window": config.start_window_minutes,
                "completion_window": config.completion_window_minutes,
                "lifecycle": lifecycle,
                "recovery_point_tags": {**tags, "backup-tier": tier},
            }
            if copy_vault is not None and rule.copy_to_second_region:
                rule_args["copy_actions"] = [{"destination_vault_arn": copy_vault.arn, "lifecycle": lifecycle}]
            rules.append(rule_args)
        plan = self.child("plan", aws.backup.Plan, f"{name}-plan", {
            "name": physical_name(args.name_prefix, "database", BACKUP_PLAN),
            "rules": rules,
            "tags": tags,
        })

        role = self.child("role", aws.iam.Role, f"{name}-role", {
            "name": physical_name(args.name_prefix, "backup", IAM_ROLE),
            "description": f"{vault_name}: AWS Backup backs up, copies and test-restores the database",
            "assume_role_policy": json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"},
                               "Action": "sts:AssumeRole"}],
            }),
            "permissions_boundary": boundary_arn(
                aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id,
                region=args.region,
            ),
            "tags": tags,
        })
        attachments = [
            self.child("role_policy", aws.iam.RolePolicyAttachment, f"{name}-{policy}", {
                "role": role.name,
                "policy_arn": f"arn:{partition}:iam::aws:policy/service-role/{policy}",
            })
            for policy in MANAGED_POLICIES
        ]
        # The one backup resource that waits for the database (its ARN).
        self.child("selection", aws.backup.Selection, f"{name}-selection", {
            "name": physical_name(args.name_prefix, "database", BACKUP_PLAN),
            "plan_id": plan.id,
            "iam_role_arn": role.arn,
            "resources": [args.instance_arn],
        }, depends_on=attachments)

        self.restore_testing_plan_name = None
        if config.restore_testing is not None:
            testing = config.restore_testing
            testing_plan = self.child("restore_testing_plan", aws.backup.RestoreTestingPlan, f"{name}-restore-test", {
                "name": restore_testing_name(args.name_prefix, "restore-test"),
                "schedule_expression": testing.schedule,
                "schedule_expression_timezone": config.time_zone,
                "start_window_hours": testing.start_window_hours,
                "recovery_point_selection": {
                    "algorithm": "LATEST_WITHIN_WINDOW",
                    "include_vaults": [vault.arn],
                    "recovery_point_types": ["SNAPSHOT"],
                    "selection_window_days": testing.selection_window_days,
                },
                "tags": tags,
            })
            self.child("restore_testing_selection", aws.backup.RestoreTestingSelection,
                       f"{name}-restore-test-database", {
                "name": restore_testing_name(args.name_prefix, "database"),
                "restore_testing_plan_name": testing_plan.name,
                "protected_resource_type": "RDS",
                "protected_resource_arns": [args.instance_arn],
                "iam_role_arn": role.arn,
                "validation_window_hours": testing.validation_window_hours,
                # Restore into the database's private subnets, never public, single-AZ (cheaper, quicker); AWS
                # Backup deletes the restored instance after the validation window (AWS Backup Developer Guide,
                # "Restore testing inferred metadata": RDS overridable keys).
                "restore_metadata_overrides": {
                    "dbSubnetGroupName": args.db_subnet_group_name,
                    "publiclyAccessible": "false",
                    "multiAZ": "false",
                },
            }, depends_on=attachments)
            self.restore_testing_plan_name = testing_plan.name

        alerts_key = self._alerts(name, args)
        self.checker_arn = self._checker(name, args, vault, alerts_key)

        self.vault_name = vault.name
        self.vault_arn = vault.arn
        self.copy_vault_arn = copy_vault.arn if copy_vault is not None else None
        self.plan_id = plan.id
        self.register_outputs({
            "vault_name": self.vault_name,
            "vault_arn": self.vault_arn,
            "copy_vault_arn": self.copy_vault_arn,
            "plan_id": self.plan_id,
            "restore_testing_plan_name": self.restore_testing_plan_name,
            "checker_arn": self.checker_arn,
        })

    def _vault(self, name: str, vault_name: str, key_region: str, region: str | None) -> aws.backup.Vault:
        """A vault with its own CMK (kept on destroy) and, when configured, a vault lock; in `region` when given."""
        config, tags = self._config, self._tags
        placed = {"region": region} if region is not None else {}
        key = customer_managed_key(
            self, name, alias=vault_name, description=f"{vault_name}: AWS Backup recovery points",
            region=key_region, tags=tags, protect=config.protect, via_services=("backup", "rds"),
            key_region=region,
        )
        vault = self.child("vault", aws.backup.Vault, f"{name}-vault", {
            "name": vault_name,
            "kms_key_arn": key.arn,
            # Preview stacks come and go: their recovery points go with them. Prod never deletes them.
            "force_destroy": not config.protect,
            "tags": tags,
            **placed,
        }, protect=config.protect)
        if config.vault_lock is not None:
            low, high = config.lock_retention_days
            lock: dict[str, Any] = {
                "backup_vault_name": vault.name,
                "min_retention_days": low,
                "max_retention_days": high,
                **placed,
            }
            if config.vault_lock.mode == "compliance":
                lock["changeable_for_days"] = config.vault_lock.grace_days
            self.child("vault_lock", aws.backup.VaultLockConfiguration, f"{name}-vault-lock", lock,
                       protect=config.protect)
        return vault

    def _alerts(self, name: str, args: DatabaseBackupArgs) -> aws.kms.Key:
        """EventBridge rules for failed backup, copy and restore jobs, each to the alert topic with retries and a
        DLQ (itself alarmed). Returns the DLQ's key, which the checker's schedule DLQ shares."""
        tags = args.tags
        key = customer_managed_key(
            self, f"{name}-alerts", alias=physical_name(args.name_prefix, "backup-alerts", KMS_ALIAS),
            description=f"{args.name_prefix}: backup alert dead-letter queues", region=args.region, tags=tags,
            protect=False, service_principals=("events.amazonaws.com",), outlives_stack=False,
        )
        queue = dead_letter_queue(self, f"{name}-alerts",
                                  queue_name=physical_name(args.name_prefix, "backup-alerts-dlq", SQS_QUEUE),
                                  key_arn=key.arn, tags=tags)
        rules = []
        rule_names: list[RuleOnBus] = []
        for kind, (detail_type, field, outcomes) in FAILURE_EVENTS.items():
            rule = self.child("alert_rule", aws.cloudwatch.EventRule, f"{name}-{kind}", {
                "name": physical_name(args.name_prefix, kind, EVENTBRIDGE),
                "description": f"AWS Backup: {detail_type} with {field} {', '.join(outcomes)}",
                "event_pattern": json.dumps(failure_pattern(kind)),
                "tags": tags,
            })
            self.child("alert_target", aws.cloudwatch.EventTarget, f"{name}-{kind}", {
                "rule": rule.name,
                "arn": args.alert_topic_arn,
                "retry_policy": ALERT_RETRY,
                "dead_letter_config": {"arn": queue.arn},
            })
            rules.append(rule.arn)
            rule_names.append((rule.name, None))
        allow_senders(self, f"{name}-alerts", queue, source_arns=rules)
        depth_alarm(
            self, f"{name}-alerts", queue,
            alarm_name=physical_name(args.name_prefix, "backup-alerts-dlq", CLOUDWATCH_ALARM),
            what="A backup, copy or restore failure alert",
            check_first="the alert topic's policy and key policy (they must admit events.amazonaws.com).",
            alert_topic_arn=args.alert_topic_arn, tags=tags, rules=rule_names,
        )
        return key

    def _checker(self, name: str, args: DatabaseBackupArgs, vault: aws.backup.Vault,
                 key: aws.kms.Key) -> pulumi.Output[str]:
        """The backup checker (components/backup/checker.py): its role, the state machine, the schedule that starts
        it (retries, a dead-letter queue alarmed like the others) and the alarms on its own failures."""
        config, tags, prefix, region = args.config, args.tags, args.name_prefix, args.region
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        boundary = boundary_arn(account_id, region=region)
        targets = account_id.apply(
            lambda account: checker_target(config, name_prefix=prefix, region=region, account_id=account))
        machine_name = checker_name(prefix)
        role = self.child("checker_role", aws.iam.Role, f"{name}-checker", {
            "name": physical_name(prefix, "backup-checker", IAM_ROLE),
            "description": f"{machine_name}: reads the backup vault's recovery points and restore jobs, reports "
                           "silence to the alert topic",
            "assume_role_policy": account_id.apply(
                lambda account: service_trust_policy("states.amazonaws.com", source_account=account)
            ),
            "permissions_boundary": boundary,
            "tags": tags,
        })
        # Two inline policies, as the off-site copy role's: the first is known at preview (the policy pack checks it
        # then); the topic key's ARN is an output of the key.
        reads = self.child("checker_role_policy", aws.iam.RolePolicy, f"{name}-checker", {
            "role": role.id,
            "policy": targets.apply(checker_policy),
        })
        key_use = self.child("checker_role_policy", aws.iam.RolePolicy, f"{name}-checker-topic-key", {
            "role": role.id,
            "policy": pulumi.Output.from_input(args.alert_key_arn).apply(
                lambda arn: topic_key_policy(key_arn=arn, region=region)),
        })
        machine = self.child("checker", aws.sfn.StateMachine, f"{name}-checker", {
            "name": machine_name,
            "type": "STANDARD",
            "role_arn": role.arn,
            "definition": targets.apply(lambda t: json.dumps(checker_definition(t), indent=2)),
            "tags": tags,
        }, depends_on=[reads, key_use, vault])

        queue = dead_letter_queue(self, f"{name}-checker",
                                  queue_name=physical_name(prefix, "backup-checker-dlq", SQS_QUEUE),
                                  key_arn=key.arn, tags=tags)
        starter = self.child("checker_role", aws.iam.Role, f"{name}-checker-start", {
            "name": physical_name(prefix, "backup-checker-start", IAM_ROLE),
            "description": f"EventBridge Scheduler starts {machine_name}",
            "assume_role_policy": account_id.apply(
                lambda account: service_trust_policy("scheduler.amazonaws.com", source_account=account)
            ),
            "permissions_boundary": boundary,
            "tags": tags,
        })
        starter_rights = self.child("checker_role_policy", aws.iam.RolePolicy, f"{name}-checker-start", {
            "role": starter.id,
            "policy": pulumi.Output.all(machine.arn, queue.arn, key.arn).apply(
                lambda v: starter_policy(state_machine_arn=v[0], queue_arn=v[1], key_arn=v[2])),
        })
        schedule = self.child("checker_schedule", aws.scheduler.Schedule, f"{name}-checker", {
            "name": physical_name(prefix, "backup-checker", EVENTBRIDGE),
            "description": f"Starts {machine_name} every {CHECK_EVERY_HOURS} hours",
            "schedule_expression": f"rate({CHECK_EVERY_HOURS} hours)",
            "flexible_time_window": {"mode": "OFF"},
            "state": "ENABLED",
            "target": {
                "arn": machine.arn,
                "role_arn": starter.arn,
                "input": "{}",
                # A start that keeps failing for one interval is dead-lettered: the next run is due then anyway.
                "retry_policy": {"maximum_retry_attempts": 10,
                                 "maximum_event_age_in_seconds": CHECK_EVERY_HOURS * 3600},
                "dead_letter_config": {"arn": queue.arn},
            },
        }, depends_on=[starter_rights])
        allow_senders(self, f"{name}-checker", queue, source_arns=[schedule.arn])
        depth_alarm(
            self, f"{name}-checker", queue,
            alarm_name=physical_name(prefix, "backup-checker-dlq", CLOUDWATCH_ALARM),
            what=f"A scheduled start of the backup checker {machine_name}",
            check_first=f"the role {physical_name(prefix, 'backup-checker-start', IAM_ROLE)} (states:StartExecution "
                        "on the checker) and that the state machine exists.",
            alert_topic_arn=args.alert_topic_arn, tags=tags,
        )
        self._checker_alarms(name, args, machine, machine_name)
        return machine.arn

    def _checker_alarms(self, name: str, args: DatabaseBackupArgs, machine: aws.sfn.StateMachine,
                        machine_name: str) -> None:
        """The checker's own failures reach a person: a failed run, and a day without a successful one (a schedule
        that stopped, runs that time out or are throttled). Step Functions publishes AWS/States execution metrics
        per state machine, dimension StateMachineArn (AWS Step Functions Developer Guide, "Monitoring Step
        Functions metrics using Amazon CloudWatch": ExecutionsFailed, ExecutionsSucceeded, counts per period)."""
        prefix, tags = args.name_prefix, args.tags
        common = {
            "namespace": "AWS/States",
            "dimensions": {"StateMachineArn": machine.arn},
            "statistic": "Sum",
            "actions_enabled": True,
            "alarm_actions": [args.alert_topic_arn],
            "ok_actions": [args.alert_topic_arn],
            "tags": {**tags, "severity": "critical"},
        }
        check = (f"the execution's error and cause: aws stepfunctions list-executions --state-machine-arn <its ARN> "
                 f"--status-filter FAILED, then aws stepfunctions describe-execution --execution-arn <one>; "
                 f"an AccessDenied names the permission its role {physical_name(prefix, 'backup-checker', IAM_ROLE)} "
                 f"lacks; the error {RULE_NAME_MISSING} means Step Functions' result carries no rule names "
                 "(docs/backups.md, Silence).")
        self.child("checker_alarm", aws.cloudwatch.MetricAlarm, f"{name}-checker-failed", {
            **common,
            "name": physical_name(prefix, "backup-checker-failed", CLOUDWATCH_ALARM),
            "alarm_description": (
                f"The backup checker {machine_name} failed: until it runs again, a backup tier that goes silent is "
                f"not reported. Check first: {check}"),
            "metric_name": "ExecutionsFailed",
            # A run every CHECK_EVERY_HOURS: one period per run, so a failure stays in ALARM until the next run.
            "period": CHECK_EVERY_HOURS * 3600,
            "evaluation_periods": 1,
            "comparison_operator": "GreaterThanThreshold",
            "threshold": 0,
            # No failed execution publishes no data point: that is the healthy state.
            "treat_missing_data": "notBreaching",
        })
        self.child("checker_alarm", aws.cloudwatch.MetricAlarm, f"{name}-checker-stalled", {
            **common,
            "name": physical_name(prefix, "backup-checker-stalled", CLOUDWATCH_ALARM),
            "alarm_description": (
                f"No run of the backup checker {machine_name} succeeded for {CHECKER_STALLED_HOURS} hours (it runs "
                f"every {CHECK_EVERY_HOURS}): its schedule is disabled or failing (see the backup-checker-dlq "
                "alarm), or its runs fail or time out. Check first: aws scheduler get-schedule --name "
                f"{physical_name(prefix, 'backup-checker', EVENTBRIDGE)} (State ENABLED), then the checker's "
                "recent executions: aws stepfunctions list-executions --state-machine-arn <its ARN>."),
            "metric_name": "ExecutionsSucceeded",
            # Hourly sums over a day: any successful run in those 24 hours keeps it OK.
            "period": 3600,
            "evaluation_periods": CHECKER_STALLED_HOURS,
            "datapoints_to_alarm": CHECKER_STALLED_HOURS,
            "comparison_operator": "LessThanThreshold",
            "threshold": 1,
            # No successful run publishes no data point: silence is what this alarm is for.
            "treat_missing_data": "breaching",
        })
