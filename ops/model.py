"""The planner's data model: resources as the engine records them, the plan, URNs, policies and diagnostics.

Plain dataclasses with no Pulumi SDK, gRPC or provider imports, so the reports, the CLI and a future
`ops drift` can use them without paying for the SDK. Property values are in the engine's wire form
(see `ops.values`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"

# Enforcement levels, in the order reports list diagnostics.
LEVELS = ("advisory", "mandatory", "remediate", "disabled")
LEVEL_ORDER = ("mandatory", "remediate", "advisory", "disabled")


def stack_urn(project: str, stack: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{STACK_TYPE}::{project}-{stack}"


def make_urn(project: str, stack: str, parent: str, type_: str, name: str) -> str:
    """The engine's `resource.NewURN`: a child's type is qualified by its parent's, except the Stack's."""
    if parent:
        parent_type = parent.split("::")[2]
        if parent_type != STACK_TYPE:
            type_ = f"{parent_type}${type_}"
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


def is_valid_type_token(token: str) -> bool:
    """`tokens.ParseTypeToken`: a custom resource's type has at least two `:` (`pkg:module:Type`)."""
    return token.count(":") >= 2


@dataclass
class StackFile:
    """A stack file read as the CLI reads it, and the config the program and the pack receive."""

    stack: str
    path: Path
    values: dict[str, Any]  # full key -> typed value (placeholders for secure values)
    wire: dict[str, str]  # full key -> the string the program receives
    secret_keys: set[str] = field(default_factory=set)
    encrypted_keys: set[str] = field(default_factory=set)  # had `secure:` values
    warnings: list[str] = field(default_factory=list)

    def package_config(self, package: str) -> dict[str, Any]:
        """Config of one provider package (`aws:region` -> `region`), as the engine reads it."""
        prefix = package + ":"
        return {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}

    def secret_values(self) -> list[str]:
        """Plaintexts of secret keys, for scrubbing free text."""
        out: list[str] = []
        for key in self.secret_keys:
            out.append(self.wire[key])
            out.extend(_strings(self.values.get(key)))
        return out


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


@dataclass
class ResourceRecord:
    """One resource as the engine would know it after the program registered it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None  # provider reference: "<provider urn>::<provider id>"
    inputs: dict[str, Any]  # wire form: what the program sent, after transforms and remediations
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    deleted_with: str = ""
    ignore_changes: list[str] = field(default_factory=list)
    delete_before_replace: bool = False
    delete_before_replace_defined: bool = False
    additional_secret_outputs: list[str] = field(default_factory=list)
    replace_on_changes: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # as the engine sends them: only an alias matched in state
    requested_aliases: list[str] = field(default_factory=list)  # what the program asked for
    custom_timeouts: dict[str, float] = field(default_factory=dict)
    version: str = ""
    remote: bool = False
    import_id: str = ""
    read: bool = False  # registered by `Resource.get(...)` / a StackReference (ReadResource)
    default_provider: bool = False  # synthesized here, as the engine would
    output_only: list[str] = field(default_factory=list)  # provider-computed outputs, unknown at preview
    outputs: dict[str, Any] | None = None  # from RegisterResourceOutputs (stack, components)
    transformed: bool = False  # new-style transforms changed its inputs or options

    @property
    def is_stack(self) -> bool:
        return self.type == STACK_TYPE

    @property
    def is_provider(self) -> bool:
        return self.type.startswith(PROVIDER_TYPE_PREFIX)

    @property
    def package(self) -> str:
        if self.is_provider:
            return self.type[len(PROVIDER_TYPE_PREFIX) :]
        return self.type.split(":", 1)[0]

    @property
    def provider_urn(self) -> str | None:
        if not self.provider:
            return None
        return self.provider.rsplit("::", 1)[0]


@dataclass(frozen=True)
class LogEntry:
    severity: str
    message: str
    urn: str = ""


@dataclass
class Plan:
    project: str
    stack: str
    organization: str
    resources: list[ResourceRecord]
    outputs: dict[str, Any]  # stack outputs, wire form
    logs: list[LogEntry]
    config: StackFile
    description: str | None = None
    elapsed: float = 0.0

    @property
    def warnings(self) -> list[str]:
        return [*self.config.warnings, *(e.message for e in self.logs if e.severity == "warning")]

    @property
    def stack_urn(self) -> str:
        return stack_urn(self.project, self.stack)

    def by_urn(self) -> dict[str, ResourceRecord]:
        return {r.urn: r for r in self.resources}

    @property
    def analyzed(self) -> list[ResourceRecord]:
        """What the engine hands analyzers: everything registered, not what was read (`.get`, StackReference)."""
        return [r for r in self.resources if not r.read]


@dataclass(frozen=True)
class PolicyConfigEntry:
    level: str | None
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    level: str  # the policy's own default, or the pack's
    severity: str | None
    kind: str  # "resource" | "stack" | "unknown"
    schema_properties: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    has_schema: bool = True  # the pack supports config: the engine validates against (at least) an empty schema
    remediation: str = ""  # pulumi-policy 1.21 metadata, shown in review reports
    url: str = ""
    framework: str = ""  # "<name> <version>: <reference>", when the policy declares one
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    pack: str
    pack_version: str
    level: str
    severity: str | None
    urn: str
    message: str
    description: str


@dataclass(frozen=True)
class Remediation:
    policy: str
    pack: str
    urn: str
    description: str


@dataclass
class PolicyResult:
    packs: list[dict[str, str]]
    policies: list[PolicyInfo]
    config: dict[str, PolicyConfigEntry]  # effective, as sent with Configure
    config_source: str | None = None  # the policy config file used, if any
    diagnostics: list[Diagnostic] = field(default_factory=list)
    remediations: list[Remediation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, urn) in call order

    def count(self, level: str) -> int:
        return sum(1 for d in self.diagnostics if d.level == level)


@dataclass
class PlanReport:
    """Everything a plan produced, and the exit code it implies."""

    plan: Plan
    policy: PolicyResult | None
    policy_skipped_reason: str | None = None
    policy_config_note: str | None = None  # how the policy config file was chosen (ops/commands/plan.py)
    timings: dict[str, float] = field(default_factory=dict)
    cost: Any = None  # the monthly estimate (`ops.cost.Estimate`), None when it was not computed
    placeholders: list[str] = field(default_factory=list)  # the stack file's sample values (ops.placeholders)

    @property
    def mandatory(self) -> int:
        return self.policy.count("mandatory") if self.policy else 0

    @property
    def advisory(self) -> int:
        return self.policy.count("advisory") if self.policy else 0

    @property
    def warnings(self) -> list[str]:
        return [*self.plan.warnings, *self.placeholders, *(self.policy.warnings if self.policy else [])]

    @property
    def exit_code(self) -> int:
        # ExitCode.FOUND for a mandatory violation; advisory ones are only shown.
        return 1 if self.mandatory else 0
