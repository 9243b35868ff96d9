"""What every component shares: children parented to it, and SST-style `transform` escape hatches.

A transform lets a user adjust one child's arguments without forking the component:

    PostgresDatabase("db", args, transform={"instance": lambda props: {**props, "instance_class": "db.r7g.large"}})

The callable receives the keyword arguments the component is about to pass to the child's constructor and
returns the (possibly) changed mapping; returning None keeps the mutated input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pulumi
import pulumi_aws as aws  # submodules load lazily: only components that touch aws.kms pay for it

ArgsTransform = Callable[[dict[str, Any]], dict[str, Any] | None]
Transforms = Mapping[str, ArgsTransform]
R = TypeVar("R", bound=pulumi.Resource)


class PlatformComponent(pulumi.ComponentResource):
    """A component whose children are always parented to it and may be adjusted through `transform`."""

    #: The children a transform may name; a typo in a transform key is an error, not a silent no-op.
    transformable: frozenset[str] = frozenset()

    def __init__(
        self,
        type_token: str,
        name: str,
        *,
        transform: Transforms | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(type_token, name, None, opts)
        self._transform = dict(transform or {})
        unknown = sorted(set(self._transform) - self.transformable)
        if unknown:
            raise ValueError(
                f"{type_token}: unknown transform target(s) {', '.join(unknown)}; "
                f"this component's children are {', '.join(sorted(self.transformable))}"
            )

    def child(
        self,
        kind: str,
        resource: Callable[..., R],
        name: str,
        props: dict[str, Any],
        **options: Any,
    ) -> R:
        """Create one child resource, parented to this component, after applying the `kind` transform."""
        if kind not in self.transformable:
            raise ValueError(f"{kind!r} is not declared in {type(self).__name__}.transformable")
        transform = self._transform.get(kind)
        if transform is not None:
            changed = transform(props)
            props = props if changed is None else dict(changed)
        return resource(name, **props, opts=pulumi.ResourceOptions(parent=self, **options))

    def customer_managed_key(
        self, name: str, *, alias: str, description: str, tags: dict[str, str], protect: bool
    ) -> aws.kms.Key:
        """A rotating KMS key with an alias (CKV_AWS_7). Protected with the data it encrypts: losing the key
        makes every snapshot and backup encrypted with it unreadable. Children kinds: kms_key, kms_alias."""
        key = self.child("kms_key", aws.kms.Key, f"{name}-key", {
            "description": description,
            "enable_key_rotation": True,
            "deletion_window_in_days": 30,
            "tags": tags,
        }, protect=protect)
        self.child("kms_alias", aws.kms.Alias, f"{name}-key-alias", {
            "name": f"alias/{alias}",
            "target_key_id": key.key_id,
        })
        return key


def aws_partition(region: str) -> str:
    """The ARN partition of a region, so managed-policy ARNs are right outside the commercial partition."""
    if region.startswith("cn-"):
        return "aws-cn"
    if "-gov-" in region:
        return "aws-us-gov"
    return "aws"
