"""The backup checker: a Step Functions state machine that asks AWS Backup, every few hours, whether each tier of
the plan made a recovery point within its window and whether restore testing ran within its own, and tells the
alert topic when one went silent (docs/backups.md, "Silence").

    EventBridge Scheduler (rate, retries, its own DLQ)
      -> states:StartExecution of the checker (STANDARD workflow, JSONata)
           (input {"probe": true}: one test message to the topic first; the runbook's check)
           DescribeBackupVault                     when the vault was made (a new stack is not "silent")
           Map over the tiers:                     ListRecoveryPointsByBackupVault(ByCreatedAfter = now - window),
                                                   paged; count this rule's completed points; publish if none
           GetRestoreTestingPlan, ListRestoreJobs  (with restore testing) the same for restore jobs
      -> sns:Publish to the alert topic, as the checker's role
    Checker failures: alarms on AWS/States ExecutionsFailed and on ExecutionsSucceeded missing for a day.

STANDARD, not EXPRESS: a Standard execution's history is kept by Step Functions for 90 days and read with
`describe-execution` / `get-execution-history` (the post-deploy check and any investigation need nothing else),
where an Express workflow's executions are visible only through CloudWatch Logs (DescribeExecution does not
support them: AWS Step Functions Developer Guide, "Choosing workflow type"). At 4 runs a day and about 25 state
transitions a run the checker stays within the Standard free tier's 4,000 transitions a month.

No provider import: the definition and the role policies are built from names known before anything exists (the
vault, the topic, the restore testing plan, the account), so the offline plan shows them, the policy pack checks
them at preview, and the tests run the JSONata (tests/components/backup/test_checker.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from components.alerting.steps import alert_topics
from components.aws.partition import aws_partition, dns_suffix
from components.backup.config import BackupConfig, restore_test_window_hours, silence_window_hours
from components.naming import BACKUP_VAULT, STATE_MACHINE, physical_name, restore_testing_name

#: How often the schedule starts the checker; a silent tier is reported this often until it recovers.
CHECK_EVERY_HOURS = 6
#: A day without a successful run is alarmed (4 runs missed), not one missed run: a throttled or retried start is
#: no outage.
CHECKER_STALLED_HOURS = 24
#: A run takes seconds; past this it is stuck, and its timeout counts against the success alarm.
CHECK_TIMEOUT_SECONDS = 900
#: Step Functions quota: "Maximum input or output size for a task, state, or execution: 256 KiB" (AWS Step
#: Functions Developer Guide, "Step Functions service quotas"). A recovery point or a restore job in a list result is
#: about 1-2 KB of JSON, so a page of 50 stays far below it; the API allows 1-1000 (MaxResults, "Valid Range: 1-1000"
#: on the ListRecoveryPointsByBackupVault and ListRestoreJobs pages). A page can be cut short by the service anyway,
#: so the checker follows NextToken until there is none.
PAGE_SIZE = 50
#: Recovery point statuses that make a point a usable backup (RecoveryPointByBackupVault `Status`: COMPLETED |
#: PARTIAL | DELETING | EXPIRED | AVAILABLE | STOPPED | CREATING). A job still CREATING at the end of its window
#: has already outrun its completion window.
USABLE_STATUSES = ("COMPLETED", "AVAILABLE")
#: The error the checker fails with when it cannot tell the tiers apart (see `_tier_processor`).
RULE_NAME_MISSING = "BackupChecker.RuleNameMissing"
#: Retries of every service call: throttling and transient errors. `States.TaskFailed` matches every error of a
#: Task but a timeout (AWS Step Functions Developer Guide, "Error handling in Step Functions").
RETRY = [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 5, "MaxAttempts": 3, "BackoffRate": 2.0,
          "JitterStrategy": "FULL"}]


@dataclass(frozen=True, kw_only=True)
class TierWindow:
    """One rule of the backup plan and how many hours may pass without a recovery point of it."""

    tier: str
    rule: str
    hours: int


@dataclass(frozen=True, kw_only=True)
class RestoreWindow:
    """The restore testing plan and how many hours may pass without a restore job of it."""

    plan_name: str
    hours: int


@dataclass(frozen=True, kw_only=True)
class CheckerTarget:
    """What one stack's checker looks at and where it reports."""

    label: str  # the stack's name prefix, in every alert's subject
    region: str
    account_id: str
    vault_name: str
    topic_arn: str
    state_machine_name: str
    tiers: tuple[TierWindow, ...]
    restore: RestoreWindow | None

    @property
    def partition(self) -> str:
        return aws_partition(self.region)

    @property
    def vault_arn(self) -> str:
        # Service Authorization Reference, AWS Backup, resource type backupVault.
        return f"arn:{self.partition}:backup:{self.region}:{self.account_id}:backup-vault:{self.vault_name}"

    @property
    def restore_plan_arns(self) -> str | None:
        # Service Authorization Reference, AWS Backup, resource type restoreTestingPlan:
        # ...:restore-testing-plan:${RestoreTestingPlanName}-${RestoreTestingPlanId} (the id is AWS's).
        if self.restore is None:
            return None
        return (f"arn:{self.partition}:backup:{self.region}:{self.account_id}:restore-testing-plan:"
                f"{self.restore.plan_name}-*")

    @property
    def state_machine_arn(self) -> str:
        return f"arn:{self.partition}:states:{self.region}:{self.account_id}:stateMachine:{self.state_machine_name}"


