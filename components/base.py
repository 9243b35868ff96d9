"""What every component shares: children parented to it, and an SST-style, typed `transform` escape hatch.

A transform receives one child's name, constructor arguments and resource options, and may change any of
them, so a user can adjust a child without forking the component:

    def bigger_storage(child: ChildArgs) -> None:
        child.props["storage_type"] = "io2"
        child.opts.ignore_changes = ["allocated_storage"]

    PostgresDatabase("postgres", args, transform={"instance": bigger_storage})

Each component declares the children a transform may name as a `TypedDict` (`PostgresDatabaseTransforms`),
so a misspelt key is caught by the type checker, and again at run time before anything is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import pulumi

R = TypeVar("R", bound=pulumi.Resource)


@dataclass
class ChildArgs:
    """One child as the component is about to create it. A transform mutates it or returns a replacement."""

    name: str
    props: dict[str, Any]
    opts: pulumi.ResourceOptions


ChildTransform = Callable[[ChildArgs], ChildArgs | None]


class PlatformComponent(pulumi.ComponentResource):
    """A component whose children are always parented to it and may be adjusted through `transform`."""

    #: The TypedDict (total=False) naming the children a transform may target: its keys are the child kinds.
    Transforms: ClassVar[type[Mapping[str, ChildTransform]]]

    def __init__(
        self,
        type_token: str,
        name: str,
        *,
        transform: Mapping[str, ChildTransform] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        kinds = self.child_kinds()
        unknown = sorted(set(transform or {}) - kinds)
        if unknown:
            # Raised before the component registers: nothing is created because of a typo.
            raise ValueError(
                f"{type_token}: unknown transform target(s) {', '.join(unknown)}; "
                f"this component's children are {', '.join(sorted(kinds))}"
            )
        super().__init__(type_token, name, None, opts)
        self._transform = dict(transform or {})

    @classmethod
    def child_kinds(cls) -> frozenset[str]:
        return frozenset(getattr(cls.Transforms, "__annotations__", {}))

    def child(
        self,
        kind: str,
        resource: Callable[..., R],
        name: str,
        props: dict[str, Any],
        **options: Any,
    ) -> R:
        """Create one child resource, parented to this component, after applying the `kind` transform."""
        if kind not in self.child_kinds():
            raise ValueError(f"{kind!r} is not declared in {type(self).__name__}.Transforms")
        child = ChildArgs(name=name, props=dict(props), opts=pulumi.ResourceOptions(parent=self, **options))
        transform = self._transform.get(kind)
        if transform is not None:
            child = transform(child) or child
        # A transform may change any option but the parent: every child stays inside its component.
        opts = pulumi.ResourceOptions.merge(child.opts, pulumi.ResourceOptions(parent=self))
        return resource(child.name, **child.props, opts=opts)
