"""EventBridge rules (`aws:cloudwatch/eventRule:EventRule`) and their targets: backup failures reach the alert
channel.

The stack join: when the stack has an AWS Backup plan, some rule's event pattern matches events from
`aws.backup`, and an `aws:cloudwatch/eventTarget:EventTarget` of that rule (its `rule` from the rule) delivers to an
SNS topic (its `arn` computed from an `aws:sns/topic:Topic` of the stack). A stack without a backup plan passes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from ...common import (
    BACKUP_PLAN,
    EVENT_RULE,
    EVENT_TARGET,
    SNS_TOPIC,
    Family,
    StackIndex,
    as_str,
    get,
    stack_policy,
)
from ...refs import platform

_TAGS = ("aws", "eventbridge", "alerting", "backup")
_about = Family("aws-cloudwatch-event-rule", _TAGS).about


def matches_backup_events(rule: PolicyResource) -> bool:
    """Whether the rule's (known, JSON) event pattern selects events whose source is `aws.backup`."""
    text = as_str(get(rule.props, "eventPattern"))
    if not isinstance(text, str):
        return False
    try:
        pattern: Any = json.loads(text)
    except (ValueError, RecursionError):
        return False
    source = pattern.get("source") if isinstance(pattern, dict) else None
    sources = source if isinstance(source, list) else [source]
    return "aws.backup" in sources


def _targets_topic(index: StackIndex, target: PolicyResource, rule: PolicyResource) -> bool:
    if not index.depends_on(target, "rule", rule, "name", "id"):
        return False
    return bool(index.property_deps(target, "arn", SNS_TOPIC))


def _backup_failures_alert(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    plans = index.of_type(BACKUP_PLAN)
    if not plans:
        return
    rules = [rule for rule in index.of_type(EVENT_RULE) if matches_backup_events(rule)]
    targets = index.of_type(EVENT_TARGET)
    if any(_targets_topic(index, target, rule) for rule in rules for target in targets):
        return
    why = (
        "no EventBridge rule with an event pattern on source aws.backup" if not rules
        else "no EventTarget sends the aws.backup rule's events to an SNS topic of this stack"
    )
    for plan in plans:
        yield (f"{plan.name}: {why}, so a failed backup or copy job reaches nobody.", plan.urn)


RESOURCE_TYPE = EVENT_RULE
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    stack_policy(
        _about(
            "require-backup-failure-alerts",
            description="A stack with an AWS Backup plan must route aws.backup failure events to an SNS topic "
            "(EventBridge rule + target) (prod).",
            refs=(platform("alerting baseline"), platform("data-loss baseline")),
            control="backup failures reach the alert channel",
            severity=Severity.HIGH,
            remediation="Create an `aws.cloudwatch.EventRule` with `event_pattern` on source aws.backup (failed, "
            "aborted, expired jobs) and an `aws.cloudwatch.EventTarget(rule=rule.name, arn=alert_topic_arn)`.",
            tags=("prod-only",),
            url="https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html",
        ),
        _backup_failures_alert,
    ),
]
