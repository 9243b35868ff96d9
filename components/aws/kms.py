"""The customer-managed KMS key every concern encrypts its data with, and its explicit key policy.

The key policy keeps the account root as administrator, so the key can never become unmanageable (AWS KMS
Developer Guide, "Default key policy": the root statement also lets IAM policies manage the key), and grants
cryptographic use only through the AWS services that need it: `kms:ViaService` with `kms:CallerAccount` for
RDS, Secrets Manager, ElastiCache (the shape of the AWS-managed `aws/rds` key's policy), and the CloudWatch
Logs service principal with an encryption-context condition naming the log groups it may encrypt (AWS
CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from components.aws.partition import aws_partition, dns_suffix
from components.base import ChildTransform, PlatformComponent

# What a service needs from a key to encrypt data for a principal of the account (AWS-managed key policies).
SERVICE_USE_ACTIONS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:CreateGrant",
    "kms:ListGrants",
    "kms:DescribeKey",
]
LOGS_USE_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
# What a service that publishes to an encrypted SNS topic needs from the topic's key (AWS SNS Developer Guide,
# "Enable compatibility between event sources from AWS services and encrypted topics").
PUBLISHER_USE_ACTIONS = ["kms:GenerateDataKey*", "kms:Decrypt"]
#: The encryption context SNS puts on the data-key calls for an SSE-KMS topic: the topic's ARN.
TOPIC_ENCRYPTION_CONTEXT = "kms:EncryptionContext:aws:sns:topicArn"
# The services that publish to an SSE-KMS SNS topic, and what each one's documentation says its request to the
# topic's key carries. None documents `aws:SourceAccount`/`aws:SourceArn` on that KMS call, so each gets the SNS
# Developer Guide's statement as written (no condition); the confused-deputy guard (`aws:SourceAccount` and an
# `aws:SourceArn` of this account's own resources) sits on the topic policy's `sns:Publish`, where each of these
# services documents it. Without `sns:Publish` a service's data key for this topic is of no use.
TOPIC_PUBLISHER_KEY_SOURCES: dict[str, str] = {
    # SNS Developer Guide, sns-key-management, "Enable compatibility between event sources from AWS services and
    # encrypted topics": "Adding the aws:SourceAccount and aws:SourceArn to a AWS KMS policy is not supported for
    # EventBridge-to-encrypted topics" (quoted in awslabs/landing-zone-accelerator-on-aws#407, where a key
    # conditioned on aws:SourceAccount dropped every EventBridge delivery). Its example "Allow CWE to use the key"
    # has no condition. (EventBridge's own KMS page, eb-encryption-key-policy, recommending aws:SourceArn/
    # aws:SourceAccount, is about encrypting event buses: another path.)
    "events.amazonaws.com": "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html"
    "#compatibility-with-aws-services",
    # CloudWatch alarm actions: the same SNS page's generic statement (Principal service.amazonaws.com, no
    # condition); no CloudWatch page we found documents source keys on its KMS call (the topic policy's
    # aws:SourceArn of the alarm is documented, and kept there).
    "cloudwatch.amazonaws.com": "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html"
    "#compatibility-with-aws-services",
    # AWS Backup vault notifications: the AWS Backup Developer Guide's notification page shows only the topic
    # policy (`backup.amazonaws.com`, sns:Publish); its key statement is the SNS page's generic one.
    "backup.amazonaws.com": "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html"
    "#compatibility-with-aws-services",
    # RDS event subscriptions: the RDS User Guide (USER_Events.GrantingPermissions) puts aws:SourceArn (the RDS
    # resource ARN) and aws:SourceAccount on the topic policy only; no page we found documents them on RDS's KMS
    # call, so a key condition on them could refuse every RDS event.
    "events.rds.amazonaws.com": "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html"
    "#compatibility-with-aws-services",
    # AWS Budgets notifications: the Cost Management User Guide's page (budgets-sns-policy, "Creating an Amazon SNS
    # topic for budget notifications") gives only the topic policy (aws:SourceAccount, aws:SourceArn
    # arn:aws:budgets::<account>:*), kept there; it shows no key statement, so the key gets the SNS page's generic
    # one. A deployed budget alert to an SSE-KMS topic needed Budgets on the key with kms:GenerateDataKey and
    # kms:Decrypt (cds-snc/notification-terraform#2057, "Fixing KMS permissions for AWS Budget Alerting", whose
    # statement also conditions on aws:SourceAccount: not relied on here, as no page documents it on that call).
    "budgets.amazonaws.com": "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html"
    "#compatibility-with-aws-services",
}


class CustomerManagedKeyTransforms(TypedDict, total=False):
    """The children `customer_managed_key` creates; a component that uses it inherits these kinds."""

    kms_key: ChildTransform
    kms_alias: ChildTransform


def key_policy(
    *,
    account_id: str,
    region: str,
    via_services: Sequence[str] = (),
    log_group_names: Sequence[str] = (),
    service_principals: Sequence[str] = (),
    topic_publishers: Sequence[str] = (),
    topic_name: str | None = None,
) -> str:
    """The key policy document: root administers; `via_services` (e.g. "rds") and CloudWatch Logs use;
    `service_principals` (e.g. "events.amazonaws.com") encrypt as themselves: services that deliver to an
    encrypted dead-letter queue, with the statement their documentation gives (no source condition: the queue
    policy carries it). `topic_publishers` publish to the SSE-KMS SNS topic this key encrypts, with the
    statement each one's documentation supports (`TOPIC_PUBLISHER_KEY_SOURCES`: no source condition on the key;
    the topic policy carries it), scoped to `topic_name`'s messages by SNS's encryption context."""
    partition = aws_partition(region)
    statements: list[dict[str, Any]] = [{
        "Sid": "AccountRootAdministersTheKey",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }]
    if via_services:
        statements.append({
            "Sid": "UseOnlyThroughTheServicesThatStoreTheData",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": SERVICE_USE_ACTIONS,
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": account_id,
                    "kms:ViaService": [f"{service}.{region}.{dns_suffix(region)}" for service in via_services],
                },
            },
        })
    if log_group_names:
        statements.append({
            "Sid": "CloudWatchLogsEncryptsTheseLogGroups",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.{dns_suffix(region)}"},
            "Action": LOGS_USE_ACTIONS,
            "Resource": "*",
            "Condition": {
                "ArnEquals": {
                    "kms:EncryptionContext:aws:logs:arn": [
                        f"arn:{partition}:logs:{region}:{account_id}:log-group:{name}" for name in log_group_names
                    ],
                },
            },
        })
    if service_principals:
        # A service that writes encrypted data as itself into an SSE-KMS dead-letter queue. The EventBridge User
        # Guide ("Event bus targets": "If your target, such as an Amazon SQS queue, uses AWS KMS encryption, you must
        # include the following section in your KMS key policy") and the SQS Developer Guide ("Configure KMS
        # permissions for AWS services") give the statement with no condition: no page documents aws:SourceAccount
        # or aws:SourceArn on SQS's KMS call, and the SNS guide says they are not supported on EventBridge's path to
        # an encrypted topic. The queue policy carries aws:SourceArn, where it is documented.
        statements.append({
            "Sid": "ServicesEncryptIntoTheQueue",
            "Effect": "Allow",
            "Principal": {"Service": sorted(service_principals)},
            "Action": PUBLISHER_USE_ACTIONS,
            "Resource": "*",
        })
    if topic_publishers:
        unknown = sorted(set(topic_publishers) - set(TOPIC_PUBLISHER_KEY_SOURCES))
        if unknown:
            raise ValueError(f"no documented key statement for topic publisher(s) {unknown}: add each to "
                             "TOPIC_PUBLISHER_KEY_SOURCES with the page that says what its KMS request carries")
        if topic_name is None:
            raise ValueError("topic_publishers need topic_name: the key is scoped to that topic's messages")
        # SNS Developer Guide, "Enable compatibility between event sources from AWS services and encrypted
        # topics": no aws:SourceAccount/aws:SourceArn (not supported for EventBridge-to-encrypted topics;
        # documented for none of the others); the topic policy carries those. The key is scoped instead by the
        # encryption context SNS puts on its data-key calls for a service publisher (aws:sns:topicArn: the
        # GameLift FlexMatch guide, "Set up an SNS topic with server-side encryption", key policy for
        # gamelift.amazonaws.com): another account's service cannot use this key for its own topic.
        statements.append({
            "Sid": "ServicesPublishToTheEncryptedTopic",
            "Effect": "Allow",
            "Principal": {"Service": sorted(set(topic_publishers))},
            "Action": PUBLISHER_USE_ACTIONS,
            "Resource": "*",
            "Condition": {"StringEquals": {
                TOPIC_ENCRYPTION_CONTEXT: f"arn:{partition}:sns:{region}:{account_id}:{topic_name}",
            }},
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def customer_managed_key(
    component: PlatformComponent,
    name: str,
    *,
    alias: str,
    description: str,
    region: str,
    tags: dict[str, str],
    protect: bool,
    via_services: Sequence[str] = (),
    log_group_names: Sequence[str] = (),
    service_principals: Sequence[str] = (),
    topic_publishers: Sequence[str] = (),
    topic_name: str | None = None,
    outlives_stack: bool = True,
    key_region: str | None = None,
) -> aws.kms.Key:
    """A rotating CMK with an alias and an explicit key policy (CKV_AWS_7, CKV_AWS_33).

    `outlives_stack`: the key encrypts data that survives `pulumi destroy` (final snapshots, retained
    automated backups). Such a key is `retain_on_delete`: destroying the stack must not schedule it for
    deletion, or the retained data becomes unreadable forever. It stays in the account (about 1 USD a month)
    until someone deletes it by hand after the data it protects is gone. Child kinds: kms_key, kms_alias.

    `key_region`: create the key (and alias) in another region than the provider's, with pulumi-aws v7's
    per-resource `region` argument; `region` then names that region for the key policy.
    """
    placed = {"region": key_region} if key_region is not None else {}
    account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=component)).account_id
    key = component.child("kms_key", aws.kms.Key, f"{name}-key", {
        "description": description,
        "enable_key_rotation": True,
        "deletion_window_in_days": 30,
        "policy": account_id.apply(lambda account: key_policy(
            account_id=account, region=region, via_services=via_services, log_group_names=log_group_names,
            service_principals=service_principals, topic_publishers=topic_publishers,
            topic_name=topic_name,
        )),
        "tags": tags,
        **placed,
    }, protect=protect, retain_on_delete=outlives_stack)
    component.child("kms_alias", aws.kms.Alias, f"{name}-key-alias", {
        "name": f"alias/{alias}",
        "target_key_id": key.key_id,
        **placed,
    })
    return key