def checker_name(name_prefix: str) -> str:
    """The state machine's name (and its schedule's, its roles' and alarms' stem)."""
    return physical_name(name_prefix, "backup-checker", STATE_MACHINE)


def checker_target(config: BackupConfig, *, name_prefix: str, region: str, account_id: str) -> CheckerTarget:
    """One stack's checker, named as the component names its vault, restore testing plan and alert topic (every
    name is known before anything exists: the definition and the role policy are in the plan). A tier's rule is
    named after it (the plan's `rule_name`)."""
    (topic_name, _), *_ = alert_topics(name_prefix, region)
    restore_hours = restore_test_window_hours(config)
    return CheckerTarget(
        label=name_prefix, region=region, account_id=account_id,
        vault_name=physical_name(name_prefix, "backup", BACKUP_VAULT),
        topic_arn=f"arn:{aws_partition(region)}:sns:{region}:{account_id}:{topic_name}",
        state_machine_name=checker_name(name_prefix),
        tiers=tuple(TierWindow(tier=tier, rule=tier, hours=silence_window_hours(config, tier))
                    for tier in config.rules),
        restore=(RestoreWindow(plan_name=restore_testing_name(name_prefix, "restore-test"), hours=restore_hours)
                 if restore_hours is not None else None),
    )


# ----------------------------------------------------------------------------------------------- the definition
def _sdk(action: str, partition: str) -> str:
    """An AWS SDK service integration's resource (AWS Step Functions Developer Guide, "AWS SDK integrations":
    arn:aws:states:::aws-sdk:serviceName:apiAction, the action in camelCase)."""
    return f"arn:{partition}:states:::aws-sdk:backup:{action}"


def _millis(field: str) -> str:
    """A timestamp of an AWS SDK result as epoch milliseconds, whichever form Step Functions hands it over in.

    The AWS Backup API sends timestamps "in Unix format" (epoch seconds with milliseconds, e.g. 1516925490.087:
    CreationDate on the ListRecoveryPointsByBackupVault page); Step Functions re-serialises an SDK result as JSON
    and no page of its guide states the form. Its own timestamps (the context object's Execution.StartTime) and
    the results of other AWS SDK integrations seen in public code are ISO 8601 strings. Both are read here; a
    form neither parses fails the execution, which the checker's failure alarm reports (never a false "OK")."""
    return f"($type({field}) = 'number' ? {field} * 1000 : $toMillis({field}))"


def _text(*parts: str) -> str:
    """A JSONata string concatenation of literal text and `{expression}` parts: `("a" & $string(x) & "b")`. The
    literals are JSON strings, which JSONata's double-quoted string literals read alike (its escapes are JSON's)."""
    return "(" + " & ".join(f"$string({part[1:-1]})" if part.startswith("{") and part.endswith("}")
                            else json.dumps(part) for part in parts) + ")"


