"""Policy documents as a Pulumi plan holds them, and the planner's unknown values: an outcome that depends on an
unknown is UNKNOWN (never allow, never deny); one that does not is decided."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ops.iam import Context, Outcome, Policy, PolicyError, PolicyKind, Principal, Request, evaluate, plan_policy
from ops.values import OUTPUT_VALUE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN, UNKNOWN_TEXT

from .sources import ACCOUNT, doc

ROLE = Principal.role_session(f"arn:aws:iam::{ACCOUNT}:role/backups-writer")
BUCKET = f"platform-prod-backups-{ACCOUNT}"
PUT = Request("s3:PutObject", f"arn:aws:s3:::{BUCKET}/daily/x.dump", ROLE, resource_account=ACCOUNT)
ALLOW_PUT = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/daily/*"}


def outcome(identity_doc: Any, request: Request = PUT, **kwargs: Any) -> Outcome:
    return evaluate(request, identity_policies=[identity_doc], **kwargs).outcome


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(json.dumps(doc(ALLOW_PUT)), id="json-text"),
        pytest.param(doc(ALLOW_PUT), id="dict"),
        pytest.param({"Version": "2012-10-17", "Statement": ALLOW_PUT}, id="single-statement-object"),
        pytest.param({SIG_KEY: SECRET_SIG, "value": json.dumps(doc(ALLOW_PUT))}, id="wire-secret"),
        pytest.param({SIG_KEY: OUTPUT_VALUE_SIG, "value": doc(ALLOW_PUT), "dependencies": []}, id="wire-output"),
        pytest.param(Policy.parse(doc(ALLOW_PUT), name="backups-writer-s3"), id="parsed"),
    ],
)
def test_every_plan_shape_of_a_known_document(shape) -> None:
    assert outcome(shape) == Outcome.ALLOWED


@pytest.mark.parametrize(
    "unknown",
    [UNKNOWN, UNKNOWN_TEXT, {SIG_KEY: OUTPUT_VALUE_SIG, "dependencies": ["urn:x"]}, "[secret]"],
    ids=["wire-sentinel", "display-text", "output-without-value", "display-secret"],
)
def test_a_wholly_unknown_document_makes_the_outcome_unknown(unknown) -> None:
    decision = evaluate(PUT, identity_policies=[unknown])
    assert decision.outcome == Outcome.UNKNOWN
    assert not decision.allowed
    assert not decision.denied
    assert decision.unknowns


def test_an_unknown_document_cannot_undo_an_explicit_deny() -> None:
    bucket = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    assert outcome(UNKNOWN, resource_policy=doc(bucket)) == Outcome.EXPLICIT_DENY


def test_an_unknown_document_cannot_turn_a_known_allow_into_unknown_unless_it_may_deny() -> None:
    # The unknown document could hold a Deny, so an allow elsewhere is still only "unknown" ...
    assert evaluate(PUT, identity_policies=[doc(ALLOW_PUT), UNKNOWN]).outcome == Outcome.UNKNOWN
    # ... while a deny-by-default stays denied whatever the unknown statement says (only a Deny can't help it).
    key = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/k"
    no_grant = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/other"}, "Action": "kms:*"})
    decision = evaluate(Request("kms:Decrypt", key, ROLE), identity_policies=[UNKNOWN], resource_policy=no_grant)
    assert decision.outcome == Outcome.IMPLICIT_DENY


def test_unknown_resource_arn_in_a_statement() -> None:
    unknown_bucket = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{UNKNOWN}/daily/*"}
    assert outcome(doc(unknown_bucket)) == Outcome.UNKNOWN
    # where even "anything" in place of the unknown cannot match, the statement is decided
    assert (
        outcome(doc(unknown_bucket), Request("s3:PutObject", "arn:aws:s3:::b/weekly/x", ROLE, resource_account=ACCOUNT))
        == Outcome.IMPLICIT_DENY
    )
    assert outcome(doc({**unknown_bucket, "Action": "s3:GetObject"})) == Outcome.IMPLICIT_DENY


def test_unknown_values_in_other_elements() -> None:
    events = Principal.service("events.amazonaws.com")
    topic = f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"
    src = "EventBridge User Guide, resource-based policies for Amazon SNS"
    ctx = Context({"aws:SourceArn": (f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/r", src)})
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": topic,
        "Condition": {"ArnEquals": {"aws:SourceArn": UNKNOWN}},
    }
    publish = Request("sns:Publish", topic, events, ctx)
    assert evaluate(publish, resource_policy=doc(statement)).outcome == Outcome.UNKNOWN  # condition value
    unknown_principal = {**statement, "Principal": {"Service": UNKNOWN}, "Condition": {}}
    assert evaluate(publish, resource_policy=doc(unknown_principal)).outcome == Outcome.UNKNOWN
    assert evaluate(publish, resource_policy=doc({**statement, "Principal": UNKNOWN})).outcome == Outcome.UNKNOWN
    unknown_effect = {**statement, "Effect": UNKNOWN, "Condition": {}}
    assert evaluate(publish, resource_policy=doc(unknown_effect)).outcome == Outcome.UNKNOWN
    # an unknown in the request: the topic ARN the provider has not assigned yet
    unknown_topic = Request("sns:Publish", UNKNOWN, events, ctx, resource_account=ACCOUNT)
    assert evaluate(unknown_topic, resource_policy=doc({**statement, "Condition": {}})).outcome == Outcome.UNKNOWN
    # an unknown context value
    unknown_ctx = Context({"aws:SourceArn": (UNKNOWN, src)})
    bound = {**statement, "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/*"}}}
    assert evaluate(Request("sns:Publish", topic, events, unknown_ctx), resource_policy=doc(bound)).unknown


def test_unknown_deny_that_could_apply_keeps_an_allow_unknown() -> None:
    deny = {"Effect": "Deny", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{UNKNOWN}"}
    decision = evaluate(PUT, identity_policies=[doc(ALLOW_PUT, deny)])
    assert decision.outcome == Outcome.UNKNOWN
    assert "Deny" in decision.reason


# The shape `python -m ops plan --json` writes (display form: unknowns are "[unknown]").
PLAN = {
    "resources": [
        {
            "type": "aws:iam/rolePolicy:RolePolicy",
            "name": "backups-writer-s3",
            "inputs": {"policy": json.dumps(doc(ALLOW_PUT)), "role": UNKNOWN_TEXT},
        },
        {"type": "aws:iam/rolePolicy:RolePolicy", "name": "backups-writer-kms", "inputs": {"policy": UNKNOWN_TEXT}},
        {
            "type": "aws:s3/bucketPolicy:BucketPolicy",
            "name": "backups-policy",
            "inputs": {
                "policy": json.dumps(
                    doc(
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": f"arn:aws:s3:::{BUCKET}/*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    )
                )
            },
        },
        {"type": "aws:iam/role:Role", "name": "backups-writer", "inputs": {"assumeRolePolicy": json.dumps(doc())}},
    ]
}


def test_plan_policy_reads_documents_from_the_plan_json() -> None:
    writer = plan_policy(PLAN, "backups-writer-s3")
    assert writer.kind == PolicyKind.IDENTITY
    assert writer.name == "backups-writer-s3.policy"
    assert plan_policy(PLAN, "backups-policy").kind == PolicyKind.RESOURCE
    assert plan_policy(PLAN, "backups-writer").kind == PolicyKind.RESOURCE  # a trust policy
    assert plan_policy(PLAN, "backups-writer-kms").unknown
    src = "Amazon S3 User Guide, aws:SecureTransport"
    insecure = Request(
        PUT.action, PUT.resource, ROLE, Context({"aws:SecureTransport": (False, src)}), resource_account=ACCOUNT
    )
    decision = evaluate(insecure, identity_policies=[writer], resource_policy=plan_policy(PLAN, "backups-policy"))
    assert decision.outcome == Outcome.EXPLICIT_DENY
    assert "DenyInsecureTransport" in decision.explain()
    with pytest.raises(KeyError):
        plan_policy(PLAN, "missing")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "not a JSON policy document"),
        ("[]", "a policy document is a JSON object"),
        ({"Version": "2012-10-17"}, "no Statement"),
        (doc({"Effect": "Permit", "Action": "s3:*", "Resource": "*"}), "Effect must be"),
        (doc({"Effect": "Allow", "Resource": "*"}), "needs Action or NotAction"),
        (
            doc({"Effect": "Allow", "Action": "s3:*", "NotAction": "iam:*", "Resource": "*"}),
            "both Action and NotAction",
        ),
        (doc({"Effect": "Allow", "Action": "s3:*"}), "needs Resource or NotResource"),
        (doc({"Effect": "Allow", "Action": "s3GetObject", "Resource": "*"}), "is not"),
        (doc({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}), "cannot name a Principal"),
        (doc({"Effect": "Allow", "Action": "s3:*", "Resource": ["*", 3]}), "expected a non-empty string"),
        (doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"Foo": {"k": "v"}}}), "unsupported"),
        (doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": "v"}}), "must map"),
        (doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": ["x"]}), "map of operators"),
        (doc("statement"), "a statement is a JSON object"),
    ],
)
def test_malformed_documents_raise_a_clear_policy_error(document, message) -> None:
    with pytest.raises(PolicyError, match=message):
        evaluate(PUT, identity_policies=[document])


def test_malformed_resource_policies() -> None:
    with pytest.raises(PolicyError, match="needs Principal or NotPrincipal"):
        evaluate(PUT, resource_policy=doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    with pytest.raises(PolicyError, match="unknown principal type"):
        evaluate(PUT, resource_policy=doc({"Effect": "Allow", "Principal": {"Group": "x"}, "Action": "s3:*"}))
    with pytest.raises(PolicyError, match="must be"):
        evaluate(PUT, resource_policy=doc({"Effect": "Allow", "Principal": "someone", "Action": "s3:*"}))
