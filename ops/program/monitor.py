"""The mock resource monitor and engine the program talks to, answering as the engine does during a preview.

`RecordingMonitor` keeps every raw `RegisterResourceRequest` (the SDK's `Mocks.new_resource` sees only a part of
it) and answers a fresh stack's preview: a new resource's outputs are its inputs plus its provider-computed
outputs as unknown, with no id yet. What the engine does before answering is done here in its order
(`RegisterResource` in source_eval.go, `generateResourceSteps` in step_generator.go): check the type token,
inherit options from the parent, run transforms, resolve the default provider, then Remediate and Analyze
(through the `listener`, which may rewrite the inputs: remediated values are what the program gets back).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any

from google.protobuf import empty_pb2, struct_pb2
from pulumi.errors import RunError
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, Mocks
from pulumi.runtime.proto import engine_pb2, resource_pb2

from ..model import STACK_REFERENCE_TYPE, STACK_TYPE, LogEntry, ResourceRecord, is_valid_type_token, make_urn
from ..values import UNKNOWN, secret
from .invokes import InvokeContext, InvokeFn
from .outputs import output_only_properties
from .records import ResourceBuilder, provider_reference, struct_dict
from .transforms import TransformError, TransformRunner

# Called with each record the engine would analyze, in order; a returned future resolves to the remediated
# inputs (or None) and the monitor waits for it before answering the program.
Listener = Callable[[ResourceRecord], "Future[dict[str, Any] | None] | None"]

_SEVERITIES = {
    engine_pb2.DEBUG: "debug",
    engine_pb2.INFO: "info",
    engine_pb2.WARNING: "warning",
    engine_pb2.ERROR: "error",
}
_REMEDIATION_TIMEOUT = 300.0


class UnknownInvokeError(RunError):
    """The program called a provider function the offline planner has no answer for."""


class DuplicateUrnError(RunError):
    """Two resources would get the same URN; the engine rejects the second registration."""


class InvalidTypeTokenError(RunError):
    """A custom resource's type is not `pkg:module:Type`; the engine rejects it (InvalidArgument)."""


