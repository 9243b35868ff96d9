"""S3 bucket policies never allow the '*' principal; Deny statements for '*' are the TLS guards."""

from __future__ import annotations

from tests.policies.backup_fixtures import BUCKET_ARN, BUCKET_POLICY, DENY_HTTP, DENY_OLD_TLS, UNKNOWN, document
from tests.policies.harness import Pack, only

POLICY = "aws-s3-bucket-policy-disallow-wildcard-principal"
LOGGING = {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
           "Resource": f"{BUCKET_ARN}/logs/*"}


def test_deny_for_everyone_and_named_service_pass(pack: Pack) -> None:
    assert pack.analyze(BUCKET_POLICY, {"bucket": "b", "policy": document(DENY_HTTP, DENY_OLD_TLS, LOGGING)}) == []


def test_allow_for_everyone_is_refused(pack: Pack) -> None:
    for principal in ("*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::111122223333:root", "*"]}):
        statement = {**LOGGING, "Principal": principal}
        only(pack.analyze(BUCKET_POLICY, {"bucket": "b", "policy": document(statement)}), POLICY, "'*' principal")


def test_not_principal_is_refused(pack: Pack) -> None:
    statement = {k: v for k, v in LOGGING.items() if k != "Principal"} | {"NotPrincipal": {"AWS": "x"}}
    only(pack.analyze(BUCKET_POLICY, {"bucket": "b", "policy": document(statement)}), POLICY)


def test_malformed_and_unknown_documents(pack: Pack) -> None:
    only(pack.analyze(BUCKET_POLICY, {"bucket": "b", "policy": "{not json"}), POLICY, "not valid JSON")
    assert pack.analyze(BUCKET_POLICY, {"bucket": "b", "policy": UNKNOWN}) == []
