"""Typed stack configuration: one pydantic model per concern, loaded from `pulumi.Config` in one place.

Every key lives under the project's namespace (`platform:`). Object-valued keys (`platform:database`, ...)
arrive from the engine as JSON strings; the Pulumi.yaml project schema only types scalars and arrays, so
these models are the validation for everything inside them.

Environment differences are declared once, in `ENVIRONMENT_DEFAULTS`; hard floors that no stack may go
below are declared once, in `ENVIRONMENT_FLOORS`. A bad config stops the program before any resource is
registered, with one message that lists every problem by its key path.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Literal

import pulumi
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

PROJECT = "platform"
Environment = Literal["preview", "prod"]
ENVIRONMENTS: tuple[Environment, ...] = ("preview", "prod")

# The one place where environments differ. A stack config may override any of these within the floors below.
ENVIRONMENT_DEFAULTS: dict[Environment, dict[str, dict[str, Any]]] = {
    "preview": {
        "network": {"az_count": 2},
        "database": {
            "instance_class": "db.t4g.medium",
            "allocated_storage_gb": 20,
            "max_allocated_storage_gb": 100,
            "multi_az": False,
            "deletion_protection": False,
            "protect": False,
            "backup_retention_days": 7,
            "apply_immediately": True,
        },
        "cache": {
            "snapshot_retention_limit": 1,
            "max_data_storage_gb": 5,
            "max_ecpu_per_second": 5_000,
            "protect": False,
        },
    },
    "prod": {
        "network": {"az_count": 3},
        "database": {
            "instance_class": "db.m7g.large",
            "allocated_storage_gb": 100,
            "max_allocated_storage_gb": 1000,
            "multi_az": True,
            "deletion_protection": True,
            "protect": True,
            "backup_retention_days": 14,
            "apply_immediately": False,
        },
        "cache": {
            "snapshot_retention_limit": 7,
            "max_data_storage_gb": 50,
            "max_ecpu_per_second": 50_000,
            "protect": True,
        },
    },
}

# Minimums a stack config cannot go below, with the control they come from.
ENVIRONMENT_FLOORS: dict[Environment, dict[str, tuple[int, str]]] = {
    "preview": {
        "database.backup_retention_days": (7, "FSBP RDS.11 / CKV_AWS_133"),
        "cache.snapshot_retention_limit": (1, "FSBP ElastiCache.1 / CKV_AWS_134"),
    },
    "prod": {
        "database.backup_retention_days": (14, "FSBP RDS.11, prod retention baseline"),
        "cache.snapshot_retention_limit": (7, "FSBP ElastiCache.1, prod retention baseline"),
    },
}


class ConfigError(pulumi.RunError):
    """Raised before any resource is registered; the language host prints RunError messages without a traceback."""

    def __init__(self, stack: str, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        plural = "problem" if len(problems) == 1 else "problems"
        super().__init__(
            f"invalid configuration for stack '{stack}' ({len(problems)} {plural}); nothing was created:\n{lines}"
        )


def _env(info: ValidationInfo) -> Environment:
    context = info.context or {}
    return context.get("environment", "preview")


class ConcernConfig(BaseModel):
    """Base for one concern's config: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    concern: ClassVar[str]

    @model_validator(mode="before")
    @classmethod
    def _apply_environment_defaults(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, Mapping):
            return data
        defaults = ENVIRONMENT_DEFAULTS[_env(info)].get(cls.concern, {})
        return {**defaults, **data}

    @classmethod
    def _check_floor(cls, field: str, value: int, info: ValidationInfo) -> int:
        env = _env(info)
        floor = ENVIRONMENT_FLOORS[env].get(f"{cls.concern}.{field}")
        if floor is not None and value < floor[0]:
            raise PydanticCustomError(
                "environment_floor",
                "must be >= {floor} in {environment} ({source})",
                {"floor": floor[0], "environment": env, "source": floor[1]},
            )
        return value


# --------------------------------------------------------------------------------------------------------------
# Network
# --------------------------------------------------------------------------------------------------------------
_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SG_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")


