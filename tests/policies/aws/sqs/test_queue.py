"""SQS queues are encrypted (mandatory), with a customer-managed key (advisory)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import KEY_ARN, changed
from tests.policies.harness import UNKNOWN, Pack

QUEUE = "aws:sqs/queue:Queue"
ENCRYPTED = "aws-sqs-queue-enable-encryption"
CMK = "aws-sqs-queue-configure-customer-managed-key"
PROPS: dict[str, Any] = {"name": "job-dlq", "kmsMasterKeyId": KEY_ARN, "messageRetentionSeconds": 1_209_600}


def test_compliant_queue_passes(pack: Pack) -> None:
    assert pack.analyze(QUEUE, PROPS) == []
    assert pack.analyze(QUEUE, changed(PROPS, kmsMasterKeyId=UNKNOWN)) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"kmsMasterKeyId": ...}, {ENCRYPTED: "mandatory", CMK: "advisory"}),
        ({"kmsMasterKeyId": ..., "sqsManagedSseEnabled": False}, {ENCRYPTED: "mandatory", CMK: "advisory"}),
        ({"kmsMasterKeyId": ..., "sqsManagedSseEnabled": True}, {CMK: "advisory"}),
        ({"kmsMasterKeyId": "alias/aws/sqs"}, {CMK: "advisory"}),
    ],
)
def test_unencrypted_or_aws_managed_key(pack: Pack, changes: dict[str, Any], expected: dict[str, str]) -> None:
    diags = pack.analyze(QUEUE, changed(PROPS, **changes))
    assert {d.policy: d.level for d in diags} == expected