class OfflineMocks(Mocks):
    """Answers invokes from a table; resources are handled by the monitor itself."""

    def __init__(self, table: Mapping[str, InvokeFn], context: InvokeContext) -> None:
        self.table = dict(table)
        self.context = context
        self.unknown_tokens: list[str] = []

    def call(self, args: MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        fn = self.table.get(args.token)
        if fn is None:
            self.unknown_tokens.append(args.token)
            known = ", ".join(sorted(self.table))
            raise UnknownInvokeError(
                f"the program calls provider function '{args.token}', which has no offline answer; "
                f"ops plan can answer: {known} (add one to ops.program.invokes.BUILTIN_INVOKES)"
            )
        # A bare dict: MockMonitor.Invoke treats a tuple as (result, failures) and needs a list.
        return fn(args.args, self.context)

    def new_resource(self, args: Any) -> tuple[str | None, dict]:  # pragma: no cover - unused
        return "", dict(args.inputs)


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(dict(value))
    return s


class RecordingMonitor(MockMonitor):
    """A MockMonitor that keeps the raw requests and answers like a preview of a new stack."""

    def __init__(self, mocks: OfflineMocks, builder: ResourceBuilder, listener: Listener | None = None) -> None:
        super().__init__(mocks)
        self.project = builder.project
        self.stack = builder.stack
        self.builder = builder
        self.listener = listener
        self.transforms = TransformRunner()
        self._lock = threading.RLock()
        self.registered_outputs: dict[str, struct_pb2.Struct] = {}
        self._states: dict[str, tuple[str, struct_pb2.Struct]] = {}
        self.logs: list[LogEntry] = []
        # What the engine would have failed the program with; the program may catch the exception.
        self.errors: list[str] = []

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # MockMonitor's version keeps the Stack in child types; the engine does not.
        return make_urn(self.project, self.stack, parent, type_, name)

    def _fail(self, error: RunError) -> RunError:
        self.errors.append(str(error))
        return error

    def _announce(self, rec: ResourceRecord) -> dict[str, Any] | None:
        """Hand a record to the analyzer; the remediated inputs if a policy remediated it."""
        if self.listener is None:
            return None
        waiter = self.listener(rec)
        if waiter is None:
            return None
        return waiter.result(timeout=_REMEDIATION_TIMEOUT)

    def _ensure_default_provider(self, package: str, version: str, user: str) -> ResourceRecord:
        try:
            prov, created = self.builder.default_provider(package, version, user)
        except RunError as exc:
            raise self._fail(exc) from None
        if created:
            # The engine registers a default provider just before its first user, and analyzes it.
            self.builder.add(prov)
            remediated = self._announce(prov)
            if remediated is not None:
                prov.inputs = remediated
        return prov

    def RegisterResource(self, request: Any) -> Any:
        with self._lock:
            return self._register(request)

    def _register(self, original: Any) -> Any:
        if (original.custom or original.remote) and not is_valid_type_token(original.type):
            raise self._fail(
                InvalidTypeTokenError(f"Type '{original.type}' is not a valid type token (must have format '*:*:*')")
            )
        urn = self.make_urn(original.parent, original.type, original.name)
        if urn in self._states:
            raise self._fail(DuplicateUrnError(f"Duplicate resource URN '{urn}'; try giving it a unique name"))
        request = resource_pb2.RegisterResourceRequest()
        request.CopyFrom(original)
        self.builder.inherit_from_parent(request)
        parents = self.builder.parents_of(request.parent)
        transformed = bool(self.transforms.chain(request, parents))
        try:
            request = self.transforms.apply(request, parents)
        except TransformError as exc:
            raise self._fail(RunError(f"{urn}: {exc}")) from None
        if original.transforms:
            self.transforms.by_urn[urn] = list(original.transforms)

        rec = self.builder.registration(urn, request)
        rec.transformed = transformed
        needs_provider = (rec.custom or rec.remote) and not rec.is_provider
        if needs_provider and not rec.provider:
            prov = self._ensure_default_provider(rec.package, rec.version, urn)
            rec.provider = provider_reference(prov)
        if rec.custom and not rec.is_provider:
            rec.output_only = [k for k in output_only_properties(rec.type, rec.version) if k not in rec.inputs]
        self.builder.add(rec)
        remediated = self._announce(rec)
        # Preview of a create: outputs are the inputs, provider-computed outputs unknown, no id yet.
        outputs = struct_pb2.Struct()
        if remediated is not None:
            # The engine creates the resource from the remediated inputs: the program sees them too.
            rec.inputs = remediated
            outputs.update(remediated)
        else:
            outputs.CopyFrom(request.object)
        for key in rec.output_only:
            if key in rec.additional_secret_outputs:
                outputs.fields[key].struct_value.update(secret(UNKNOWN))
            else:
                outputs.fields[key].string_value = UNKNOWN
        self._states[urn] = ("", outputs)
        if rec.is_stack:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=outputs)

    def ReadResource(self, request: Any) -> Any:
        with self._lock:
            if not is_valid_type_token(request.type):
                raise self._fail(
                    InvalidTypeTokenError(f"Type '{request.type}' is not a valid type token (must have format '*:*:*')")
                )
            urn = self.make_urn(request.parent, request.type, request.name)
            if urn in self._states:
                raise self._fail(DuplicateUrnError(f"Duplicate resource URN '{urn}'; try giving it a unique name"))
            props = request.properties
            if request.type == STACK_REFERENCE_TYPE:
                props = struct_pb2.Struct()
                props.update({"name": request.id, "outputs": {}, "secretOutputNames": []})
                self.logs.append(
                    LogEntry("warning", f"stack reference '{request.id}' cannot be read offline; its outputs are empty",
                             urn)
                )
            rec = self.builder.read(urn, request, struct_dict(props))
            if not rec.is_provider and not rec.provider:
                # A read needs its package's default provider too (StackReference: pulumi:providers:pulumi).
                prov = self._ensure_default_provider(rec.package, rec.version, request.type)
                rec.provider = provider_reference(prov)
            # Reads are not analyzed: no Analyze, not in AnalyzeStack (they are `reads`, not `news`).
            self.builder.add(rec)
            self._states[urn] = (request.id, props)
            return resource_pb2.ReadResourceResponse(urn=urn, properties=props)

    def RegisterResourceOutputs(self, request: Any) -> Any:
        out = struct_pb2.Struct()
        out.CopyFrom(request.outputs)
        with self._lock:
            self.registered_outputs[request.urn] = out
        return empty_pb2.Empty()

    def RegisterStackTransform(self, request: Any) -> Any:
        with self._lock:
            self.transforms.stack_transforms.append(request)
        return empty_pb2.Empty()

    def RegisterStackInvokeTransform(self, request: Any) -> Any:
        with self._lock:
            self.transforms.invoke_transforms.append(request)
        return empty_pb2.Empty()

    def Invoke(self, request: Any) -> Any:
        if request.tok == "pulumi:pulumi:getResource":
            # Rehydrating a resource reference: answer from what was registered.
            urn = request.args.fields["urn"].string_value
            if urn not in self._states:
                raise RunError(f"unknown resource {urn}")
            rid, state = self._states[urn]
            ret = struct_pb2.Struct()
            ret.update({"urn": urn, "id": rid or UNKNOWN})
            ret.fields["state"].struct_value.CopyFrom(state)
            return resource_pb2.ResourceInvokeResponse(**{"return": ret})
        try:
            request = self.transforms.apply_to_invoke(request)
        except TransformError as exc:
            raise self._fail(RunError(f"{request.tok}: {exc}")) from None
        package = request.tok.split(":", 1)[0]
        if not request.provider and package != "pulumi":
            # The engine loads the default provider for an invoke too, which registers it.
            with self._lock:
                self._ensure_default_provider(package, request.version, request.tok)
        return super().Invoke(request)


class RecordingEngine:
    """The engine service the SDK logs to."""

    def __init__(self, sink: list[LogEntry]) -> None:
        self.logs = sink

    def Log(self, request: Any) -> None:
        # The SDK's own debug chatter is hundreds of lines per plan and says nothing about it.
        if request.severity == engine_pb2.DEBUG:
            return
        self.logs.append(LogEntry(_SEVERITIES.get(request.severity, "info"), request.message, request.urn))

    def RequirePulumiVersion(self, request: Any) -> Any:
        return empty_pb2.Empty()


__all__ = ["STACK_TYPE", "Listener", "OfflineMocks", "RecordingEngine", "RecordingMonitor"]