def tier_subject(label: str) -> str:
    """The subject of a tier's silence alert (SNS Publish `Subject`: ASCII, no line breaks, under 100 characters)."""
    return _text(f"[{label}] no ", "{$tier}", " backup recovery point in ", "{$hours}", " h")


def tier_message(target: CheckerTarget) -> str:
    vault, region = target.vault_name, target.region
    return _text(
        "No ", "{$tier}", f" recovery point of the database was completed in the AWS Backup vault {vault} "
        f"({region}) in the last ", "{$hours}", " hours, since ", "{$cutoff}", " (the ", "{$tier}",
        " rule's longest interval plus its start and completion windows). Recovery points of the other rules in "
        "that time: ", "{$others}", ". Check first: the backup plan's ", "{$tier}", " rule (still there, its "
        f"schedule) and its selection (does it still name the database?): aws backup list-backup-plans --region "
        f"{region}, then aws backup list-backup-selections --region "
        f"{region} --backup-plan-id <id>; then the backup jobs since then: "
        f"aws backup list-backup-jobs --region {region} --by-backup-vault-name {vault} --by-created-after ",
        "{$cutoff}", " (EXPIRED, FAILED, or none started). This check runs every "
        f"{CHECK_EVERY_HOURS} hours and repeats until a ", "{$tier}", " recovery point exists. Checker execution: ",
        "{$states.context.Execution.Id}",
    )


def restore_subject(label: str) -> str:
    return _text(f"[{label}] no restore test in ", "{$restoreHours}", " h")


def restore_message(target: CheckerTarget) -> str:
    assert target.restore is not None
    plan, region = target.restore.plan_name, target.region
    return _text(
        f"No restore job of the restore testing plan {plan} ({region}) was started in the last ", "{$restoreHours}",
        " hours, since ", "{$restoreCutoff}", " (its schedule's longest interval plus its start window): the "
        "restore test of the database did not run. Check first: the plan and its selection, aws backup "
        f"get-restore-testing-plan --region {region} --restore-testing-plan-name {plan} and aws backup "
        f"list-restore-testing-selections --region {region} --restore-testing-plan-name {plan} (is the database "
        "still selected?), then aws backup list-restore-jobs --region "
        f"{region} --by-restore-testing-plan-arn ", "{$restorePlanArn}", " --by-created-after ",
        "{$restoreCutoff}", f". This check runs every {CHECK_EVERY_HOURS} hours and repeats until a restore job "
        "exists. Checker execution: ", "{$states.context.Execution.Id}",
    )


def _points(condition: str) -> str:
    """The recovery points of this page, created since the tier's cutoff, that meet `condition`."""
    statuses = ", ".join(f"'{status}'" for status in USABLE_STATUSES)
    return (f"$states.result.RecoveryPoints[{condition} and Status in [{statuses}] and "
            f"{_millis('CreationDate')} >= $cutoffMs]")


