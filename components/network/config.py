"""The network concern's config: a new VPC with the data and app tiers, or an existing VPC adopted by id."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from components.concern import ConcernConfig, Environment

_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SG_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")


class NetworkConfig(ConcernConfig):
    """The data tier's network: a new VPC with private subnets, or an existing VPC adopted by id."""

    concern: ClassVar[str] = "network"
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {
        "preview": {"az_count": 2},
        "prod": {"az_count": 3},
    }

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


