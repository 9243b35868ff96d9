"""ElastiCache Serverless caches (`aws:elasticache/serverlessCache:ServerlessCache`), and the stack joins to the
subnets and security groups they are placed in.

Serverless caches always encrypt in transit and at rest; the node-cluster controls are applied as analogues.
Snapshot and RBAC controls apply to the redis and valkey engines only (memcached supports neither), as
Checkov's CKV_AWS_134 skips memcached. Absent inputs: `snapshotRetentionLimit` none (no snapshots),
`securityGroupIds` none (the VPC's default security group), `subnetIds` none (the default VPC's subnets),
`userGroupId` NULL (no RBAC), `kmsKeyId` none (AWS-owned key), Subnet `mapPublicIpOnLaunch` false.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from ...common import (
    DEFAULT_SECURITY_GROUP,
    DEFAULT_SUBNET,
    SECURITY_GROUP,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_RULE,
    SERVERLESS_CACHE,
    SUBNET,
    UNKNOWN,
    Family,
    StackIndex,
    as_bool,
    as_list,
    as_str,
    get,
    is_open_cidr,
    is_set,
    is_unknown,
    iter_unique,
    lower_str,
    resource_policy,
    stack_policy,
    strings,
)
from ...factories import minimum_policy, present_policy, protected_policy
from ...refs import ckv, fsbp, platform
from ...thresholds import CACHE_SNAPSHOT_RETENTION

_TAGS = ("aws", "elasticache", "serverless-cache")
_GUIDE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg"


_about = Family("aws-elasticache-serverless-cache", _TAGS).about


def _supports_snapshots_and_rbac(args: ResourceValidationArgs) -> bool:
    return lower_str(args, "engine") != "memcached"


# --------------------------------------------------------------------------------------------------
# Resource policies
# --------------------------------------------------------------------------------------------------
def _cmk(args: ResourceValidationArgs) -> Iterator[str]:
    key = get(args.props, "kmsKeyId")
    if not is_set(key):
        yield "kmsKeyId is not set: data at rest uses an AWS-owned key instead of a customer-managed one."
    elif isinstance(key, str) and not is_unknown(key) and "alias/aws/" in key:
        yield "kmsKeyId names an AWS-managed key alias; use a customer-managed KMS key."


# --------------------------------------------------------------------------------------------------
# Stack policies
# --------------------------------------------------------------------------------------------------
def _resolve(
    index: StackIndex, resource: PolicyResource, prop: str, types: tuple[str, ...]
) -> tuple[list[PolicyResource], int]:
    """Resources of `types` that `resource.prop` (a list of ids) refers to, and how many entries stay unresolved.

    An entry resolves through a property dependency (the value is computed from the resource) or a literal
    match with the resource's known `id`. Known literal strings that match nothing and unknown entries
    computed from something else (e.g. `vpc.default_security_group_id`) count as unresolved.
    """
    entries = as_list(get(resource.props, prop))
    deps = index.property_deps(resource, prop, *types)
    if not isinstance(entries, list):
        return deps, 0 if deps or entries is not UNKNOWN else 1
    matched: list[PolicyResource] = []
    unmatched = 0
    for entry in entries:
        hits = index.with_literal(types, ("id",), entry) if isinstance(entry, str) else []
        if hits:
            matched.extend(hits)
        else:
            unmatched += 1
    by_literal = {r.urn for r in matched}
    remaining_deps = [d for d in deps if d.urn not in by_literal]
    resolved = list(iter_unique([*matched, *deps]))
    return resolved, max(0, unmatched - len(remaining_deps))


def _open_ingress(index: StackIndex, group: PolicyResource) -> Iterator[str]:
    """Descriptions of the rules that open `group` to 0.0.0.0/0 or ::/0."""
    ingress = as_list(get(group.props, "ingress"))
    for i, rule in enumerate(ingress if isinstance(ingress, list) else []):
        cidrs = strings(get(rule, "cidrBlocks")) + strings(get(rule, "ipv6CidrBlocks"))
        opened = sorted({c for c in cidrs if is_open_cidr(c)})
        if opened:
            yield f"inline ingress[{i}] allows {', '.join(opened)}"
    for rule in index.of_type(SECURITY_GROUP_RULE):
        if not index.depends_on(rule, "securityGroupId", group, "id"):
            continue
        kind = as_str(get(rule.props, "type"))
        if isinstance(kind, str) and kind.strip().lower() != "ingress":
            continue
        cidrs = strings(get(rule.props, "cidrBlocks")) + strings(get(rule.props, "ipv6CidrBlocks"))
        opened = sorted({c for c in cidrs if is_open_cidr(c)})
        if opened:
            yield f"SecurityGroupRule {rule.name} allows {', '.join(opened)}"
    for rule in index.of_type(SECURITY_GROUP_INGRESS_RULE):
        if not index.depends_on(rule, "securityGroupId", group, "id"):
            continue
        opened = sorted({c for c in (get(rule.props, "cidrIpv4"), get(rule.props, "cidrIpv6")) if is_open_cidr(c)})
        if opened:
            yield f"SecurityGroupIngressRule {rule.name} allows {', '.join(opened)}"


def _security_groups(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    for cache in index.of_type(SERVERLESS_CACHE):
        if not is_set(get(cache.props, "securityGroupIds")):
            yield (
                f"{cache.name}: no securityGroupIds, so the cache endpoint gets the VPC's default security group.",
                cache.urn,
            )
            continue
        groups, unresolved = _resolve(index, cache, "securityGroupIds", (SECURITY_GROUP, DEFAULT_SECURITY_GROUP))
        if unresolved:
            yield (
                f"{cache.name}: {unresolved} securityGroupIds entr{'y does' if unresolved == 1 else 'ies do'} not "
                "refer to a security group declared in this stack (a literal id or the VPC default group cannot "
                "be verified).",
                cache.urn,
            )
        for group in groups:
            if group.resource_type == DEFAULT_SECURITY_GROUP:
                yield (f"{cache.name}: security group {group.name} is the VPC's default security group.", cache.urn)
                continue
            for finding in _open_ingress(index, group):
                yield (f"{cache.name}: security group {group.name}: {finding}.", cache.urn)


def _private_subnets(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    for cache in index.of_type(SERVERLESS_CACHE):
        if not is_set(get(cache.props, "subnetIds")):
            yield (
                f"{cache.name}: no subnetIds, so the cache endpoint goes into the default VPC's (public) subnets.",
                cache.urn,
            )
            continue
        # Entries that resolve to nothing (literal ids of an adopted VPC) cannot be verified: not reported.
        subnets, _ = _resolve(index, cache, "subnetIds", (SUBNET, DEFAULT_SUBNET))
        for subnet in subnets:
            if subnet.resource_type == DEFAULT_SUBNET:
                yield (f"{cache.name}: subnet {subnet.name} is a default (public) subnet.", cache.urn)
            elif as_bool(get(subnet.props, "mapPublicIpOnLaunch"), default=False) is True:
                yield (
                    f"{cache.name}: subnet {subnet.name} has mapPublicIpOnLaunch = true (a public subnet).",
                    cache.urn,
                )


# --------------------------------------------------------------------------------------------------
_NETWORK = "private subnets and a restrictive security group (not the default)"

RESOURCE_TYPE = SERVERLESS_CACHE
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    minimum_policy(
        _about(
            "configure-snapshot-retention",
            description="ElastiCache serverless caches (redis/valkey) must keep automatic snapshots (policy config "
            "minimumSnapshotRetention).",
            refs=(fsbp("ElastiCache.1", analogue=True), ckv("CKV_AWS_134", analogue=True)),
            control="snapshots kept (snapshot_retention_limit >= 1, prod >= 7) with a daily snapshot time",
            severity=Severity.HIGH,
            remediation="Set `snapshot_retention_limit` to at least the stack's minimum "
            "(policies/config/<stack>.json).",
            tags=("backup",),
        ),
        SERVERLESS_CACHE, "snapshotRetentionLimit", CACHE_SNAPSHOT_RETENTION,
        absent="no snapshots", applies=_supports_snapshots_and_rbac,
    ),
    present_policy(
        _about(
            "configure-daily-snapshot-time",
            description="ElastiCache serverless caches (redis/valkey) must set a daily snapshot time.",
            refs=(fsbp("ElastiCache.1", analogue=True),),
            control="snapshots kept (snapshot_retention_limit >= 1, prod >= 7) with a daily snapshot time",
            severity=Severity.LOW,
            remediation='Set `daily_snapshot_time` (UTC "HH:MM") to an off-peak time.',
            tags=("backup",),
        ),
        SERVERLESS_CACHE, "dailySnapshotTime", applies=_supports_snapshots_and_rbac,
        consequence="snapshot timing is left to AWS instead of a chosen off-peak window",
    ),
    present_policy(
        _about(
            "require-user-group",
            description="ElastiCache serverless caches (redis/valkey) must use a user group for access control.",
            refs=(fsbp("ElastiCache.6", analogue=True), ckv("CKV_AWS_31", analogue=True)),
            control="access control through a user group; the default user disabled or passwordless access off",
            severity=Severity.HIGH,
            remediation="Create an `aws.elasticache.UserGroup` (with a locked-down 'default' user) and pass its "
            "`user_group_id`.",
            tags=("authentication",),
        ),
        SERVERLESS_CACHE, "userGroupId", applies=_supports_snapshots_and_rbac,
        consequence="without a user group every client connects as the passwordless default user",
    ),
    protected_policy(
        _about(
            "require-protect",
            description="ElastiCache serverless caches must be `protect`ed Pulumi resources (prod).",
            refs=(platform("data-loss baseline"),),
            control="every stateful resource is protected in prod",
            severity=Severity.HIGH,
            remediation="Pass `opts=pulumi.ResourceOptions(protect=True)` for prod stacks.",
            tags=("data-loss", "prod-only"),
            url="https://www.pulumi.com/docs/iac/concepts/options/protect/",
        ),
        SERVERLESS_CACHE, "cache",
    ),
    stack_policy(
        _about(
            "configure-restrictive-security-groups",
            description="ElastiCache serverless caches must use security groups declared in the stack (not the VPC "
            "default) that allow no ingress from 0.0.0.0/0 or ::/0.",
            refs=(fsbp("ElastiCache.7", analogue=True), ckv("CKV_AWS_323", analogue=True)),
            control=_NETWORK,
            severity=Severity.HIGH,
            remediation="Pass `security_group_ids=[sg.id]` for an `aws.ec2.SecurityGroup` of this stack whose ingress "
            "rules reference the application's security group or private CIDRs only.",
            tags=("network",),
        ),
        _security_groups,
    ),
    stack_policy(
        _about(
            "disallow-public-subnets",
            description="ElastiCache serverless caches must be placed in private subnets (declared subnets must not "
            "map public IPs on launch).",
            refs=(fsbp("ElastiCache.7", analogue=True), ckv("CKV_AWS_323", analogue=True)),
            control=_NETWORK,
            severity=Severity.HIGH,
            remediation="Pass `subnet_ids` of the stack's private data subnets (`map_public_ip_on_launch=False`).",
            tags=("network",),
        ),
        _private_subnets,
    ),
    # ---- expected controls (advisory) ----
    resource_policy(
        _about(
            "configure-customer-managed-key",
            description="ElastiCache serverless caches should encrypt data at rest with a customer-managed KMS key.",
            refs=(ckv("CKV_AWS_191", analogue=True),),
            control="customer-managed KMS key",
            severity=Severity.LOW,
            remediation="Set `kms_key_id` to the ARN of an `aws.kms.Key` with rotation enabled.",
            tags=("encryption", "kms"),
            url=f"{_GUIDE}/at-rest-encryption.html",
            advisory=True,
        ),
        (SERVERLESS_CACHE,),
        _cmk,
    ),
]
