"""Policy evaluation over the real Analyzer gRPC protocol, in the engine's call order and encoding.

ConfigureStack, GetAnalyzerInfo, Configure (an explicit enforcement level for every policy), then per
resource in registration order Remediate (only when a policy remediates) and Analyze, and finally
AnalyzeStack. Matched against pkg/resource/deploy/step_generator.go (`generateResourceSteps`, `analyzeAll`,
`AnalyzeResources`), analyze_snapshot.go and pkg/resource/plugin/analyzer_plugin.go:
- Analyze gets a resource's inputs (after remediation), top-level `__` keys dropped; AnalyzeStack gets every
  registered resource's outputs: a custom resource's inputs plus its provider-computed outputs as unknown
  (`additionalSecretOutputs` made secret), a component's registered outputs or nothing; reads get neither;
- a remediated value replaces the resource's inputs before Analyze and before the program sees it;
- a diagnostic without a severity takes its policy's; a remediate-level one counts as mandatory; a stack
  policy's diagnostic for a URN not in the stack is reported on the stack;
- aliases are sent only as matched in prior state (none on a fresh stack).

`AnalyzerSession` is one pass of the protocol; `ops.policy.stream.AnalyzerStream` drives it while the
program runs. Imports grpc and the SDK's protos (so the Pulumi SDK): import it after the pack was started.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from ..errors import PlannerConfigError, PolicyPackError
from ..model import (
    Diagnostic,
    Plan,
    PolicyConfigEntry,
    PolicyInfo,
    PolicyResult,
    Remediation,
    ResourceRecord,
    StackFile,
)
from ..values import UNKNOWN, is_secret, secret, to_engine
from .config import reconcile_policy_config
from .pack import PolicyPackProcess

# pulumirpc.EnforcementLevel and pulumirpc.PolicySeverity, by number.
_LEVEL_BY_NUMBER = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
_NUMBER_BY_LEVEL = {v: k for k, v in _LEVEL_BY_NUMBER.items()}
_SEVERITY_BY_NUMBER: dict[int, str | None] = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: None,
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
_KIND_BY_NUMBER = {
    analyzer_pb2.POLICY_TYPE_UNKNOWN: "unknown",
    analyzer_pb2.POLICY_TYPE_RESOURCE: "resource",
    analyzer_pb2.POLICY_TYPE_STACK: "stack",
}
_RPC_TIMEOUT = 120.0
_MAX_MESSAGE = 400 * 1024 * 1024  # the engine's limit for analyzer messages


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(dict(value))
    return s


def _options(rec: ResourceRecord) -> analyzer_pb2.AnalyzerResourceOptions:
    # Like marshalResourceOptions: custom timeouts are always present, zero when unset.
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=rec.protect,
        ignoreChanges=rec.ignore_changes,
        deleteBeforeReplace=rec.delete_before_replace,
        deleteBeforeReplaceDefined=rec.delete_before_replace_defined,
        additionalSecretOutputs=rec.additional_secret_outputs,
        aliases=rec.aliases,
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=rec.custom_timeouts.get("create", 0.0),
            update=rec.custom_timeouts.get("update", 0.0),
            delete=rec.custom_timeouts.get("delete", 0.0),
        ),
        parent=rec.parent or "",
    )


def preview_outputs(rec: ResourceRecord) -> dict[str, Any]:
    """A resource's state after a preview's create, as AnalyzeStack sees it (engine form)."""
    if not rec.custom:
        # Stack and components: what they registered with register_outputs, or nothing.
        return to_engine(rec.outputs) if rec.outputs is not None else {}
    state = to_engine(rec.inputs)
    for key in rec.output_only:
        state.setdefault(key, UNKNOWN)
    for key in rec.additional_secret_outputs:
        # step_executor.go: additionalSecretOutputs are made secret in the outputs.
        if key != "id" and key in state and not is_secret(state[key]):
            state[key] = secret(state[key])
    return state


def policy_infos(info: analyzer_pb2.AnalyzerInfo) -> list[PolicyInfo]:
    out = []
    for p in info.policies:
        has_schema = p.HasField("configSchema")
        out.append(
            PolicyInfo(
                name=p.name,
                description=p.description,
                level=_LEVEL_BY_NUMBER.get(p.enforcementLevel, "advisory"),
                severity=_SEVERITY_BY_NUMBER.get(p.severity),
                kind=_KIND_BY_NUMBER.get(p.policy_type, "unknown"),
                schema_properties=json_format.MessageToDict(p.configSchema.properties) if has_schema else {},
                required=tuple(p.configSchema.required) if has_schema else (),
                has_schema=bool(info.supportsConfig),
                remediation=p.remediation_steps,
                url=p.url,
                framework=_framework_text(p) if p.HasField("framework") else "",
                tags=tuple(p.tags),
            )
        )
    return out


def _framework_text(policy: analyzer_pb2.PolicyInfo) -> str:
    framework = policy.framework
    name = " ".join(part for part in (framework.name, framework.version) if part)
    return f"{name}: {framework.reference}" if framework.reference else name


def initial_config(info: analyzer_pb2.AnalyzerInfo) -> dict[str, PolicyConfigEntry]:
    """The pack's initial config as the engine decodes it: an unset level is ADVISORY (proto3's zero)."""
    return {
        name: PolicyConfigEntry(
            _LEVEL_BY_NUMBER.get(cfg.enforcementLevel, "advisory"),
            json_format.MessageToDict(cfg.properties) if cfg.HasField("properties") else {},
        )
        for name, cfg in info.initialConfig.items()
    }


@dataclass(frozen=True)
class StackIdentity:
    project: str
    stack: str
    organization: str


class AnalyzerSession:
    """One pass of the engine's analyzer protocol: configure, then resources one by one, then the stack."""

    def __init__(self, process: PolicyPackProcess, config: StackFile) -> None:
        self.process = process
        self.config = config
        self.channel: grpc.Channel | None = None
        self.stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self.by_urn: dict[str, ResourceRecord] = {}
        self.calls: list[tuple[str, str]] = []
        self.pack_name = str(process.spec.directory)
        self.pack_version = process.spec.version or ""
        self.result: PolicyResult | None = None
        self.severities: dict[str, str] = {}
        self.remediates = False

    def connect(self) -> None:
        self.channel = grpc.insecure_channel(
            self.process.address(), options=[("grpc.max_receive_message_length", _MAX_MESSAGE)]
        )
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()

    def call(self, method: str, request: Any, urn: str = "") -> Any:
        self.calls.append((method, urn))
        # wait_for_ready rather than channel_ready_future, whose polling thread makes
        # channel.close() take ~150 ms.
        return getattr(self.stub, method)(request, timeout=_RPC_TIMEOUT, wait_for_ready=True)

    def provider(self, rec: ResourceRecord) -> analyzer_pb2.AnalyzerProviderResource | None:
        urn = rec.provider_urn
        prov = self.by_urn.get(urn) if urn else None
        if prov is None:
            return None
        return analyzer_pb2.AnalyzerProviderResource(
            type=prov.type, name=prov.name, urn=prov.urn, properties=_struct(to_engine(prov.inputs))
        )

    def diagnostic(self, d: analyzer_pb2.AnalyzeDiagnostic, urn: str) -> Diagnostic:
        level = _LEVEL_BY_NUMBER.get(d.enforcementLevel, "advisory")
        return Diagnostic(
            policy=d.policyName,
            pack=d.policyPackName or self.pack_name,
            # The version from PulumiPolicy.yaml wins, as in the engine's convertDiagnostics.
            pack_version=self.pack_version or d.policyPackVersion,
            # A remediate-level violation was not fixed by its remediation: the engine treats it as mandatory.
            level="mandatory" if level == "remediate" else level,
            # convertDiagnostics: an unspecified severity falls back to the policy's own.
            severity=_SEVERITY_BY_NUMBER.get(d.severity) or self.severities.get(d.policyName),
            urn=urn,
            message=d.message,
            description=d.description,
        )

    def configure(
        self,
        identity: StackIdentity,
        user_config: Mapping[str, PolicyConfigEntry],
        source: str | None,
        tags: Mapping[str, str],
    ) -> PolicyResult:
        try:
            self.call(
                "ConfigureStack",
                analyzer_pb2.AnalyzerStackConfigureRequest(
                    stack=identity.stack,
                    project=identity.project,
                    organization=identity.organization,
                    dry_run=True,
                    config=dict(self.config.wire),
                    config_secret_keys=sorted(self.config.secret_keys),
                    tags=dict(tags),
                ),
            )
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise
        info = self.call("GetAnalyzerInfo", empty_pb2.Empty())
        self.pack_name = info.name
        self.pack_version = self.pack_version or info.version
        policies = policy_infos(info)
        self.severities = {p.name: p.severity for p in policies if p.severity}
        if not info.supportsConfig and user_config:
            raise PlannerConfigError(f"policy pack {info.name!r} does not support config, but {source} configures it")
        reconciled = reconcile_policy_config(policies, initial_config(info), user_config, source=source or "")
        effective = reconciled.policies
        # Every policy gets an explicit level: a PolicyConfig without one decodes as ADVISORY.
        request = analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={
                name: analyzer_pb2.PolicyConfig(
                    enforcementLevel=_NUMBER_BY_LEVEL[entry.level or "advisory"],
                    properties=_struct(entry.properties),
                )
                for name, entry in effective.items()
            }
        )
        self.remediates = any(e.level == "remediate" for e in effective.values())
        # Set before Configure: when the pack refuses the config, the engine's own validation verdict (made before
        # Configure) is what the planner reports.
        self.result = PolicyResult(
            packs=[{"name": self.pack_name, "version": self.pack_version}],
            policies=policies,
            config=effective,
            config_source=source,
            warnings=reconciled.warnings,
            calls=self.calls,
        )
        if effective:  # the engine skips Configure when there is nothing to configure
            self.call("Configure", request)
        return self.result

    def request(self, rec: ResourceRecord, props: Mapping[str, Any]) -> analyzer_pb2.AnalyzeRequest:
        return analyzer_pb2.AnalyzeRequest(
            type=rec.type,
            properties=_struct(props),
            urn=rec.urn,
            name=rec.name,
            options=_options(rec),
            provider=self.provider(rec),
        )

    def remediate(self, rec: ResourceRecord) -> dict[str, Any] | None:
        """Remediate one resource; the new inputs if a remediation changed them."""
        result = self.result
        assert result is not None, "configure() first"
        self.by_urn[rec.urn] = rec
        if not self.remediates:
            return None
        # Remediate is marshalled with SkipInternalKeys false.
        props = to_engine(rec.inputs, skip_internal_keys=False)
        resp = self.call("Remediate", self.request(rec, props), rec.urn)
        changed: dict[str, Any] | None = None
        for r in resp.remediations:
            pack = r.policyPackName or self.pack_name
            if r.diagnostic:
                # The engine shows it as an advisory violation and keeps the inputs.
                result.diagnostics.append(
                    Diagnostic(r.policyName, pack, self.pack_version, "advisory", None, rec.urn, r.diagnostic, "")
                )
            elif r.HasField("properties"):
                # Later remediations and Analyze see the rewritten inputs, as in the engine.
                changed = json_format.MessageToDict(r.properties)
                result.remediations.append(Remediation(r.policyName, pack, rec.urn, r.description))
        return changed

    def analyze(self, rec: ResourceRecord) -> None:
        result = self.result
        assert result is not None, "configure() first"
        resp = self.call("Analyze", self.request(rec, to_engine(rec.inputs)), rec.urn)
        # analyzeResource reports every diagnostic on the analyzed resource.
        result.diagnostics.extend(self.diagnostic(d, rec.urn) for d in resp.diagnostics)

    def analyze_stack(self, plan: Plan) -> PolicyResult:
        result = self.result
        assert result is not None, "configure() first"
        analyzed = plan.analyzed
        resources = [
            analyzer_pb2.AnalyzerResource(
                type=rec.type,
                properties=_struct(preview_outputs(rec)),
                urn=rec.urn,
                name=rec.name,
                options=_options(rec),
                provider=self.provider(rec),
                parent=rec.parent or "",
                dependencies=rec.dependencies,
                # The engine leaves out properties without dependencies.
                propertyDependencies={
                    k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                    for k, v in rec.property_dependencies.items()
                    if v
                },
            )
            for rec in analyzed
        ]
        try:
            resp = self.call("AnalyzeStack", analyzer_pb2.AnalyzeStackRequest(resources=resources))
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.UNIMPLEMENTED:
                return result
            raise
        in_stack = {rec.urn for rec in analyzed}
        result.diagnostics.extend(
            # resolveStackPolicyViolationURN: a URN that names no resource of the stack means the stack.
            self.diagnostic(d, d.urn if d.urn in in_stack else plan.stack_urn)
            for d in resp.diagnostics
        )
        return result

    def failure(self, exc: grpc.RpcError) -> PolicyPackError:
        method, urn = self.calls[-1] if self.calls else ("connect", "")
        where = f" for {urn}" if urn else ""
        details = exc.details() or str(exc.code())
        return PolicyPackError(f"policy pack '{self.pack_name}' failed in {method}{where}: {details}")
