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
* Silence alerts: per tier, a signal when no recovery point was made within the tier's interval plus its start
  and completion windows (`silence_signal`): a CloudWatch alarm on the vault's completed backup jobs where its
  evaluation range can cover that (the daily tier), else an AWS Backup Audit Manager framework with the
  "last recovery point created" control, whose AWS Config compliance changes an EventBridge rule sends to the
  alert topic (docs/backups.md, "Silence").

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
from components.backup.config import SILENCE_PERIOD_SECONDS, BackupConfig, silence_signal
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


# AWS Backup metrics in CloudWatch (AWS Backup Developer Guide, "AWS Backup metrics with Amazon CloudWatch",
# https://docs.aws.amazon.com/aws-backup/latest/devguide/cloudwatch.html): namespace AWS/Backup, job counts such as
# NumberOfBackupJobsCompleted by the dimensions ResourceType and BackupVaultName. Completed *jobs* (an event count)
# rather than NumberOfRecoveryPointsCompleted, which counts the recovery points in that state (it stays above
# zero while old ones are retained, so it cannot go silent).
SILENCE_METRIC = ("AWS/Backup", "NumberOfBackupJobsCompleted")
SILENCE_RESOURCE_TYPE = "RDS"
# AWS Backup Audit Manager control (AWS Backup Developer Guide, "Controls and remediation", "Last recovery point
# created"): its parameters, and the AWS Config rule it deploys, whose compliance changes reach EventBridge as
# "Config Rules Compliance Change" (AWS Config Developer Guide, "Monitoring AWS Config with Amazon EventBridge").
LAST_RECOVERY_POINT_CONTROL = "BACKUP_LAST_RECOVERY_POINT_CREATED"


