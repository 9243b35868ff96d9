"""CloudWatch metric alarm policies: every alarm notifies on ALARM and OK, chooses missing-data handling, and in prod
the database and the cache are each watched by at least one alarm."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import RDS_INSTANCE, SERVERLESS_CACHE, changed
from tests.policies.harness import UNKNOWN, Diagnostic, Pack, Resource, only, violated

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
ACTIONS = "aws-cloudwatch-metric-alarm-require-alarm-actions"
OK_ACTIONS = "aws-cloudwatch-metric-alarm-require-ok-actions"
MISSING_DATA = "aws-cloudwatch-metric-alarm-configure-treat-missing-data"
DATA_TIER = "aws-cloudwatch-metric-alarm-require-data-tier-alarms"
TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:platform-prod-alerts"

ALARM_PROPS: dict[str, Any] = {
    "name": "platform-prod-db-cpu",
    "namespace": "AWS/RDS",
    "metricName": "CPUUtilization",
    "statistic": "Average",
    "period": 300,
    "evaluationPeriods": 3,
    "comparisonOperator": "GreaterThanThreshold",
    "threshold": 80,
    "treatMissingData": "missing",
    "actionsEnabled": True,
    "alarmActions": [TOPIC_ARN],
    "okActions": [TOPIC_ARN],
    "dimensions": {"DBInstanceIdentifier": "platform-prod-postgres"},
}


def test_compliant_alarm_passes(pack: Pack) -> None:
    assert pack.analyze(ALARM, ALARM_PROPS) == []


def test_actions_computed_from_a_topic_pass(pack: Pack) -> None:
    assert pack.analyze(ALARM, changed(ALARM_PROPS, alarmActions=[UNKNOWN], okActions=UNKNOWN)) == []


@pytest.mark.parametrize(
    ("policy", "changes", "fragment"),
    [
        (ACTIONS, {"alarmActions": ...}, "alarmActions is empty"),
        (ACTIONS, {"alarmActions": []}, "alarmActions is empty"),
        (ACTIONS, {"actionsEnabled": False}, "actionsEnabled is false"),
        (OK_ACTIONS, {"okActions": ...}, "okActions is empty"),
        (MISSING_DATA, {"treatMissingData": ...}, "treatMissingData is not set"),
    ],
)
def test_alarm_one_change_one_violation(pack: Pack, policy: str, changes: dict[str, Any], fragment: str) -> None:
    only(pack.analyze(ALARM, changed(ALARM_PROPS, **changes)), policy, fragment)


def test_every_alarm_policy_is_mandatory_in_both_stacks(preview_pack: Pack, prod_pack: Pack) -> None:
    silent = changed(ALARM_PROPS, alarmActions=..., okActions=..., treatMissingData=...)
    for stack_pack in (preview_pack, prod_pack):
        diags = stack_pack.analyze(ALARM, silent)
        assert violated(diags) == {ACTIONS, OK_ACTIONS, MISSING_DATA}
        assert {d.level for d in diags} == {"mandatory"}


# ------------------------------------------------------------------------------------------------ stack: data tier
def _data_tier(*, db_alarm: bool = True, cache_alarm: bool = True, literal: bool = False) -> list[Resource]:
    db = Resource(RDS_INSTANCE, "db", {"identifier": "platform-prod-postgres"}, protect=True)
    cache = Resource(SERVERLESS_CACHE, "cache", {"name": "platform-prod-cache"}, protect=True)
    topic = Resource(TOPIC, "alerts", {"name": "platform-prod-alerts"})
    resources = [db, cache, topic]
    if db_alarm:
        dimensions = {"DBInstanceIdentifier": "platform-prod-postgres" if literal else UNKNOWN}
        resources.append(Resource(ALARM, "db-cpu", changed(ALARM_PROPS, dimensions=dimensions),
                                  deps={} if literal else {"dimensions": [db], "alarmActions": [topic]}))
    if cache_alarm:
        resources.append(Resource(ALARM, "cache-storage", changed(ALARM_PROPS, dimensions={"clusterId": UNKNOWN}),
                                  deps={"dimensions": [cache]}))
    return resources


class JoinsPack:
    """The pack at its default levels, reporting only the data-tier join (the bare instance and cache here
    would trip the other concerns' stack policies)."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack

    def analyze_stack(self, resources: list[Resource]) -> list[Diagnostic]:
        return [d for d in self.pack.analyze_stack(resources) if d.policy == DATA_TIER]


@pytest.fixture(scope="module")
def joins_pack() -> JoinsPack:
    return JoinsPack(Pack())


def test_watched_database_and_cache_pass(joins_pack: JoinsPack) -> None:
    assert joins_pack.analyze_stack(_data_tier()) == []
    assert joins_pack.analyze_stack(_data_tier(literal=True)) == []


@pytest.mark.parametrize(
    ("kwargs", "urn_fragment", "fragment"),
    [
        ({"db_alarm": False}, "Instance::db", "no CloudWatch alarm watches this database"),
        ({"cache_alarm": False}, "ServerlessCache::cache", "no CloudWatch alarm watches this cache"),
    ],
)
def test_unwatched_data_tier_resource_is_caught(
    joins_pack: JoinsPack, kwargs: dict[str, bool], urn_fragment: str, fragment: str
) -> None:
    diag = only(joins_pack.analyze_stack(_data_tier(**kwargs)), DATA_TIER, fragment)
    assert urn_fragment in diag.urn


def test_an_alarm_on_another_dimension_does_not_count(joins_pack: JoinsPack) -> None:
    resources = _data_tier(db_alarm=False)
    db = resources[0]
    # Depends on the instance, but names it under another dimension (e.g. a proxy alarm).
    resources.append(Resource(ALARM, "other", changed(ALARM_PROPS, dimensions={"ProxyName": UNKNOWN}),
                              deps={"dimensions": [db]}))
    only(joins_pack.analyze_stack(resources), DATA_TIER, "database")


def test_data_tier_join_blocks_only_in_prod(preview_pack: Pack, prod_pack: Pack) -> None:
    unwatched = _data_tier(db_alarm=False, cache_alarm=False)
    # Preview shows it to reviewers (advisory) without blocking.
    assert {d.level for d in preview_pack.analyze_stack(unwatched) if d.policy == DATA_TIER} == {"advisory"}
    assert DATA_TIER in violated(prod_pack.analyze_stack(unwatched))


def test_unknown_dimensions_never_break_the_join(joins_pack: JoinsPack) -> None:
    resources = _data_tier(db_alarm=False)
    resources.append(Resource(ALARM, "opaque", changed(ALARM_PROPS, dimensions=UNKNOWN)))
    only(joins_pack.analyze_stack(resources), DATA_TIER, "database")
