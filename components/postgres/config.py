"""The database concern's config: RDS for PostgreSQL and its RDS Proxy pooler."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from components.aws.logs import LOG_RETENTION_DAYS
from components.concern import ConcernConfig, Environment, Floor, environment_of, full_match, shown
from components.postgres.parameters import STATEMENT_TEXT_PARAMETERS

# Versions RDS for PostgreSQL and RDS Proxy both support (RDS Proxy "Supported engines": PostgreSQL 11-17).
SUPPORTED_POSTGRES_MAJORS = (14, 15, 16, 17)
_INSTANCE_CLASS = re.compile(
    r"db\.(?P<family>t3|t4g|m5d?|m6gd?|m6id?|m6in|m7g|m7i|m8g|r5d?|r6gd?|r6id?|r6in|r7g|r7i|r8g|x2g)"
    r"\.(?P<size>micro|small|medium|large|xlarge|(?:[2-9]|[1-4][0-9])xlarge|metal)"
)
_PG_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
_ENGINE_VERSION = re.compile(r"(?P<major>[0-9]{2})(?:\.[0-9]{1,2})?")
_BACKUP_WINDOW = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]")
_DAY_TIME = r"(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]"
_MAINTENANCE_WINDOW = re.compile(f"{_DAY_TIME}-{_DAY_TIME}")
_PARAMETER_NAME = re.compile(r"[a-z_][a-z0-9_.]{0,127}")
# Printable ASCII, no line breaks: what an RDS parameter value can be.
_PARAMETER_VALUE = re.compile(r"[\x20-\x7e]{0,4096}")
# Role and schema names the app must not take: PostgreSQL's reserved role names, and the schemas every role
# shares (the bootstrap revokes PUBLIC's rights on the app schema).
RESERVED_APP_NAMES = frozenset({"public", "none", "current_role", "current_user", "session_user",
                                "information_schema"})
# FSBP RDS.25: the admin user must not keep the engine's well-known default name.
RESERVED_MASTER_USERNAMES = frozenset({"postgres", "admin", "rdsadmin", "root", "rds_superuser"})


class ProxyConfig(ConcernConfig):
    """RDS Proxy connection pooling. TLS is always required and is not configurable."""

    concern: ClassVar[str] = "database.proxy"
    not_configurable: ClassVar[dict[str, str]] = dict.fromkeys(
        ("require_tls", "tls", "tls_required"),
        "the proxy always requires TLS (docs/database.md#not-configurable-by-design)",
    )

    iam_auth: Literal["required"] = Field(
        default="required",
        description="Always 'required': the proxy uses end-to-end IAM authentication (default_auth_scheme "
        "IAM_AUTH), so clients connect with IAM tokens as the app role and the proxy holds no password.",
    )
    max_connections_percent: int = Field(
        default=90, ge=1, le=100,
        description="Share of the instance's max_connections the proxy may open to it, in percent (1-100).",
    )
    max_idle_connections_percent: int = Field(
        default=50, ge=0, le=100,
        description="Share of the instance's max_connections the proxy keeps open while idle, in percent (0-100); "
        "at most max_connections_percent (AWS RDS API, ConnectionPoolConfiguration).",
    )
    connection_borrow_timeout_seconds: int = Field(
        default=120, ge=0, le=3600,
        description="Seconds a client waits for a pooled connection before the proxy gives up (0-3600). The "
        "proxy-borrow-latency alarm is a share of it.",
    )
    idle_client_timeout_seconds: int = Field(
        default=1800, ge=1, le=28_800,
        description="Seconds a client connection may stay idle before the proxy closes it (1-28800, 8 hours).",
    )

    @field_validator("iam_auth", mode="before")
    @classmethod
    def _iam_only(cls, value: Any) -> Any:
        if value == "optional":
            raise PydanticCustomError(
                "iam_auth_optional",
                "RDS Proxy has no 'optional' IAM mode for PostgreSQL: IAMAuth ENABLED is valid only for SQL "
                "Server proxies (AWS RDS API, UserAuthConfig.IAMAuth); only 'required' is allowed",
            )
        if value == "disabled":
            raise PydanticCustomError(
                "iam_auth_disabled",
                "password clients are not supported: the proxy authenticates end to end with IAM "
                "(default_auth_scheme IAM_AUTH) and holds no database secret, so the app never connects as "
                "the master user; only 'required' is allowed",
            )
        return value

    @field_validator("max_idle_connections_percent")
    @classmethod
    def _idle_within_max(cls, value: int, info: ValidationInfo) -> int:
        # A field validator (not a model one) so that it runs, and names this key, even when others fail.
        maximum = info.data.get("max_connections_percent")
        if maximum is not None and value > maximum:
            raise PydanticCustomError(
                "idle_above_max",
                "must not exceed max_connections_percent ({max}) (AWS RDS API, ConnectionPoolConfiguration)",
                {"max": maximum},
            )
        return value


class DatabaseConfig(ConcernConfig):
    """PostgreSQL on RDS. Encryption, private placement, IAM auth and TLS are not configurable: always on."""

    concern: ClassVar[str] = "database"
    #: The keys a user coming from the RDS API or Terraform would try (their names there) for what is always on.
    not_configurable: ClassVar[dict[str, str]] = {
        **dict.fromkeys(
            ("publicly_accessible", "public_access", "public"),
            "the instance is never publicly accessible: it lives in the data subnets and the app reaches it through "
            "RDS Proxy (docs/database.md#not-configurable-by-design)",
        ),
        **dict.fromkeys(
            ("storage_encrypted", "encrypted", "kms_key_id"),
            "storage is always encrypted with the stack's own rotating KMS key (docs/database.md#not-configurable-by-"
            "design)",
        ),
        **dict.fromkeys(
            ("iam_database_authentication_enabled", "iam_authentication", "password", "manage_master_user_password"),
            "IAM authentication is always on and the master password is always RDS-managed in Secrets Manager, never "
            "in config or state (docs/database.md#not-configurable-by-design)",
        ),
        **dict.fromkeys(
            ("require_tls", "ssl"),
            "TLS is always forced by the parameter group (docs/database.md#not-configurable-by-design)",
        ),
    }
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {
        "preview": {
            "instance_class": "db.t4g.medium",
            "allocated_storage_gb": 20,
            "max_allocated_storage_gb": 100,
            "multi_az": False,
            "deletion_protection": False,
            "protect": False,
            "backup_retention_days": 7,
            "apply_immediately": True,
            "log_retention_days": 30,
        },
        "prod": {
            "instance_class": "db.m7g.large",
            "allocated_storage_gb": 100,
            "max_allocated_storage_gb": 1000,
            "multi_az": True,
            "deletion_protection": True,
            "protect": True,
            "backup_retention_days": 14,
            "apply_immediately": False,
            "log_retention_days": 365,
        },
    }
    floors: ClassVar[dict[Environment, dict[str, Floor]]] = {
        "preview": {
            "backup_retention_days": Floor(7, "FSBP RDS.11 / CKV_AWS_133"),
            "log_retention_days": Floor(30, "log retention baseline (the policy pack's preview minimum)"),
        },
        "prod": {
            "backup_retention_days": Floor(14, "FSBP RDS.11, prod retention baseline"),
            "log_retention_days": Floor(365, "Security Hub CloudWatch.16, audit-log retention baseline"),
        },
    }

    engine_version: str = Field(
        default="16",
        description="Major ('16') or major.minor ('16.4'). A major-only version lets RDS apply minor upgrades "
        "without a diff. Majors 14 to 17: those RDS and RDS Proxy both support.",
    )
    instance_class: str = Field(
        description="RDS instance class, db.<family>.<size> (families t3, t4g, m5-m8g, r5-r8g, x2g). Burstable "
        "db.t* classes are refused in prod (AWS RDS User Guide, 'DB instance class types'); metal classes are "
        "refused, as the alarms derive thresholds from the class's memory.",
        examples=["db.m7g.large"],
    )
    allocated_storage_gb: int = Field(
        ge=20, le=65_536,
        description="Storage allocated to the instance at creation, in GiB (20-65536). The free-storage alarm is a "
        "share of it.",
        examples=[100],
    )
    max_allocated_storage_gb: int = Field(
        ge=0,
        le=65_536,
        description="Storage autoscaling ceiling in GiB: 0 turns autoscaling off; otherwise at least 10% above "
        "allocated_storage_gb (AWS RDS User Guide, storage autoscaling: RDS rejects less).",
        examples=[1000],
    )
    storage_type: Literal["gp3", "io1", "io2"] = Field(
        default="gp3", description="The instance's EBS storage type: gp3, io1 or io2."
    )
    multi_az: bool = Field(
        description="Run the instance Multi-AZ: a standby in a second AZ that RDS fails over to.",
        examples=[True],
    )
    deletion_protection: bool = Field(
        description="RDS deletion protection: the instance cannot be deleted, by Pulumi or anyone, while it is on.",
        examples=[True],
    )
    protect: bool = Field(
        description="Pulumi `protect` on the instance, its KMS key and its log groups. `pulumi destroy` refuses to "
        "delete them until they are unprotected (docs/tearing-down.md).",
        examples=[True],
    )
    backup_retention_days: int = Field(
        ge=1, le=35,
        description="Days RDS keeps automated backups, i.e. the point-in-time restore window (1-35). Floors: 7 in "
        "preview (FSBP RDS.11 / CKV_AWS_133), 14 in prod (FSBP RDS.11, prod retention baseline).",
        examples=[14],
    )
    backup_window: str = Field(
        default="22:00-23:00",
        description="UTC, hh24:mi-hh24:mi. The daily window of the automated backups, at least 30 minutes long "
        "(RDS PreferredBackupWindow). No AWS Backup rule may fire within an hour of it (RDS backups take precedence "
        "and the job may fail); the default is clear of the rules' 02:00-04:00.",
        examples=["22:00-23:00"],
    )
    maintenance_window: str = Field(
        default="sun:04:30-sun:05:30",
        description="UTC, ddd:hh24:mi-ddd:hh24:mi. The weekly maintenance window; AWS Backup starts no backup of "
        "the database from an hour before it until its end.",
    )
    apply_immediately: bool = Field(
        description="Apply changes to the instance at once; false waits for the next maintenance window.",
        examples=[False],
    )
    db_name: str = Field(
        default="app",
        description="The database RDS creates: a lowercase letter, then lowercase letters, digits or '_' (at most "
        "63).",
    )
    master_username: str = Field(
        default="app_admin",
        description="The master (admin) user, whose password RDS manages in Secrets Manager. PostgreSQL name rules; "
        "not a default or reserved admin name such as postgres, admin or root (FSBP RDS.25).",
    )
    app_username: str = Field(
        default="app_user",
        description="The app's least-privilege role, created by the bootstrap SQL; it logs in with IAM "
        "tokens through RDS Proxy. Not master_username, no 'pg_' or 'rds' prefix, not a reserved name.",
    )
    app_schema: str = Field(
        default="app",
        description="The schema the app role uses and may create objects in. No 'pg_' or 'rds' prefix, and not a "
        "name PostgreSQL reserves or every role shares (public, information_schema, ...).",
    )
    bootstrap_on_up: bool = Field(
        default=True,
        description="Apply the bootstrap SQL during `pulumi up` (and whenever it changes). Turn off where the "
        "bootstrap function cannot reach Secrets Manager yet, and invoke it by hand instead.",
    )
    log_retention_days: int = Field(
        description="Retention of the CloudWatch log groups RDS, RDS Proxy and the bootstrap function write to. In "
        "days, a value PutRetentionPolicy accepts; floors 30 in preview, 365 in prod (Security Hub CloudWatch.16).",
        examples=[365],
    )
    performance_insights_retention_days: int = Field(
        default=7,
        description="Days Performance Insights keeps its data: 7, 731 or a multiple of 31 up to 713. Source: "
        "pulumi_aws rds.Instance performance_insights_retention_period.",
    )
    monitoring_interval_seconds: Literal[1, 5, 10, 15, 30, 60] = Field(
        default=60,
        description="Enhanced Monitoring interval in seconds: 1, 5, 10, 15, 30 or 60 (Enhanced Monitoring is always "
        "on).",
    )
    log_min_duration_statement_ms: int = Field(
        default=-1,
        description="Stays -1 (off): duration logging writes the full text of slow statements, a role's "
        "password included. Slow queries are in pg_stat_statements and Performance Insights.",
    )
    statement_timeout_ms: int = Field(
        default=60_000, ge=0, le=2_147_483_647,
        description="PostgreSQL statement_timeout, in milliseconds: a statement running longer is cancelled; 0 "
        "turns the timeout off.",
    )
    idle_in_transaction_session_timeout_ms: int = Field(
        default=300_000, ge=0, le=2_147_483_647,
        description="PostgreSQL idle_in_transaction_session_timeout, in milliseconds: a session idle inside an open "
        "transaction that long is ended; 0 turns it off.",
    )
    lock_timeout_ms: int = Field(
        default=30_000, ge=0, le=2_147_483_647,
        description="PostgreSQL lock_timeout, in milliseconds: a statement waiting longer for a lock fails; 0 turns "
        "it off.",
    )
    extra_parameters: dict[str, str] = Field(
        default_factory=dict,
        description="Further PostgreSQL parameters for the parameter group (name -> value, in the "
        "parameter's base unit). Tested against a real PostgreSQL's pg_settings. Parameters the component sets, "
        "and those that may log statement text, are refused.",
        examples=[{"work_mem": "16384"}],
    )
    proxy: ProxyConfig = Field(
        default_factory=ProxyConfig, description="RDS Proxy connection pooling (TLS is always required)."
    )

    @field_validator("engine_version")
    @classmethod
    def _version(cls, value: str) -> str:
        match = _ENGINE_VERSION.fullmatch(value) if full_match(_ENGINE_VERSION, value) else None
        if not match or int(match.group("major")) not in SUPPORTED_POSTGRES_MAJORS:
            raise PydanticCustomError(
                "pg_version",
                "must be a PostgreSQL major or major.minor version supported by both RDS and RDS Proxy: "
                "one of {majors} (e.g. '16' or '16.4')",
                {"majors": ", ".join(str(m) for m in SUPPORTED_POSTGRES_MAJORS)},
            )
        return value

    @field_validator("instance_class")
    @classmethod
    def _instance_class(cls, value: str, info: ValidationInfo) -> str:
        match = _INSTANCE_CLASS.fullmatch(value) if full_match(_INSTANCE_CLASS, value) else None
        if not match:
            raise PydanticCustomError(
                "instance_class",
                "must be an RDS for PostgreSQL instance class such as 'db.t4g.medium' or 'db.m7g.large' "
                "(db.<family>.<size>; families t3, t4g, m5-m8g, r5-r8g, x2g)",
            )
        burstable = match.group("family").startswith("t")
        if burstable and match.group("size") not in {"micro", "small", "medium", "large", "xlarge", "2xlarge"}:
            raise PydanticCustomError("instance_class", "burstable classes go from micro to 2xlarge")
        if not burstable and match.group("size") in {"micro", "small", "medium"}:
            raise PydanticCustomError(
                "instance_class", "{family} classes start at 'large'", {"family": match.group("family")}
            )
        if burstable and environment_of(info) == "prod":
            raise PydanticCustomError(
                "burstable_in_prod",
                "burstable (db.t*) classes are for development and test only (AWS RDS User Guide, "
                "'DB instance class types'); prod needs a general-purpose or memory-optimized class "
                "such as 'db.m7g.large'",
            )
        return value

    @field_validator("backup_window")
    @classmethod
    def _backup_window(cls, value: str) -> str:
        if not full_match(_BACKUP_WINDOW, value):
            raise PydanticCustomError("window", "must be 'hh24:mi-hh24:mi' in UTC, e.g. '03:00-04:00'")
        start, end = (_minutes(part) for part in value.split("-"))
        if (end - start) % 1440 < 30:
            raise PydanticCustomError("window", "must be at least 30 minutes long (RDS PreferredBackupWindow)")
        return value

    @field_validator("maintenance_window")
    @classmethod
    def _maintenance_window(cls, value: str) -> str:
        if not full_match(_MAINTENANCE_WINDOW, value):
            raise PydanticCustomError(
                "window", "must be 'ddd:hh24:mi-ddd:hh24:mi' in UTC, e.g. 'sun:04:30-sun:05:30'"
            )
        return value

    @field_validator("db_name", "master_username", "app_username", "app_schema")
    @classmethod
    def _pg_identifier(cls, value: str, info: ValidationInfo) -> str:
        if not full_match(_PG_NAME, value):
            raise PydanticCustomError(
                "pg_name", "must start with a letter and use only lowercase letters, digits and '_' (max 63)"
            )
        if info.field_name in {"app_username", "app_schema"} and (
            value.startswith(("pg_", "rds")) or value in RESERVED_APP_NAMES
        ):
            raise PydanticCustomError(
                "reserved_name",
                "must not start with 'pg_' or 'rds' nor be one of {names} (reserved by PostgreSQL and RDS, "
                "or shared by every role)", {"names": ", ".join(sorted(RESERVED_APP_NAMES))},
            )
        if info.field_name == "app_username" and value == info.data.get("master_username"):
            raise PydanticCustomError(
                "app_is_master", "is also master_username: the app must not connect as the master user"
            )
        if info.field_name == "master_username" and value in RESERVED_MASTER_USERNAMES:
            raise PydanticCustomError(
                "default_admin",
                "must not be a default or reserved admin name ({names}) (FSBP RDS.25)",
                {"names": ", ".join(sorted(RESERVED_MASTER_USERNAMES))},
            )
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _log_retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise PydanticCustomError(
                "log_retention",
                "must be one of the retention periods CloudWatch Logs accepts: {allowed} (CloudWatch Logs API, "
                "PutRetentionPolicy)", {"allowed": ", ".join(str(days) for days in LOG_RETENTION_DAYS)},
            )
        return value

    @field_validator("performance_insights_retention_days")
    @classmethod
    def _pi_retention(cls, value: int) -> int:
        if value not in (7, 731) and not (value % 31 == 0 and 31 <= value <= 713):
            raise PydanticCustomError(
                "pi_retention",
                "must be 7, 731 or a multiple of 31 up to 713 (pulumi_aws rds.Instance "
                "performance_insights_retention_period)",
            )
        return value

    @field_validator("log_min_duration_statement_ms")
    @classmethod
    def _no_duration_logging(cls, value: int) -> int:
        if value != -1:
            raise PydanticCustomError(
                "statement_text_logging",
                "must be -1 (off): duration logging writes the text of every slow statement to the server log, "
                "exported to CloudWatch, including 'ALTER ROLE ... PASSWORD' in clear; find slow queries in "
                "pg_stat_statements or Performance Insights instead",
            )
        return value

    @field_validator("extra_parameters")
    @classmethod
    def _extra_parameters(cls, value: dict[str, str]) -> dict[str, str]:
        for name, setting in value.items():
            if not full_match(_PARAMETER_NAME, name):
                raise PydanticCustomError(
                    "parameter_name",
                    "{name} is not a PostgreSQL parameter name (lowercase ASCII letters, digits, '_' and '.')",
                    {"name": shown(name)},
                )
            if not full_match(_PARAMETER_VALUE, setting):
                raise PydanticCustomError(
                    "parameter_value", "the value of {name} must be printable ASCII on one line, up to 4096 chars",
                    {"name": name},
                )
            if name in STATEMENT_TEXT_PARAMETERS - MANAGED_PARAMETERS:
                raise PydanticCustomError(
                    "statement_text_parameter",
                    "'{name}' may write statement text, and with it a role's password, to the server log "
                    "(exported to CloudWatch); DDL and role changes are audited by pgaudit with passwords "
                    "redacted", {"name": name},
                )
            if name in MANAGED_PARAMETERS:
                raise PydanticCustomError(
                    "managed_parameter",
                    "'{name}' is set by the component; use its dedicated key instead", {"name": name}
                )
        return value

    @field_validator("max_allocated_storage_gb")
    @classmethod
    def _storage_autoscaling(cls, value: int, info: ValidationInfo) -> int:
        # A field validator (not a model one) so that it runs, and names this key, even when others fail.
        # AWS RDS User Guide, "Managing capacity automatically with Amazon RDS storage autoscaling": the
        # maximum storage threshold must be at least 10% more than the allocated storage, else
        # InvalidParameterCombination. 0 disables autoscaling (pulumi_aws rds.Instance max_allocated_storage).
        allocated = info.data.get("allocated_storage_gb")
        if allocated is None or value == 0:
            return value
        minimum = autoscaling_minimum_gb(allocated)
        if value < minimum:
            raise PydanticCustomError(
                "storage",
                "with allocated_storage_gb = {allocated}, the autoscaling ceiling must be at least 10% above it, "
                "i.e. >= {minimum} (AWS RDS User Guide, storage autoscaling), or 0 to turn autoscaling off",
                {"allocated": allocated, "minimum": minimum},
            )
        return value

    @property
    def major_version(self) -> int:
        return int(self.engine_version.split(".")[0])

    @property
    def parameter_group_family(self) -> str:
        return f"postgres{self.major_version}"


# Parameters the Postgres component always sets; extra_parameters must not fight them.
MANAGED_PARAMETERS = frozenset({
    "rds.force_ssl",
    "password_encryption",
    "shared_preload_libraries",
    "pg_stat_statements.track",
    "track_io_timing",
    "pgaudit.log",
    "pgaudit.log_parameter",
    "log_statement",
    "log_min_error_statement",
    "log_min_duration_statement",
    "log_lock_waits",
    "log_temp_files",
    "log_autovacuum_min_duration",
    "statement_timeout",
    "idle_in_transaction_session_timeout",
    "lock_timeout",
})


def autoscaling_minimum_gb(allocated_gb: int) -> int:
    """The smallest autoscaling ceiling RDS accepts: 10% above the allocated storage, rounded up."""
    return -(-allocated_gb * 11 // 10)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


