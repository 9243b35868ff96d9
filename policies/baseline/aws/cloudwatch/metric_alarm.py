"""CloudWatch metric alarms (`aws:cloudwatch/metricAlarm:MetricAlarm`): an alarm that notifies nobody is a
dashboard nobody looks at. Absent inputs: `actionsEnabled` true, `alarmActions` / `okActions` none,
`treatMissingData` "missing".

The stack join: in prod the database and the cache each have at least one alarm watching them, i.e. an alarm
whose `dimensions` name the RDS instance (`DBInstanceIdentifier`) or the ElastiCache Serverless cache
(`clusterId`), through a property dependency on it or its literal identifier / name.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from ...common import (
    METRIC_ALARM,
    RDS_INSTANCE,
    SERVERLESS_CACHE,
    UNKNOWN,
    Family,
    StackIndex,
    as_list,
    flag,
    get,
    has_key,
    is_set,
    resource_policy,
    stack_policy,
)
from ...refs import ckv, fsbp, platform

_TAGS = ("aws", "cloudwatch", "alarm", "alerting")
_about = Family("aws-cloudwatch-metric-alarm", _TAGS).about
_GUIDE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring"


def _actions(args: ResourceValidationArgs, prop: str) -> bool:
    """Whether `prop` lists at least one action; an unknown list or element counts (it holds a topic ARN)."""
    items = as_list(get(args.props, prop))
    return items is UNKNOWN or (isinstance(items, list) and any(is_set(item) for item in items))


def _alarm_actions(args: ResourceValidationArgs) -> Iterator[str]:
    if not flag(args, "actionsEnabled", default=True):
        yield "actionsEnabled is false: the alarm changes state and notifies nobody."
    if not _actions(args, "alarmActions"):
        yield "alarmActions is empty: when the alarm fires nobody is told; add the alert topic's ARN."


def _ok_actions(args: ResourceValidationArgs) -> Iterator[str]:
    if not _actions(args, "okActions"):
        yield "okActions is empty: nobody is told when the alarm recovers; add the alert topic's ARN."


def _treat_missing_data(args: ResourceValidationArgs) -> Iterator[str]:
    if not is_set(get(args.props, "treatMissingData")):
        yield (
            "treatMissingData is not set: choose what no data means for this metric (breaching for a health "
            "check, notBreaching for a count that is absent when zero, missing to wait)."
        )


def _watches(index: StackIndex, alarm: PolicyResource, dimension: str, target: PolicyResource, *ids: str) -> bool:
    dimensions = get(alarm.props, "dimensions")
    if not has_key(dimensions, dimension):
        return False
    if any(dep.urn == target.urn for dep in index.property_deps(alarm, "dimensions")):
        return True
    value = get(dimensions, dimension)
    return isinstance(value, str) and any(get(target.props, p) == value for p in ids)


def _data_tier_alarms(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    alarms = index.of_type(METRIC_ALARM)
    watched = (
        (RDS_INSTANCE, "DBInstanceIdentifier", ("identifier", "id"), "database"),
        (SERVERLESS_CACHE, "clusterId", ("name", "id"), "cache"),
    )
    for resource_type, dimension, ids, what in watched:
        for target in index.of_type(resource_type):
            if not any(_watches(index, alarm, dimension, target, *ids) for alarm in alarms):
                yield (
                    f"{target.name}: no CloudWatch alarm watches this {what} (an alarm whose dimensions.{dimension} "
                    "comes from it): if it fills up or fails, nobody is told.",
                    target.urn,
                )


RESOURCE_TYPE = METRIC_ALARM
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    resource_policy(
        _about(
            "require-alarm-actions",
            description="CloudWatch alarms must have actions enabled and at least one alarm action.",
            refs=(fsbp("CloudWatch.15"), ckv("CKV_AWS_319"), platform("alerting baseline")),
            control="every CloudWatch alarm has an action",
            severity=Severity.HIGH,
            remediation="Set `alarm_actions=[topic.arn]` (the alert channel) and leave `actions_enabled` true.",
            url=f"{_GUIDE}/AlarmThatSendsEmail.html",
        ),
        (METRIC_ALARM,),
        _alarm_actions,
    ),
    resource_policy(
        _about(
            "require-ok-actions",
            description="CloudWatch alarms must notify when they recover (at least one OK action).",
            refs=(fsbp("CloudWatch.15"), platform("alerting baseline")),
            control="every CloudWatch alarm has an action",
            severity=Severity.MEDIUM,
            remediation="Set `ok_actions=[topic.arn]`, the same channel as the alarm action.",
            url=f"{_GUIDE}/AlarmThatSendsEmail.html",
        ),
        (METRIC_ALARM,),
        _ok_actions,
    ),
    resource_policy(
        _about(
            "configure-treat-missing-data",
            description="CloudWatch alarms must choose what missing data means (treatMissingData).",
            refs=(platform("alerting baseline"),),
            control="every alarm's treat_missing_data is chosen on purpose",
            severity=Severity.LOW,
            remediation="Set `treat_missing_data` to breaching, notBreaching, ignore or missing, per the metric.",
            url=f"{_GUIDE}/AlarmThatSendsEmail.html#alarms-and-missing-data",
        ),
        (METRIC_ALARM,),
        _treat_missing_data,
    ),
    stack_policy(
        _about(
            "require-data-tier-alarms",
            description="Every RDS instance and ElastiCache Serverless cache must be watched by at least one "
            "CloudWatch alarm (dimensions DBInstanceIdentifier / clusterId from the resource) (prod).",
            refs=(platform("alerting baseline"),),
            control="in prod the database and the cache each have at least one alarm",
            severity=Severity.HIGH,
            remediation="Create the alerting component's alarms with `dimensions={'DBInstanceIdentifier': "
            "instance.identifier}` / `{'clusterId': cache.name}`.",
            tags=("prod-only",),
            url=f"{_GUIDE}/Best_Practice_Recommended_Alarms_AWS_Services.html",
        ),
        _data_tier_alarms,
    ),
]
