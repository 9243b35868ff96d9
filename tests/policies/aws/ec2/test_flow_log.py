"""VPC flow log policies: rejected traffic recorded, a destination and a delivery role."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import FLOW_LOG, FLOW_LOG_PROPS, changed
from tests.policies.harness import UNKNOWN, Pack, cant_run, only, violations

TRAFFIC = "aws-ec2-flow-log-configure-traffic-type"
DESTINATION = "aws-ec2-flow-log-configure-log-destination"
ABSENT = ...


def test_compliant_flow_log_passes(pack: Pack) -> None:
    assert pack.analyze(FLOW_LOG, FLOW_LOG_PROPS) == []


@pytest.mark.parametrize(
    ("policy", "changes", "fragment"),
    [
        (TRAFFIC, {"trafficType": "ACCEPT"}, "trafficType is 'ACCEPT'"),
        (TRAFFIC, {"trafficType": ABSENT}, "trafficType is not set"),
        (DESTINATION, {"logDestination": ABSENT}, "neither logDestination nor logGroupName"),
        (DESTINATION, {"iamRoleArn": ABSENT}, "iamRoleArn is not set"),
        (DESTINATION, {"logDestinationType": ABSENT, "iamRoleArn": ABSENT}, "iamRoleArn is not set"),
    ],
)
def test_one_change_one_violation(pack: Pack, policy: str, changes: dict[str, Any], fragment: str) -> None:
    only(pack.analyze(FLOW_LOG, changed(FLOW_LOG_PROPS, **changes)), policy, fragment)


@pytest.mark.parametrize(
    "changes",
    [
        {"trafficType": "REJECT"},
        {"trafficType": "all"},
        {"logDestination": ABSENT, "logGroupName": "/aws/vpc/flow-logs/app"},  # the deprecated spelling
        {"logDestinationType": "s3", "iamRoleArn": ABSENT, "logDestination": "arn:aws:s3:::flow-logs"},
        {"logDestination": UNKNOWN, "iamRoleArn": UNKNOWN},  # log_group.arn, role.arn during preview
    ],
)
def test_accepted_variants_pass(pack: Pack, changes: dict[str, Any]) -> None:
    assert pack.analyze(FLOW_LOG, changed(FLOW_LOG_PROPS, **changes)) == []


@pytest.mark.parametrize(
    ("changes", "policy"),
    [({"trafficType": UNKNOWN}, TRAFFIC), ({"logDestinationType": UNKNOWN}, DESTINATION)],
)
def test_unknowns_that_decide_cannot_be_decided(pack: Pack, changes: dict[str, Any], policy: str) -> None:
    diags = pack.analyze(FLOW_LOG, changed(FLOW_LOG_PROPS, **changes))
    assert violations(diags) == []
    assert cant_run(diags) == {policy}
