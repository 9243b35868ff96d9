"""The S3 User Guide's "Enforce conditional writes on Amazon S3 buckets" examples, evaluated as written: the
`Null` operator on `s3:if-none-match` / `s3:if-match` and `Bool` on `s3:ObjectCreationOperation` (the keys the
backup bucket's policy relies on), for the operations the page names."""

from __future__ import annotations

from typing import Any

import pytest

from ops.iam import Context, Outcome, Principal, Request, evaluate

from .sources import ACCOUNT, S3_CONDITION_KEYS, resource

PAGE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html"
BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket1"
OBJECT = f"{BUCKET}/report.csv"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/Alice"

# Example 1: "Only allow object uploads using PutObject and CompleteMultipartUpload requests that include the
# if-none-match header" (the statements as the page shows them).
EXAMPLE_1 = resource(
    "example-1",
    {"Sid": "AllowConditionalPut", "Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:PutObject",
     "Resource": f"{BUCKET}/*", "Condition": {"Null": {"s3:if-none-match": "false"}}},
    {"Sid": "AllowConditionalPutwithMPUs", "Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:PutObject",
     "Resource": f"{BUCKET}/*", "Condition": {"Bool": {"s3:ObjectCreationOperation": "false"}}},
)
# Example 2: "... that include the if-match header": an Allow and a Deny of creations without the header.
EXAMPLE_2 = resource(
    "example-2",
    {"Sid": "AllowPutObject", "Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:PutObject",
     "Resource": f"{BUCKET}/*"},
    {"Sid": "BlockNonConditionalObjectCreation", "Effect": "Deny", "Principal": {"AWS": ALICE},
     "Action": "s3:PutObject", "Resource": f"{BUCKET}/*",
     "Condition": {"Null": {"s3:if-match": "true"}, "Bool": {"s3:ObjectCreationOperation": "true"}}},
)


def request(keys: dict[str, Any]) -> Request:
    context = Context({name: (value, f"{PAGE}; {S3_CONDITION_KEYS}") for name, value in keys.items()})
    return Request("s3:PutObject", OBJECT, Principal.user(ALICE), context, resource_account=ACCOUNT, source=PAGE)


@pytest.mark.parametrize(
    ("operation", "keys", "outcome"),
    [
        ("PutObject with If-None-Match", {"s3:ObjectCreationOperation": True, "s3:if-none-match": "*"},
         Outcome.ALLOWED),
        ("CompleteMultipartUpload with If-None-Match", {"s3:ObjectCreationOperation": True, "s3:if-none-match": "*"},
         Outcome.ALLOWED),
        ("CreateMultipartUpload", {"s3:ObjectCreationOperation": False}, Outcome.ALLOWED),
        ("UploadPart", {"s3:ObjectCreationOperation": False}, Outcome.ALLOWED),
        ("PutObject without a header", {"s3:ObjectCreationOperation": True}, Outcome.IMPLICIT_DENY),
        ("PutObject with If-Match only", {"s3:ObjectCreationOperation": True, "s3:if-match": '"e1"'},
         Outcome.IMPLICIT_DENY),
    ],
)
def test_example_1_admits_conditional_creates_and_the_multipart_steps(
    operation: str, keys: dict[str, Any], outcome: Outcome
) -> None:
    decision = evaluate(request(keys), resource_policy=EXAMPLE_1)
    assert decision.outcome == outcome, f"{operation}:\n{decision.explain()}"


@pytest.mark.parametrize(
    ("operation", "keys", "outcome"),
    [
        ("PutObject with If-Match", {"s3:ObjectCreationOperation": True, "s3:if-match": '"e1"'}, Outcome.ALLOWED),
        ("UploadPart (no header)", {"s3:ObjectCreationOperation": False}, Outcome.ALLOWED),
        ("PutObject without a header", {"s3:ObjectCreationOperation": True}, Outcome.EXPLICIT_DENY),
    ],
)
def test_example_2_denies_creations_without_the_header(operation: str, keys: dict[str, Any], outcome: Outcome) -> None:
    decision = evaluate(request(keys), resource_policy=EXAMPLE_2)
    assert decision.outcome == outcome, f"{operation}:\n{decision.explain()}"
