"""The request an evaluation answers: who (principal), what (action), on what (resource), with which context keys.

Every context key carries the source that documents it (the page that says the service sends that key with that
value), so a test that proves a path can cite, per key, why the request looks the way it does. Keys AWS derives
from the principal itself (`aws:PrincipalArn`, `aws:PrincipalAccount`, ...) are added with the global condition
keys page as their source unless the request sets them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .patterns import has_unknown

Scalar = str | bool | int | float
ContextInput = Scalar | Sequence[Scalar]

GLOBAL_KEYS_SOURCE = (
    "IAM User Guide, AWS global condition context keys "
    "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)"
)


class RequestError(ValueError):
    """The request itself is incomplete or contradictory (not a policy problem)."""


def _text(value: Scalar) -> str:
    # bool first: it is an int too. JSON-ish spelling, as the policy language compares text.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    raise RequestError(f"context values are strings, numbers or booleans, not {type(value).__name__}")


@dataclass(frozen=True)
class ContextKey:
    """One condition key of a request: its value(s) and the documentation that says the service sends it."""

    name: str
    values: tuple[str, ...]
    multivalued: bool
    source: str

    @classmethod
    def of(cls, name: str, value: ContextInput, source: str) -> ContextKey:
        if not name or not isinstance(name, str):
            raise RequestError("a context key needs a name")
        if not source or not source.strip():
            raise RequestError(f"context key {name!r} needs a source: the page that documents it")
        if isinstance(value, str | bool | int | float):
            return cls(name, (_text(value),), False, source)
        if not isinstance(value, list | tuple):
            raise RequestError(f"context key {name!r}: a value or a list of values, not {type(value).__name__}")
        return cls(name, tuple(_text(v) for v in value), True, source)

    @property
    def unknown(self) -> bool:
        return any(has_unknown(v) for v in self.values)

    def display(self) -> str:
        shown = ", ".join(self.values)
        return f"{self.name}=[{shown}]" if self.multivalued else f"{self.name}={shown}"


class Context:
    """Condition keys of a request, looked up case-insensitively (key names are; values are not)."""

    def __init__(self, keys: Mapping[str, tuple[ContextInput, str]] | Iterable[ContextKey] = ()) -> None:
        self._keys: dict[str, ContextKey] = {}
        items: Iterable[ContextKey]
        if isinstance(keys, Mapping):
            items = [ContextKey.of(name, value, source) for name, (value, source) in keys.items()]
        else:
            items = keys
        for key in items:
            lowered = key.name.lower()
            if lowered in self._keys:
                raise RequestError(f"context key {key.name!r} given twice")
            self._keys[lowered] = key

    def with_key(self, name: str, value: ContextInput, *, source: str) -> Context:
        """A copy with one more key (or a key replaced)."""
        keys = {k: v for k, v in self._keys.items() if k != name.lower()}
        keys[name.lower()] = ContextKey.of(name, value, source)
        return Context(keys.values())

    def with_defaults(self, defaults: Iterable[ContextKey]) -> Context:
        """A copy that adds each default the context does not set itself."""
        keys = dict(self._keys)
        for key in defaults:
            keys.setdefault(key.name.lower(), key)
        return Context(keys.values())

    def get(self, name: str) -> ContextKey | None:
        return self._keys.get(name.lower())

    def values(self, name: str) -> tuple[str, ...] | None:
        """The key's values, or None when the request does not carry the key."""
        key = self.get(name)
        return None if key is None else key.values

    def resolve(self, name: str) -> str | None:
        """A policy variable's value: the key's single value; None if absent or multivalued."""
        key = self.get(name)
        if key is None or key.multivalued or len(key.values) != 1:
            return None
        return key.values[0]

    def __iter__(self) -> Iterator[ContextKey]:
        return iter(self._keys.values())

    def __len__(self) -> int:
        return len(self._keys)

    def sources(self) -> dict[str, str]:
        return {key.name: key.source for key in self}

    def __repr__(self) -> str:
        return f"Context({', '.join(k.display() for k in self)})"


class PrincipalKind(StrEnum):
    ROLE_SESSION = "role-session"
    USER = "user"
    ROOT = "root"
    SERVICE = "service"
    FEDERATED = "federated"
    ANONYMOUS = "anonymous"


def _arn_parts(arn: str) -> list[str]:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise RequestError(f"not an ARN: {arn!r}")
    return parts


