"""Policy evaluation over the real Analyzer gRPC protocol, in the engine's call order.

ConfigureStack, GetAnalyzerInfo, Configure (an explicit enforcement level for every policy),
then per resource in registration order Remediate (only when a policy remediates) and Analyze,
and finally AnalyzeStack. Properties are marshalled as the engine does (`values.to_engine`):
unknowns as the UNKNOWN sentinel, secrets signature-wrapped, resource references collapsed.

Imports grpc and the SDK's protos (so the Pulumi SDK): import it after the pack was started.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from .errors import PolicyPackError
from .policypack import PolicyConfigEntry, PolicyInfo, PolicyPackProcess, reconcile_policy_config
from .values import to_engine

if TYPE_CHECKING:
    from .engine import Plan, ResourceRecord
    from .project import StackConfig

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
    diagnostics: list[Diagnostic] = field(default_factory=list)
    remediations: list[Remediation] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, urn) in call order

    def count(self, level: str) -> int:
        return sum(1 for d in self.diagnostics if d.level == level)


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
            )
        )
    return out


def initial_config(info: analyzer_pb2.AnalyzerInfo) -> dict[str, PolicyConfigEntry]:
    out: dict[str, PolicyConfigEntry] = {}
    for name, cfg in info.initialConfig.items():
        props = json_format.MessageToDict(cfg.properties) if cfg.HasField("properties") else {}
        level: str | None = _LEVEL_BY_NUMBER.get(cfg.enforcementLevel, "advisory")
        # proto3 cannot tell "advisory" from "not set": PolicyPack leaves the level out of an
        # entry that only carries properties, which decodes as ADVISORY. Taking that literally
        # would silently downgrade a mandatory policy, so such an entry keeps the prior level.
        if level == "advisory" and props:
            level = None
        out[name] = PolicyConfigEntry(level, props)
    return out


class _Session:
    """One pass of the engine's analyzer protocol: configure, then resources one by one, then the stack."""

    def __init__(self, process: PolicyPackProcess, config: StackConfig) -> None:
        self.process = process
        self.config = config
        self.channel: grpc.Channel | None = None
        self.stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self.by_urn: dict[str, ResourceRecord] = {}
        self.states: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []
        self.pack_name = str(process.spec.directory)
        self.pack_version = process.spec.version or ""
        self.result: PolicyResult | None = None

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

    def diagnostic(self, d: analyzer_pb2.AnalyzeDiagnostic, default_urn: str) -> Diagnostic:
        return Diagnostic(
            policy=d.policyName,
            pack=d.policyPackName or self.pack_name,
            # The version from PulumiPolicy.yaml wins, as in the engine's convertDiagnostics.
            pack_version=self.pack_version or d.policyPackVersion,
            level=_LEVEL_BY_NUMBER.get(d.enforcementLevel, "advisory"),
            severity=_SEVERITY_BY_NUMBER.get(d.severity),
            urn=d.urn or default_urn,
            message=d.message,
            description=d.description,
        )

    def configure(
        self,
        identity: StackIdentity,
        user_config: Mapping[str, PolicyConfigEntry],
        source: str,
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
        effective = reconcile_policy_config(policies, initial_config(info), user_config, source=source)
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
        self.call("Configure", request)
        self.result = PolicyResult(
            packs=[{"name": self.pack_name, "version": self.pack_version}],
            policies=policies,
            config=effective,
            calls=self.calls,
        )
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

    def resource(self, rec: ResourceRecord) -> None:
        """Remediate (when a policy remediates) and Analyze one resource, as it registers."""
        result = self.result
        assert result is not None, "configure() first"
        self.by_urn[rec.urn] = rec
        props = to_engine(rec.inputs)
        if any(e.level == "remediate" for e in result.config.values()):
            props = self.remediate(rec, props, result)
        resp = self.call("Analyze", self.request(rec, props), rec.urn)
        result.diagnostics.extend(self.diagnostic(d, rec.urn) for d in resp.diagnostics)
        # A preview records a new resource's (remediated) inputs as its outputs.
        self.states[rec.urn] = props

    def remediate(self, rec: ResourceRecord, props: dict[str, Any], result: PolicyResult) -> dict[str, Any]:
        resp = self.call("Remediate", self.request(rec, props), rec.urn)
        for r in resp.remediations:
            pack = r.policyPackName or self.pack_name
            if r.diagnostic:
                result.diagnostics.append(
                    Diagnostic(r.policyName, pack, self.pack_version, "advisory", None, rec.urn, r.diagnostic, "")
                )
            if r.HasField("properties") and r.properties.fields:
                # Later remediations and Analyze see the rewritten state, as in the engine.
                props = json_format.MessageToDict(r.properties)
                result.remediations.append(Remediation(r.policyName, pack, rec.urn, r.description))
        return props

    def analyze_stack(self, plan: Plan) -> PolicyResult:
        result = self.result
        assert result is not None, "configure() first"
        resources = []
        for rec in plan.resources:
            # Registered outputs (stack, components) are the state; otherwise the analyzed inputs.
            state = to_engine(rec.outputs) if rec.outputs is not None else self.states.get(rec.urn, {})
            resources.append(
                analyzer_pb2.AnalyzerResource(
                    type=rec.type,
                    properties=_struct(state),
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
            )
        resp = self.call("AnalyzeStack", analyzer_pb2.AnalyzeStackRequest(resources=resources))
        result.diagnostics.extend(self.diagnostic(d, plan.stack_urn) for d in resp.diagnostics)
        return result

    def failure(self, exc: grpc.RpcError) -> PolicyPackError:
        method, urn = self.calls[-1] if self.calls else ("connect", "")
        where = f" for {urn}" if urn else ""
        details = exc.details() or str(exc.code())
        return PolicyPackError(f"policy pack '{self.pack_name}' failed in {method}{where}: {details}")


@dataclass(frozen=True)
class StackIdentity:
    project: str
    stack: str
    organization: str


_DONE = object()


class AnalyzerStream:
    """Analyzes resources while the program is still registering them, as the engine does.

    A worker thread configures the pack as soon as it is up and then sends Analyze for each
    record handed to `submit` (the `listener` of `engine.plan_program`), in order. The pack
    works on the other core meanwhile, so only AnalyzeStack is left when the program ends.
    `finish` returns the result or raises the first failure (PolicyPackError, ConfigError).
    """

    def __init__(
        self,
        process: PolicyPackProcess,
        identity: StackIdentity,
        config: StackConfig,
        user_config: Mapping[str, PolicyConfigEntry] | None = None,
        *,
        user_config_source: str = "policy config",
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self._session = _Session(process, config)
        self._identity = identity
        self._user_config = dict(user_config or {})
        self._source = user_config_source
        self._tags = dict(tags or {})
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="ops-plan-analyzer", daemon=True)

    def start(self) -> AnalyzerStream:
        self._thread.start()
        return self

    def submit(self, rec: ResourceRecord) -> None:
        self._queue.put(rec)

    def _work(self) -> None:
        session = self._session
        try:
            session.connect()
            session.configure(self._identity, self._user_config, self._source, self._tags)
            while (item := self._queue.get()) is not _DONE:
                session.resource(item)
        except grpc.RpcError as exc:
            self._error = session.failure(exc)
        except Exception as exc:  # handed to finish(), which re-raises it
            self._error = exc

    def finish(self, plan: Plan) -> PolicyResult:
        self._queue.put(_DONE)
        self._thread.join()
        try:
            if self._error is not None:
                raise self._error
            return self._session.analyze_stack(plan)
        except grpc.RpcError as exc:
            raise self._session.failure(exc) from None
        finally:
            self._session.close()

    def abort(self) -> None:
        """Stop after a failed program; whatever the pack said no longer matters."""
        self._queue.put(_DONE)
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._session.close()


def evaluate(
    plan: Plan,
    process: PolicyPackProcess,
    user_config: Mapping[str, PolicyConfigEntry] | None = None,
    *,
    user_config_source: str = "policy config",
    tags: Mapping[str, str] | None = None,
) -> PolicyResult:
    """Run the engine's analyzer call sequence for a finished plan against a started pack.

    Raises PolicyPackError when the pack fails to boot or an RPC fails (a policy raised): the
    engine aborts the whole run then. Raises ConfigError for an invalid policy config.
    """
    stream = AnalyzerStream(
        process,
        StackIdentity(plan.project, plan.stack, plan.organization),
        plan.config,
        user_config,
        user_config_source=user_config_source,
        tags=tags,
    ).start()
    for rec in plan.resources:
        stream.submit(rec)
    return stream.finish(plan)
