"""The network concern's config: a new VPC with the data and app tiers, or an existing VPC adopted by id."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from components.concern import ConcernConfig, Environment, full_match, shown

_VPC_ID = re.compile(r"vpc-[0-9a-f]{8,17}")
_SUBNET_ID = re.compile(r"subnet-[0-9a-f]{8,17}")
_SG_ID = re.compile(r"sg-[0-9a-f]{8,17}")
_CIDR = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}/[0-9]{1,2}")
# RFC 1918 private address space. `ipaddress`'s `is_private` is wider: it also admits link-local
# 169.254.0.0/16, 192.0.0.0/24, the 198.18.0.0/15 benchmark range and the documentation ranges.
RFC1918_NETWORKS = tuple(
    ipaddress.IPv4Network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)


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
        default_factory=list, description="Private subnets of the adopted VPC, in at least two AZs.",
        validate_default=True,
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
        if value is not None and not full_match(_VPC_ID, value):
            raise PydanticCustomError("vpc_id", "must look like 'vpc-0123456789abcdef0'")
        return value

    @field_validator("existing_private_subnet_ids")
    @classmethod
    def _subnet_ids(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for index, subnet in enumerate(value):
            if not full_match(_SUBNET_ID, subnet):
                raise PydanticCustomError(
                    "subnet_id", "entry {index} = {subnet}: must look like 'subnet-0123456789abcdef0'",
                    {"index": index, "subnet": shown(subnet)},
                )
        # A field validator (not a model one) so that it runs, and names this key, even when others fail.
        vpc_id = info.data.get("existing_vpc_id")
        if vpc_id and len(value) < 2:
            raise PydanticCustomError(
                "adopted_subnets",
                "existing_vpc_id needs at least two subnets here, in different AZs "
                "(RDS DB subnet groups and RDS Proxy require two AZs)",
            )
        if value and "existing_vpc_id" in info.data and not vpc_id:
            raise PydanticCustomError("adopted_vpc", "only valid together with existing_vpc_id")
        return value

    @field_validator("app_security_group_ids")
    @classmethod
    def _sg_ids(cls, value: list[str]) -> list[str]:
        for index, group in enumerate(value):
            if not full_match(_SG_ID, group):
                raise PydanticCustomError(
                    "sg_id", "entry {index} = {group}: must look like 'sg-0123456789abcdef0'",
                    {"index": index, "group": shown(group)},
                )
        return value

    @field_validator("app_cidrs")
    @classmethod
    def _app_cidrs(cls, value: list[str]) -> list[str]:
        return [str(_parse_private_network(cidr)) for cidr in value]

    @property
    def adopts_existing_vpc(self) -> bool:
        return self.existing_vpc_id is not None

    def subnet_cidrs(self) -> list[str]:
        """Carve one private subnet per AZ out of the VPC CIDR, 4 bits smaller than the VPC."""
        network = ipaddress.ip_network(self.cidr_block)
        return [str(subnet) for subnet in list(network.subnets(prefixlen_diff=4))[: self.az_count]]


def _parse_private_network(value: str) -> ipaddress.IPv4Network:
    if not full_match(_CIDR, value):
        raise PydanticCustomError(
            "cidr", "{value} must be an IPv4 CIDR such as '10.40.0.0/16'", {"value": shown(value)}
        )
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as error:
        raise PydanticCustomError(
            "cidr", "{value} must be an IPv4 CIDR such as '10.40.0.0/16' ({error})",
            {"value": shown(value), "error": shown(str(error))[1:-1]},
        ) from None
    if not any(network.subnet_of(private) for private in RFC1918_NETWORKS):
        raise PydanticCustomError(
            "private_cidr",
            "{value} must lie within a private RFC 1918 range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16): "
            "the data tier is never reachable from the internet",
            {"value": shown(value)},
        )
    return network


