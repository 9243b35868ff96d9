"""CostBudget: the stack's monthly AWS budget (AWS Budgets), notifying the environment's alert topic.

One cost budget of the stack's AWS account (one account per environment is the supported layout, so the
account's spend is the stack's), with a notification for each actual and forecast threshold of
`platform:budget`, delivered to the alert topic every other alert goes to.

Budgets is a global service: `aws.budgets.Budget` takes no `region` (pulumi-aws 7's BudgetArgs has none), and the
API answers at its global endpoint whatever the provider's region. A budget may notify any topic of its own
account ("Amazon SNS topics must be in the same account as the Budgets you're configuring. Cross-account Amazon
SNS isn't supported.": AWS Cost Management User Guide, budgets-sns-policy), so it notifies the stack-region topic.
That topic's policy admits `budgets.amazonaws.com` for this account's budgets only (`aws:SourceAccount`, and
`aws:SourceArn` like `arn:aws:budgets::<account>:*`, the page's statement; components/alerting/component.py,
MAIN_PUBLISHERS), and its key lets Budgets use it for that topic's messages (components/aws/kms.py). Budgets
checks it may publish when the notification is created, so the budget waits for the topic's policy and key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from components.base import ChildTransform, PlatformComponent
from components.cost.config import BudgetConfig
from components.naming import BUDGET, physical_name
from components.stack import StackConfig


@dataclass(frozen=True, kw_only=True)
class CostBudgetArgs:
    config: BudgetConfig
    monthly_usd: int
    name_prefix: str
    tags: dict[str, str]
    #: The environment's alert topic, and what must exist before Budgets checks it may publish there.
    alert_topic_arn: pulumi.Input[str]
    delivery_guards: Sequence[pulumi.Resource] = ()

    @classmethod
    def from_stack(
        cls, stack: StackConfig, *, alert_topic_arn: pulumi.Input[str],
        delivery_guards: Sequence[pulumi.Resource] = (),
    ) -> CostBudgetArgs:
        if stack.budget.monthly_usd is None:
            raise ValueError("platform:budget.monthly_usd is not set: there is no budget to create")
        return cls(
            config=stack.budget,
            monthly_usd=stack.budget.monthly_usd,
            name_prefix=stack.name_prefix,
            tags=stack.tags("cost"),
            alert_topic_arn=alert_topic_arn,
            delivery_guards=delivery_guards,
        )


class CostBudgetTransforms(TypedDict, total=False):
    """The children of `CostBudget` a transform may adjust."""

    budget: ChildTransform


def notifications(config: BudgetConfig, topic_arn: pulumi.Input[str]) -> list[aws.budgets.BudgetNotificationArgs]:
    """One notification per threshold: actual spend first, then the month's forecast."""
    return [
        aws.budgets.BudgetNotificationArgs(
            comparison_operator="GREATER_THAN",
            notification_type=kind,
            threshold=float(threshold),
            threshold_type="PERCENTAGE",
            subscriber_sns_topic_arns=[topic_arn],
        )
        for kind, thresholds in (("ACTUAL", config.actual_thresholds_percent),
                                 ("FORECASTED", config.forecast_thresholds_percent))
        for threshold in thresholds
    ]


class CostBudget(PlatformComponent):
    """The stack's monthly AWS cost budget and its notifications to the alert topic."""

    Transforms = CostBudgetTransforms

    budget_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: CostBudgetArgs,
        *,
        transform: CostBudgetTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:ops:CostBudget", name, transform=transform, opts=opts)
        budget = self.child("budget", aws.budgets.Budget, f"{name}-monthly", {
            "name": physical_name(args.name_prefix, "monthly", BUDGET),
            "budget_type": "COST",
            "time_unit": "MONTHLY",
            "limit_amount": str(args.monthly_usd),
            "limit_unit": "USD",
            "notifications": notifications(args.config, args.alert_topic_arn),
            "tags": args.tags,
        }, depends_on=list(args.delivery_guards))
        self.budget_name = budget.name
        self.register_outputs({"budget_name": self.budget_name})