def _tier_processor(target: CheckerTarget) -> dict[str, Any]:
    """One tier: page through the vault's recovery points created since the tier's cutoff, count those of its rule
    (`CreatedBy.BackupRuleName`, AWS Backup API, RecoveryPointCreator), publish when there are none and the vault
    is older than the window.

    BackupRuleName joined the API in October 2025. Step Functions releases AWS SDK integration updates quarterly
    ("Updates to already supported actions, such as new parameters, may not be available immediately": AWS Step
    Functions Developer Guide, "Change log for supported AWS SDK integrations"), and a result field its model lacks
    is not passed on. Points that a rule made (they carry `BackupRuleId`) without a `BackupRuleName` mean the checker
    cannot tell the tiers apart: it fails (`RULE_NAME_MISSING`), so the failure alarm says so, instead of
    reporting every tier silent or none."""
    partition = target.partition
    return {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "TierWindow",
        "States": {
            "TierWindow": {
                "Type": "Pass",
                "Comment": "The tier's cutoff; a vault younger than the window cannot have missed it yet",
                "Assign": {
                    "tier": "{% $states.input.tier %}",
                    "rule": "{% $states.input.rule %}",
                    "hours": "{% $states.input.hours %}",
                    "cutoffMs": "{% $checkedAtMs - $states.input.hours * 3600000 %}",
                    "cutoff": "{% $fromMillis($checkedAtMs - $states.input.hours * 3600000) %}",
                    "due": "{% $checkedAtMs - $vaultCreatedMs >= $states.input.hours * 3600000 %}",
                    "found": 0,
                    "others": 0,
                    "unnamed": 0,
                    "nextToken": "",
                    "alerted": False,
                },
                "Next": "ListRecoveryPoints",
            },
            "ListRecoveryPoints": {
                "Type": "Task",
                "Resource": _sdk("listRecoveryPointsByBackupVault", partition),
                # NextToken only on the following pages (an empty token is not a token).
                "Arguments": "{% $merge([{'BackupVaultName': $vaultName, 'ByCreatedAfter': $cutoff, "
                             f"'MaxResults': {PAGE_SIZE}}}, $nextToken ? {{'NextToken': $nextToken}} : {{}}]) %}}",
                "Retry": RETRY,
                "Assign": {
                    "found": "{% $found + $count(" + _points("CreatedBy.BackupRuleName = $rule") + ") %}",
                    "others": "{% $others + $count(" + _points(
                        "$exists(CreatedBy.BackupRuleName) and CreatedBy.BackupRuleName != $rule") + ") %}",
                    "unnamed": "{% $unnamed + $count($states.result.RecoveryPoints[$exists(CreatedBy.BackupRuleId) "
                               "and $not($exists(CreatedBy.BackupRuleName))]) %}",
                    "nextToken": "{% $states.result.NextToken ? $states.result.NextToken : '' %}",
                },
                "Output": {},  # the page stays out of the execution's data
                "Next": "MorePages",
            },
            "MorePages": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $nextToken != '' %}", "Next": "ListRecoveryPoints"}],
                "Default": "Counted",
            },
            "Counted": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $found = 0 and $unnamed > 0 %}", "Next": "RuleNamesMissing"},
                    {"Condition": "{% $due and $found = 0 %}", "Next": "PublishTierSilence"},
                ],
                "Default": "TierChecked",
            },
            "RuleNamesMissing": {
                "Type": "Fail",
                "Error": RULE_NAME_MISSING,
                "Cause": "Recovery points made by a backup rule carry no CreatedBy.BackupRuleName in the "
                         "ListRecoveryPointsByBackupVault result Step Functions returned, so the tiers cannot be told "
                         "apart. Compare with aws backup list-recovery-points-by-backup-vault (the CLI shows the "
                         "field when the API sends it): if only Step Functions lacks it, its AWS SDK integration "
                         "predates the field (docs/backups.md, Silence).",
            },
            "PublishTierSilence": _publish_state(partition, target.topic_arn, tier_subject(target.label),
                                                 tier_message(target), flag="alerted", next_state="TierChecked"),
            "TierChecked": {
                "Type": "Pass",
                "Output": {
                    "tier": "{% $tier %}",
                    "windowHours": "{% $hours %}",
                    "since": "{% $cutoff %}",
                    "due": "{% $due %}",
                    "recoveryPoints": "{% $found %}",
                    "otherRules": "{% $others %}",
                    "alerted": "{% $alerted %}",
                },
                "End": True,
            },
        },
    }


