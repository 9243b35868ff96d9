"""The alerting concern's config: where alerts go, the app's uptime check, and the data tier's alarm thresholds.

No provider import (like every config module): the stack loads and validates this in milliseconds.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from components.concern import ConcernConfig, Environment, full_match, key_error, shown

# A mailbox SNS can deliver to: local part, '@', a dotted domain with a letter TLD; ASCII only, one line.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
# A DNS name Route 53 health checkers resolve (no scheme, no port, no path; at least two labels).
_FQDN = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]")
# Route 53 ResourcePath: starts with '/', at most 255 characters, printable ASCII without spaces
# (Route 53 API, HealthCheckConfig.ResourcePath).
_PATH = re.compile(r"/[\x21-\x7e]{0,254}")
# Route 53 SearchString: at most 255 characters, searched in the first 5,120 bytes of the body
# (Route 53 API, HealthCheckConfig.SearchString).
_SEARCH = re.compile(r"[\x20-\x7e]{1,255}")
# AWS Chatbot Slack ids (pulumi_aws chatbot.SlackChannelConfiguration: e.g. T07EA123LEP, C07EZ1ABC23).
_SLACK_TEAM = re.compile(r"T[A-Z0-9]{1,20}")
_SLACK_CHANNEL = re.compile(r"[CG][A-Z0-9]{1,20}")

Severity = Literal["warning", "critical"]
MAX_EMAILS = 10


class SlackConfig(ConcernConfig):
    """Slack through AWS Chatbot. The workspace must be linked to Chatbot by hand once (docs/alerting.md)."""

    concern: ClassVar[str] = "alerts.slack"

    workspace_id: str = Field(
        description="The Slack workspace (team) id, e.g. 'T07EA123LEP'.", examples=["T07EA123LEP"]
    )
    channel_id: str = Field(
        description="The Slack channel id, e.g. 'C07EZ1ABC23' ('G' for a private channel).", examples=["C07EZ1ABC23"]
    )

    @field_validator("workspace_id")
    @classmethod
    def _workspace(cls, value: str) -> str:
        if not full_match(_SLACK_TEAM, value):
            raise PydanticCustomError("slack_id", "must be a Slack workspace id: 'T' and uppercase letters or digits")
        return value

    @field_validator("channel_id")
    @classmethod
    def _channel(cls, value: str) -> str:
        if not full_match(_SLACK_CHANNEL, value):
            raise PydanticCustomError(
                "slack_id", "must be a Slack channel id: 'C' (or 'G', private) and uppercase letters or digits"
            )
        return value


class HealthCheckConfig(ConcernConfig):
    """The app's uptime check: Route 53 HTTPS health checkers in several regions request `path` on `fqdn`."""

    concern: ClassVar[str] = "alerts.health_check"

    fqdn: str = Field(
        description="The app's public host name, e.g. 'app.example.com' (no scheme or path).",
        examples=["app.example.com"],
    )
    path: str = Field(
        default="/health",
        description="Starts with '/', at most 255 characters. The path the checkers request: printable ASCII "
        "without spaces (Route 53 ResourcePath).",
    )
    search_string: str | None = Field(
        default=None,
        description="Text the first 5,120 bytes of the body must contain (HTTPS_STR_MATCH); unset: any 2xx/3xx. "
        "1-255 printable ASCII characters (Route 53 SearchString).",
        examples=['"status":"ok"'],
    )
    request_interval_seconds: Literal[10, 30] = Field(
        default=30, description="Route 53 offers 30 s (standard) or 10 s (fast, billed extra)."
    )
    failure_threshold: int = Field(
        default=3, ge=1, le=10,
        description="Consecutive failed checks (1-10) before Route 53 considers the app unhealthy.",
    )
    port: int = Field(
        default=443, ge=1, le=65_535,
        description="TCP port the HTTPS checks connect to (1-65535; not 80, the plain-HTTP port: the check is "
        "always HTTPS).",
    )

    @field_validator("fqdn")
    @classmethod
    def _fqdn(cls, value: str) -> str:
        if not full_match(_FQDN, value):
            raise PydanticCustomError(
                "fqdn",
                "must be a lowercase DNS name such as 'app.example.com': no scheme ('https://'), port or path",
            )
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not full_match(_PATH, value):
            raise PydanticCustomError(
                "health_path",
                "must start with '/' and be at most 255 printable ASCII characters without spaces (Route 53 "
                "ResourcePath), e.g. '/health'",
            )
        return value

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        # The check's type is always HTTPS (HTTPS_STR_MATCH with search_string): a TLS handshake on the plain-HTTP
        # port fails every check, so the uptime alarm would always fire.
        if value == 80:
            raise PydanticCustomError(
                "health_port",
                "80 is the plain-HTTP port, but the uptime check is HTTPS (Route 53 type HTTPS or HTTPS_STR_MATCH): "
                "every check would fail; use the port the app serves TLS on (443 by default)",
            )
        return value

    @field_validator("search_string")
    @classmethod
    def _search(cls, value: str | None) -> str | None:
        if value is not None and not full_match(_SEARCH, value):
            raise PydanticCustomError(
                "search_string", "must be 1-255 printable ASCII characters on one line (Route 53 SearchString)"
            )
        return value