@dataclass(frozen=True)
class Principal:
    """Who sends the request. Build one with the class methods; `arn` is what a policy's Principal names."""

    kind: PrincipalKind
    arn: str
    account: str | None = None
    role_arn: str | None = None
    partition: str = "aws"

    @classmethod
    def role_session(cls, role_arn: str, session_name: str = "session") -> Principal:
        """A session of an IAM role (what every request made with a role's credentials comes from)."""
        partition, service, _region, account, resource = _arn_parts(role_arn)[1:]
        if service != "iam" or not resource.startswith("role/"):
            raise RequestError(f"not a role ARN: {role_arn!r}")
        name = resource.rsplit("/", 1)[-1]
        session = f"arn:{partition}:sts::{account}:assumed-role/{name}/{session_name}"
        return cls(PrincipalKind.ROLE_SESSION, session, account, role_arn, partition)

    @classmethod
    def user(cls, user_arn: str) -> Principal:
        partition, service, _region, account, resource = _arn_parts(user_arn)[1:]
        if service != "iam" or not resource.startswith("user/"):
            raise RequestError(f"not a user ARN: {user_arn!r}")
        return cls(PrincipalKind.USER, user_arn, account, None, partition)

    @classmethod
    def root(cls, account: str, partition: str = "aws") -> Principal:
        return cls(PrincipalKind.ROOT, f"arn:{partition}:iam::{account}:root", account, None, partition)

    @classmethod
    def service(cls, name: str) -> Principal:
        """An AWS service principal such as `events.amazonaws.com` (matched by `Principal.Service`)."""
        if not name or "." not in name:
            raise RequestError(f"not a service principal name: {name!r}")
        return cls(PrincipalKind.SERVICE, name)

    @classmethod
    def federated(cls, provider: str) -> Principal:
        """A web-identity or SAML provider (`Principal.Federated`), as in sts:AssumeRoleWithWebIdentity."""
        account = _arn_parts(provider)[4] if provider.startswith("arn:") else None
        return cls(PrincipalKind.FEDERATED, provider, account or None)

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(PrincipalKind.ANONYMOUS, "*")

    @property
    def is_iam(self) -> bool:
        """A user, role session or account root: identity-based policies (and boundaries) can apply."""
        return self.kind in (PrincipalKind.ROLE_SESSION, PrincipalKind.USER, PrincipalKind.ROOT)

    @property
    def root_arn(self) -> str | None:
        return f"arn:{self.partition}:iam::{self.account}:root" if self.account else None

    def global_keys(self) -> tuple[ContextKey, ...]:
        """The principal keys AWS puts in every request this principal signs."""

        def key(name: str, value: ContextInput) -> ContextKey:
            return ContextKey.of(name, value, GLOBAL_KEYS_SOURCE)

        if self.kind == PrincipalKind.SERVICE:
            return (key("aws:PrincipalServiceName", self.arn), key("aws:PrincipalIsAWSService", True))
        if not self.is_iam or self.account is None:
            return ()
        keys = [key("aws:PrincipalAccount", self.account), key("aws:PrincipalIsAWSService", False)]
        if self.kind == PrincipalKind.ROLE_SESSION and self.role_arn is not None:
            keys += [key("aws:PrincipalArn", self.role_arn), key("aws:PrincipalType", "AssumedRole")]
        elif self.kind == PrincipalKind.USER:
            keys += [
                key("aws:PrincipalArn", self.arn),
                key("aws:PrincipalType", "User"),
                key("aws:username", self.arn.rsplit("/", 1)[-1]),
            ]
        else:
            keys += [key("aws:PrincipalArn", self.arn), key("aws:PrincipalType", "Account")]
        return tuple(keys)


@dataclass(frozen=True)
class Request:
    """One request context: `action` on `resource` by `principal` with `context` keys.

    `resource_account` is the account that owns the resource; it is read from the ARN when the ARN has one
    (S3 bucket and object ARNs do not: give it). `source` says where the action/resource shape is documented.
    """

    action: str
    resource: str
    principal: Principal
    context: Context = field(default_factory=Context)
    resource_account: str | None = None
    source: str = ""

    def full_context(self) -> Context:
        return self.context.with_defaults(self.principal.global_keys())

    def owner(self) -> str | None:
        """The account that owns the resource, if the request says or the ARN shows it."""
        if self.resource_account:
            return self.resource_account
        parts = self.resource.split(":", 5)
        if len(parts) == 6 and parts[0] == "arn" and parts[4] and not has_unknown(parts[4]):
            return parts[4]
        return None