def _restore_states(target: CheckerTarget) -> dict[str, Any]:
    """Restore testing: the plan's ARN and creation time by its name, then its restore jobs since the cutoff
    (ListRestoreJobs, ByRestoreTestingPlanArn and ByCreatedAfter), paged; publish when there are none."""
    assert target.restore is not None
    partition, hours = target.partition, target.restore.hours
    return {
        "RestoreTestingPlan": {
            "Type": "Task",
            "Resource": _sdk("getRestoreTestingPlan", partition),
            "Arguments": {"RestoreTestingPlanName": target.restore.plan_name},
            "Retry": RETRY,
            "Assign": {
                "restorePlanArn": "{% $states.result.RestoreTestingPlan.RestoreTestingPlanArn %}",
                "restoreHours": hours,
                "restoreCutoffMs": f"{{% $checkedAtMs - {hours} * 3600000 %}}",
                "restoreCutoff": f"{{% $fromMillis($checkedAtMs - {hours} * 3600000) %}}",
                "restoreDue": "{% $checkedAtMs - " + _millis("$states.result.RestoreTestingPlan.CreationTime")
                              + f" >= {hours} * 3600000 %}}",
                "restoreJobs": 0,
                "restoreNextToken": "",
                "restoreAlerted": False,
            },
            "Output": {},
            "Next": "ListRestoreJobs",
        },
        "ListRestoreJobs": {
            "Type": "Task",
            "Resource": _sdk("listRestoreJobs", partition),
            "Arguments": "{% $merge([{'ByRestoreTestingPlanArn': $restorePlanArn, 'ByCreatedAfter': $restoreCutoff, "
                         f"'MaxResults': {PAGE_SIZE}}}, $restoreNextToken ? {{'NextToken': $restoreNextToken}} : "
                         "{}]) %}",
            "Retry": RETRY,
            "Assign": {
                "restoreJobs": "{% $restoreJobs + $count($states.result.RestoreJobs["
                               + _millis("CreationDate") + " >= $restoreCutoffMs]) %}",
                "restoreNextToken": "{% $states.result.NextToken ? $states.result.NextToken : '' %}",
            },
            "Output": {},
            "Next": "MoreRestoreJobs",
        },
        "MoreRestoreJobs": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $restoreNextToken != '' %}", "Next": "ListRestoreJobs"}],
            "Default": "RestoreJobsCounted",
        },
        "RestoreJobsCounted": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $restoreDue and $restoreJobs = 0 %}", "Next": "PublishRestoreSilence"}],
            "Default": "Report",
        },
        "PublishRestoreSilence": _publish_state(partition, target.topic_arn, restore_subject(target.label),
                                                restore_message(target), flag="restoreAlerted", next_state="Report"),
    }


def _publish_state(partition: str, topic_arn: str, subject: str, message: str, *, flag: str,
                   next_state: str) -> dict[str, Any]:
    """A task that publishes one silence alert (JSONata subject and message) and records that it did (`flag`)."""
    return {
        "Type": "Task",
        "Resource": f"arn:{partition}:states:::sns:publish",
        "Arguments": {"TopicArn": topic_arn, "Subject": "{% " + subject + " %}", "Message": "{% " + message + " %}"},
        "Retry": RETRY,
        "Assign": {flag: True},
        "Output": {},
        "Next": next_state,
    }