def compliance_pattern() -> dict[str, Any]:
    """Compliance changes of the Config rules the Audit Manager frameworks deploy for the last-recovery-point
    control, on RDS DB instances, both ways (non-compliant: a tier went silent; compliant again: it recovered).
    The rule's name is generated by AWS Backup and holds the control's name, hence the wildcard."""
    return {
        "source": ["aws.config"],
        "detail-type": ["Config Rules Compliance Change"],
        "detail": {
            "messageType": ["ComplianceChangeNotification"],
            "configRuleName": [{"wildcard": f"*{LAST_RECOVERY_POINT_CONTROL}*"}],
            "resourceType": ["AWS::RDS::DBInstance"],
            "newEvaluationResult": {"complianceType": ["NON_COMPLIANT", "COMPLIANT"]},
        },
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
    tags: dict[str, str]

    @classmethod
    def from_stack(
        cls,
        stack: StackConfig,
        *,
        instance_arn: pulumi.Input[str],
        db_subnet_group_name: pulumi.Input[str],
        alert_topic_arn: pulumi.Input[str],
    ) -> DatabaseBackupArgs:
        return cls(
            config=stack.backup,
            name_prefix=stack.name_prefix,
            region=stack.aws_region,
            instance_arn=instance_arn,
            db_subnet_group_name=db_subnet_group_name,
            alert_topic_arn=alert_topic_arn,
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
    silence_alarm: ChildTransform
    audit_framework: ChildTransform


class DatabaseBackup(PlatformComponent):
    """AWS Backup of the RDS instance: vault(s), plan, selection, restore testing, failure alerts."""

    Transforms = DatabaseBackupTransforms

    vault_name: pulumi.Output[str]
    vault_arn: pulumi.Output[str]
    copy_vault_arn: pulumi.Output[str] | None
    plan_id: pulumi.Output[str]
    restore_testing_plan_name: pulumi.Output[str] | None

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

        audited = self._silence(name, args, vault)
        self._alerts(name, args, audited=audited)

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

    def _silence(self, name: str, args: DatabaseBackupArgs, vault: aws.backup.Vault) -> bool:
        """Per tier, the signal that no recovery point was made in time (`silence_signal`); True when a tier is
        audited (its compliance changes then need the EventBridge rule of `_alerts`)."""
        config, tags = args.config, args.tags
        audited = False
        for tier in config.rules:
            kind, amount = silence_signal(config, tier)
            if kind == "alarm":
                self.child("silence_alarm", aws.cloudwatch.MetricAlarm, f"{name}-{tier}-silence", {
                    "name": physical_name(args.name_prefix, f"backup-{tier}-silence", CLOUDWATCH_ALARM),
                    "alarm_description": (
                        f"No {tier} (or other) backup job of the database completed in the vault for {amount} hours "
                        "(the rule's interval plus its start and completion windows). Check first: the plan's "
                        f"{tier} rule and the selection (does it still name the database?), then the backup jobs "
                        "list in the AWS Backup console (EXPIRED, or none started at all)."),
                    "namespace": SILENCE_METRIC[0],
                    "metric_name": SILENCE_METRIC[1],
                    "dimensions": {"ResourceType": SILENCE_RESOURCE_TYPE, "BackupVaultName": vault.name},
                    # Statistic: a count of jobs completed in the hour; Sum over the period.
                    "statistic": "Sum",
                    "period": SILENCE_PERIOD_SECONDS,
                    "evaluation_periods": amount,
                    "datapoints_to_alarm": amount,
                    "comparison_operator": "LessThanThreshold",
                    "threshold": 1,
                    # No completed job publishes no data point: silence is the failure this alarm exists for.
                    "treat_missing_data": "breaching",
                    "actions_enabled": True,
                    "alarm_actions": [args.alert_topic_arn],
                    "ok_actions": [args.alert_topic_arn],
                    "tags": {**tags, "severity": "critical"},
                })
            else:
                audited = True
                self.child("audit_framework", aws.backup.Framework, f"{name}-{tier}-recovery-points", {
                    "name": restore_testing_name(args.name_prefix, f"{tier}-recovery-points"),
                    "description": f"A recovery point of the database within {amount} hours (the {tier} tier)",
                    "controls": [{
                        "name": LAST_RECOVERY_POINT_CONTROL,
                        "input_parameters": [
                            {"name": "recoveryPointAgeUnit", "value": "hours"},
                            {"name": "recoveryPointAgeValue", "value": str(amount)},
                        ],
                        "scope": {"compliance_resource_types": [SILENCE_RESOURCE_TYPE]},
                    }],
                    "tags": tags,
                })
        return audited

    def _alerts(self, name: str, args: DatabaseBackupArgs, *, audited: bool) -> None:
        """EventBridge rules for failed backup, copy and restore jobs (and, when a tier is audited, the audit's
        compliance changes), each to the alert topic with retries and a DLQ (itself alarmed)."""
        tags = args.tags
        key = customer_managed_key(
            self, f"{name}-alerts", alias=physical_name(args.name_prefix, "backup-alerts", KMS_ALIAS),
            description=f"{args.name_prefix}: backup alert dead-letter queue", region=args.region, tags=tags,
            protect=False, service_principals=("events.amazonaws.com",), outlives_stack=False,
        )
        queue = dead_letter_queue(self, f"{name}-alerts",
                                  queue_name=physical_name(args.name_prefix, "backup-alerts-dlq", SQS_QUEUE),
                                  key_arn=key.arn, tags=tags)
        rules = []
        rule_names: list[RuleOnBus] = []
        patterns = {
            kind: (f"AWS Backup: {detail_type} with {field} {', '.join(outcomes)}", failure_pattern(kind))
            for kind, (detail_type, field, outcomes) in FAILURE_EVENTS.items()
        }
        if audited:
            patterns["recovery-point-audit"] = (
                "AWS Backup Audit Manager: last recovery point created, compliance changes of the database",
                compliance_pattern())
        for kind, (description, pattern) in patterns.items():
            rule = self.child("alert_rule", aws.cloudwatch.EventRule, f"{name}-{kind}", {
                "name": physical_name(args.name_prefix, kind, EVENTBRIDGE),
                "description": description,
                "event_pattern": json.dumps(pattern),
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
            what="A backup, copy or restore failure (or recovery-point audit) alert",
            check_first="the alert topic's policy and key policy (they must admit events.amazonaws.com).",
            alert_topic_arn=args.alert_topic_arn, tags=tags, rules=rule_names,
        )
