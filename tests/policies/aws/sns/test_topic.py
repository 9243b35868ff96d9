"""SNS topics: encrypted with a customer-managed key (FSBP SNS.1, CKV_AWS_26)."""

from __future__ import annotations

import pytest

from tests.policies.harness import UNKNOWN, Pack, only

TOPIC = "aws:sns/topic:Topic"
POLICY = "aws-sns-topic-configure-customer-managed-key"
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize("key", [KEY_ARN, UNKNOWN])
def test_topic_with_a_cmk_passes(pack: Pack, key: str) -> None:
    assert pack.analyze(TOPIC, {"name": "alerts", "kmsMasterKeyId": key}) == []


@pytest.mark.parametrize(
    ("props", "fragment"),
    [
        ({"name": "alerts"}, "stored unencrypted"),
        ({"name": "alerts", "kmsMasterKeyId": ""}, "stored unencrypted"),
        ({"name": "alerts", "kmsMasterKeyId": "alias/aws/sns"}, "AWS-managed key"),
    ],
)
def test_unencrypted_or_aws_managed_topic_is_caught(prod_pack: Pack, props: dict, fragment: str) -> None:
    diag = only(prod_pack.analyze(TOPIC, props), POLICY, fragment)
    assert diag.level == "mandatory"
