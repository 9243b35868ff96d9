"""New-style transforms (`ResourceOptions.transforms`, `register_resource_transform`, `register_invoke_transform`).

The engine (`RegisterResource` in pkg/resource/deploy/source_eval.go) collects, for each registration, the
resource's own transforms, then those of each parent up the chain, then the stack's, and calls each one
over the program's callback server before anything else sees the resource: the transformed properties and
options are what is checked, analyzed and created. The SDK's mock monitor records these callbacks but does
not run them; here they are called over the same Callbacks gRPC service the engine uses.

Invoke transforms run on every invoke's arguments and options before its provider is chosen (`Invoke` in
source_eval.go). Only the resource's *own* transforms make the engine rebuild dependencies afterwards (from the options'
`depends_on`; property dependencies from output values, which a Python transform does not return).
"""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import callback_pb2, callback_pb2_grpc, resource_pb2

from ..values import OUTPUT_VALUE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN


class TransformError(Exception):
    """A transform raised; the engine fails the registration with "invoke transform: ..."."""


class TransformRunner:
    """Calls transform callbacks; one channel per callback server (the program has one)."""

    def __init__(self) -> None:
        self._stubs: dict[str, callback_pb2_grpc.CallbacksStub] = {}
        self._channels: list[grpc.Channel] = []
        self.stack_transforms: list[callback_pb2.Callback] = []
        self.invoke_transforms: list[callback_pb2.Callback] = []
        self.by_urn: dict[str, list[callback_pb2.Callback]] = {}

    def _stub(self, target: str) -> callback_pb2_grpc.CallbacksStub:
        stub = self._stubs.get(target)
        if stub is None:
            channel = grpc.insecure_channel(target)
            self._channels.append(channel)
            stub = self._stubs[target] = callback_pb2_grpc.CallbacksStub(channel)
        return stub

    def close(self) -> None:
        for channel in self._channels:
            channel.close()

    def _call(self, cb: callback_pb2.Callback, message: Any) -> bytes:
        try:
            reply = self._stub(cb.target).Invoke(
                callback_pb2.CallbackInvokeRequest(token=cb.token, request=message.SerializeToString()), timeout=120
            )
        except grpc.RpcError as exc:
            raise TransformError(f"invoke transform: {exc.details() or exc.code()}") from None
        return reply.response

    def apply_to_invoke(self, request: Any) -> Any:
        """Stack invoke transforms (`register_invoke_transform`), run before the provider is chosen."""
        if not self.invoke_transforms:
            return request
        args = request.args
        opts = resource_pb2.TransformInvokeOptions(
            provider=request.provider, version=request.version, plugin_download_url=request.pluginDownloadURL
        )
        for cb in self.invoke_transforms:
            raw = self._call(cb, resource_pb2.TransformInvokeRequest(token=request.tok, args=args, options=opts))
            response = resource_pb2.TransformInvokeResponse.FromString(raw)
            if response.HasField("args"):
                args = response.args
            if response.HasField("options"):
                opts = response.options
        out = resource_pb2.ResourceInvokeRequest()
        out.CopyFrom(request)
        out.args.CopyFrom(args)
        out.provider, out.version, out.pluginDownloadURL = opts.provider, opts.version, opts.plugin_download_url
        return out

    def chain(self, request: Any, parents: list[str]) -> list[callback_pb2.Callback]:
        """Own transforms, then each parent's (nearest first), then the stack's: the engine's order."""
        callbacks = list(request.transforms)
        for parent in parents:
            callbacks.extend(self.by_urn.get(parent, []))
        return callbacks + self.stack_transforms

    def apply(self, request: Any, parents: list[str]) -> Any:
        """Run the chain on a copy of the RegisterResourceRequest and return the transformed copy."""
        callbacks = self.chain(request, parents)
        if not callbacks:
            return request
        out = resource_pb2.RegisterResourceRequest()
        out.CopyFrom(request)
        own = bool(request.transforms)
        props = _upgrade_output_values(request) if own else request.object
        opts = _options(request)
        for cb in callbacks:
            message = resource_pb2.TransformRequest(
                type=request.type, name=request.name, custom=request.custom, parent=request.parent,
                properties=props, options=opts,
            )
            response = resource_pb2.TransformResponse.FromString(self._call(cb, message))
            if response.HasField("properties"):
                props = response.properties
            if response.HasField("options"):
                opts = response.options
        out.object.CopyFrom(props)
        _apply_options(out, opts, rebuild_dependencies=own)
        return out


