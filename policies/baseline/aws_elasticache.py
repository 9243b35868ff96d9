"""ElastiCache Serverless (`aws:elasticache/serverlessCache:ServerlessCache`, users, user groups, networking).

Serverless caches always encrypt in transit and at rest; the node-cluster controls are applied as analogues.
Snapshot and RBAC controls apply to the redis and valkey engines only (memcached supports neither), as
Checkov's CKV_AWS_134 skips memcached. Absent inputs: `snapshotRetentionLimit` none (no snapshots),
`securityGroupIds` none (the VPC's default security group), `subnetIds` none (the default VPC's subnets),
`userGroupId` NULL (no RBAC), `kmsKeyId` none (AWS-owned key), Subnet `mapPublicIpOnLaunch` false.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from .common import (
    DEFAULT_SECURITY_GROUP,
    DEFAULT_SUBNET,
    ELASTICACHE_USER,
    ELASTICACHE_USER_GROUP,
    ELASTICACHE_USER_GROUP_ASSOCIATION,
    SECURITY_GROUP,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_RULE,
    SERVERLESS_CACHE,
    SUBNET,
    UNKNOWN,
    StackIndex,
    as_bool,
    as_list,
    as_number,
    as_str,
    config_number,
    fmt_number,
    get,
    has_key,
    is_open_cidr,
    is_set,
    is_unknown,
    iter_unique,
    known,
    protected_check,
    resource_policy,
    stack_policy,
    strings,
)

_TAGS = ("aws", "elasticache", "serverless-cache")
_CACHE = (SERVERLESS_CACHE,)
MINIMUM_SNAPSHOT_RETENTION_DEFAULT = 1
BUILTIN_DEFAULT_USER_ID = "default"  # AWS's own user: access string "on ~* +@all", no password


def _supports_snapshots_and_rbac(args: ResourceValidationArgs) -> bool:
    engine = known(as_str(get(args.props, "engine")), "engine")
    return not (isinstance(engine, str) and engine.strip().lower() == "memcached")


def _is_memcached(cache: PolicyResource) -> bool:
    engine = as_str(get(cache.props, "engine"))
    return isinstance(engine, str) and engine.strip().lower() == "memcached"


# --------------------------------------------------------------------------------------------------
# Resource policies
# --------------------------------------------------------------------------------------------------
def _snapshot_retention(args: ResourceValidationArgs) -> Iterator[str]:
    if not _supports_snapshots_and_rbac(args):
        return
    minimum = config_number(
        args.get_config(), "minimumSnapshotRetention", MINIMUM_SNAPSHOT_RETENTION_DEFAULT, minimum=1
    )
    limit = known(as_number(get(args.props, "snapshotRetentionLimit")), "snapshotRetentionLimit")
    if limit is None or limit < minimum:
        shown = (
            "absent (no snapshots)" if not has_key(args.props, "snapshotRetentionLimit") else fmt_number(limit or 0.0)
        )
        yield f"snapshotRetentionLimit is {shown}; at least {fmt_number(minimum)} snapshots must be kept."


def _daily_snapshot_time(args: ResourceValidationArgs) -> Iterator[str]:
    if not _supports_snapshots_and_rbac(args):
        return
    if not is_set(get(args.props, "dailySnapshotTime")):
        yield "dailySnapshotTime is not set: snapshot timing is left to AWS instead of a chosen off-peak window."


def _user_group(args: ResourceValidationArgs) -> Iterator[str]:
    if not _supports_snapshots_and_rbac(args):
        return
    if not is_set(get(args.props, "userGroupId")):
        yield "userGroupId is not set: without a user group every client connects as the passwordless default user."


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


def _user_group_members(index: StackIndex, group: PolicyResource) -> tuple[list[PolicyResource], bool]:
    """Declared users of `group`, and whether it includes AWS's built-in `default` user by id."""
    users: list[PolicyResource] = list(index.property_deps(group, "userIds", ELASTICACHE_USER))
    ids = strings(get(group.props, "userIds"))
    for assoc in index.of_type(ELASTICACHE_USER_GROUP_ASSOCIATION):
        if index.depends_on(assoc, "userGroupId", group, "userGroupId", "id"):
            users.extend(index.property_deps(assoc, "userId", ELASTICACHE_USER))
            user_id = as_str(get(assoc.props, "userId"))
            if isinstance(user_id, str):
                ids.append(user_id)
    builtin_default = False
    for user_id in ids:
        hits = index.with_literal((ELASTICACHE_USER,), ("userId", "id"), user_id)
        users.extend(hits)
        if not hits and user_id == BUILTIN_DEFAULT_USER_ID:
            builtin_default = True
    return list(iter_unique(users)), builtin_default


