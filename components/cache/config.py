"""The cache concern's config: ElastiCache Serverless (Valkey or Redis OSS) with RBAC users."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from components.concern import ConcernConfig, Environment, Floor

# ElastiCache Serverless engine versions (AWS ElastiCache "Supported engines and versions").
SERVERLESS_ENGINE_MAJORS: dict[str, tuple[str, ...]] = {"valkey": ("7", "8"), "redis": ("7",)}


class CacheConfig(ConcernConfig):
    """Serverless Redis-compatible cache. TLS and encryption at rest are always on for serverless caches."""

    concern: ClassVar[str] = "cache"
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