class NetworkConfig(ConcernConfig):
    """The data tier's network: a new VPC with private subnets, or an existing VPC adopted by id."""

    concern: ClassVar[str] = "network"

    cidr_block: str = Field(
        default="10.40.0.0/16", description="CIDR of the VPC to create (ignored when adopting a VPC)."
    )
    az_count: int = Field(
        ge=2,
        le=3,
        description="Availability zones to spread the data subnets over. RDS subnet groups and RDS Proxy "
        "need subnets in at least two AZs (AWS RDS Proxy network prerequisites).",
    )
    existing_vpc_id: str | None = Field(default=None, description="Adopt this VPC instead of creating one.")
    existing_private_subnet_ids: list[str] = Field(
        default_factory=list, description="Private subnets of the adopted VPC, in at least two AZs."
    )
    app_security_group_ids: list[str] = Field(
        default_factory=list, description="Security groups of the app; they may reach Postgres and Redis."
    )
    app_cidrs: list[str] = Field(
        default_factory=list, description="Private CIDRs of the app; they may reach Postgres and Redis."
    )

    @field_validator("cidr_block")
    @classmethod
    def _vpc_cidr(cls, value: str) -> str:
        network = _parse_private_network(value)
        if not 16 <= network.prefixlen <= 24:
            raise PydanticCustomError(
                "vpc_cidr", "VPC CIDR prefix must be between /16 and /24 (AWS VPC limits), got /{prefix}",
                {"prefix": network.prefixlen},
            )
        return str(network)

    @field_validator("existing_vpc_id")
    @classmethod
    def _vpc_id(cls, value: str | None) -> str | None:
        if value is not None and not _VPC_ID.match(value):
            raise PydanticCustomError("vpc_id", "must look like 'vpc-0123456789abcdef0'")
        return value

    @field_validator("existing_private_subnet_ids")
    @classmethod
    def _subnet_ids(cls, value: list[str]) -> list[str]:
        for subnet in value:
            if not _SUBNET_ID.match(subnet):
                raise PydanticCustomError(
                    "subnet_id", "every entry must look like 'subnet-0123456789abcdef0', got '{subnet}'",
                    {"subnet": subnet},
                )
        return value

    @field_validator("app_security_group_ids")
    @classmethod
    def _sg_ids(cls, value: list[str]) -> list[str]:
        for group in value:
            if not _SG_ID.match(group):
                raise PydanticCustomError(
                    "sg_id", "every entry must look like 'sg-0123456789abcdef0', got '{group}'", {"group": group}
                )
        return value

    @field_validator("app_cidrs")
    @classmethod
    def _app_cidrs(cls, value: list[str]) -> list[str]:
        return [str(_parse_private_network(cidr)) for cidr in value]

    @model_validator(mode="after")
    def _adoption_is_complete(self) -> NetworkConfig:
        if self.existing_vpc_id and len(self.existing_private_subnet_ids) < 2:
            raise PydanticCustomError(
                "adopted_subnets",
                "existing_vpc_id needs existing_private_subnet_ids with at least two subnets in different AZs "
                "(RDS DB subnet groups and RDS Proxy require two AZs)",
            )
        if self.existing_private_subnet_ids and not self.existing_vpc_id:
            raise PydanticCustomError(
                "adopted_vpc", "existing_private_subnet_ids is only valid together with existing_vpc_id"
            )
        return self

    @property
    def adopts_existing_vpc(self) -> bool:
        return self.existing_vpc_id is not None

    def subnet_cidrs(self) -> list[str]:
        """Carve one private subnet per AZ out of the VPC CIDR, 4 bits smaller than the VPC."""
        network = ipaddress.ip_network(self.cidr_block)
        return [str(subnet) for subnet in list(network.subnets(prefixlen_diff=4))[: self.az_count]]


def _parse_private_network(value: str) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as error:
        raise PydanticCustomError(
            "cidr", "must be an IPv4 CIDR such as '10.40.0.0/16' ({error})", {"error": str(error)}
        ) from None
    if not network.is_private or network.prefixlen == 0:
        raise PydanticCustomError(
            "private_cidr",
            "must be a private (RFC 1918) range: the data tier is never reachable from the internet",
        )
    return network