def _default_user_locked(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    for cache in index.of_type(SERVERLESS_CACHE):
        if _is_memcached(cache):
            continue
        group_id = get(cache.props, "userGroupId")
        if not is_set(group_id):
            continue  # reported by aws-elasticache-serverless-cache-user-group-access-control
        groups = index.property_deps(cache, "userGroupId", ELASTICACHE_USER_GROUP) or index.with_literal(
            (ELASTICACHE_USER_GROUP,), ("userGroupId", "id"), group_id
        )
        for group in groups:  # a user group not declared in this stack cannot be verified
            users, builtin_default = _user_group_members(index, group)
            if builtin_default:
                yield (
                    f"{cache.name}: user group {group.name} contains AWS's built-in 'default' user, which is "
                    "enabled and needs no password; add your own user named 'default' with access string 'off'.",
                    cache.urn,
                )
            for user in users:
                if as_str(get(user.props, "userName")) != "default":
                    continue
                access = as_str(get(user.props, "accessString"))
                if isinstance(access, str) and access.strip().lower().startswith("off"):
                    continue
                nopass = as_bool(get(user.props, "noPasswordRequired"), default=False)
                mode = as_str(get(user.props, "authenticationMode", "type"))
                passwordless = nopass is True or (
                    isinstance(mode, str) and mode.strip().lower() == "no-password-required"
                )
                if passwordless and access is not UNKNOWN:
                    yield (
                        f"{cache.name}: user group {group.name}: the 'default' user {user.name} is enabled "
                        "(accessString does not start with 'off') and needs no password.",
                        cache.urn,
                    )


# --------------------------------------------------------------------------------------------------
POLICIES = [
    resource_policy(
        name="aws-elasticache-serverless-cache-snapshot-retention",
        description="ElastiCache serverless caches (redis/valkey) must keep automatic snapshots "
        "(minimumSnapshotRetention; default 1, prod 7).",
        sources=("FSBP ElastiCache.1 (analogue)", "CKV_AWS_134 (analogue)"),
        control="snapshots kept (snapshot_retention_limit >= 1, prod >= 7) with a daily snapshot time",
        severity=Severity.HIGH,
        remediation="Set `snapshot_retention_limit` to at least the stack's minimum (1; 7 in prod).",
        resource_types=_CACHE,
        check=_snapshot_retention,
        tags=(*_TAGS, "backup"),
        config_schema=PolicyConfigSchema(
            properties={
                "minimumSnapshotRetention": {
                    "type": "integer",
                    "default": MINIMUM_SNAPSHOT_RETENTION_DEFAULT,
                    "minimum": 1,
                    "maximum": 35,
                    "description": "Minimum snapshotRetentionLimit (number of daily snapshots kept).",
                }
            }
        ),
    ),
    resource_policy(
        name="aws-elasticache-serverless-cache-daily-snapshot-time",
        description="ElastiCache serverless caches (redis/valkey) must set a daily snapshot time.",
        sources=("FSBP ElastiCache.1 (analogue)",),
        control="snapshots kept (snapshot_retention_limit >= 1, prod >= 7) with a daily snapshot time",
        severity=Severity.LOW,
        remediation='Set `daily_snapshot_time` (UTC "HH:MM") to an off-peak time.',
        resource_types=_CACHE,
        check=_daily_snapshot_time,
        tags=(*_TAGS, "backup"),
    ),
    resource_policy(
        name="aws-elasticache-serverless-cache-user-group-access-control",
        description="ElastiCache serverless caches (redis/valkey) must use a user group for access control.",
        sources=("FSBP ElastiCache.6 (analogue)", "CKV_AWS_31 (analogue)"),
        control="access control through a user group; the default user disabled or passwordless access off",
        severity=Severity.HIGH,
        remediation="Create an `aws.elasticache.UserGroup` (with a locked-down 'default' user) and pass its "
        "`user_group_id`.",
        resource_types=_CACHE,
        check=_user_group,
        tags=(*_TAGS, "authentication"),
    ),
    resource_policy(
        name="aws-elasticache-serverless-cache-protected",
        description="ElastiCache serverless caches must be `protect`ed Pulumi resources (prod).",
        sources=("data-loss baseline",),
        control="every stateful resource is protected in prod",
        severity=Severity.HIGH,
        remediation="Pass `opts=pulumi.ResourceOptions(protect=True)` for prod stacks.",
        resource_types=_CACHE,
        check=protected_check("cache"),
        tags=(*_TAGS, "data-loss", "prod-only"),
    ),
    stack_policy(
        name="aws-elasticache-serverless-cache-restrictive-security-groups",
        description="ElastiCache serverless caches must use security groups declared in the stack (not the VPC "
        "default) that allow no ingress from 0.0.0.0/0 or ::/0.",
        sources=("FSBP ElastiCache.7 (analogue)", "CKV_AWS_323 (analogue)"),
        control="private subnets and a restrictive security group (not the default)",
        severity=Severity.HIGH,
        remediation="Pass `security_group_ids=[sg.id]` for an `aws.ec2.SecurityGroup` of this stack whose ingress "
        "rules reference the application's security group or private CIDRs only.",
        check=_security_groups,
        tags=(*_TAGS, "network"),
    ),
    stack_policy(
        name="aws-elasticache-serverless-cache-private-subnets",
        description="ElastiCache serverless caches must be placed in private subnets (declared subnets must not "
        "map public IPs on launch).",
        sources=("FSBP ElastiCache.7 (analogue)", "CKV_AWS_323 (analogue)"),
        control="private subnets and a restrictive security group (not the default)",
        severity=Severity.HIGH,
        remediation="Pass `subnet_ids` of the stack's private data subnets (`map_public_ip_on_launch=False`).",
        check=_private_subnets,
        tags=(*_TAGS, "network"),
    ),
    stack_policy(
        name="aws-elasticache-serverless-cache-default-user-locked",
        description="The user group of an ElastiCache serverless cache must contain a 'default' user that is "
        "disabled (access string 'off ...') or requires a password.",
        sources=("FSBP ElastiCache.6 (analogue)", "CKV_AWS_31 (analogue)"),
        control="access control through a user group; the default user disabled or passwordless access off",
        severity=Severity.HIGH,
        remediation='Declare `aws.elasticache.User(user_id="<app>-default", user_name="default", '
        'access_string="off -@all", authentication_mode={"type": "password", ...})` and put it in the user group '
        'instead of the built-in "default" user.',
        check=_default_user_locked,
        tags=(*_TAGS, "authentication"),
    ),
    # ---- expected controls (advisory) ----
    resource_policy(
        name="aws-elasticache-serverless-cache-encrypted-with-customer-managed-key",
        description="ElastiCache serverless caches should encrypt data at rest with a customer-managed KMS key.",
        sources=("CKV_AWS_191 (analogue)",),
        control="customer-managed KMS key",
        severity=Severity.LOW,
        remediation="Set `kms_key_id` to the ARN of an `aws.kms.Key` with rotation enabled.",
        resource_types=_CACHE,
        check=_cmk,
        tags=(*_TAGS, "encryption", "kms"),
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
]