class DatabaseAlarmsConfig(ConcernConfig):
    """Thresholds of the RDS and RDS Proxy alarms. Percentages are of the limit the stack configures."""

    concern: ClassVar[str] = "alerts.database"

    cpu_percent: int = Field(
        default=80, ge=1, le=100, description="Alarm above this average CPUUtilization over 15 minutes, in percent."
    )
    freeable_memory_percent: int = Field(
        default=10, ge=1, le=50,
        description="Alarm below this share of the instance class's memory, in percent (1-50).",
    )
    free_storage_percent: int = Field(
        default=5, ge=1, le=50,
        description="Alarm below this share of allocated_storage_gb, in percent (1-50). Autoscaling grows the "
        "volume below 10% free, so below 5% it is failing or at its maximum.",
    )
    connections_percent: int = Field(
        default=80, ge=1, le=100,
        description="Alarm at or above this share of the instance's max_connections, in percent (the parameter group's "
        "value when extra_parameters sets it, else RDS's default for the class).",
    )
    read_latency_ms: int = Field(
        default=20, ge=1, le=10_000,
        description="Alarm above this average ReadLatency over 15 minutes, in milliseconds.",
    )
    write_latency_ms: int = Field(
        default=20, ge=1, le=10_000,
        description="Alarm above this average WriteLatency over 15 minutes, in milliseconds.",
    )
    proxy_client_connections: int = Field(
        default=1000, ge=1, le=1_000_000,
        description="Alarm above this many client connections to RDS Proxy for 10 minutes.",
    )
    proxy_borrow_latency_percent: int = Field(
        default=50, ge=1, le=100,
        description="Alarm when borrowing a pooled connection takes this share of the proxy's "
        "connection_borrow_timeout_seconds, in percent: clients are about to time out.",
    )


class CacheAlarmsConfig(ConcernConfig):
    """Thresholds of the ElastiCache Serverless alarms, as shares of the cache's configured usage limits."""

    concern: ClassVar[str] = "alerts.cache"

    ecpu_percent: int = Field(
        default=80, ge=1, le=100,
        description="Alarm at or above this share of the cache's max_ecpu_per_second, in percent.",
    )
    data_storage_percent: int = Field(
        default=80, ge=1, le=100,
        description="Alarm at or above this share of the cache's max_data_storage_gb, in percent.",
    )
    throttled_commands: int = Field(
        default=1, ge=1, le=1_000_000, description="Throttled commands per 5 minutes (at the usage limits)."
    )


class AlertsConfig(ConcernConfig):
    """Where "something is wrong" goes, and what counts as wrong. Every alarm notifies the channel on ALARM and OK."""

    concern: ClassVar[str] = "alerts"
    # Preview is quieter: only the alarms that mean an outage is near (`critical`) notify; prod notifies on
    # warnings too. A stack is never silent by accident: every stack names at least one destination.
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {
        "preview": {"minimum_severity": "critical"},
        "prod": {"minimum_severity": "warning"},
    }

    emails: list[str] = Field(
        default_factory=list,
        description="Addresses subscribed to the alert topic (each recipient confirms once, by email). At most 10, "
        "each once; a stack needs emails, slack or both.",
        examples=[["oncall@example.com"]],
    )
    slack: SlackConfig | None = Field(
        default=None,
        description="A Slack channel that also gets the alerts, through AWS Chatbot. Link the workspace to Chatbot "
        "by hand first (docs/alerting.md); a stack needs emails, slack or both.",
        examples=[{"workspace_id": "T07EA123LEP", "channel_id": "C07EZ1ABC23"}],
    )
    minimum_severity: Severity = Field(
        description="'warning' (every alarm) or 'critical' (outage-near alarms only).", examples=["warning"]
    )
    health_check: HealthCheckConfig = Field(
        description="The app's uptime check: Route 53 HTTPS health checkers in several regions request path on fqdn.",
        examples=[{"fqdn": "app.example.com", "search_string": '"status":"ok"'}],
    )
    database: DatabaseAlarmsConfig = Field(
        default_factory=DatabaseAlarmsConfig, description="Thresholds of the RDS and RDS Proxy alarms."
    )
    cache: CacheAlarmsConfig = Field(
        default_factory=CacheAlarmsConfig, description="Thresholds of the ElastiCache Serverless alarms."
    )

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        if len(value) > MAX_EMAILS:
            raise PydanticCustomError("emails", "at most {limit} addresses; use a list address", {"limit": MAX_EMAILS})
        for address in value:
            if not full_match(_EMAIL, address):
                raise PydanticCustomError(
                    "email", "{address} is not an email address (name@example.com)", {"address": shown(address)}
                )
        lowered = [address.lower() for address in value]
        if len(set(lowered)) != len(lowered):
            raise PydanticCustomError("email", "lists an address twice")
        return value

    @model_validator(mode="after")
    def _somebody_is_told(self, info: ValidationInfo) -> AlertsConfig:
        if not self.emails and self.slack is None:
            raise key_error(
                "emails", "silent",
                "no destination: set emails (a list of addresses) and/or slack (workspace_id, channel_id); "
                "alerts that reach nobody are not alerts",
            )
        return self