def _upgrade_output_values(request: Any) -> struct_pb2.Struct:
    """`upgradeOutputValues`: with own transforms, properties that carry dependencies become output values."""
    plain = json_format.MessageToDict(request.object)
    deps = {k: list(v.urns) for k, v in request.propertyDependencies.items() if v.urns}
    upgraded: dict[str, Any] = {}
    for key, value in plain.items():
        if key not in deps:
            upgraded[key] = value
            continue
        output: dict[str, Any] = {SIG_KEY: OUTPUT_VALUE_SIG, "dependencies": deps[key]}
        inner = value
        if isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG:
            output["secret"] = True
            inner = value.get("value")
        if inner != UNKNOWN:
            output["value"] = inner
        upgraded[key] = output
    struct = struct_pb2.Struct()
    struct.update(upgraded)
    return struct


def _options(request: Any) -> resource_pb2.TransformResourceOptions:
    """The TransformResourceOptions the engine builds from a registration."""
    opts = resource_pb2.TransformResourceOptions(
        depends_on=list(request.dependencies),
        ignore_changes=list(request.ignoreChanges),
        replace_on_changes=list(request.replaceOnChanges),
        version=request.version,
        aliases=list(request.aliases),
        provider=request.provider,
        providers=dict(request.providers),
        plugin_download_url=request.pluginDownloadURL,
        deleted_with=request.deletedWith,
        additional_secret_outputs=list(request.additionalSecretOutputs),
        hide_diff=list(request.hideDiffs),
        replace_with=list(request.replace_with),
    )
    setattr(opts, "import", request.importId)  # `import` is a Python keyword
    if request.HasField("protect"):
        opts.protect = request.protect
    if request.HasField("retainOnDelete"):
        opts.retain_on_delete = request.retainOnDelete
    if request.deleteBeforeReplaceDefined:
        opts.delete_before_replace = request.deleteBeforeReplace
    if request.HasField("customTimeouts"):
        opts.custom_timeouts.CopyFrom(request.customTimeouts)
    return opts


def _apply_options(out: Any, opts: resource_pb2.TransformResourceOptions, *, rebuild_dependencies: bool) -> None:
    out.ClearField("protect")
    if opts.HasField("protect"):
        out.protect = opts.protect
    out.ClearField("retainOnDelete")
    if opts.HasField("retain_on_delete"):
        out.retainOnDelete = opts.retain_on_delete
    out.deleteBeforeReplaceDefined = opts.HasField("delete_before_replace")
    out.deleteBeforeReplace = opts.delete_before_replace if out.deleteBeforeReplaceDefined else False
    del out.ignoreChanges[:]
    out.ignoreChanges.extend(opts.ignore_changes)
    del out.replaceOnChanges[:]
    out.replaceOnChanges.extend(opts.replace_on_changes)
    del out.additionalSecretOutputs[:]
    out.additionalSecretOutputs.extend(opts.additional_secret_outputs)
    del out.aliases[:]
    out.aliases.extend(opts.aliases)
    out.version = opts.version
    out.provider = opts.provider
    out.deletedWith = opts.deleted_with
    out.importId = getattr(opts, "import")
    out.ClearField("customTimeouts")
    if opts.HasField("custom_timeouts"):
        out.customTimeouts.CopyFrom(opts.custom_timeouts)
    if rebuild_dependencies:
        del out.dependencies[:]
        out.dependencies.extend(opts.depends_on)
        out.propertyDependencies.clear()
