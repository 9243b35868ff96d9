"""The network concern's config: a new VPC with the data and app tiers (create mode), or an existing VPC
adopted by id (adopt mode: `existing_vpc_id` is set).

Create mode: the stack creates the VPC, one private data subnet per AZ (carved from the VPC CIDR), one
private app subnet per AZ (`app_subnet_cidrs`), the app security group the app's compute joins, the egress
`egress` chooses, and VPC flow logs. Adopt mode: the data tier goes into existing private subnets and admits
the app's existing security groups (or CIDRs); nothing about the VPC itself is created, and what cannot be
checked offline is listed in docs/network.md.

Cross-field checks are field validators that read the fields declared before them (`info.data`), so each
problem is reported at the key that is wrong, and a key that already failed is not blamed twice.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from components.aws.logs import LOG_RETENTION_DAYS
from components.concern import ConcernConfig, Environment, Floor, full_match, shown

_VPC_ID = re.compile(r"vpc-[0-9a-f]{8,17}")
_SUBNET_ID = re.compile(r"subnet-[0-9a-f]{8,17}")
_SG_ID = re.compile(r"sg-[0-9a-f]{8,17}")
_CIDR = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}/[0-9]{1,2}")
# RFC 1918 private address space. `ipaddress`'s `is_private` is wider: it also admits link-local
# 169.254.0.0/16, 192.0.0.0/24, the 198.18.0.0/15 benchmark range and the documentation ranges.
RFC1918_NETWORKS = tuple(
    ipaddress.IPv4Network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
_ANY_ZONE_NAME = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]")
_ANY_ZONE_ID = re.compile(r"[a-z]{3,8}[0-9]-az[0-9]{1,2}")

Egress = Literal["none", "single_nat", "nat_per_az"]
Mode = Literal["create", "adopt"]

# Zone ids abbreviate the region: eu-west-1 -> euw1, ap-southeast-2 -> apse2, us-gov-west-1 -> usgw1
# (AWS RAM User Guide, "Availability Zone IDs for your AWS resources").
_REGION_WORDS = {
    "north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
    "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw", "gov": "g",
}

# The data subnets take the first blocks of the VPC split 16 ways, the NAT gateways' public subnets the last.
_BLOCK_BITS = 4
_PUBLIC_SPLIT_BITS = 2
_MAX_PUBLIC_PREFIX = 28  # the smallest subnet AWS allows is a /28


class NetworkConfig(ConcernConfig):
    """The data tier's network and the app tier it serves: a new VPC, or an existing VPC adopted by id."""

    concern: ClassVar[str] = "network"
    # preview: one NAT gateway. The app tier needs egress to work at all (image pulls, third-party APIs,
    #   AWS APIs without VPC endpoints), so preview keeps prod's egress path and drops only its redundancy,
    #   as it does for the database (single-AZ). About 0.05 USD an hour plus per-GB processing per gateway
    #   (AWS VPC pricing); `egress: none` for stacks whose app needs no internet at all.
    # prod: one NAT gateway per AZ. A NAT gateway is zonal: with one, an outage of its AZ cuts the egress of
    #   the app in every AZ, and cross-AZ traffic to it is billed (AWS VPC User Guide, "NAT gateway basics").
    # Flow-log retention: prod keeps a year (the floor below, matched by the policy pack's log-group minimum).
    defaults: ClassVar[dict[Environment, dict[str, Any]]] = {
        "preview": {"egress": "single_nat", "flow_log_retention_days": 30, "protect_flow_logs": False},
        "prod": {"egress": "nat_per_az", "flow_log_retention_days": 365, "protect_flow_logs": True},
    }
    # Equal to the policy pack's aws-cloudwatch-log-group-configure-retention minimum per stack.
    floors: ClassVar[dict[Environment, dict[str, Floor]]] = {
        "preview": {"flow_log_retention_days": Floor(30, "FSBP EC2.6 / CKV2_AWS_11, log retention baseline")},
        "prod": {"flow_log_retention_days": Floor(365, "FSBP EC2.6 / CKV2_AWS_11, prod log retention baseline")},
    }

    existing_vpc_id: str | None = Field(
        default=None,
        description="Adopt this VPC instead of creating one (adopt mode). An id such as 'vpc-0123456789abcdef0'; "
        "unset: create mode.",
        examples=["vpc-0123456789abcdef0"],
    )
    existing_private_subnet_ids: list[str] = Field(
        default_factory=list, validate_default=True,
        description="Adopt mode: private subnets of the adopted VPC, in at least two AZs, for the data tier. "
        "Required there (RDS DB subnet groups and RDS Proxy require two AZs), refused in create mode.",
        examples=[["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]],
    )
    cidr_block: str = Field(
        default="10.40.0.0/16",
        description="Create mode: CIDR of the VPC to create. RFC 1918 only, prefix /16 to /24 (AWS VPC limits), "
        "/22 or larger with a NAT egress; the data subnets take its first sixteenths, the NAT subnets its last.",
    )
    availability_zones: list[str] | None = Field(
        default=None, validate_default=True,
        description="Create mode, required: 2 or 3 AZs, all names (eu-west-1a) or all zone ids (euw1-az1). "
        "One data subnet and one app subnet per AZ, in this order. Pinned in config so that an AZ incident "
        "never reshuffles subnets (and with them the database, proxy and cache).",
        examples=[["euw1-az1", "euw1-az2", "euw1-az3"]],
    )
    app_subnet_cidrs: list[str] | None = Field(
        default=None, validate_default=True,
        description="Create mode, required: one CIDR per AZ for the app's private subnets, inside cidr_block, "
        "clear of the data subnets and of the NAT gateways' public subnets; each /16 to /28 (AWS VPC limits).",
        examples=[["10.40.128.0/20", "10.40.144.0/20", "10.40.160.0/20"]],
    )
    egress: Egress = Field(
        description="Create mode: the app subnets' way out. none: no route out of the VPC; single_nat: one "
        "NAT gateway (and its public subnet, internet gateway and Elastic IP); nat_per_az: one per AZ.",
        examples=["nat_per_az"],
    )
    app_security_group_ids: list[str] = Field(
        default_factory=list,
        description="Adopt mode: security groups of the app (in the adopted VPC); they may reach the data tier. "
        "Refused in create mode: EC2 rejects a rule naming a group of another, unpeered VPC (InvalidGroup.NotFound).",
        examples=[["sg-0123456789abcdef0"]],
    )
    app_cidrs: list[str] = Field(
        default_factory=list, validate_default=True,
        description="Private CIDRs that may reach the data tier. Adopt mode: where the app runs. Create mode: "
        "networks outside this VPC only (peered, VPN); the app inside the VPC joins the app security group. "
        "RFC 1918 ranges only.",
        examples=[["10.60.0.0/16"]],
    )
    flow_log_retention_days: int = Field(
        strict=True,
        description="Retention of the VPC flow-log group, in days (a value CloudWatch Logs accepts). Floors: 30 in "
        "preview, 365 in prod (FSBP EC2.6 / CKV2_AWS_11, log retention baseline).",
        examples=[365],
    )
    protect_flow_logs: bool = Field(
        strict=True,
        description="Protect the flow-log group and its key, and keep both after `pulumi destroy`: a year of "
        "flow logs is the evidence an incident review needs, and it must not go with the stack.",
        examples=[True],
    )
    flow_logs_on_adopted_vpc: bool = Field(
        default=False, strict=True,
        description="Adopt mode: also create a flow log for the adopted VPC (its owner usually runs one). Refused "
        "in create mode, where the created VPC always has flow logs.",
    )

    # ---- mode and ids

    @field_validator("existing_vpc_id")
    @classmethod
    def _vpc_id(cls, value: str | None) -> str | None:
        if value is not None and not full_match(_VPC_ID, value):
            raise PydanticCustomError("vpc_id", "must look like 'vpc-0123456789abcdef0'")
        return value

    @field_validator("existing_private_subnet_ids")
    @classmethod
    def _subnet_ids(cls, value: list[str], info: ValidationInfo) -> list[str]:
        _ids_look_like(value, _SUBNET_ID, "subnet-0123456789abcdef0")
        mode = _mode(info)
        if mode == "create" and value:
            raise PydanticCustomError("adopted_vpc", "only valid together with existing_vpc_id")
        if mode == "adopt" and len(set(value)) < 2:
            raise PydanticCustomError(
                "adopted_subnets",
                "existing_vpc_id needs at least two subnets here, in different AZs "
                "(RDS DB subnet groups and RDS Proxy require two AZs)",
            )
        return value

    # ---- create mode: the VPC, its AZs and the app subnets

    @field_validator("cidr_block")
    @classmethod
    def _vpc_cidr(cls, value: str, info: ValidationInfo) -> str:
        # Runs only when the stack sets cidr_block (the default is not validated).
        if _mode(info) == "adopt":
            raise PydanticCustomError(
                "create_only", "applies only to a VPC this stack creates; the adopted VPC keeps its own CIDR"
            )
        network = _parse_private_network(value)
        if not 16 <= network.prefixlen <= 24:
            raise PydanticCustomError(
                "vpc_cidr", "VPC CIDR prefix must be between /16 and /24 (AWS VPC limits), got /{prefix}",
                {"prefix": network.prefixlen},
            )
        return str(network)

    @field_validator("availability_zones")
    @classmethod
    def _availability_zones(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        mode = _mode(info)
        if mode == "adopt":
            if value is not None:
                raise PydanticCustomError(
                    "create_only", "applies only to a VPC this stack creates; the adopted subnets' AZs apply"
                )
            return None
        region = (info.context or {}).get("aws_region")
        example = f"'{region}a' or '{zone_id_prefix(region)}-az1'" if region else "'eu-west-1a' or 'euw1-az1'"
        if value is None:
            if mode == "create":
                raise PydanticCustomError(
                    "required_zones",
                    "required when the stack creates the VPC: 2 or 3 AZ names or zone ids such as {example}, "
                    "chosen once (a zone picked at run time would move the subnets in an AZ incident)",
                    {"example": example},
                )
            return None
        if not 2 <= len(value) <= 3:
            raise PydanticCustomError(
                "zone_count",
                "needs 2 or 3 AZs, got {count}: RDS subnet groups and RDS Proxy need subnets in at least two AZs "
                "(AWS RDS Proxy network prerequisites)",
                {"count": len(value)},
            )
        if len(set(value)) != len(value):
            raise PydanticCustomError("zone_duplicate", "every AZ must be listed once")
        name_pattern, id_pattern = _zone_patterns(region)
        names = [zone for zone in value if full_match(name_pattern, zone)]
        ids = [zone for zone in value if full_match(id_pattern, zone)]
        wrong = [zone for zone in value if zone not in names and zone not in ids]
        if wrong:
            where = f"region {region}" if region else "the region"
            raise PydanticCustomError(
                "zone",
                "{zone} is not an AZ of {where}: use names such as {example} (Local and Wavelength Zones "
                "are not supported)",
                {"zone": shown(wrong[0]), "where": where, "example": example},
            )
        if names and ids:
            raise PydanticCustomError(
                "zone_mix",
                "use all names or all zone ids, not a mix: names map to zone ids differently in each account, "
                "so a name and an id may be the same zone",
            )
        return value

    @field_validator("app_subnet_cidrs")
    @classmethod
    def _app_subnet_cidrs(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        mode = _mode(info)
        if mode == "adopt":
            if value is not None:
                raise PydanticCustomError(
                    "create_only",
                    "applies only to a VPC this stack creates; in adopt mode the app runs in its own subnets "
                    "(name its security groups in app_security_group_ids)",
                )
            return None
        if value is None:
            if mode == "create":
                raise PydanticCustomError(
                    "required_app_subnets",
                    "required when the stack creates the VPC: one private CIDR per AZ for the app's subnets, "
                    "inside cidr_block, e.g. {example}",
                    {"example": _example_app_cidrs(info)},
                )
            return None
        networks = [_parse_private_network(cidr) for cidr in value]
        zones = info.data.get("availability_zones")
        if zones is not None and len(networks) != len(zones):
            raise PydanticCustomError(
                "app_subnet_count", "needs one CIDR per AZ: {zones} AZs, {count} CIDRs",
                {"zones": len(zones), "count": len(networks)},
            )
        _check_subnets_apart(networks)
        vpc_cidr = info.data.get("cidr_block")
        if vpc_cidr is not None:
            _check_app_subnets_in_vpc(networks, ipaddress.IPv4Network(vpc_cidr), len(zones or networks))
        return [str(network) for network in networks]

    @field_validator("egress")
    @classmethod
    def _egress(cls, value: Egress, info: ValidationInfo) -> Egress:
        vpc_cidr = info.data.get("cidr_block")
        if _mode(info) != "create" or value == "none" or vpc_cidr is None:
            return value
        if public_block(ipaddress.IPv4Network(vpc_cidr)).prefixlen + _PUBLIC_SPLIT_BITS > _MAX_PUBLIC_PREFIX:
            raise PydanticCustomError(
                "egress_vpc_size",
                "'{egress}' needs a VPC of /22 or larger (cidr_block is {vpc}): the NAT gateways' public "
                "subnets are /28 or larger, carved from the VPC's last block",
                {"egress": value, "vpc": vpc_cidr},
            )
        return value

    # ---- who may reach the data tier

    @field_validator("app_security_group_ids")
    @classmethod
    def _sg_ids(cls, value: list[str], info: ValidationInfo) -> list[str]:
        _ids_look_like(value, _SG_ID, "sg-0123456789abcdef0")
        if _mode(info) == "create" and value:
            raise PydanticCustomError(
                "foreign_security_group",
                "only valid when adopting a VPC: this stack creates a new VPC, and EC2 refuses a rule that "
                "references a security group of another VPC unless the two are peered (InvalidGroup.NotFound: "
                "'... belong to different networks'). The app joins the exported app_security_group_id instead",
            )
        return value

    @field_validator("app_cidrs")
    @classmethod
    def _app_cidrs(cls, value: list[str], info: ValidationInfo) -> list[str]:
        networks = [_parse_private_network(cidr) for cidr in value]
        mode = _mode(info)
        vpc_cidr = info.data.get("cidr_block")
        if mode == "create" and vpc_cidr is not None:
            vpc = ipaddress.IPv4Network(vpc_cidr)
            for network in networks:
                if network.overlaps(vpc):
                    raise PydanticCustomError(
                        "app_cidr_in_vpc",
                        "'{cidr}' lies in this stack's new VPC {vpc}: the app there runs in app_subnet_cidrs and "
                        "joins the app security group; app_cidrs is for networks outside the VPC (peered, VPN)",
                        {"cidr": str(network), "vpc": str(vpc)},
                    )
        if mode == "adopt" and not networks and info.data.get("app_security_group_ids") == []:
            raise PydanticCustomError(
                "no_app_sources",
                "adopting a VPC needs app_security_group_ids (preferred) or app_cidrs: otherwise nothing can "
                "reach the data tier",
            )
        return [str(network) for network in networks]

    # ---- flow logs

    @field_validator("flow_log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise PydanticCustomError(
                "log_retention",
                "must be a retention CloudWatch Logs accepts: {allowed}",
                {"allowed": ", ".join(str(days) for days in LOG_RETENTION_DAYS)},
            )
        return value

    @field_validator("flow_logs_on_adopted_vpc")
    @classmethod
    def _adopted_flow_logs(cls, value: bool, info: ValidationInfo) -> bool:
        if value and _mode(info) == "create":
            raise PydanticCustomError(
                "adopt_only", "only valid when adopting a VPC: a VPC this stack creates always has flow logs"
            )
        return value

    # ---- derived

    @property
    def mode(self) -> Mode:
        return "adopt" if self.existing_vpc_id is not None else "create"

    @property
    def adopts_existing_vpc(self) -> bool:
        return self.mode == "adopt"

    @property
    def has_flow_logs(self) -> bool:
        return self.mode == "create" or self.flow_logs_on_adopted_vpc

    @property
    def zones(self) -> list[str]:
        return list(self.availability_zones or [])

    @property
    def zones_are_ids(self) -> bool:
        """Whether `availability_zones` holds zone ids (`availability_zone_id`) rather than names."""
        return bool(self.zones) and "-az" in self.zones[0]

    def subnet_cidrs(self) -> list[str]:
        """The data subnets: one per AZ, the first blocks of the VPC CIDR split 16 ways."""
        return [str(n) for n in data_subnet_networks(ipaddress.IPv4Network(self.cidr_block), len(self.zones))]

    def public_subnet_cidrs(self) -> list[str]:
        """The NAT gateways' public subnets: none, one (single_nat) or one per AZ, from the VPC's last block."""
        count = {"none": 0, "single_nat": 1, "nat_per_az": len(self.zones)}[self.egress]
        block = public_block(ipaddress.IPv4Network(self.cidr_block))
        return [str(n) for n in list(block.subnets(prefixlen_diff=_PUBLIC_SPLIT_BITS))[:count]]


def zone_id_prefix(region: str) -> str:
    """The zone-id prefix of a region (eu-west-1 -> euw1); empty when the region has an unknown word."""
    parts = region.split("-")
    words = [_REGION_WORDS.get(part) for part in parts[1:-1]]
    if len(parts) < 3 or None in words:
        return ""
    return parts[0] + "".join(word for word in words if word) + parts[-1]


def data_subnet_networks(vpc: ipaddress.IPv4Network, count: int) -> list[ipaddress.IPv4Network]:
    return list(vpc.subnets(prefixlen_diff=_BLOCK_BITS))[:count]


def public_block(vpc: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    return list(vpc.subnets(prefixlen_diff=_BLOCK_BITS))[-1]


def _zone_patterns(region: str | None) -> tuple[re.Pattern[str], re.Pattern[str]]:
    if not region:
        return _ANY_ZONE_NAME, _ANY_ZONE_ID
    prefix = zone_id_prefix(region)
    id_pattern = re.compile(rf"{re.escape(prefix)}-az[0-9]{{1,2}}") if prefix else _ANY_ZONE_ID
    return re.compile(rf"{re.escape(region)}[a-z]"), id_pattern


def _mode(info: ValidationInfo) -> Mode | None:
    """The mode, or None when existing_vpc_id itself is invalid (then mode-dependent checks stay quiet)."""
    if "existing_vpc_id" not in info.data:
        return None
    return "adopt" if info.data["existing_vpc_id"] is not None else "create"


def _ids_look_like(values: list[str], pattern: re.Pattern[str], example: str) -> None:
    for index, value in enumerate(values):
        if not full_match(pattern, value):
            raise PydanticCustomError(
                "resource_id", "entry {index} = {value}: must look like '{example}'",
                {"index": index, "value": shown(value), "example": example},
            )


def _check_subnets_apart(networks: list[ipaddress.IPv4Network]) -> None:
    for index, network in enumerate(networks):
        if not 16 <= network.prefixlen <= _MAX_PUBLIC_PREFIX:
            raise PydanticCustomError(
                "subnet_size", "'{cidr}': a subnet prefix must be between /16 and /28 (AWS VPC limits)",
                {"cidr": str(network)},
            )
        for other in networks[:index]:
            if network.overlaps(other):
                raise PydanticCustomError(
                    "app_overlap", "'{cidr}' overlaps '{other}'", {"cidr": str(network), "other": str(other)}
                )


def _check_app_subnets_in_vpc(
    networks: list[ipaddress.IPv4Network], vpc: ipaddress.IPv4Network, zone_count: int
) -> None:
    """Inside the VPC, clear of the data subnets and of the block the NAT gateways' public subnets use."""
    taken = [(block, "a data subnet") for block in data_subnet_networks(vpc, zone_count)]
    taken.append((public_block(vpc), "the block reserved for the NAT gateways' public subnets"))
    for network in networks:
        if not network.subnet_of(vpc):
            raise PydanticCustomError(
                "app_outside_vpc", "'{cidr}' is not inside the VPC's cidr_block {vpc}",
                {"cidr": str(network), "vpc": str(vpc)},
            )
        for block, what in taken:
            if network.overlaps(block):
                raise PydanticCustomError(
                    "app_overlap", "'{cidr}' overlaps {what} ({block}); free for the app: {free}",
                    {"cidr": str(network), "what": what, "block": str(block),
                     "free": _free_range(vpc, [b for b, _ in taken])},
                )


def _example_app_cidrs(info: ValidationInfo) -> str:
    vpc_cidr = info.data.get("cidr_block")
    zones = info.data.get("availability_zones") or ["", ""]
    if vpc_cidr is None:
        return "['10.40.128.0/20', '10.40.144.0/20']"
    vpc = ipaddress.IPv4Network(vpc_cidr)
    blocks = list(vpc.subnets(prefixlen_diff=_BLOCK_BITS))
    half = len(blocks) // 2
    return str([str(block) for block in blocks[half:half + len(zones)]])


def _free_range(vpc: ipaddress.IPv4Network, taken: list[ipaddress.IPv4Network]) -> str:
    blocks = [block for block in vpc.subnets(prefixlen_diff=_BLOCK_BITS) if not any(block.overlaps(t) for t in taken)]
    if not blocks:
        return "nothing"
    return f"{blocks[0].network_address} - {blocks[-1].broadcast_address}"


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


