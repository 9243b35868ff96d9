"""ElastiCache users (`aws:elasticache/user:User`).

Every user group must contain a user whose `userName` is `default`; AWS's own `default` user (user id `default`)
is enabled with access string `on ~* +@all` and needs no password. A stack replaces it with its own user named
`default` that is switched off (`accessString` starting with `off`) or requires a password.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import ELASTICACHE_USER, About, as_bool, as_str, get, known, lower_str, resource_policy
from ...refs import ckv, fsbp

RBAC_URL = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html"


def _passwordless_default(args: ResourceValidationArgs) -> Iterator[str]:
    if known(as_str(get(args.props, "userName")), "userName") != "default":
        return
    access = lower_str(args, "accessString")
    if access is not None and access.startswith("off"):
        return
    no_password = known(as_bool(get(args.props, "noPasswordRequired"), default=False), "noPasswordRequired")
    mode = known(as_str(get(args.props, "authenticationMode", "type")), "authenticationMode.type")
    if no_password is True or (isinstance(mode, str) and mode.strip().lower() == "no-password-required"):
        yield (
            "this 'default' user is enabled (accessString does not start with 'off') and needs no password: "
            "every client that connects without credentials gets its access string."
        )


RESOURCE_TYPE = ELASTICACHE_USER
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    resource_policy(
        About(
            name="aws-elasticache-user-disallow-passwordless-default-user",
            description="An ElastiCache user named 'default' must be disabled (access string 'off ...') or require a "
            "password.",
            refs=(fsbp("ElastiCache.6", analogue=True), ckv("CKV_AWS_31", analogue=True)),
            control="access control through a user group; the default user disabled or passwordless access off",
            severity=Severity.HIGH,
            remediation='Declare the user with `user_name="default"`, `access_string="off -@all"` and '
            '`authentication_mode={"type": "password", ...}`.',
            tags=("aws", "elasticache", "authentication"),
            url=RBAC_URL,
        ),
        (ELASTICACHE_USER,),
        _passwordless_default,
    ),
]
