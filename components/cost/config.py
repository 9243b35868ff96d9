"""The cost concern's config: what the offline estimate assumes about usage (`platform:cost`), and the stack's
monthly budget (`platform:budget`).

The estimate (ops/cost, docs/cost.md) prices what the plan declares (instance classes, hours, allocated storage)
from the price table; what only usage decides (GB stored, data processed, requests) comes from these
assumptions, which the program exports as the `cost_usage` output so the planner, `ops diff` and the policy pack
price the same numbers. Each assumption says how it is spread: over the stack's resources of a type (a share each)
or per resource.

The budget becomes an AWS Budgets cost budget of the stack's AWS account (one account per environment is the
supported layout, so the account's spend is the stack's), notifying the environment's alert topic when the
actual or forecast spend crosses its thresholds. It covers AWS only: Cloudflare and Azure bill elsewhere.

No provider import (like every config module): the stack loads and validates this in milliseconds.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from components.concern import ConcernConfig, Environment

#: AWS Budgets notifications: a percentage threshold of the budgeted amount (AWS Budgets API, Notification
#: `Threshold` with `ThresholdType` PERCENTAGE); 1000 % is the widest a reviewer could mean.
MAX_THRESHOLD_PERCENT = 1000
#: AWS Budgets API (CreateBudget): at most 10 notifications per budget.
MAX_NOTIFICATIONS = 10


class CostConfig(ConcernConfig):
    """Usage assumptions of the offline cost estimate (docs/cost.md). Whole numbers, per month."""

    concern: ClassVar[str] = "cost"
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {
        "preview": {
            "nat_data_processed_gb": 20,
            "s3_storage_gb": 5,
            "s3_put_requests": 2_000,
            "s3_get_requests": 2_000,
            "log_ingestion_gb": 2,
            "cache_data_mb": 100,
            "cache_ecpu_millions": 10,
            "backup_storage_gb": 20,
            "offsite_storage_gb": 5,
        },
        "prod": {
            "nat_data_processed_gb": 100,
            "s3_storage_gb": 60,
            "s3_put_requests": 20_000,
            "s3_get_requests": 20_000,
            "log_ingestion_gb": 20,
            "cache_data_mb": 1_024,
            "cache_ecpu_millions": 300,
            "backup_storage_gb": 200,
            "offsite_storage_gb": 60,
        },
    }

    nat_data_processed_gb: int = Field(
        ge=0, examples=[100],
        description="GB a month through the NAT gateways (both directions), shared equally by them.")
    s3_storage_gb: int = Field(
        ge=0, examples=[60],
        description="GB stored in the stack's S3 buckets (dumps and their access logs), shared equally by "
        "the buckets, priced as S3 Standard.")
    s3_put_requests: int = Field(
        ge=0, examples=[20000],
        description="S3 PUT, COPY, POST and LIST requests a month, shared equally by the buckets.")
    s3_get_requests: int = Field(
        ge=0, examples=[20000],
        description="S3 GET and other requests a month, shared equally by the buckets.")
    log_ingestion_gb: int = Field(
        ge=0, examples=[20],
        description="GB a month written to the stack's CloudWatch log groups (flow logs, database, proxy, "
        "bootstrap), shared equally by them.")
    cache_data_mb: int = Field(
        ge=0, examples=[1024],
        description="MB held in each serverless cache on average (ElastiCache meters at least its minimum).")
    cache_ecpu_millions: int = Field(
        ge=0, examples=[300],
        description="Millions of ElastiCache Processing Units a month, per cache (1 ECPU per KB read or "
        "written).")
    backup_storage_gb: int = Field(
        ge=0, examples=[200],
        description="GB of recovery points in each AWS Backup vault (the copy vault holds copies of the "
        "same).")
    offsite_storage_gb: int = Field(
        ge=0, examples=[60],
        description="GB in each off-site Azure storage account.")


class BudgetConfig(ConcernConfig):
    """The stack's monthly AWS budget: an AWS Budgets cost budget notifying the alert topic (docs/cost.md)."""

    concern: ClassVar[str] = "budget"
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {"preview": {}, "prod": {}}

    monthly_usd: int | None = Field(
        default=None, ge=1, le=10_000_000,
        description="Monthly AWS spend budgeted for the stack's account, in USD; null creates no budget (the "
        "stack-require-budget-above-estimate policy then reports it).",
        examples=[1500],
    )
    actual_thresholds_percent: list[int] = Field(
        default_factory=lambda: [80, 100],
        description="Notify when the month's actual spend passes each of these percentages of the budget.",
    )
    forecast_thresholds_percent: list[int] = Field(
        default_factory=lambda: [100],
        description="Notify when the month's forecast spend passes each of these percentages of the budget.",
    )

    @field_validator("actual_thresholds_percent", "forecast_thresholds_percent")
    @classmethod
    def _thresholds(cls, value: list[int]) -> list[int]:
        if any(not 0 < t <= MAX_THRESHOLD_PERCENT for t in value):
            raise PydanticCustomError(
                "threshold", "each threshold must be a percentage from 1 to {most} (AWS Budgets Notification "
                "Threshold, ThresholdType PERCENTAGE)", {"most": MAX_THRESHOLD_PERCENT})
        if len(set(value)) != len(value):
            raise PydanticCustomError("threshold", "each threshold may appear once (one notification each)")
        return sorted(value)

    @model_validator(mode="after")
    def _notification_limit(self) -> BudgetConfig:
        count = len(self.actual_thresholds_percent) + len(self.forecast_thresholds_percent)
        if count > MAX_NOTIFICATIONS:
            raise PydanticCustomError(
                "notifications", "{count} thresholds: AWS Budgets allows at most {most} notifications per budget "
                "(CreateBudget); drop some", {"count": count, "most": MAX_NOTIFICATIONS})
        return self
