"""The cache concern's config: ElastiCache Serverless (Valkey or Redis OSS) with RBAC users."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from components.concern import ConcernConfig, Environment, Floor, full_match

# ElastiCache Serverless engine versions (AWS ElastiCache "Supported engines and versions").
SERVERLESS_ENGINE_MAJORS: dict[str, tuple[str, ...]] = {"valkey": ("7", "8"), "redis": ("7",)}
_HH_MM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
# ElastiCache user names: 1-40 letters, digits, hyphens, starting with a letter, no '--', no trailing hyphen
# (ElastiCache RBAC, CreateUser UserName); lowercase here so that it is also a valid part of a user id.
_CACHE_USER = re.compile(r"[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,39}")
# An ACL rule: printable ASCII words separated by single spaces, no line breaks.
_ACCESS_STRING = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")


class CacheConfig(ConcernConfig):
    """Serverless Redis-compatible cache. TLS and encryption at rest are always on for serverless caches."""

    concern: ClassVar[str] = "cache"
    not_configurable: ClassVar[dict[str, str]] = dict.fromkeys(
        ("transit_encryption_enabled", "at_rest_encryption_enabled", "encryption", "tls", "kms_key_id"),
        "TLS and encryption at rest with the stack's KMS key are always on for the serverless cache "
        "(docs/cache.md#not-configurable-by-design)",
    )
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {
        "preview": {"snapshot_retention_limit": 1, "max_data_storage_gb": 5, "max_ecpu_per_second": 5_000,
                    "protect": False},
        "prod": {"snapshot_retention_limit": 7, "max_data_storage_gb": 50, "max_ecpu_per_second": 50_000,
                 "protect": True},
    }
    floors: ClassVar[dict[Environment, dict[str, Floor]]] = {
        "preview": {"snapshot_retention_limit": Floor(1, "FSBP ElastiCache.1 / CKV_AWS_134")},
        "prod": {"snapshot_retention_limit": Floor(7, "FSBP ElastiCache.1, prod retention baseline")},
    }

    engine: Literal["valkey", "redis"] = Field(
        default="valkey", description="The serverless cache's engine: valkey or redis (Redis OSS)."
    )
    major_engine_version: str | None = Field(
        default=None,
        description="Defaults to the newest the engine supports serverless. Allowed: valkey 7 or 8, redis 7 (AWS "
        "ElastiCache supported engines).",
        examples=["8"],
    )
    max_data_storage_gb: int = Field(
        ge=1, le=5000,
        description="Usage limit on the data the cache holds, in GB; ElastiCache Serverless limit: 1-5000 GB. The "
        "data-storage alarm is a share of it.",
        examples=[50],
    )
    max_ecpu_per_second: int = Field(
        ge=1000, le=15_000_000,
        description="Usage limit on ElastiCache Processing Units per second; ElastiCache Serverless limit: "
        "1,000-15,000,000 ECPU/s. The ECPU alarm is a share of it.",
        examples=[50_000],
    )
    snapshot_retention_limit: int = Field(
        ge=1, le=35,
        description="Days a daily snapshot is kept (1-35). Floors: 1 in preview (FSBP ElastiCache.1 / "
        "CKV_AWS_134), 7 in prod (FSBP ElastiCache.1, prod retention baseline).",
        examples=[7],
    )
    daily_snapshot_time: str = Field(
        default="02:30",
        description="UTC hh24:mi. When the daily snapshot starts; quote it in YAML (YAML 1.1 reads an unquoted 12:30 "
        "as a number).",
    )
    protect: bool = Field(
        description="Pulumi `protect` on the cache and its KMS key. `pulumi destroy` refuses to delete them until "
        "they are unprotected.",
        examples=[True],
    )
    app_user_name: str = Field(
        default="app",
        description="The app's RBAC user, also named in the rediss:// URL. 1-40 lowercase letters, digits or "
        "single hyphens, starting with a letter, not 'default' (ElastiCache RBAC user names).",
    )
    app_access_string: str = Field(
        default="on ~* &* +@all -@dangerous",
        description="Valkey/Redis ACL rule for the app user; the 'default' user is always off. Must contain 'on' "
        "and set no password or 'nopass': ElastiCache manages passwords (AWS ElastiCache RBAC docs).",
    )

    @field_validator("daily_snapshot_time", mode="before")
    @classmethod
    def _sexagesimal_time(cls, value: Any) -> Any:
        # YAML 1.1 (PyYAML, and so the planner) reads an unquoted 12:30 as the base-60 number 750.
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            raise PydanticCustomError(
                "unquoted_time",
                "must be a quoted 'hh24:mi' string in UTC: YAML read an unquoted {hhmm} as the number {value}; "
                "write daily_snapshot_time: \"{hhmm}\"",
                {"hhmm": f"{value // 60:02d}:{value % 60:02d}", "value": value},
            )
        return value

    @field_validator("daily_snapshot_time")
    @classmethod
    def _snapshot_time(cls, value: str) -> str:
        if not full_match(_HH_MM, value):
            raise PydanticCustomError("time", "must be 'hh24:mi' in UTC, e.g. '02:30'")
        return value

    @field_validator("app_user_name")
    @classmethod
    def _user_name(cls, value: str) -> str:
        if value == "default" or not full_match(_CACHE_USER, value):
            raise PydanticCustomError(
                "cache_user",
                "must be 1-40 lowercase ASCII letters, digits or single hyphens, start with a letter, not end in "
                "a hyphen, not 'default' (ElastiCache RBAC user names)",
            )
        return value

    @field_validator("app_access_string")
    @classmethod
    def _access_string(cls, value: str) -> str:
        if not full_match(_ACCESS_STRING, value):
            raise PydanticCustomError(
                "access_string", "must be printable ASCII ACL rules separated by single spaces, on one line"
            )
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

    @field_validator("major_engine_version")
    @classmethod
    def _engine_version(cls, value: str | None, info: ValidationInfo) -> str | None:
        # A field validator (not a model one) so that it runs, and names this key, even when others fail.
        engine = info.data.get("engine")
        allowed = SERVERLESS_ENGINE_MAJORS.get(engine) if isinstance(engine, str) else None
        if value is not None and allowed is not None and value not in allowed:
            raise PydanticCustomError(
                "engine_version",
                "is not offered for serverless {engine}; allowed: {allowed} (AWS ElastiCache supported engines)",
                {"engine": engine, "allowed": ", ".join(allowed)},
            )
        return value

    @property
    def engine_major(self) -> str:
        return self.major_engine_version or SERVERLESS_ENGINE_MAJORS[self.engine][-1]


