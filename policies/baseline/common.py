"""Shared helpers: total (never-raising) readers for engine-sent properties, the policy builders, stack joins.

How a policy sees the engine's data (pulumi_policy 1.21, `policy.py` / `proxy.py` / `deserialize.py`):

* `args.props` is the resource's inputs (`Analyze`) or outputs (`AnalyzeStack`) with camelCase wire names,
  wrapped by `unknown_checking_proxy`: every `__getitem__` on a dict or list proxy raises
  `UnknownValueError` when the value is one of the engine's unknown sentinels (the engine sends every
  unknown as the *string* sentinel). `Mapping.get` and `key in props` both go through `__getitem__`,
  so they raise too. Only iterating the keys (`for k in props`) does not read values: `has_key` uses that.
* An `UnknownValueError` escaping a policy is reported by the pack as the advisory "can't run policy ...
  during preview" diagnostic, not as a pass or a failure. Resource policies use that deliberately
  (`known()`) when a value they must compare is unknown; stack policies never let it escape, because
  one unknown anywhere would skip the whole stack check.
* Secrets arrive signature-wrapped and `deserialize_properties` unwraps them (no secret proxy in
  `Analyze`/`AnalyzeStack`): a policy sees the plaintext and cannot tell it was secret. Policies here
  therefore never put property values of credential fields into messages.
* Any other exception in a policy becomes a gRPC error and aborts the whole `pulumi preview`. The readers
  below never raise, and every policy is wrapped by `_guard`, which turns an unexpected exception into a
  violation ("could not be evaluated") instead: fail closed, but keep the run alive.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from .refs import Ref

try:  # raised by args.not_applicable(); must pass through the guard like UnknownValueError
    from pulumi_policy.policy import _NotApplicableError as _NOT_APPLICABLE
except ImportError:  # pragma: no cover - older/newer SDK layouts
    _NOT_APPLICABLE = UnknownValueError

# --------------------------------------------------------------------------------------------------
# Resource type tokens (pulumi_aws 7.x)
# --------------------------------------------------------------------------------------------------
RDS_INSTANCE: Final = "aws:rds/instance:Instance"
RDS_PARAMETER_GROUP: Final = "aws:rds/parameterGroup:ParameterGroup"
RDS_PROXY: Final = "aws:rds/proxy:Proxy"
SERVERLESS_CACHE: Final = "aws:elasticache/serverlessCache:ServerlessCache"
ELASTICACHE_USER: Final = "aws:elasticache/user:User"
ELASTICACHE_USER_GROUP: Final = "aws:elasticache/userGroup:UserGroup"
ELASTICACHE_USER_GROUP_ASSOCIATION: Final = "aws:elasticache/userGroupAssociation:UserGroupAssociation"
SECURITY_GROUP: Final = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP: Final = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP_RULE: Final = "aws:ec2/securityGroupRule:SecurityGroupRule"
SECURITY_GROUP_INGRESS_RULE: Final = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SUBNET: Final = "aws:ec2/subnet:Subnet"
VPC: Final = "aws:ec2/vpc:Vpc"
FLOW_LOG: Final = "aws:ec2/flowLog:FlowLog"
LOG_GROUP: Final = "aws:cloudwatch/logGroup:LogGroup"
DEFAULT_SUBNET: Final = "aws:ec2/defaultSubnet:DefaultSubnet"
KMS_KEY: Final = "aws:kms/key:Key"
METRIC_ALARM: Final = "aws:cloudwatch/metricAlarm:MetricAlarm"
EVENT_RULE: Final = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET: Final = "aws:cloudwatch/eventTarget:EventTarget"
SNS_TOPIC: Final = "aws:sns/topic:Topic"
SNS_TOPIC_POLICY: Final = "aws:sns/topicPolicy:TopicPolicy"
BACKUP_PLAN: Final = "aws:backup/plan:Plan"
RDS_CLUSTER: Final = "aws:rds/cluster:Cluster"
BACKUP_VAULT: Final = "aws:backup/vault:Vault"
BACKUP_VAULT_LOCK: Final = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
BACKUP_SELECTION: Final = "aws:backup/selection:Selection"
SCHEDULE: Final = "aws:scheduler/schedule:Schedule"
SQS_QUEUE: Final = "aws:sqs/queue:Queue"

# --------------------------------------------------------------------------------------------------
# Total readers
# --------------------------------------------------------------------------------------------------
_UNKNOWN_SENTINELS: Final = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


class _Marker:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


UNKNOWN: Final = _Marker("<unknown>")
"""A value the engine does not know yet (a preview of an output of another resource)."""

MISSING: Final = _Marker("<missing>")
"""The property is absent (or null): the provider default applies."""


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN or (isinstance(value, str) and value in _UNKNOWN_SENTINELS)


def has_key(obj: Any, key: str) -> bool:
    """Whether `key` is present, without reading its value (so an unknown value does not raise)."""
    if not isinstance(obj, Mapping):
        return False
    try:
        return any(k == key for k in obj)
    except Exception:
        return False


def get(obj: Any, *path: str | int) -> Any:
    """The value at `path` (dict keys / list indexes), `UNKNOWN`, or `MISSING`. Never raises."""
    current = obj
    for step in path:
        current = _step(current, step)
        if current is MISSING or current is UNKNOWN:
            return current
    return current


def _step(current: Any, step: str | int) -> Any:
    if isinstance(step, str):
        present = has_key(current, step)
    else:
        present = _is_sequence(current) and -len(current) <= step < len(current)
    if not present:
        return MISSING
    try:
        value = current[step]
    except UnknownValueError:
        return UNKNOWN
    except Exception:
        return MISSING
    if is_unknown(value):
        return UNKNOWN
    return MISSING if value is None else value


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray)


_TRUE_STRINGS: Final = frozenset({"true", "1", "yes", "on"})
_FALSE_STRINGS: Final = frozenset({"false", "0", "no", "off"})


def as_bool(value: Any, *, default: bool) -> bool | _Marker:
    """A boolean input, tolerating the string/number spellings the provider would coerce."""
    if value is UNKNOWN or is_unknown(value):
        return UNKNOWN
    result: bool = default
    if isinstance(value, bool):
        result = value
    elif isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE_STRINGS or lowered in _FALSE_STRINGS:
            result = lowered in _TRUE_STRINGS
    elif isinstance(value, int | float):
        result = value != 0
    return result


def as_number(value: Any) -> float | _Marker | None:
    """A finite number (numbers arrive as floats on the wire), `UNKNOWN`, or None when absent/not numeric."""
    if value is UNKNOWN or is_unknown(value):
        return UNKNOWN
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def as_str(value: Any) -> str | _Marker | None:
    """A string, `UNKNOWN`, or None when absent or not a string."""
    if value is UNKNOWN or is_unknown(value):
        return UNKNOWN
    return value if isinstance(value, str) else None


def as_list(value: Any) -> list[Any] | _Marker | None:
    """The elements of a list input (each may itself be `UNKNOWN`), `UNKNOWN`, or None if absent/not a list."""
    if value is UNKNOWN or is_unknown(value):
        return UNKNOWN
    if not _is_sequence(value):
        return None
    try:
        size = len(value)
    except Exception:
        return None
    return [get(value, i) for i in range(size)]


def is_set(value: Any) -> bool:
    """Present and not empty. An unknown value counts as set: it will hold whatever its source produces."""
    if value is UNKNOWN or is_unknown(value):
        return True
    if value is MISSING or value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, Mapping) or _is_sequence(value):
        try:
            return len(value) > 0
        except Exception:
            return False
    return True


def known(value: Any, path: str) -> Any:
    """Return `value`, or raise the SDK's UnknownValueError (-> "can't run policy during preview")."""
    if value is UNKNOWN or is_unknown(value):
        raise UnknownValueError(UNKNOWN_STRING_VALUE, path.split("."))
    return value


