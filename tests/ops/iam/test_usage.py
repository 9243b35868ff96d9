"""The two shapes the issues will use, on documents shaped like the plan's (see `ops plan --json`):
a service -> encrypted topic path (topic policy + key policy), and a role with a permissions boundary."""

from __future__ import annotations

from ops.iam import Context, Outcome, Policy, PolicyKind, Principal, Request, evaluate

from .sources import IAM_CONDITION_KEYS, SNS_KEY_MANAGEMENT, doc

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:eu-west-1:{ACCOUNT}:platform-prod-alerts"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0000aaaa-00aa-00aa-00aa-000000aaaaaa"
RULE = f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/backup-job-failed"
EVENTBRIDGE_SNS = (
    "EventBridge User Guide, Amazon SNS permissions "
    "(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions)"
)
SNS_KMS = f"SNS Developer Guide, sns-key-management ({SNS_KEY_MANAGEMENT})"

TOPIC_POLICY = Policy.parse(
    doc(
        {
            "Sid": "PublishEvents",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": TOPIC,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/*"},
            },
        }
    ),
    name="alerting-topic",
    kind=PolicyKind.RESOURCE,
)
KEY_POLICY = Policy.parse(
    doc(
        {
            "Sid": "AccountRootAdministersTheKey",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            # SNS_KEY_MANAGEMENT: no aws:SourceAccount/aws:SourceArn on the key policy for service event sources
            # (not supported for EventBridge to an encrypted topic); the topic policy keeps them.
            "Sid": "ServicesPublishToTheEncryptedTopic",
            "Effect": "Allow",
            "Principal": {"Service": ["events.amazonaws.com", "cloudwatch.amazonaws.com"]},
            "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
            "Resource": "*",
        },
    ),
    name="alerting-key",
    kind=PolicyKind.RESOURCE,
)


def test_eventbridge_publishes_to_the_encrypted_topic() -> None:
    events = Principal.service("events.amazonaws.com")
    context = Context({"aws:SourceAccount": (ACCOUNT, EVENTBRIDGE_SNS), "aws:SourceArn": (RULE, EVENTBRIDGE_SNS)})
    publish = evaluate(
        Request("sns:Publish", TOPIC, events, context, source=EVENTBRIDGE_SNS), resource_policy=TOPIC_POLICY
    )
    # SNS_KEY_MANAGEMENT: publishing to an encrypted topic, SNS calls kms:GenerateDataKey and kms:Decrypt on the
    # key for the publishing service principal.
    encrypt = [
        evaluate(Request(action, KEY, events, Context({}), source=SNS_KMS), resource_policy=KEY_POLICY)
        for action in ("kms:GenerateDataKey", "kms:Decrypt")
    ]
    assert publish.allowed, publish.explain()
    assert all(d.allowed for d in encrypt), [d.explain() for d in encrypt]
    assert [s.sid for s in publish.statements] == ["PublishEvents"]
    assert {k.name: k.source for k in publish.evidence()} == {
        "aws:SourceAccount": EVENTBRIDGE_SNS,
        "aws:SourceArn": EVENTBRIDGE_SNS,
    }
    # and another account's rule is refused by the topic policy
    foreign = context.with_key("aws:SourceAccount", "999999999999", source=EVENTBRIDGE_SNS)
    assert evaluate(Request("sns:Publish", TOPIC, events, foreign), resource_policy=TOPIC_POLICY).denied


DEPLOY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/deploy"
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/platform-boundary"
DEPLOY = Principal.role_session(DEPLOY_ROLE, "github-actions")
DEPLOY_POLICY = Policy.parse(
    doc(
        {
            "Sid": "ManageRolesWithinTheBoundary",
            "Effect": "Allow",
            "Action": ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:TagRole"],
            "Resource": f"arn:aws:iam::{ACCOUNT}:role/platform-*",
            "Condition": {"StringEquals": {"iam:PermissionsBoundary": BOUNDARY_ARN}},
        }
    ),
    name="deploy-iam",
)
BOUNDARY = Policy.parse(
    doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Sid": "NoAdministratorAccess",
            "Effect": "Deny",
            "Action": ["iam:AttachRolePolicy", "iam:AttachUserPolicy"],
            "Resource": "*",
            "Condition": {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}},
        },
    ),
    name="platform-boundary",
    kind=PolicyKind.BOUNDARY,
)
IAM_KEYS = f"Service Authorization Reference, IAM condition keys ({IAM_CONDITION_KEYS})"


def attach(policy_arn: str) -> Outcome:
    context = Context({"iam:PolicyARN": (policy_arn, IAM_KEYS), "iam:PermissionsBoundary": (BOUNDARY_ARN, IAM_KEYS)})
    request = Request("iam:AttachRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/platform-app", DEPLOY, context)
    return evaluate(request, identity_policies=[DEPLOY_POLICY], boundary=BOUNDARY).outcome


def test_deploy_role_within_its_boundary() -> None:
    assert attach("arn:aws:iam::aws:policy/AdministratorAccess") == Outcome.EXPLICIT_DENY
    assert attach(f"arn:aws:iam::{ACCOUNT}:policy/platform-app-s3") == Outcome.ALLOWED
    # tagging a role that has no boundary: the role's iam:PermissionsBoundary is absent, so the Allow does not apply
    tag = Request(
        "iam:TagRole",
        f"arn:aws:iam::{ACCOUNT}:role/platform-untagged",
        DEPLOY,
        Context({"aws:TagKeys": (["owner"], IAM_KEYS)}),
    )
    assert evaluate(tag, identity_policies=[DEPLOY_POLICY], boundary=BOUNDARY).outcome == Outcome.IMPLICIT_DENY
