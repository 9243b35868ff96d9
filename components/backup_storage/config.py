"""The backup storage concern's config: where the app's logical dumps live (S3), how long each tier is kept,
and the off-site copy in Azure Blob Storage that a GitHub Actions job writes.

Three tiers, one key prefix each (`daily/`, `weekly/`, `monthly/`), with the same retention in S3 and Azure.
A storage-class transition is only allowed where it pays for itself; a transition that would cost more than
it saves is refused with the reason, never silently kept:

* S3 Standard-IA: objects must have been stored 30 days before lifecycle may move them there, and Standard-IA
  bills at least 30 days (S3 User Guide, "Transitioning objects using Amazon S3 Lifecycle", constraints).
* S3 Glacier Instant Retrieval: bills at least 90 days and 128 KB per object (S3 pricing, storage classes);
  the lifecycle configuration also skips objects under 128 KB (`transition_default_minimum_object_size`).
* Azure Cool / Cold: an early-deletion charge applies to blobs deleted or moved within 30 / 90 days of
  tiering (Azure Blob Storage "Access tiers": early deletion).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from components.concern import ConcernConfig, Environment, environment_of, full_match, shown

TIER_NAMES: tuple[str, ...] = ("daily", "weekly", "monthly")
#: The copy job's own GitHub environment is `backup-copy-<stack>` (GitHubDelivery creates it).
COPY_ENVIRONMENT_PREFIX = "backup-copy-"
S3StorageClass = Literal["STANDARD_IA", "GLACIER_IR"]
AzureTier = Literal["Cool", "Cold"]
# Minimum days an object must stay in a class for the move to pay (the class's minimum storage charge).
S3_MINIMUM_DAYS: dict[str, int] = {"STANDARD_IA": 30, "GLACIER_IR": 90}
# Lifecycle may move an object to Standard-IA only after it has been stored this many days (S3 User Guide).
S3_EARLIEST_TRANSITION: dict[str, int] = {"STANDARD_IA": 30, "GLACIER_IR": 0}
AZURE_MINIMUM_DAYS: dict[str, int] = {"Cool": 30, "Cold": 90}
TRUSTABLE_WRITER_SERVICES = ("lambda.amazonaws.com", "ecs-tasks.amazonaws.com")
AZURE_REPLICATIONS = ("Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS", "Standard_GZRS",
                      "Standard_RAGZRS")
GEO_REDUNDANT = frozenset({"Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"})
# GitHub: owner 1-39 letters, digits, single hyphens, not starting or ending in one; repository 1-100
# letters, digits, '.', '_', '-', not '.' or '..'. No wildcards: the OIDC trust pins one repository.
_GITHUB_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}/[A-Za-z0-9._-]{1,100}")
# A GitHub environment name as it appears in the OIDC `sub` claim: no ':' (the claim's separator), no
# wildcards, no spaces, at most 255 characters.
_GITHUB_ENVIRONMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
_AZURE_LOCATION = re.compile(r"[a-z]{2,}[a-z0-9]{2,40}")
# Azure storage account: 3-24 lowercase letters and digits, globally unique.
_STORAGE_ACCOUNT = re.compile(r"[a-z0-9]{3,24}")
# Azure container: 3-63 lowercase letters, digits, single hyphens, starting and ending in a letter or digit.
_CONTAINER = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}")


class RetentionTier(ConcernConfig):
    """One tier of dumps under its own prefix: how long S3 and Azure keep them and where they are tiered.

    `s3_storage_class` / `azure_tier` null means the dumps stay in S3 Standard / Azure Hot until they expire."""

    concern: ClassVar[str] = "backup_storage.<tier>"

    retention_days: int = Field(ge=1, le=3650, description="Days a dump is kept (S3 and Azure), 1-3650.")
    s3_storage_class: S3StorageClass | None = Field(
        default=None,
        description="S3 class the dumps move to after s3_transition_days; null: they stay in Standard. STANDARD_IA "
        "needs 30 days stored and 30 left (S3 User Guide, lifecycle constraints), GLACIER_IR 90 left (S3 pricing).",
        examples=["STANDARD_IA"],
    )
    s3_transition_days: int = Field(
        default=30, ge=0, le=3650,
        description="Days after upload the dumps move to s3_storage_class (0-3650); unused without one.",
    )
    azure_tier: AzureTier | None = Field(
        default=None,
        description="Azure access tier the blobs move to after azure_tier_days; null: they stay Hot. Cool needs 30 "
        "days left, Cold 90 (Azure Blob Storage access tiers, early deletion).",
        examples=["Cool"],
    )
    azure_tier_days: int = Field(
        default=30, ge=0, le=3650,
        description="Days after a blob's last modification it moves to azure_tier (0-3650); unused without one.",
    )

    @model_validator(mode="after")
    def _transitions_pay(self) -> RetentionTier:
        problems: list[str] = []
        if self.s3_storage_class is not None:
            minimum = S3_MINIMUM_DAYS[self.s3_storage_class]
            earliest = S3_EARLIEST_TRANSITION[self.s3_storage_class]
            if self.s3_transition_days < earliest:
                problems.append(
                    f"s3_transition_days = {self.s3_transition_days}: S3 lifecycle moves objects to "
                    f"{self.s3_storage_class} only after {earliest} days (S3 User Guide, lifecycle constraints)"
                )
            if self.s3_transition_days >= self.retention_days:
                problems.append(
                    f"s3_storage_class = {shown(self.s3_storage_class)} after {self.s3_transition_days} days never "
                    f"happens: dumps expire after {self.retention_days} days; set s3_storage_class: null"
                )
            elif self.retention_days - self.s3_transition_days < minimum:
                problems.append(
                    f"s3_storage_class = {shown(self.s3_storage_class)} after {self.s3_transition_days} days does not "
                    f"pay: "
                    f"the dump would stay {self.retention_days - self.s3_transition_days} days of the {minimum} "
                    f"{self.s3_storage_class} bills at least; set s3_storage_class: null or retention_days >= "
                    f"{self.s3_transition_days + minimum}"
                )
        minimum = AZURE_MINIMUM_DAYS[self.azure_tier] if self.azure_tier is not None else 0
        if self.azure_tier is not None and self.retention_days - self.azure_tier_days < minimum:
            problems.append(
                f"azure_tier = {shown(self.azure_tier)} after {self.azure_tier_days} days does not pay: the blob would "
                f"stay {self.retention_days - self.azure_tier_days} days, under the {minimum}-day early-deletion "
                f"period; set azure_tier: null or retention_days >= {self.azure_tier_days + minimum}"
            )
        if problems:
            raise PydanticCustomError("transition_does_not_pay", "; ".join(problems))
        return self


class DailyTier(RetentionTier):
    concern: ClassVar[str] = "backup_storage.daily"
    retention_days: int = Field(
        default=7, ge=1, le=3650, description="Days a daily dump (prefix daily/) is kept in S3 and Azure, 1-3650."
    )


class WeeklyTier(RetentionTier):
    concern: ClassVar[str] = "backup_storage.weekly"
    # 28 days: Standard-IA would hold a weekly dump for none of its 30 billed days; it stays in Standard.
    retention_days: int = Field(
        default=28, ge=1, le=3650, description="Days a weekly dump (prefix weekly/) is kept in S3 and Azure, 1-3650."
    )


class MonthlyTier(RetentionTier):
    concern: ClassVar[str] = "backup_storage.monthly"
    # A month in Standard (the likeliest restores are recent), then Glacier Instant Retrieval / Azure Cold for
    # the remaining 335 days: well past their 90-day minimums, still readable in milliseconds.
    retention_days: int = Field(
        default=365, ge=1, le=3650,
        description="Days a monthly dump (prefix monthly/) is kept in S3 and Azure, 1-3650.",
    )
    s3_storage_class: S3StorageClass | None = Field(
        default="GLACIER_IR",
        description="S3 class the dumps move to after s3_transition_days; null: they stay in Standard. GLACIER_IR "
        "needs 90 days left (S3 pricing), STANDARD_IA 30 days stored and 30 left (S3 User Guide, lifecycle).",
    )
    azure_tier: AzureTier | None = Field(
        default="Cold",
        description="Azure access tier the blobs move to after azure_tier_days; null: they stay Hot. Cold needs 90 "
        "days left, Cool 30 (Azure Blob Storage access tiers, early deletion).",
    )


class BackupStorageConfig(ConcernConfig):
    """Backup storage: versioned, CMK-encrypted S3 bucket for logical dumps, its access-log bucket, the writer
    and off-site-copy roles, and the Azure off-site copy. Encryption, TLS-only access, blocked public access
    and disabled ACLs are not configurable: always on."""

    concern: ClassVar[str] = "backup_storage"
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {
        "preview": {"protect": False, "force_destroy": True, "noncurrent_version_days": 7,
                    "access_log_retention_days": 30, "azure_replication": "Standard_LRS",
                    "azure_soft_delete_days": 7},
        "prod": {"protect": True, "force_destroy": False, "noncurrent_version_days": 30,
                 "access_log_retention_days": 365, "azure_replication": "Standard_GRS",
                 "azure_soft_delete_days": 30},
    }

    daily: DailyTier = Field(
        default_factory=DailyTier, description="The daily dumps (prefix daily/): kept 7 days, no tiering by default."
    )
    weekly: WeeklyTier = Field(
        default_factory=WeeklyTier,
        description="The weekly dumps (prefix weekly/): kept 28 days, no tiering by default.",
    )
    monthly: MonthlyTier = Field(
        default_factory=MonthlyTier,
        description="The monthly dumps (prefix monthly/): kept 365 days by default. After 30 days they move to "
        "Glacier Instant Retrieval in S3 and to Cold in Azure.",
    )
    # At least a week in every environment: a deleted or overwritten dump stays restorable that long. Each tier
    # raises it to its own retention_days (noncurrent_days): a dump made noncurrent the day it was written still
    # outlives its tier's retention.
    noncurrent_version_days: int = Field(
        ge=7, le=365,
        description="Days S3 keeps an overwritten or deleted dump's old version, 7-365; each tier keeps it at least "
        "its own retention_days (a dump overwritten or deleted the day it was written still outlives its tier).",
        examples=[30],
    )
    abort_incomplete_multipart_days: int = Field(
        default=2, ge=1, le=30,
        description="Days after which S3 aborts a multipart upload left incomplete, in both buckets (1-30).",
    )
    object_lock_days: int | None = Field(
        default=None, ge=1, le=3650,
        description="Object Lock (compliance mode) default retention in days; prod only; at most the shortest "
        "tier's retention_days. Set it before the first `pulumi up`: S3 enables Object Lock only at bucket creation.",
        examples=[7],
    )
    access_log_retention_days: int = Field(
        ge=1, le=3650, description="Days the access-log bucket keeps S3 server access logs, 1-3650.", examples=[365]
    )
    protect: bool = Field(
        description="Pulumi `protect` on the buckets, their key and the Azure group, account and container. It also "
        "adds a CanNotDelete lock on the storage account.",
        examples=[True],
    )
    force_destroy: bool = Field(
        description="Let `pulumi destroy` delete both buckets with everything in them. Refused in prod: it would "
        "delete every backup.",
        examples=[False],
    )
    writer_trusted_services: list[str] = Field(
        default_factory=lambda: list(TRUSTABLE_WRITER_SERVICES),
        description="Services whose compute (the app's backup job) may assume the writer role. Non-empty, each "
        "once, from lambda.amazonaws.com and ecs-tasks.amazonaws.com.",
    )
    github_repository: str = Field(
        description="'owner/repo' of the repository whose workflow runs the off-site copy: the app's repository, "
        "the same as platform:github.repository (the stack creates the copy's environment there). The OIDC trust "
        "pins exactly this repository (no wildcards).",
        examples=["example-org/web-app"],
    )
    github_environment: str | None = Field(
        default=None,
        description="GitHub environment of the copy job; defaults to backup-copy-<stack>, which the stack creates "
        "(main only, no reviewers). Pinned in the OIDC subject: no ':', spaces or wildcards.",
        examples=["backup-copy-prod"],
    )
    dump_duration_minutes: int = Field(
        default=60, ge=1, le=300,
        description="Minutes the app's dump may take after its backup job calls it (answered 202, dumped "
        "afterwards), 1-300: the off-site copy must start at least this long, plus jobs.flexible_window_minutes, "
        "after each dump's scheduled time, and within 6 hours of it (docs/backups.md, Off-site copy schedule).",
    )
    azure_location: str = Field(
        description="Azure region of the off-site copy, e.g. 'northeurope' (lowercase, no spaces).",
        examples=["westeurope"],
    )
    azure_replication: Literal["Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS", "Standard_GZRS",
                               "Standard_RAGZRS"] = Field(
        description="Replication (SKU) of the storage account. Prod must be geo-redundant (Standard_GRS, "
        "Standard_RAGRS, Standard_GZRS or Standard_RAGZRS): the copy must survive a regional outage (CKV_AZURE_206).",
        examples=["Standard_GRS"],
    )
    azure_soft_delete_days: int = Field(
        ge=7, le=365, description="Blob and container soft delete, 7-365 days.", examples=[30]
    )
    azure_storage_account_name: str | None = Field(
        default=None,
        description="3-24 lowercase letters and digits, globally unique; derived when unset. The Azure storage "
        "account's name; the derived one comes from the stack's name prefix.",
        examples=["platformprodbackups"],
    )
    azure_container_name: str = Field(
        default="backups",
        description="The blob container of the off-site copy. 3-63 lowercase letters, digits and single hyphens, "
        "starting and ending with a letter or digit (Azure blob container).",
    )

    @field_validator("force_destroy")
    @classmethod
    def _no_force_destroy_in_prod(cls, value: bool, info: ValidationInfo) -> bool:
        if value and environment_of(info) == "prod":
            raise PydanticCustomError(
                "force_destroy_prod", "must be false in prod: it lets `pulumi destroy` delete every backup"
            )
        return value

    @field_validator("object_lock_days")
    @classmethod
    def _lock_within_shortest_tier(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is None:
            return value
        if environment_of(info) != "prod":
            raise PydanticCustomError(
                "object_lock_preview",
                "Object Lock is for prod only: compliance-mode objects cannot be deleted by anyone, so a preview "
                "stack could not be torn down before the retention ends",
            )
        tiers = [info.data[name] for name in TIER_NAMES if isinstance(info.data.get(name), RetentionTier)]
        if tiers:
            shortest = min(tiers, key=lambda tier: tier.retention_days)
            name = TIER_NAMES[tiers.index(shortest)] if len(tiers) == len(TIER_NAMES) else "shortest tier"
            if value > shortest.retention_days:
                raise PydanticCustomError(
                    "object_lock_too_long",
                    "must be at most {days} (the {tier} tier's retention_days): a locked version cannot be "
                    "deleted, so lifecycle could not expire those dumps",
                    {"days": shortest.retention_days, "tier": name},
                )
        return value

    @field_validator("writer_trusted_services")
    @classmethod
    def _trusted_services(cls, value: list[str]) -> list[str]:
        unknown = [service for service in value if service not in TRUSTABLE_WRITER_SERVICES]
        if not value or unknown or len(set(value)) != len(value):
            raise PydanticCustomError(
                "writer_services",
                "must be a non-empty list of distinct service principals from {allowed} (the compute the app's "
                "backup job runs on)",
                {"allowed": ", ".join(TRUSTABLE_WRITER_SERVICES)},
            )
        return value

    @field_validator("github_repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        name = value.partition("/")[2]
        if not full_match(_GITHUB_REPOSITORY, value) or name in {".", ".."}:
            raise PydanticCustomError(
                "github_repository",
                "must be 'owner/repo' (owner: letters, digits, single hyphens, at most 39; repo: letters, digits, "
                "'.', '_', '-', at most 100; no wildcards): the OIDC trust pins exactly this repository",
            )
        return value

    @field_validator("github_environment")
    @classmethod
    def _environment(cls, value: str | None) -> str | None:
        if value is not None and not full_match(_GITHUB_ENVIRONMENT, value):
            raise PydanticCustomError(
                "github_environment",
                "must be 1-255 letters, digits, '.', '_' or '-', starting with a letter or digit (no ':', spaces "
                "or wildcards: it is pinned in the OIDC subject)",
            )
        return value

    @field_validator("azure_location")
    @classmethod
    def _location(cls, value: str) -> str:
        if not full_match(_AZURE_LOCATION, value):
            raise PydanticCustomError(
                "azure_location", "must be an Azure region name such as 'northeurope' (lowercase, no spaces)"
            )
        return value

    @field_validator("azure_replication")
    @classmethod
    def _geo_redundant_in_prod(cls, value: str, info: ValidationInfo) -> str:
        if environment_of(info) == "prod" and value not in GEO_REDUNDANT:
            raise PydanticCustomError(
                "azure_replication_prod",
                "must be geo-redundant in prod ({allowed}): the off-site copy must survive a regional outage "
                "(CKV_AZURE_206)",
                {"allowed": ", ".join(sorted(GEO_REDUNDANT))},
            )
        return value

    @field_validator("azure_storage_account_name")
    @classmethod
    def _account_name(cls, value: str | None) -> str | None:
        if value is not None and not full_match(_STORAGE_ACCOUNT, value):
            raise PydanticCustomError(
                "storage_account_name", "must be 3-24 lowercase ASCII letters and digits (Azure storage account)"
            )
        return value

    @field_validator("azure_container_name")
    @classmethod
    def _container_name(cls, value: str) -> str:
        if not full_match(_CONTAINER, value):
            raise PydanticCustomError(
                "container_name",
                "must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or "
                "digit (Azure blob container)",
            )
        return value

    def tiers(self) -> dict[str, RetentionTier]:
        """The tiers by name, in order (their prefix is `<name>/`)."""
        return {"daily": self.daily, "weekly": self.weekly, "monthly": self.monthly}

    def noncurrent_days(self, tier: str) -> int:
        """Days the tier's lifecycle rule keeps a noncurrent version: `noncurrent_version_days`, raised to the
        tier's `retention_days`. A version becomes noncurrent when it is overwritten or deleted (or expires): if
        that happens the day it was written, it is still kept until its tier's retention has passed."""
        return max(self.noncurrent_version_days, self.tiers()[tier].retention_days)

    @property
    def prefixes(self) -> list[str]:
        return [f"{name}/" for name in TIER_NAMES]

    def copy_environment(self, stack: str) -> str:
        """The copy job's GitHub environment: its own, `backup-copy-<stack>` unless configured. No other job
        declares it, so no other job's token carries the subject the copy role and identity trust."""
        return self.github_environment or f"{COPY_ENVIRONMENT_PREFIX}{stack}"

    def oidc_subject(self, stack: str) -> str:
        """The GitHub OIDC `sub` claim of the copy job: one repository, one environment (its own)."""
        return f"repo:{self.github_repository}:environment:{self.copy_environment(stack)}"
