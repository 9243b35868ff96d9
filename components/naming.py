"""Physical names that fit each AWS service's rules and never collide within a stack.

A name is `<prefix>-<suffix>` when that is already valid for the service. When it is not (too long, or a
character the service refuses), the name keeps as much of the prefix as fits, then an 8-hex-digit hash of
the full `(prefix, suffix)` pair, then the suffix: two children of one stack never share a name however
long the stack's name is, and the same inputs always give the same name (no replacement on the next run).

No provider import: config validation and tests use this without loading an SDK.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from components.concern import full_match

HASH_LENGTH = 8


@dataclass(frozen=True)
class NameRule:
    """What one service accepts as a name, and how to bend an arbitrary string into it."""

    service: str
    limit: int
    #: The service's documented pattern, matched in full and ASCII-only.
    pattern: re.Pattern[str]
    #: Characters kept as they are (a regex character-class body); every other one becomes a hyphen.
    allowed: str = "a-z0-9-"
    #: The service stores the name lowercased (RDS, ElastiCache), so two names differing in case collide.
    lowercase: bool = True
    #: Letters, digits and single hyphens, starting with a letter, not ending in a hyphen.
    identifier: bool = True


# Letters, digits and single hyphens; starts with a letter; never ends in a hyphen.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")

#: The stack's own prefix (`<project>-<stack>`): valid inside every name below, kept short enough that most
#: names built on it need no hash.
NAME_PREFIX = NameRule("name prefix", 40, _IDENTIFIER)
#: RDS CreateDBInstance DBInstanceIdentifier: 1-63 letters, digits, hyphens; first a letter; no '--', no
#: trailing hyphen; stored lowercase (AWS RDS API reference).
RDS_INSTANCE = NameRule("RDS DB instance identifier", 63, _IDENTIFIER)
#: RDS CreateDBProxy DBProxyName: same shape (pulumi_aws rds.Proxy `name` docstring), at most 60 characters.
RDS_PROXY = NameRule("RDS Proxy name", 60, _IDENTIFIER)
#: RDS DB parameter group and DB subnet group names: 1-255 characters of the identifier shape.
RDS_PARAMETER_GROUP = NameRule("RDS DB parameter group name", 255, _IDENTIFIER)
RDS_SUBNET_GROUP = NameRule("RDS DB subnet group name", 255, _IDENTIFIER)
#: ElastiCache Serverless cache name, user id and user group id: at most 40 characters, begin with a letter,
#: no '--', no trailing hyphen (ElastiCache RBAC and serverless naming constraints); stored lowercase.
ELASTICACHE_SERVERLESS_CACHE = NameRule("ElastiCache Serverless cache name", 40, _IDENTIFIER)
ELASTICACHE_USER_ID = NameRule("ElastiCache user id", 40, _IDENTIFIER)
ELASTICACHE_USER_GROUP_ID = NameRule("ElastiCache user group id", 40, _IDENTIFIER)
#: IAM role name: 1-64 of letters, digits and +=,.@_- (IAM CreateRole RoleName); unique case-insensitively.
IAM_ROLE = NameRule("IAM role name", 64, re.compile(r"[a-z0-9+=,.@_-]+"), allowed="a-z0-9+=,.@_-",
                    identifier=False)
#: IAM customer-managed policy name: 1-128 of letters, digits and +=,.@_- (IAM CreatePolicy PolicyName).
IAM_POLICY = NameRule("IAM policy name", 128, re.compile(r"[a-z0-9+=,.@_-]+"), allowed="a-z0-9+=,.@_-",
                      identifier=False)
#: Lambda function name: 1-64 letters, digits, hyphens and underscores (Lambda CreateFunction FunctionName).
LAMBDA_FUNCTION = NameRule("Lambda function name", 64, re.compile(r"[a-zA-Z0-9_-]+"), allowed="a-zA-Z0-9_-",
                           lowercase=False, identifier=False)
#: KMS alias name after `alias/`: 256 in all, letters, digits, '/', '_', '-' (KMS CreateAlias AliasName).
KMS_ALIAS = NameRule("KMS alias name", 256 - len("alias/"), re.compile(r"[a-zA-Z0-9/_-]+"),
                     allowed="a-zA-Z0-9/_-", lowercase=False, identifier=False)
#: CloudWatch Logs log group name: 1-512 of letters, digits and ._-/# (CreateLogGroup logGroupName).
LOG_GROUP = NameRule("CloudWatch log group name", 512, re.compile(r"[A-Za-z0-9._/#-]+"),
                     allowed="A-Za-z0-9._/#-", lowercase=False, identifier=False)
#: S3 bucket name: 3-63 lowercase letters, digits, hyphens (and dots, never used here), starting and ending
#: with a letter or digit, globally unique (S3 User Guide, "General purpose bucket naming rules").
S3_BUCKET = NameRule("S3 bucket name", 63, _IDENTIFIER)
#: Azure resource group name: 1-90 letters, digits, '_', '-', '.', '(' and ')', not ending in '.'.
AZURE_RESOURCE_GROUP = NameRule("Azure resource group name", 90, _IDENTIFIER)

#: SNS topic name: 1-256 letters, digits, hyphens and underscores (SNS CreateTopic Name).
SNS_TOPIC = NameRule("SNS topic name", 256, re.compile(r"[a-z0-9_-]+"), allowed="a-z0-9_-", identifier=False)
#: CloudWatch alarm name: 1-255 characters (PutMetricAlarm AlarmName); kept to letters, digits and ._-.
CLOUDWATCH_ALARM = NameRule("CloudWatch alarm name", 255, re.compile(r"[a-z0-9._-]+"), allowed="a-z0-9._-",
                            identifier=False)
#: AWS Chatbot configuration name: 1-128 letters, digits, hyphens and underscores (CreateSlackChannelConfiguration).
CHATBOT_CONFIGURATION = NameRule("AWS Chatbot configuration name", 128, re.compile(r"[a-z0-9_-]+"),
                                 allowed="a-z0-9_-", identifier=False)
#: RDS event subscription name: letters, digits and hyphens, starting with a letter, at most 255 characters.
RDS_EVENT_SUBSCRIPTION = NameRule("RDS event subscription name", 255, _IDENTIFIER)

#: AWS Backup vault name: 2-50 letters, digits, hyphens, underscores (CreateBackupVault BackupVaultName).
BACKUP_VAULT = NameRule("AWS Backup vault name", 50, re.compile(r"[a-zA-Z0-9_-]{2,50}"), allowed="a-z0-9_-",
                        identifier=False)
#: AWS Backup plan name: 1-50 letters, digits, hyphens, underscores, periods (CreateBackupPlan BackupPlanName).
BACKUP_PLAN = NameRule("AWS Backup plan name", 50, re.compile(r"[a-zA-Z0-9_.-]+"), allowed="a-z0-9_.-",
                       identifier=False)
#: SQS queue name: 1-80 letters, digits, hyphens, underscores (CreateQueue QueueName).
SQS_QUEUE = NameRule("SQS queue name", 80, re.compile(r"[a-zA-Z0-9_-]+"), allowed="a-z0-9_-", identifier=False)
#: EventBridge names (rule, connection, API destination, event bus) and Scheduler names (schedule, schedule
#: group): 1-64 letters, digits and . - _ (PutRule Name, CreateConnection Name, CreateSchedule Name).
EVENTBRIDGE = NameRule("EventBridge or Scheduler name", 64, re.compile(r"[a-zA-Z0-9._-]+"), allowed="a-z0-9._-",
                       identifier=False)
#: Step Functions state machine name: 1-80 letters, digits, hyphens and underscores (CreateStateMachine name; the
#: provider's `name` validation, and the characters CloudWatch Logs logging admits).
STATE_MACHINE = NameRule("Step Functions state machine name", 80, re.compile(r"[a-zA-Z0-9_-]+"),
                         allowed="a-z0-9_-", identifier=False)
#: CloudWatch alarm name: 1-255 printable characters (PutMetricAlarm AlarmName); kept to the identifier set.
CLOUDWATCH_ALARM = NameRule("CloudWatch alarm name", 255, re.compile(r"[a-zA-Z0-9._-]+"), allowed="a-z0-9._-",
                            identifier=False)

#: AWS Budgets budget name: 1-100 characters, no ':' or backslash (Budgets API, Budget BudgetName); kept to ._- and
#: alphanumerics.
BUDGET = NameRule("AWS Budgets budget name", 100, re.compile(r"[a-z0-9._-]+"), allowed="a-z0-9._-",
                  identifier=False)


def physical_name(prefix: str, suffix: str, rule: NameRule) -> str:
    """`<prefix>-<suffix>` when the service accepts it as is; otherwise a valid name with a stable hash of
    both parts, so that distinct (prefix, suffix) pairs never map to the same name."""
    original = f"{prefix}-{suffix}" if suffix else prefix
    clean = _sanitize(original, rule)
    if clean == original and is_valid(clean, rule):
        return clean
    digest = hashlib.sha256(f"{prefix}\x00{suffix}".encode()).hexdigest()[:HASH_LENGTH]
    tail = _sanitize(suffix, rule, leading_letter=False) if suffix else ""
    # Keep the suffix readable (it says which child this is) when it leaves room for some of the prefix.
    if tail and len(tail) + HASH_LENGTH + 2 <= rule.limit // 2:
        room = rule.limit - len(tail) - HASH_LENGTH - 2
        name = f"{_head(prefix, room, rule)}-{digest}-{tail}"
    else:
        name = f"{_head(original, rule.limit - HASH_LENGTH - 1, rule)}-{digest}"
    if not is_valid(name, rule):  # the construction above cannot fail; this guards its future edits
        raise ValueError(f"cannot derive a valid {rule.service} from {original!r}: got {name!r}")
    return name


def is_valid(name: str, rule: NameRule) -> bool:
    """Whether the service accepts `name`: its pattern, in full and ASCII-only, within its length limit."""
    return 0 < len(name) <= rule.limit and full_match(rule.pattern, name)


def _head(text: str, room: int, rule: NameRule) -> str:
    head = _sanitize(text, rule)[:room]
    return head.rstrip("-") if rule.identifier else head


def _sanitize(text: str, rule: NameRule, *, leading_letter: bool = True) -> str:
    if rule.lowercase:
        text = text.lower()
    text = re.sub(f"[^{rule.allowed}]", "-", text, flags=re.ASCII)
    if not rule.identifier:
        return text or "x"
    text = re.sub("-{2,}", "-", text).strip("-")
    if leading_letter and not (text[:1].isascii() and text[:1].isalpha()):
        text = f"x-{text}".rstrip("-")
    return text


def restore_testing_name(prefix: str, suffix: str) -> str:
    """AWS Backup restore testing plan and selection names: 1-50 letters, digits and underscores, starting with a
    letter (pulumi_aws backup.RestoreTestingPlan `name` docstring): the plan-name form with '_' for '-' (the
    stack prefix never holds an underscore, so distinct names stay distinct)."""
    return physical_name(prefix, suffix, _IDENTIFIER_50).replace("-", "_")


_IDENTIFIER_50 = NameRule("AWS Backup restore testing name", 50, _IDENTIFIER)
