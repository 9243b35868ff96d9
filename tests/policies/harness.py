"""Drive the policy pack the way the Pulumi engine does, in process.

Requests are real `analyzer_pb2` messages whose properties are `struct_pb2.Struct`s, handed to the pack's own
gRPC servicer (`pulumi_policy.policy._PolicyAnalyzerServicer`), so deserialization of unknowns and secrets,
the unknown-checking proxy, enforcement levels and config all take the SDK's real code path.
`engine_policy_config` reproduces the engine's reconciliation of a `--policy-pack-config` file
(pulumi `pkg/resource/analyzer/config.go`): schema defaults, then `all`, then the per-policy entry.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"
CONFIG_DIR = PACK_DIR / "config"
if str(PACK_DIR) not in sys.path:
    sys.path.insert(0, str(PACK_DIR))

from baseline import pack_arguments  # noqa: E402
from pulumi_policy.policy import _PolicyAnalyzerServicer  # noqa: E402

from tests.support.wire import UNKNOWN, secret  # noqa: E402,F401  (re-exported for the policy tests)

CANT_RUN = "can't run policy"
INTERNAL_ERROR = "could not evaluate this resource"

_LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "disabled": analyzer_pb2.DISABLED,
    "remediate": analyzer_pb2.REMEDIATE,
}
LEVEL_NAMES = {v: k for k, v in _LEVELS.items()}




def urn_of(type_: str, name: str) -> str:
    return f"urn:pulumi:test::platform::{type_}::{name}"


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(props)
    return s


def load_config(stack: str) -> dict[str, Any]:
    return json.loads((CONFIG_DIR / f"{stack}.json").read_text())


def engine_policy_config(
    info: analyzer_pb2.AnalyzerInfo, config_file: Mapping[str, Any]
) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """The `Configure` request the engine sends for `pulumi preview --policy-pack-config <config_file>`."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    everything = config_file.get("all")
    for policy in info.policies:
        level = LEVEL_NAMES[policy.enforcementLevel]
        schema = json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
        props = {k: v["default"] for k, v in schema.items() if isinstance(v, dict) and "default" in v}
        if isinstance(everything, str):
            level = everything
        entry = config_file.get(policy.name)
        if isinstance(entry, str):
            level = entry
        elif isinstance(entry, Mapping):
            level = entry.get("enforcementLevel", level)
            props.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
        request.policyConfig[policy.name].CopyFrom(
            analyzer_pb2.PolicyConfig(enforcementLevel=_LEVELS[level], properties=to_struct(props))
        )
    return request


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    message: str
    level: str
    urn: str

    @property
    def cant_run(self) -> bool:
        return self.message.startswith(CANT_RUN)


@dataclass
class Resource:
    """One resource of an `AnalyzeStack` request."""

    type: str
    name: str
    props: dict[str, Any]
    deps: dict[str, list[Resource]] = field(default_factory=dict)
    protect: bool = False
    depends_on: list[Resource] = field(default_factory=list)
    provider: Resource | None = None  # a `pulumi:providers:*` resource: sent as the resource's provider

    @property
    def urn(self) -> str:
        return urn_of(self.type, self.name)

    def to_proto(self) -> analyzer_pb2.AnalyzerResource:
        all_deps = sorted({d.urn for ds in self.deps.values() for d in ds} | {d.urn for d in self.depends_on})
        return analyzer_pb2.AnalyzerResource(
            type=self.type,
            name=self.name,
            urn=self.urn,
            properties=to_struct(self.props),
            options=analyzer_pb2.AnalyzerResourceOptions(protect=self.protect),
            dependencies=all_deps,
            provider=self._provider(),
            propertyDependencies={
                k: analyzer_pb2.AnalyzerPropertyDependencies(urns=[d.urn for d in v]) for k, v in self.deps.items()
            },
        )

    def _provider(self) -> analyzer_pb2.AnalyzerProviderResource | None:
        if self.provider is None:
            return None
        p = self.provider
        return analyzer_pb2.AnalyzerProviderResource(type=p.type, name=p.name, urn=p.urn, properties=to_struct(p.props))


def stack_wide_policies() -> set[str]:
    """The names of the stack-wide controls (`baseline/stack/`): they judge every resource of a request."""
    from baseline.pack import MODULES

    return {p.name for m in MODULES if m.__name__.startswith("baseline.stack.") for p in m.POLICIES}


class Pack:
    """The pack's servicer, configured like the engine does for a stack config file (or policy defaults).

    The stack-wide controls (tags, protect, plaintext secrets on every resource) are disabled unless `stack_wide`:
    the per-type tests' small stacks are about one join each; tests/policies/stack/ and the robustness tests
    run the whole pack."""

    def __init__(self, config_file: Mapping[str, Any] | None = None, *, stack_wide: bool = False) -> None:
        kw = pack_arguments()
        self.servicer = _PolicyAnalyzerServicer(
            kw["name"],
            "0.0.1",
            kw["policies"],
            kw["enforcement_level"],
            None,
            kw["description"],
            None,
            None,
            kw["provider"],
            kw["tags"],
        )
        self.info: analyzer_pb2.AnalyzerInfo = self.servicer.GetAnalyzerInfo(None, None)
        request = engine_policy_config(self.info, config_file or {})
        if not stack_wide:
            for name in stack_wide_policies():
                request.policyConfig[name].enforcementLevel = analyzer_pb2.DISABLED
        self.servicer.Configure(request, None)

    @staticmethod
    def _diagnostics(response: analyzer_pb2.AnalyzeResponse) -> list[Diagnostic]:
        return [
            Diagnostic(d.policyName, d.message, LEVEL_NAMES[d.enforcementLevel], d.urn) for d in response.diagnostics
        ]

    def analyze(
        self, type_: str, props: Mapping[str, Any], *, name: str = "subject", protect: bool = False,
        urn: str | None = None,
    ) -> list[Diagnostic]:
        request = analyzer_pb2.AnalyzeRequest(
            type=type_,
            name=name,
            urn=urn or urn_of(type_, name),
            properties=to_struct(props),
            options=analyzer_pb2.AnalyzerResourceOptions(protect=protect),
        )
        return self._diagnostics(self.servicer.Analyze(request, None))

    def analyze_stack(self, resources: Sequence[Resource]) -> list[Diagnostic]:
        request = analyzer_pb2.AnalyzeStackRequest(resources=[r.to_proto() for r in resources])
        return self._diagnostics(self.servicer.AnalyzeStack(request, None))


def violations(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Policy violations proper (not the "can't run during preview" notes)."""
    return [d for d in diags if not d.cant_run]


def violated(diags: Sequence[Diagnostic]) -> set[str]:
    return {d.policy for d in violations(diags)}


def cant_run(diags: Sequence[Diagnostic]) -> set[str]:
    return {d.policy for d in diags if d.cant_run}


def only(diags: Sequence[Diagnostic], policy: str, fragment: str = "") -> Diagnostic:
    """The single diagnostic of `diags`, asserted to come from `policy` and to contain `fragment`."""
    assert [d.policy for d in diags] == [policy], diags
    assert fragment in diags[0].message, diags[0].message
    return diags[0]
