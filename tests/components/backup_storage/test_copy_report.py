"""The off-site copy job reports as itself: a failure to the alert topic, a success as a heartbeat metric, and an
alarm when the heartbeat stops (issue: "Silence is an alert too").

The copy role's report policy, within the account's boundary, is evaluated with `ops.iam` for the requests the job
makes (`aws sns publish`, `aws cloudwatch put-metric-data`); SNS uses the topic's key on the publisher's behalf,
so the key use is allowed only through SNS (`kms:ViaService`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from components.alerting.alarms import HEARTBEAT_HOURS, HEARTBEAT_METRIC, HEARTBEAT_NAMESPACE, heartbeat_namespace
from components.backup_storage.component import copy_report_policy
from ops.iam import Context, Policy, PolicyKind, Principal, Request, evaluate, plan_policy
from tests.components.alerting.test_delivery_paths import ACCOUNT, KEY, REGION, TOPIC, _boundary, _raw
from tests.support.plans import PlanView, plan_stack
from tests.support.stacks import ROOT

COPY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/platform-prod-backup-offsite-copy"
SNS_PUBLISH = "Amazon SNS API Reference, Publish (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html)"
KMS_VIA = ("AWS KMS Developer Guide, kms:ViaService "
           "(https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service)")
CW_NAMESPACE = ("Amazon CloudWatch User Guide, CloudWatch condition keys: cloudwatch:namespace "
                "(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html)")
WORKFLOW = ROOT / ".github" / "workflows" / "offsite-copy.yml"


@cache
def prod() -> PlanView:
    return plan_stack("prod")


def _decide(action: str, resource: str, keys: dict[str, Any], source: str, resource_policy: Policy | None = None
            ) -> str:
    identity = Policy.parse(copy_report_policy(topic_arn=TOPIC, key_arn=KEY, region=REGION, stack="prod"),
                            name="report", kind=PolicyKind.IDENTITY)
    context = Context({k: (v, source) for k, v in keys.items()})
    request = Request(action, resource, Principal.role_session(COPY_ROLE, "offsite-copy"), context, source=source)
    decision = evaluate(request, identity_policies=[identity], boundary=_boundary(), resource_policy=resource_policy)
    return decision.outcome.value


def test_the_copy_role_publishes_to_the_topic_and_its_key_only_through_sns() -> None:
    raw = _raw(prod())
    topic_policy = plan_policy(raw, "alerting-topic", type_="aws:sns/topicPolicy:TopicPolicy")
    key_policy = plan_policy(raw, "alerting-key", type_="aws:kms/key:Key")
    assert _decide("sns:Publish", TOPIC, {}, SNS_PUBLISH, topic_policy) == "allowed"
    via_sns = {"kms:ViaService": f"sns.{REGION}.amazonaws.com"}
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        assert _decide(action, KEY, via_sns, KMS_VIA, key_policy) == "allowed", action
        assert _decide(action, KEY, {}, KMS_VIA, key_policy) != "allowed", f"{action} outside SNS"
    other_topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:another-topic"
    assert _decide("sns:Publish", other_topic, {}, SNS_PUBLISH) != "allowed"


def test_the_copy_role_puts_its_heartbeat_metric_only() -> None:
    ours = {"cloudwatch:namespace": heartbeat_namespace("prod")}
    assert _decide("cloudwatch:PutMetricData", "*", ours, CW_NAMESPACE) == "allowed"
    assert _decide("cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "AWS/Backup"}, CW_NAMESPACE) != "allowed"
    # In an account shared with preview, prod's copy role cannot keep preview's heartbeat green, nor the reverse:
    # the Stack dimension is no condition key, the namespace is.
    for other in ("Platform/Backup/preview", HEARTBEAT_NAMESPACE):
        assert _decide("cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": other}, CW_NAMESPACE) != "allowed"


def test_the_heartbeat_alarm_breaches_on_silence_and_notifies_the_topic() -> None:
    (alarm,) = [a for a in prod().of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
                if a.name == "alerting-offsite-copy-heartbeat"]
    inputs = alarm.inputs
    assert (inputs["namespace"], inputs["metricName"]) == ("Platform/Backup/prod", HEARTBEAT_METRIC)
    assert inputs["dimensions"] == {"Stack": "prod"}
    assert inputs["treatMissingData"] == "breaching"
    assert inputs["comparisonOperator"] == "LessThanThreshold"
    # CloudWatch: Period x EvaluationPeriods at most 7 days for periods of an hour or more (PutMetricAlarm).
    span = inputs["period"] * inputs["evaluationPeriods"]
    assert 24 * 3600 < span == HEARTBEAT_HOURS * 3600 <= 7 * 24 * 3600
    assert inputs["alarmActions"] == inputs["okActions"]
    assert len(inputs["alarmActions"]) == 1


def test_the_copy_environment_gets_the_topic_and_the_workflow_reports_both_ways() -> None:
    names = {v.inputs["variableName"]: v.inputs["environment"]
             for v in prod().of_type("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
             if v.inputs.get("variableName") == "ALERT_TOPIC_ARN"}
    assert names, "ALERT_TOPIC_ARN is written into an environment"
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = [j for j in workflow["jobs"].values() if str(j.get("environment", "")).startswith("backup-copy-")]
    steps = {step.get("if"): step for step in job["steps"] if step.get("if") in ("success()", "failure()")}
    heartbeat, failure = steps["success()"]["run"], steps["failure()"]
    assert '--namespace "Platform/Backup/$STACK"' in heartbeat
    assert f"--metric-name {HEARTBEAT_METRIC}" in heartbeat
    assert '"Stack=$STACK"' in heartbeat
    assert failure["env"]["TOPIC"] == "${{ vars.ALERT_TOPIC_ARN }}"
    assert "aws sns publish" in failure["run"]