def strings(values: Any) -> list[str]:
    """The known string elements of a list value (unknown / non-string elements dropped)."""
    items = as_list(values)
    if not isinstance(items, list):
        return []
    return [v for v in items if isinstance(v, str) and not is_unknown(v)]


def is_open_cidr(value: Any) -> bool:
    """True for a CIDR that matches every address (0.0.0.0/0, ::/0, or any /0 spelling)."""
    if not isinstance(value, str) or is_unknown(value):
        return False
    try:
        return ipaddress.ip_network(value.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def config_number(config: Any, key: str, default: float, *, minimum: float = 0) -> float:
    """A numeric policy config property (`Configure` sends JSON numbers as floats)."""
    value = as_number(get(config, key))
    if not isinstance(value, float) or value < minimum:
        return float(default)
    return value


def fmt_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --------------------------------------------------------------------------------------------------
# Policy builders: metadata and the guard
# --------------------------------------------------------------------------------------------------
ResourceCheck = Callable[[ResourceValidationArgs], Iterable[str]]
StackCheck = Callable[[StackValidationArgs], Iterable[tuple[str, str | None]]]


@dataclass(frozen=True)
class About:
    """What a reviewer reads about a policy: its verb-first name, the controls it implements, how bad a violation
    is and how to fix it. `control` is the control's wording in security-baseline.md (the framework's
    `specification`); `url` defaults to the primary reference's page."""

    name: str
    description: str
    refs: tuple[Ref, ...]
    control: str
    severity: Severity
    remediation: str
    tags: tuple[str, ...]
    url: str | None = None
    enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY

    def __post_init__(self) -> None:
        if not self.refs:
            raise ValueError(f"policy {self.name} cites no control")

    @property
    def primary(self) -> Ref:
        return self.refs[0]

    @property
    def link(self) -> str | None:
        return self.url or next((r.url for r in self.refs if r.url), None)

    def metadata(self) -> dict[str, Any]:
        """Keyword arguments shared by `ResourceValidationPolicy` and `StackValidationPolicy`."""
        primary = self.primary
        return {
            "name": self.name,
            "description": f"{self.description} [{', '.join(str(r) for r in self.refs)}]",
            "enforcement_level": self.enforcement_level,
            "severity": self.severity,
            "framework": PolicyComplianceFramework(
                name=primary.framework, reference=primary.control, specification=self.control
            ),
            "tags": list(dict.fromkeys([*self.tags, *(r.tag for r in self.refs)])),
            "remediation_steps": self.remediation,
            "url": self.link,
        }


@dataclass(frozen=True)
class Family:
    """The policies of one resource type: their common name prefix (`aws-rds-instance`) and tags. `about` names a
    policy verb-first after the prefix (`disallow-public-access` -> `aws-rds-instance-disallow-public-access`)."""

    prefix: str
    tags: tuple[str, ...]

    def about(
        self,
        intent: str,
        *,
        description: str,
        refs: tuple[Ref, ...],
        control: str,
        severity: Severity,
        remediation: str,
        tags: tuple[str, ...] = (),
        url: str | None = None,
        advisory: bool = False,
    ) -> About:
        return About(
            name=f"{self.prefix}-{intent}",
            description=description,
            refs=refs,
            control=control,
            severity=severity,
            remediation=remediation,
            tags=(*self.tags, *tags),
            url=url,
            enforcement_level=EnforcementLevel.ADVISORY if advisory else EnforcementLevel.MANDATORY,
        )


CATALOG: dict[str, About] = {}
"""The `About` of every policy built by `resource_policy` / `stack_policy`, by name (for the docs tables)."""

TARGETS: dict[str, frozenset[str]] = {}
"""The resource types each resource policy judges, by name (tests drive every policy with every type it targets)."""


def _register(about: About) -> dict[str, Any]:
    if CATALOG.get(about.name, about) != about:
        raise ValueError(f"two policies are named {about.name}")
    CATALOG[about.name] = about
    return about.metadata()


def _internal_error(policy_name: str, exc: Exception) -> str:
    # The exception text is left out on purpose: it may quote a (secret) property value.
    return (
        f"policy '{policy_name}' could not evaluate this resource ({type(exc).__name__}); "
        "treating it as non-compliant. Please report this to the platform team."
    )


def resource_policy(
    about: About,
    resource_types: Iterable[str],
    check: ResourceCheck,
    *,
    config_schema: PolicyConfigSchema | None = None,
) -> ResourceValidationPolicy:
    """A resource policy whose `check` yields violation messages for resources of `resource_types`.

    The guard: an unknown value the check must compare escapes as the SDK's "can't run during preview" note;
    any other exception becomes a violation that names the exception type only (fail closed, keep the run)."""
    types = frozenset(resource_types)
    name = about.name
    TARGETS[name] = types

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in types:
            return
        try:
            for message in check(args):
                report_violation(message, None)
        except (UnknownValueError, _NOT_APPLICABLE):
            raise
        except Exception as exc:
            report_violation(_internal_error(name, exc), None)

    return ResourceValidationPolicy(validate=validate, config_schema=config_schema, **_register(about))


def stack_policy(
    about: About, check: StackCheck, *, config_schema: PolicyConfigSchema | None = None
) -> StackValidationPolicy:
    """A stack policy whose `check` yields (message, urn) pairs. Unknowns never escape a stack check: one unknown
    anywhere would otherwise skip the whole stack check with a "can't run" note."""
    name = about.name

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        try:
            for message, urn in check(args):
                report_violation(message, urn if isinstance(urn, str) and urn else None)
        except _NOT_APPLICABLE:
            raise
        except Exception as exc:  # includes UnknownValueError: a stack check must read values safely
            report_violation(_internal_error(name, exc), None)

    return StackValidationPolicy(validate=validate, config_schema=config_schema, **_register(about))


# --------------------------------------------------------------------------------------------------
# Stack joins
# --------------------------------------------------------------------------------------------------
class StackIndex:
    """Looks resources up by type, by property dependency and by literal identifier."""

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        self.resources: list[PolicyResource] = [r for r in resources if isinstance(r, PolicyResource)]

    def of_type(self, *types: str) -> list[PolicyResource]:
        return [r for r in self.resources if r.resource_type in types]

    @staticmethod
    def property_deps(resource: PolicyResource, prop: str, *types: str) -> list[PolicyResource]:
        """The resources (of `types`) the value of `prop` was computed from, in declaration order, deduplicated."""
        deps = resource.property_dependencies if isinstance(resource.property_dependencies, Mapping) else {}
        found: dict[str, PolicyResource] = {}
        for dep in deps.get(prop) or []:
            if isinstance(dep, PolicyResource) and (not types or dep.resource_type in types):
                found.setdefault(dep.urn, dep)
        return list(found.values())

    def with_literal(self, types: Iterable[str], props: Iterable[str], value: Any) -> list[PolicyResource]:
        """Resources of `types` whose known property (one of `props`, e.g. `id`, `name`) equals `value`."""
        if not isinstance(value, str) or is_unknown(value) or not value:
            return []
        wanted = tuple(types)
        return [r for r in self.resources if r.resource_type in wanted and any(get(r.props, p) == value for p in props)]

    def depends_on(self, resource: PolicyResource, prop: str, target: PolicyResource, *ids: str) -> bool:
        """Whether `resource.prop` refers to `target`: through a property dependency or a literal id."""
        if any(dep.urn == target.urn for dep in self.property_deps(resource, prop)):
            return True
        value = get(resource.props, prop)
        if not isinstance(value, str) or is_unknown(value):
            return False
        return any(get(target.props, p) == value for p in ids)

    @staticmethod
    def waits_for(resource: PolicyResource, target: PolicyResource) -> bool:
        """Whether `resource` is created after `target`: `target` (or a component that contains it, which the SDK
        expands to its children) is among `resource`'s transitive dependencies or property dependencies."""
        containers = {target.urn}
        parent = target.parent
        while isinstance(parent, PolicyResource) and parent.urn not in containers:
            containers.add(parent.urn)
            parent = parent.parent
        seen: set[str] = set()
        stack: list[PolicyResource] = [resource]
        while stack:
            current = stack.pop()
            deps = list(current.dependencies or [])
            if isinstance(current.property_dependencies, Mapping):
                deps += [d for ds in current.property_dependencies.values() for d in ds or []]
            for dep in deps:
                if not isinstance(dep, PolicyResource) or dep.urn in seen:
                    continue
                if dep.urn in containers:
                    return True
                seen.add(dep.urn)
                stack.append(dep)
        return False


def iter_unique(resources: Iterable[PolicyResource]) -> Iterator[PolicyResource]:
    seen: set[str] = set()
    for r in resources:
        if r.urn not in seen:
            seen.add(r.urn)
            yield r


# --------------------------------------------------------------------------------------------------
# Readers shared by resource policies
# --------------------------------------------------------------------------------------------------
def flag(args: ResourceValidationArgs, prop: str, *, default: bool) -> bool:
    """A boolean input (provider default when absent); unknown -> "can't run during preview"."""
    return bool(known(as_bool(get(args.props, prop), default=default), prop))


def lower_str(args: ResourceValidationArgs, prop: str) -> str | None:
    """A string input, stripped and lower-cased; None when absent or not a string; unknown -> "can't run"."""
    value = known(as_str(get(args.props, prop)), prop)
    return value.strip().lower() if isinstance(value, str) else None


def each_of(
    resource_type: str, what: Callable[[StackIndex, PolicyResource], str | None]
) -> Callable[[StackValidationArgs], Iterator[tuple[str, str | None]]]:
    """A stack check that asks `what` about every resource of `resource_type` (with the stack's index) and reports
    its answer, when there is one, on that resource: the shape of the joins between a resource and the
    configuration resources that name it (a bucket and its encryption, an account and its blob service)."""

    def check(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
        index = StackIndex(args.resources)
        for resource in index.of_type(resource_type):
            message = what(index, resource)
            if message:
                yield f"{resource.name}: {message}", resource.urn

    return check
