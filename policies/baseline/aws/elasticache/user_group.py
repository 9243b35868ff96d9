"""ElastiCache user groups (`aws:elasticache/userGroup:UserGroup`) and their members.

Members come from the group's `userIds` and from `aws:elasticache/userGroupAssociation:UserGroupAssociation`
resources; a member id resolves to a declared user through a property dependency or its literal `userId`.
A member id `default` that resolves to no declared user is AWS's built-in `default` user: enabled, passwordless.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from ...common import (
    ELASTICACHE_USER,
    ELASTICACHE_USER_GROUP,
    ELASTICACHE_USER_GROUP_ASSOCIATION,
    About,
    StackIndex,
    as_str,
    get,
    stack_policy,
    strings,
)
from ...refs import ckv, fsbp
from .user import RBAC_URL

BUILTIN_DEFAULT_USER_ID = "default"  # AWS's own user: access string "on ~* +@all", no password


def member_ids(index: StackIndex, group: PolicyResource) -> list[str]:
    """The known literal user ids of `group`: its `userIds` and those of associations that target it."""
    ids = strings(get(group.props, "userIds"))
    for assoc in index.of_type(ELASTICACHE_USER_GROUP_ASSOCIATION):
        if index.depends_on(assoc, "userGroupId", group, "userGroupId", "id"):
            user_id = as_str(get(assoc.props, "userId"))
            if isinstance(user_id, str) and not index.property_deps(assoc, "userId", ELASTICACHE_USER):
                ids.append(user_id)
    return ids


def _builtin_default_user(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    for group in index.of_type(ELASTICACHE_USER_GROUP):
        declared_members = index.property_deps(group, "userIds", ELASTICACHE_USER)
        for user_id in member_ids(index, group):
            if user_id != BUILTIN_DEFAULT_USER_ID:
                continue
            declared = index.with_literal((ELASTICACHE_USER,), ("userId", "id"), user_id)
            if declared or any(get(u.props, "userId") == user_id for u in declared_members):
                continue
            yield (
                f"{group.name}: contains AWS's built-in 'default' user, which is enabled and needs no password; add "
                "your own user named 'default' with access string 'off' instead.",
                group.urn,
            )


RESOURCE_TYPE = ELASTICACHE_USER_GROUP
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    stack_policy(
        About(
            name="aws-elasticache-user-group-disallow-builtin-default-user",
            description="ElastiCache user groups must not contain AWS's built-in 'default' user (enabled, "
            "passwordless); they must contain a declared, locked-down user named 'default' instead.",
            refs=(fsbp("ElastiCache.6", analogue=True), ckv("CKV_AWS_31", analogue=True)),
            control="access control through a user group; the default user disabled or passwordless access off",
            severity=Severity.HIGH,
            remediation='Declare `aws.elasticache.User(user_id="<app>-default", user_name="default", '
            'access_string="off -@all", authentication_mode={"type": "password", ...})` and put its id in the group '
            'instead of "default".',
            tags=("aws", "elasticache", "authentication"),
            url=RBAC_URL,
        ),
        _builtin_default_user,
    ),
]
