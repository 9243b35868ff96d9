"""The alerting concern's manual steps: what the alert recipients and the Slack workspace's admin must do.

SNS delivers nothing to an email address until its owner confirms the subscription, once per topic: the main
topic and, when the stack is not in us-east-1, the us-east-1 topic of the health-check alarm. AWS Chatbot can
only post to a Slack workspace someone linked in its console. Both topic names are computed here from config, the
same way the component names the topics (`alert_topics`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.aws.partition import aws_partition
from components.naming import (
    CLOUDWATCH_ALARM,
    EVENTBRIDGE,
    RDS_EVENT_SUBSCRIPTION,
    SNS_TOPIC,
    physical_name,
)
from components.steps import ManualStep

if TYPE_CHECKING:
    from components.stack import StackConfig

# Route 53 health-check metrics exist only here (Route 53 Developer Guide, "Monitoring health checks using
# CloudWatch"): the health-check alarm and its topic live in this region.
HEALTH_METRICS_REGION = "us-east-1"
# The account id, as the shell computes it (the us-east-1 topic's ARN is not a stack output).
_ACCOUNT = "$(aws sts get-caller-identity --query Account --output text)"


def alert_topics(name_prefix: str, region: str) -> list[tuple[str, str]]:
    """(topic name, region) of each alert topic: the main one, and the us-east-1 one unless that is the region."""
    topics = [(physical_name(name_prefix, "alerts", SNS_TOPIC), region)]
    if region != HEALTH_METRICS_REGION:
        topics.append((physical_name(name_prefix, "alerts-us-east-1", SNS_TOPIC), HEALTH_METRICS_REGION))
    return topics


def alerting_steps(config: StackConfig) -> list[ManualStep]:
    alerts = config.alerts
    steps: list[ManualStep] = []
    if alerts.slack is not None:
        slack = alerts.slack
        steps.append(ManualStep(
            id="alerts.slack-link",
            phase="before-first-up",
            title=f"Link Slack workspace {slack.workspace_id} to AWS Chatbot",
            instruction=(
                "as a Slack workspace admin, in the AWS Chatbot console (Amazon Q Developer in chat applications) "
                "of this account: Configure new client > Slack > Allow, once per account and workspace, and invite "
                f"@aws to channel {slack.channel_id} (`/invite @aws`); creating the channel configuration fails "
                "until the workspace is linked; done when the console lists the workspace under Slack"
            ),
        ))
    topics = alert_topics(config.name_prefix, config.aws_region)
    for address in alerts.emails:
        for topic, region in topics:
            arn = f"arn:{aws_partition(region)}:sns:{region}:{_ACCOUNT}:{topic}"
            steps.append(ManualStep(
                id="alerts.email-confirmation",
                phase="after-first-up",
                title=f"{address} confirms the subscription to {topic} ({region}), authenticated",
                instruction=(
                    "do NOT follow the 'Confirm subscription' link of the 'AWS Notification - Subscription "
                    "Confirmation' email (a subscription confirmed by the link can be removed by anyone who has its "
                    "unsubscribe link, unsigned: SNS API Reference, ConfirmSubscription, "
                    "AuthenticateOnUnsubscribe); copy the link's Token= value and, as an administrator, run `aws sns "
                    f"confirm-subscription --region {region} --topic-arn \"{arn}\" --authenticate-on-unsubscribe "
                    "true --token <token>` (the token is valid for 3 days; for a new email, `aws sns subscribe "
                    f"--region {region} --topic-arn \"{arn}\" --protocol email --notification-endpoint {address}`); "
                    "until then nothing is delivered to the address; done when `aws sns get-subscription-attributes "
                    f"--region {region} --subscription-arn \"$(aws sns list-subscriptions-by-topic --region {region} "
                    f"--topic-arn \"{arn}\" --query \"Subscriptions[?Endpoint=='{address}'].SubscriptionArn\" "
                    "--output text)\" --query Attributes.ConfirmationWasAuthenticated --output text` prints true"
                ),
                subject=f"{address}, {topic}",
            ))
    destinations = " and ".join(
        [*(["every confirmed address"] if alerts.emails else []), *(["the Slack channel"] if alerts.slack else [])]
    )
    region = config.aws_region
    prefix = config.name_prefix
    db_alarm = physical_name(prefix, "db-free-storage", CLOUDWATCH_ALARM)  # critical: in every stack
    health_alarm = physical_name(prefix, "app-health", CLOUDWATCH_ALARM)
    test_rule = physical_name(prefix, "alert-path-test", EVENTBRIDGE)
    subscription = physical_name(prefix, "rds-events", RDS_EVENT_SUBSCRIPTION)
    steps.append(ManualStep(
        id="alerts.service-paths",
        phase="after-first-up",
        title="Prove each service's path to the alert topic (not as an administrator publishing)",
        instruction=(
            "(docs/alerting.md, 'After the first pulumi up'; an admin's `aws sns publish` succeeds even when every "
            "service is refused, so it proves nothing) 1. CloudWatch: `aws cloudwatch set-alarm-state --region "
            f"{region} --alarm-name {db_alarm} --state-value ALARM --state-reason test`, then the same with "
            f"`--state-value OK`, and likewise `--region {HEALTH_METRICS_REGION} --alarm-name {health_alarm}`; "
            "2. EventBridge: a temporary rule of the same shape, `aws events put-rule --name "
            f"{test_rule} --event-pattern '{{\"source\":[\"platform.alert-test\"]}}'`, `aws events put-targets "
            f"--rule {test_rule} --targets \"Id=topic,Arn=$(pulumi stack output alert_topic_arn)\"`, `aws events "
            "put-events --entries '[{\"Source\":\"platform.alert-test\",\"DetailType\":\"test\",\"Detail\":"
            f"\"{{}}\"}}]'`, then `aws events remove-targets --rule {test_rule} --ids topic` and `aws events "
            f"delete-rule --name {test_rule}`; 3. RDS: `aws rds describe-event-subscriptions --subscription-name "
            f"{subscription} --query 'EventSubscriptionsList[0].Status' --output text` prints active; expect the "
            "offsite-copy heartbeat alarm in ALARM until the first off-site copy has run (no data is breaching); "
            f"done when each of the five messages reached {destinations}"
        ),
    ))
    return steps
