"""RedisCache: serverless, TLS-only, pay-per-use Redis-compatible cache (the AWS analogue of Upstash).

ElastiCache Serverless (Valkey by default, Redis OSS allowed) in the private subnets behind its own security
group, encrypted at rest with a customer-managed KMS key, with daily snapshots kept per environment and
usage limits that cap the bill. Access goes through an RBAC user group: the mandatory `default` user is
switched off (and still has a random password), and the app gets its own user whose generated password only
ever exists as a Pulumi secret.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.aws.kms import CustomerManagedKeyTransforms, customer_managed_key
from components.base import ChildTransform, PlatformComponent
from components.cache.config import CacheConfig
from components.naming import (
    ELASTICACHE_SERVERLESS_CACHE,
    ELASTICACHE_USER_GROUP_ID,
    ELASTICACHE_USER_ID,
    physical_name,
)
from components.stack import StackConfig

# ElastiCache user passwords: 16-128 printable characters. Letters and digits only, so the password can sit
# in a rediss:// URL without escaping.
PASSWORD_LENGTH = 40


@dataclass(frozen=True, kw_only=True)
class RedisCacheArgs:
    config: CacheConfig
    name_prefix: str
    region: str
    subnet_ids: pulumi.Input[list[str]]
    security_group_id: pulumi.Input[str]
    tags: dict[str, str]

    @classmethod
    def from_stack(
        cls, stack: StackConfig, *, subnet_ids: pulumi.Input[list[str]], security_group_id: pulumi.Input[str]
    ) -> RedisCacheArgs:
        return cls(
            config=stack.cache,
            name_prefix=stack.name_prefix,
            region=stack.aws_region,
            subnet_ids=subnet_ids,
            security_group_id=security_group_id,
            tags=stack.tags("cache"),
        )


class RedisCacheTransforms(CustomerManagedKeyTransforms, total=False):
    """The children of `RedisCache` a transform may adjust."""

    password: ChildTransform
    default_user: ChildTransform
    app_user: ChildTransform
    user_group: ChildTransform
    cache: ChildTransform


class RedisCache(PlatformComponent):
    """ElastiCache Serverless with RBAC users and a CMK."""

    Transforms = RedisCacheTransforms

    endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    url: pulumi.Output[str]
    user_name: pulumi.Output[str]
    cache: aws.elasticache.ServerlessCache

    def __init__(
        self,
        name: str,
        args: RedisCacheArgs,
        *,
        transform: RedisCacheTransforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:data:RedisCache", name, transform=transform, opts=opts)
        config, tags = args.config, args.tags
        cache_name = physical_name(args.name_prefix, "cache", ELASTICACHE_SERVERLESS_CACHE)

        key = customer_managed_key(
            self, name, alias=cache_name, description=f"{cache_name}: data at rest and snapshots",
            region=args.region, tags=tags, protect=config.protect, via_services=("elasticache",),
        )

        default_password = self.child("password", random.RandomPassword, f"{name}-default-user", {
            "length": PASSWORD_LENGTH,
            "special": False,
        })
        app_password = self.child("password", random.RandomPassword, f"{name}-app-user", {
            "length": PASSWORD_LENGTH,
            "special": False,
        })

        # Every user group needs a user named "default"; this one can never log in.
        default_user = self.child("default_user", aws.elasticache.User, f"{name}-default-user", {
            "user_id": physical_name(cache_name, "default", ELASTICACHE_USER_ID),
            "user_name": "default",
            "engine": config.engine,
            "access_string": "off -@all",
            "authentication_mode": {"type": "password", "passwords": [default_password.result]},
            "tags": tags,
        })
        app_user = self.child("app_user", aws.elasticache.User, f"{name}-app-user", {
            "user_id": physical_name(cache_name, config.app_user_name, ELASTICACHE_USER_ID),
            "user_name": config.app_user_name,
            "engine": config.engine,
            "access_string": config.app_access_string,
            "authentication_mode": {"type": "password", "passwords": [app_password.result]},
            "tags": tags,
        })
        user_group = self.child("user_group", aws.elasticache.UserGroup, f"{name}-users", {
            "user_group_id": physical_name(cache_name, "users", ELASTICACHE_USER_GROUP_ID),
            "engine": config.engine,
            "user_ids": [default_user.user_id, app_user.user_id],
            "tags": tags,
        })

        self.cache = self.child("cache", aws.elasticache.ServerlessCache, f"{name}-cache", {
            "name": cache_name,
            "description": f"{cache_name}: app cache and queues",
            "engine": config.engine,
            "major_engine_version": config.engine_major,
            "cache_usage_limits": {
                "data_storage": {"maximum": config.max_data_storage_gb, "unit": "GB"},
                "ecpu_per_seconds": [{"maximum": config.max_ecpu_per_second}],
            },
            "kms_key_id": key.arn,
            "subnet_ids": args.subnet_ids,
            "security_group_ids": [args.security_group_id],
            "user_group_id": user_group.user_group_id,
            "snapshot_retention_limit": config.snapshot_retention_limit,
            "daily_snapshot_time": config.daily_snapshot_time,
            "tags": tags,
        }, protect=config.protect)

        endpoint = self.cache.endpoints.apply(lambda endpoints: endpoints[0] if endpoints else None)
        self.endpoint = endpoint.apply(lambda e: e.address if e else None)
        self.port = endpoint.apply(lambda e: e.port if e else None)
        self.user_name = pulumi.Output.from_input(config.app_user_name)
        # The whole URL is a secret because it carries the password.
        self.url = pulumi.Output.secret(
            pulumi.Output.concat(
                "rediss://", config.app_user_name, ":", app_password.result, "@",
                self.endpoint, ":", self.port.apply(str),
            )
        )
        self.register_outputs({
            "endpoint": self.endpoint,
            "port": self.port,
            "user_name": self.user_name,
            "url": self.url,
        })