def checker_definition(target: CheckerTarget) -> dict[str, Any]:
    """The state machine's definition (Amazon States Language, QueryLanguage JSONata)."""
    restore = target.restore is not None
    report: dict[str, Any] = {
        "vault": "{% $vaultName %}",
        "checkedAt": "{% $states.context.Execution.StartTime %}",
        "tiers": "{% $tiers %}",
    }
    if restore:
        report["restoreTests"] = {
            "plan": "{% $restorePlanArn %}",
            "windowHours": "{% $restoreHours %}",
            "since": "{% $restoreCutoff %}",
            "due": "{% $restoreDue %}",
            "restoreJobs": "{% $restoreJobs %}",
            "alerted": "{% $restoreAlerted %}",
        }
    states: dict[str, Any] = {
        "Probe": {
            "Type": "Choice",
            "Comment": "Started with {\"probe\": true} (the runbook's check): first prove the path to the topic",
            "Choices": [{"Condition": "{% $states.input.probe = true %}", "Next": "PublishProbe"}],
            "Default": "DescribeVault",
        },
        "PublishProbe": {
            "Type": "Task",
            "Resource": f"arn:{target.partition}:states:::sns:publish",
            "Arguments": {
                "TopicArn": target.topic_arn,
                "Subject": f"[{target.label}] backup checker test",
                "Message": "{% " + _text(
                    f"A test from the backup checker {target.state_machine_name}, started with probe: its role can "
                    "publish to the alert topic. Nothing is wrong. Execution: ", "{$states.context.Execution.Id}")
                           + " %}",
            },
            "Retry": RETRY,
            "Output": {},
            "Next": "DescribeVault",
        },
        "DescribeVault": {
            "Type": "Task",
            "Comment": "When the vault was made: a tier is not late before its window has passed once",
            "Resource": _sdk("describeBackupVault", target.partition),
            "Arguments": {"BackupVaultName": target.vault_name},
            "Retry": RETRY,
            "Assign": {
                "vaultName": target.vault_name,
                # The context object's timestamps are ISO 8601 (the milliseconds may be left out): $toMillis
                # reads both.
                "checkedAtMs": "{% $toMillis($states.context.Execution.StartTime) %}",
                "vaultCreatedMs": "{% " + _millis("$states.result.CreationDate") + " %}",
            },
            "Output": {},
            "Next": "CheckTiers",
        },
        "CheckTiers": {
            "Type": "Map",
            "Comment": "One tier after the other (one AWS Backup call at a time)",
            "Items": [{"tier": t.tier, "rule": t.rule, "hours": t.hours} for t in target.tiers],
            "MaxConcurrency": 1,
            "ItemProcessor": _tier_processor(target),
            "Assign": {"tiers": "{% $states.result %}"},
            "Output": {},
            "Next": "RestoreTestingPlan" if restore else "Report",
        },
        **(_restore_states(target) if restore else {}),
        "Report": {"Type": "Pass", "Output": report, "End": True},
    }
    return {
        "Comment": f"{target.label}: is each backup tier (and restore testing) making recovery points (restore "
                   "jobs) within its window? Silence goes to the alert topic (docs/backups.md, Silence).",
        "QueryLanguage": "JSONata",
        "TimeoutSeconds": CHECK_TIMEOUT_SECONDS,
        "StartAt": "Probe",
        "States": states,
    }


# --------------------------------------------------------------------------------------------------- the roles
def checker_policy(target: CheckerTarget) -> str:
    """What the checker's role may do: read the vault's recovery points, the restore testing plan and the restore
    jobs (ListRestoreJobs has no resource type: Service Authorization Reference, AWS Backup, so `*`), and publish to
    the alert topic. Nothing that writes to AWS Backup."""
    statements: list[dict[str, Any]] = [
        {"Sid": "ReadTheVaultsRecoveryPoints", "Effect": "Allow",
         "Action": ["backup:DescribeBackupVault", "backup:ListRecoveryPointsByBackupVault"],
         "Resource": target.vault_arn},
    ]
    if target.restore is not None:
        statements += [
            {"Sid": "ReadTheRestoreTestingPlan", "Effect": "Allow", "Action": "backup:GetRestoreTestingPlan",
             "Resource": target.restore_plan_arns},
            {"Sid": "ListRestoreJobs", "Effect": "Allow", "Action": "backup:ListRestoreJobs", "Resource": "*"},
        ]
    statements.append({"Sid": "ReportToTheAlertTopic", "Effect": "Allow", "Action": "sns:Publish",
                       "Resource": target.topic_arn})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def topic_key_policy(*, key_arn: str, region: str) -> str:
    """The alert topic's key, only through SNS: SNS encrypts a message with the topic's key on the publisher's
    behalf, so the publisher needs kms:GenerateDataKey and kms:Decrypt on it (AWS SNS Developer Guide,
    sns-key-management), as the off-site copy role has them (components/backup_storage/component.py)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "TheTopicsKeyThroughSns", "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
         "Resource": key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": f"sns.{region}.{dns_suffix(region)}"}}},
    ]})


def starter_policy(*, state_machine_arn: str, queue_arn: str, key_arn: str) -> str:
    """The schedule's execution role: start the checker, and deliver its dead letters (EventBridge Scheduler User
    Guide: a Step Functions target needs states:StartExecution on the state machine; "Configuring a dead-letter
    queue": Scheduler sends with the execution role, sqs:SendMessage and the SSE-KMS queue's key)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "StartTheChecker", "Effect": "Allow", "Action": "states:StartExecution",
         "Resource": state_machine_arn},
        {"Sid": "DeliverDeadLetters", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn},
        {"Sid": "EncryptDeadLetters", "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
         "Resource": key_arn},
    ]})


