"""The jobs concern's config (`platform:jobs`): the app's cron jobs.

Each job is a name, an AWS cron expression, an IANA time zone and what it calls: an HTTPS endpoint of the app
(path under `base_url`, method, JSON payload). Defaults are the seeds' jobs: the backup dump daily, weekly and
monthly (the app's backup endpoint with the tier), a daily cleanup and a weekly performance report. A stack's
`jobs` is merged into them by name, so adding a job never drops the backups; only `null` removes a default.
"""

from __future__ import annotations

import copy
import re
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from components.aws.cron import checked_cron, checked_zone
from components.concern import ConcernConfig, Environment, full_match

# Job names become parts of resource names (schedule, rule, queue, alarm): short, lowercase, hyphenated.
_JOB_NAME = re.compile(r"[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,31}")
_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*")
_BASE_URL = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?")
# An HTTP header name (RFC 9110 token); EventBridge connections send the API key under it.
_HEADER = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}")
# EventBridge Scheduler retry policy (Scheduler API, RetryPolicy): 0-185 attempts, 60-86400 s event age; the
# same bounds hold for EventBridge rule targets (PutTargets, RetryPolicy).
MAX_RETRY_ATTEMPTS = 185
MAX_EVENT_AGE_SECONDS = 86_400


class RetryConfig(ConcernConfig):
    concern: ClassVar[str] = "jobs.retry"

    maximum_retry_attempts: int = Field(
        default=3, ge=0, le=MAX_RETRY_ATTEMPTS,
        description="Retries of a failed delivery, by the schedule and by the rule each, 0-185 (EventBridge Scheduler "
        "and PutTargets RetryPolicy); then the event goes to the job's dead-letter queue.",
    )
    maximum_event_age_seconds: int = Field(
        default=3600, ge=60, le=MAX_EVENT_AGE_SECONDS,
        description="Seconds an undelivered event is retried before it goes to the dead-letter queue, 60-86400 "
        "(same RetryPolicy bounds).",
    )


class JobConfig(ConcernConfig):
    """One job: when (cron + zone) and what (an HTTPS call to the app)."""

    concern: ClassVar[str] = "jobs.job"

    schedule: str = Field(
        description="AWS cron: cron(minutes hours day-of-month month day-of-week year), year '*'. Read in the job's "
        "time zone.",
        examples=["cron(0 5 * * ? *)"],
    )
    time_zone: str | None = Field(
        default=None, description="IANA zone; defaults to jobs.time_zone.", examples=["America/New_York"]
    )
    path: str = Field(
        description="Path on the app's base_url, e.g. /internal/jobs/cleanup (absolute, at most 512 characters).",
        examples=["/internal/jobs/cleanup"],
    )
    method: Literal["POST", "PUT"] = Field(default="POST", description="HTTP method of the call: POST or PUT.")
    payload: dict[str, Any] = Field(
        default_factory=dict, description="JSON body sent with the call.", examples=[{"tier": "daily"}]
    )
    enabled: bool = Field(
        default=True,
        description="false keeps the job's resources but creates its schedule DISABLED. A disabled job is left out "
        "of the job_schedule output.",
    )

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        return checked_cron(value)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return value if value is None else checked_zone(value)

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not full_match(_PATH, value) or "//" in value or len(value) > 512:
            raise PydanticCustomError("path", "must be an absolute URL path such as '/internal/jobs/cleanup'")
        return value


#: The app's dump endpoint: a job that calls it with the payload {"tier": <tier>} writes that tier's dump to the
#: backup bucket (docs/cron-jobs.md, "The contract for job endpoints").
BACKUP_JOB_PATH = "/internal/jobs/backup"


def _backup_job(tier: str, schedule: str) -> dict[str, Any]:
    return {"schedule": schedule, "path": BACKUP_JOB_PATH, "payload": {"tier": tier}}


DEFAULT_JOBS: dict[str, dict[str, Any]] = {
    "backup-daily": _backup_job("daily", "cron(30 2 * * ? *)"),
    "backup-weekly": _backup_job("weekly", "cron(30 3 ? * SUN *)"),
    "backup-monthly": _backup_job("monthly", "cron(30 4 1 * ? *)"),
    "cleanup": {"schedule": "cron(0 5 * * ? *)", "path": "/internal/jobs/cleanup"},
    "performance-report": {"schedule": "cron(0 7 ? * MON *)", "path": "/internal/jobs/performance-report"},
}


def _jobs_schema(schema: dict[str, Any]) -> None:
    """The editor's schema of `jobs`: a new name is a whole job; a default's name takes any of a job's keys (the
    rest stay the default's) or null (removes it)."""
    keys = {name: {"description": field.description} for name, field in JobConfig.model_fields.items()}
    override = {"type": "object", "properties": keys, "additionalProperties": False}
    schema["properties"] = {
        name: {"description": f"The default job {name}: any of its keys, or null to remove it.",
               "anyOf": [override, {"type": "null"}]}
        for name in DEFAULT_JOBS
    }


