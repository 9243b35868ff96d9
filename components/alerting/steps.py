"""The alerting concern's manual steps: what the alert recipients and the Slack workspace's admin must do.

SNS delivers nothing to an email address until its owner confirms the subscription, once per topic: the main
topic and, when the stack is not in us-east-1, the us-east-1 topic of the health-check alarm. AWS Chatbot can
only post to a Slack workspace someone linked in its console. Both topic names are computed here from config, the
same way the component names the topics (`alert_topics`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.aws.partition import aws_partition
from components.naming import SNS_TOPIC, physical_name
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
                title=f"{address} confirms the subscription to {topic} ({region})",
                instruction=(
                    "open the 'AWS Notification - Subscription Confirmation' email for that topic and follow its "
                    "Confirm subscription link (valid for 3 days; for a new one, `aws sns subscribe --region "
                    f"{region} --topic-arn \"{arn}\" --protocol email --notification-endpoint {address}`); until "
                    "then nothing is delivered to the address; done when `aws sns list-subscriptions-by-topic "
                    f"--region {region} --topic-arn \"{arn}\" --query \"Subscriptions[?Endpoint=='{address}']"
                    ".SubscriptionArn\" --output text` prints an ARN, not PendingConfirmation"
                ),
                subject=f"{address}, {topic}",
            ))
    destinations = " and ".join(
        [*(["every confirmed address"] if alerts.emails else []), *(["the Slack channel"] if alerts.slack else [])]
    )
    steps.append(ManualStep(
        id="alerts.test-message",
        phase="after-first-up",
        title="Send a test alert and see it arrive",
        instruction=(
            "`aws sns publish --topic-arn \"$(pulumi stack output alert_topic_arn)\" --subject test --message "
            f"'platform {config.stack}: test alert'`; done when it reached {destinations}"
        ),
    ))
    return steps