# --------------------------------------------------------------------------------------------------------------
# Database
# --------------------------------------------------------------------------------------------------------------
# Versions RDS for PostgreSQL and RDS Proxy both support (RDS Proxy "Supported engines": PostgreSQL 11-17).
SUPPORTED_POSTGRES_MAJORS = (14, 15, 16, 17)
_INSTANCE_CLASS = re.compile(
    r"^db\.(?P<family>t3|t4g|m5d?|m6gd?|m6id?|m6in|m7g|m7i|m8g|r5d?|r6gd?|r6id?|r6in|r7g|r7i|r8g|x2g)"
    r"\.(?P<size>micro|small|medium|large|xlarge|(?:[2-9]|[1-4][0-9])xlarge|metal)$"
)
_PG_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# FSBP RDS.25: the admin user must not keep the engine's well-known default name.
RESERVED_MASTER_USERNAMES = frozenset({"postgres", "admin", "rdsadmin", "root", "rds_superuser"})


class ProxyConfig(ConcernConfig):
    """RDS Proxy connection pooling. TLS is always required and is not configurable."""

    concern: ClassVar[str] = "database.proxy"

    iam_auth: Literal["required", "disabled"] = Field(
        default="required",
        description="'required': clients authenticate with IAM tokens. 'disabled': clients use the "
        "password from the RDS-managed secret.",
    )
    max_connections_percent: int = Field(default=90, ge=1, le=100)
    max_idle_connections_percent: int = Field(default=50, ge=0, le=100)
    connection_borrow_timeout_seconds: int = Field(default=120, ge=0, le=3600)
    idle_client_timeout_seconds: int = Field(default=1800, ge=1, le=28_800)

    @field_validator("iam_auth", mode="before")
    @classmethod
    def _no_optional_iam(cls, value: Any) -> Any:
        if value == "optional":
            raise PydanticCustomError(
                "iam_auth_optional",
                "RDS Proxy has no 'optional' IAM mode for PostgreSQL: IAMAuth ENABLED is valid only for SQL "
                "Server proxies (AWS RDS API, UserAuthConfig.IAMAuth); use 'disabled' to let apps connect "
                "with the secret's password, or 'required'",
            )
        return value

    @model_validator(mode="after")
    def _idle_within_max(self) -> ProxyConfig:
        if self.max_idle_connections_percent > self.max_connections_percent:
            raise PydanticCustomError(
                "idle_above_max",
                "max_idle_connections_percent ({idle}) must not exceed max_connections_percent ({max}) "
                "(AWS RDS API, ConnectionPoolConfiguration)",
                {"idle": self.max_idle_connections_percent, "max": self.max_connections_percent},
            )
        return self