class JobsConfig(ConcernConfig):
    """The app's cron jobs: Scheduler -> custom event bus -> rule -> API destination (docs/cron-jobs.md)."""

    concern: ClassVar[str] = "jobs"
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {"preview": {}, "prod": {}}

    base_url: str | None = Field(
        default=None,
        description="The app's HTTPS origin, e.g. https://app.example.com (no path: API destinations call HTTPS "
        "only). Without it no job is declared, and the stack is refused: nothing would write the backup bucket.",
        examples=["https://app.example.com"],
    )
    time_zone: str = Field(default="Etc/UTC", description="IANA time zone of every job without its own.")
    auth_header: str = Field(
        default="X-Job-Token",
        description="Header carrying the generated job secret. An HTTP header name, not Authorization, Host or "
        "Content-Type (EventBridge API destinations, Connections); the edge's job exemption matches it.",
    )
    retry: RetryConfig = Field(
        default_factory=RetryConfig,
        description="Retry policy of every job's schedule and of its rule's API destination target.",
    )
    flexible_window_minutes: int = Field(
        default=0, ge=0, le=1440,
        description="Scheduler's flexible time window, in minutes (0-1440): 0 runs every job on time; otherwise a "
        "job may start up to this many minutes late.",
    )
    invocation_rate_limit_per_second: int = Field(
        default=1, ge=1, le=300,
        description="Calls per second each job's API destination may make to the app (1-300).",
    )
    jobs: dict[str, JobConfig] = Field(
        default_factory=lambda: {name: JobConfig(**job) for name, job in DEFAULT_JOBS.items()},
        description="The jobs by name (1-32 lowercase letters, digits or single hyphens, first a letter), merged "
        "into the defaults (backup-daily, -weekly, -monthly, cleanup, performance-report): a new name adds a job, "
        "a default's name changes only the keys it sets, null removes that default.",
        json_schema_extra=_jobs_schema,
    )

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not full_match(_BASE_URL, value.removesuffix("/")):
            raise PydanticCustomError(
                "base_url", "must be an https:// origin without a path, e.g. 'https://app.example.com' "
                "(API destinations call HTTPS only)"
            )
        return value.removesuffix("/")

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return checked_zone(value)

    @field_validator("auth_header")
    @classmethod
    def _header(cls, value: str) -> str:
        # EventBridge refuses to let connections set these itself (API destinations, "Connections").
        if not full_match(_HEADER, value) or value.lower() in {"authorization", "host", "content-type"}:
            raise PydanticCustomError(
                "header", "must be an HTTP header name (letters, digits, -), not Authorization, Host or Content-Type"
            )
        return value

    @field_validator("jobs", mode="before")
    @classmethod
    def _merged_into_the_defaults(cls, value: Any) -> Any:
        """A stack's jobs add to the defaults: a new name adds a job, a default's name changes only the keys it
        sets (a whole new `payload` replaces the default's), null removes that default. Replacing the list as a
        whole dropped the backup jobs whenever a stack added one job."""
        if not isinstance(value, dict):
            return value
        bad = [name for name in value if not full_match(_JOB_NAME, name)]
        if bad:
            raise PydanticCustomError(
                "job_name", "job name '{name}': 1-32 lowercase letters, digits or single hyphens, starting "
                "with a letter", {"name": bad[0]},
            )
        unknown = [name for name, job in value.items() if job is None and name not in DEFAULT_JOBS]
        if unknown:
            raise PydanticCustomError(
                "job_removal",
                "'{name}': null removes a default job, and '{name}' is none (the defaults: {defaults}); "
                "leave it out instead",
                {"name": unknown[0], "defaults": ", ".join(DEFAULT_JOBS)},
            )
        merged: dict[str, Any] = copy.deepcopy(DEFAULT_JOBS)
        for name, job in value.items():
            if job is None:
                del merged[name]
            elif name in merged and isinstance(job, dict):
                merged[name] = {**merged[name], **job}
            else:
                merged[name] = job
        return merged

    def zone_of(self, job: JobConfig) -> str:
        return job.time_zone or self.time_zone

    def backup_jobs(self) -> dict[str, str]:
        """The enabled jobs that write a dump, by name, with the tier they write: a call of the app's dump
        endpoint (`BACKUP_JOB_PATH`) with {"tier": <tier>}. Without a base_url no job is declared at all."""
        if self.base_url is None:
            return {}
        return {
            name: job.payload["tier"] for name, job in sorted(self.jobs.items())
            if job.enabled and job.path == BACKUP_JOB_PATH and isinstance(job.payload.get("tier"), str)
        }

