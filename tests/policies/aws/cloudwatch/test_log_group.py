"""CloudWatch log group policies: retention at or above the stack's minimum, and a customer-managed key."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import LOG_GROUP, LOG_GROUP_PROPS, changed
from tests.policies.harness import UNKNOWN, Pack, cant_run, only, violated, violations

RETENTION = "aws-cloudwatch-log-group-configure-retention"
CMK = "aws-cloudwatch-log-group-configure-customer-managed-key"
ABSENT = ...


def test_compliant_log_group_passes(pack: Pack, prod_pack: Pack) -> None:
    assert pack.analyze(LOG_GROUP, LOG_GROUP_PROPS) == []
    assert prod_pack.analyze(LOG_GROUP, LOG_GROUP_PROPS) == []


@pytest.mark.parametrize(
    ("policy", "changes", "fragment"),
    [
        (RETENTION, {"retentionInDays": 90}, "retentionInDays is 90; at least 365 days are required"),
        (RETENTION, {"retentionInDays": 0}, "retentionInDays is 0 (events never expire)"),
        (RETENTION, {"retentionInDays": ABSENT}, "retentionInDays is absent (events never expire)"),
        (RETENTION, {"retentionInDays": None}, "retentionInDays is absent"),
        (CMK, {"kmsKeyId": ABSENT}, "kmsKeyId is not set"),
        (CMK, {"kmsKeyId": ""}, "kmsKeyId is not set"),
    ],
)
def test_one_change_one_violation(pack: Pack, policy: str, changes: dict[str, Any], fragment: str) -> None:
    only(pack.analyze(LOG_GROUP, changed(LOG_GROUP_PROPS, **changes)), policy, fragment)


@pytest.mark.parametrize(("stack_pack", "minimum"), [("preview_pack", 30), ("prod_pack", 365)])
def test_retention_minimum_comes_from_stack_config(
    request: pytest.FixtureRequest, stack_pack: str, minimum: int
) -> None:
    pack: Pack = request.getfixturevalue(stack_pack)
    assert pack.analyze(LOG_GROUP, changed(LOG_GROUP_PROPS, retentionInDays=minimum)) == []
    diag = only(pack.analyze(LOG_GROUP, changed(LOG_GROUP_PROPS, retentionInDays=minimum - 1)), RETENTION)
    assert f"at least {minimum} days" in diag.message
    assert diag.level == "mandatory"


def test_preview_accepts_30_days_that_prod_refuses(preview_pack: Pack, prod_pack: Pack) -> None:
    props = changed(LOG_GROUP_PROPS, retentionInDays=30)
    assert violated(preview_pack.analyze(LOG_GROUP, props)) == set()
    assert violated(prod_pack.analyze(LOG_GROUP, props)) == {RETENTION}


def test_unknowns(pack: Pack) -> None:
    assert pack.analyze(LOG_GROUP, changed(LOG_GROUP_PROPS, kmsKeyId=UNKNOWN)) == []  # key.arn during preview
    diags = pack.analyze(LOG_GROUP, changed(LOG_GROUP_PROPS, retentionInDays=UNKNOWN))
    assert violations(diags) == []
    assert cant_run(diags) == {RETENTION}