class DatabaseConfig(ConcernConfig):
    """PostgreSQL on RDS. Encryption, private placement, IAM auth and TLS are not configurable: always on."""

    concern: ClassVar[str] = "database"

    engine_version: str = Field(
        default="16",
        description="Major ('16') or major.minor ('16.4'). A major-only version lets RDS apply minor upgrades "
        "without a diff.",
    )
    instance_class: str
    allocated_storage_gb: int = Field(ge=20, le=65_536)
    max_allocated_storage_gb: int = Field(le=65_536)
    storage_type: Literal["gp3", "io1", "io2"] = "gp3"
    multi_az: bool
    deletion_protection: bool
    protect: bool
    backup_retention_days: int = Field(ge=1, le=35)
    backup_window: str = Field(default="03:00-04:00", description="UTC, hh24:mi-hh24:mi")
    maintenance_window: str = Field(default="sun:04:30-sun:05:30", description="UTC, ddd:hh24:mi-ddd:hh24:mi")
    apply_immediately: bool
    db_name: str = "app"
    master_username: str = "app_admin"
    performance_insights_retention_days: int = Field(default=7)
    monitoring_interval_seconds: Literal[1, 5, 10, 15, 30, 60] = 60
    log_min_duration_statement_ms: int = Field(default=1000, ge=-1, le=2_147_483_647)
    statement_timeout_ms: int = Field(default=60_000, ge=0, le=2_147_483_647)
    idle_in_transaction_session_timeout_ms: int = Field(default=300_000, ge=0, le=2_147_483_647)
    lock_timeout_ms: int = Field(default=30_000, ge=0, le=2_147_483_647)
    extra_parameters: dict[str, str] = Field(
        default_factory=dict,
        description="Further PostgreSQL parameters for the parameter group (name -> value, in the "
        "parameter's base unit). Tested against a real PostgreSQL's pg_settings.",
    )
    proxy: ProxyConfig = Field(default_factory=ProxyConfig)

    @field_validator("engine_version")
    @classmethod
    def _version(cls, value: str) -> str:
        match = re.fullmatch(r"(\d+)(?:\.(\d+))?", value)
        if not match or int(match.group(1)) not in SUPPORTED_POSTGRES_MAJORS:
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
        match = _INSTANCE_CLASS.match(value)
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
        if burstable and _env(info) == "prod":
            raise PydanticCustomError(
                "burstable_in_prod",
                "burstable (db.t*) classes are for development and test only (AWS RDS User Guide, "
                "'DB instance class types'); prod needs a general-purpose or memory-optimized class "
                "such as 'db.m7g.large'",
            )
        return value

    @field_validator("backup_retention_days")
    @classmethod
    def _retention_floor(cls, value: int, info: ValidationInfo) -> int:
        return cls._check_floor("backup_retention_days", value, info)

    @field_validator("backup_window")
    @classmethod
    def _backup_window(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", value):
            raise PydanticCustomError("window", "must be 'hh24:mi-hh24:mi' in UTC, e.g. '03:00-04:00'")
        start, end = (_minutes(part) for part in value.split("-"))
        if (end - start) % 1440 < 30:
            raise PydanticCustomError("window", "must be at least 30 minutes long (RDS PreferredBackupWindow)")
        return value

    @field_validator("maintenance_window")
    @classmethod
    def _maintenance_window(cls, value: str) -> str:
        day = r"(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d"
        if not re.fullmatch(f"{day}-{day}", value):
            raise PydanticCustomError(
                "window", "must be 'ddd:hh24:mi-ddd:hh24:mi' in UTC, e.g. 'sun:04:30-sun:05:30'"
            )
        return value

    @field_validator("db_name", "master_username")
    @classmethod
    def _pg_identifier(cls, value: str, info: ValidationInfo) -> str:
        if not _PG_NAME.match(value):
            raise PydanticCustomError(
                "pg_name", "must start with a letter and use only lowercase letters, digits and '_' (max 63)"
            )
        if info.field_name == "master_username" and value in RESERVED_MASTER_USERNAMES:
            raise PydanticCustomError(
                "default_admin",
                "must not be a default or reserved admin name ({names}) (FSBP RDS.25)",
                {"names": ", ".join(sorted(RESERVED_MASTER_USERNAMES))},
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

    @field_validator("extra_parameters")
    @classmethod
    def _extra_parameters(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not re.fullmatch(r"[a-z_][a-z0-9_.]*", name):
                raise PydanticCustomError("parameter_name", "'{name}' is not a PostgreSQL parameter name",
                                          {"name": name})
            if name in MANAGED_PARAMETERS:
                raise PydanticCustomError(
                    "managed_parameter",
                    "'{name}' is set by the component; use its dedicated key instead", {"name": name}
                )
        return value

    @model_validator(mode="after")
    def _storage_autoscaling(self) -> DatabaseConfig:
        if self.max_allocated_storage_gb < self.allocated_storage_gb:
            raise PydanticCustomError(
                "storage",
                "max_allocated_storage_gb ({max}) must be >= allocated_storage_gb ({allocated})",
                {"max": self.max_allocated_storage_gb, "allocated": self.allocated_storage_gb},
            )
        return self

    @property
    def major_version(self) -> int:
        return int(self.engine_version.split(".")[0])

    @property
    def parameter_group_family(self) -> str:
        return f"postgres{self.major_version}"


# Parameters the Postgres component always sets; extra_parameters must not fight them.
MANAGED_PARAMETERS = frozenset({
    "rds.force_ssl",
    "shared_preload_libraries",
    "log_min_duration_statement",
    "statement_timeout",
    "idle_in_transaction_session_timeout",
    "lock_timeout",
    "password_encryption",
})


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


# --------------------------------------------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------------------------------------------
# ElastiCache Serverless engine versions (AWS ElastiCache "Supported engines and versions").
SERVERLESS_ENGINE_MAJORS: dict[str, tuple[str, ...]] = {"valkey": ("7", "8"), "redis": ("7",)}


class CacheConfig(ConcernConfig):
    """Serverless Redis-compatible cache. TLS and encryption at rest are always on for serverless caches."""

    concern: ClassVar[str] = "cache"

    engine: Literal["valkey", "redis"] = "valkey"
    major_engine_version: str | None = Field(
        default=None, description="Defaults to the newest the engine supports serverless."
    )
    max_data_storage_gb: int = Field(ge=1, le=5000, description="ElastiCache Serverless limit: 1-5000 GB.")
    max_ecpu_per_second: int = Field(
        ge=1000, le=15_000_000, description="ElastiCache Serverless limit: 1,000-15,000,000 ECPU/s."
    )
    snapshot_retention_limit: int = Field(ge=1, le=35)
    daily_snapshot_time: str = Field(default="02:30", description="UTC hh24:mi")
    protect: bool
    app_user_name: str = "app"
    app_access_string: str = Field(
        default="on ~* &* +@all -@dangerous",
        description="Valkey/Redis ACL rule for the app user; the 'default' user is always off.",
    )

    @field_validator("snapshot_retention_limit")
    @classmethod
    def _snapshot_floor(cls, value: int, info: ValidationInfo) -> int:
        return cls._check_floor("snapshot_retention_limit", value, info)

    @field_validator("daily_snapshot_time")
    @classmethod
    def _snapshot_time(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise PydanticCustomError("time", "must be 'hh24:mi' in UTC, e.g. '02:30'")
        return value

    @field_validator("app_user_name")
    @classmethod
    def _user_name(cls, value: str) -> str:
        if value == "default" or not re.fullmatch(r"[a-z][a-z0-9-]{0,39}", value):
            raise PydanticCustomError(
                "cache_user", "must be 1-40 lowercase letters, digits or '-', start with a letter, not 'default'"
            )
        return value

    @field_validator("app_access_string")
    @classmethod
    def _access_string(cls, value: str) -> str:
        tokens = value.split()
        if "on" not in tokens:
            raise PydanticCustomError("access_string", "must contain 'on', or the app user cannot log in")
        if "nopass" in tokens or any(t.startswith((">", "<", "#")) for t in tokens):
            raise PydanticCustomError(
                "access_string",
                "must not set passwords or 'nopass': ElastiCache manages passwords through the API "
                "(AWS ElastiCache RBAC docs)",
            )
        return value

    @model_validator(mode="after")
    def _engine_version(self) -> CacheConfig:
        allowed = SERVERLESS_ENGINE_MAJORS[self.engine]
        if self.major_engine_version is not None and self.major_engine_version not in allowed:
            raise PydanticCustomError(
                "engine_version",
                "major_engine_version '{version}' is not offered for serverless {engine}; allowed: {allowed} "
                "(AWS ElastiCache supported engines)",
                {"version": self.major_engine_version, "engine": self.engine, "allowed": ", ".join(allowed)},
            )
        return self

    @property
    def engine_major(self) -> str:
        return self.major_engine_version or SERVERLESS_ENGINE_MAJORS[self.engine][-1]


# --------------------------------------------------------------------------------------------------------------
# The whole stack
# --------------------------------------------------------------------------------------------------------------
class StackConfig(BaseModel):
    """Everything the program reads from config, validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project: str
    stack: str
    environment: Environment
    aws_region: str
    owner: str
    cost_center: str
    network: NetworkConfig
    database: DatabaseConfig
    cache: CacheConfig

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def name_prefix(self) -> str:
        """Physical-name prefix: unique per project and stack, valid for RDS, ElastiCache and IAM names."""
        return f"{self.project}-{self.stack}"[:40].rstrip("-")

    def tags(self, component: str) -> dict[str, str]:
        """The required tags (tagging baseline) plus the component that owns the resource."""
        return {
            "environment": self.environment,
            "owner": self.owner,
            "cost-center": self.cost_center,
            "managed-by": "pulumi",
            "pulumi-project": self.project,
            "pulumi-stack": self.stack,
            "component": component,
        }


# Scalar keys and the object-valued concern keys, with their models.
SCALAR_KEYS = ("environment", "owner", "cost_center")
CONCERN_MODELS: dict[str, type[ConcernConfig]] = {
    "network": NetworkConfig,
    "database": DatabaseConfig,
    "cache": CacheConfig,
}
_AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")


def build_stack_config(raw: Mapping[str, Any], *, project: str, stack: str) -> StackConfig:
    """Validate a flat `{"<ns>:<key>": value}` config map (values as the engine sends them: scalars as
    strings, objects as JSON) into a StackConfig, or raise ConfigError listing every problem."""
    problems: list[str] = []
    prefix = f"{project}:"
    own = {key[len(prefix):]: value for key, value in raw.items() if key.startswith(prefix)}

    for key in sorted(set(own) - set(SCALAR_KEYS) - set(CONCERN_MODELS)):
        allowed = ", ".join(f"{project}:{k}" for k in (*SCALAR_KEYS, *CONCERN_MODELS))
        problems.append(f"{project}:{key}: unknown key; allowed keys are {allowed}")

    environment = own.get("environment", stack)
    if environment not in ENVIRONMENTS:
        problems.append(
            f"{project}:environment = {environment!r}: must be one of {', '.join(ENVIRONMENTS)} "
            f"(it defaults to the stack name)"
        )
        environment = "prod"  # validate the rest against the strictest floors

    region = raw.get("aws:region")
    if not isinstance(region, str) or not _AWS_REGION.match(region):
        problems.append(f"aws:region = {region!r}: must be an AWS region such as 'eu-west-1' (set aws:region)")

    scalars: dict[str, str] = {}
    for key in ("owner", "cost_center"):
        value = own.get(key)
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ._@+-]{0,127}", value):
            problems.append(
                f"{project}:{key} = {value!r}: required; 1-128 letters, digits, spaces or ._@+- "
                f"(used as the '{key.replace('_', '-')}' tag)"
            )
        else:
            scalars[key] = value

    concerns: dict[str, ConcernConfig] = {}
    for key, model in CONCERN_MODELS.items():
        data = _decode_object(own.get(key, {}), f"{project}:{key}", problems)
        if data is None:
            continue
        try:
            concerns[key] = model.model_validate(data, context={"environment": environment})
        except ValidationError as error:
            problems.extend(_describe(error, f"{project}:{key}", model))

    if problems:
        raise ConfigError(stack, problems)
    return StackConfig(
        project=project,
        stack=stack,
        environment=environment,
        aws_region=region,
        **scalars,
        **concerns,
    )


def _decode_object(value: Any, key: str, problems: list[str]) -> dict[str, Any] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            problems.append(f"{key} = {_short(value)}: must be an object (a YAML mapping under the key)")
            return None
    if not isinstance(value, dict):
        problems.append(f"{key} = {_short(value)}: must be an object (a YAML mapping under the key)")
        return None
    return value


def _describe(error: ValidationError, root: str, model: type[BaseModel]) -> list[str]:
    problems = []
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item["loc"]]
        path = ".".join([root, *loc]) if loc else root
        if item["type"] == "extra_forbidden":
            allowed = ", ".join(_fields_at(model, loc[:-1]))
            problems.append(f"{path}: unknown key; allowed keys here are {allowed}")
        elif item["type"] == "missing":
            problems.append(f"{path}: required")
        else:
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{path} = {_short(item['input'])}: {message}")
    return problems


def _fields_at(model: type[BaseModel], loc: Iterable[str]) -> list[str]:
    for part in loc:
        annotation = model.model_fields[part].annotation if part in model.model_fields else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def load_stack_config() -> StackConfig:
    """Read this stack's config from the Pulumi runtime and validate it. The one place config is loaded."""
    project = pulumi.get_project()
    stack = pulumi.get_stack()
    raw: dict[str, Any] = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    return build_stack_config(raw, project=project, stack=stack)
