"""Turning the program's registrations into `ResourceRecord`s, and the default providers the engine adds.

Engine behaviour reproduced here (pkg/resource/deploy/source_eval.go, default_providers.go, step_generator.go):
- a child inherits `protect`, `retainOnDelete` and `deletedWith` from its parent when it does not set them
  (`inheritFromParent`);
- a custom resource, a read and an invoke without an explicit provider get the package's default provider,
  registered just before its first user; `pulumi:disable-default-providers` (`*` or package names) denies it;
  the `pulumi` package is always allowed (a StackReference's `pulumi:providers:pulumi`);
- aliases reach analyzers only as the one alias matched in prior state: none on a fresh stack.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.errors import RunError

from ..model import PROVIDER_TYPE_PREFIX, ResourceRecord, StackFile, make_urn
from ..values import UNKNOWN, secret

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class DefaultProviderDeniedError(RunError):
    """`pulumi:disable-default-providers` forbids the default provider a registration, read or invoke needs."""


def parse_duration(text: str) -> float:
    """Seconds in a Go duration string ("1h30m", "5m"), as the engine parses custom timeouts."""
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION.findall(text or ""))


def struct_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(struct)


def requested_alias_urns(request: Any, project: str, stack: str) -> list[str]:
    """The program's alias specs resolved to URNs (kept for the JSON plan; the engine sends none on a fresh stack)."""
    urns = list(request.aliasURNs)
    for alias in request.aliases:
        if alias.WhichOneof("alias") == "urn":
            urns.append(alias.urn)
            continue
        spec = alias.spec
        which = spec.WhichOneof("parent")
        if which == "noParent":
            parent = ""
        elif which == "parentUrn":
            parent = spec.parentUrn
        else:
            parent = request.parent
        urns.append(
            make_urn(spec.project or project, spec.stack or stack, parent, spec.type or request.type,
                     spec.name or request.name)
        )
    return list(dict.fromkeys(urns))  # the engine de-duplicates aliases too


def package_version(package: str) -> str:
    """The installed SDK version of a provider package (`aws` -> pulumi-aws's version)."""
    for dist in (f"pulumi-{package}", f"pulumi_{package}"):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return ""


def default_provider_name(version: str) -> str:
    """The engine's name for a default provider: `default_7_51_1`, or `default` without a version."""
    if not version:
        return "default"
    return "default_" + re.sub(r"[.+-]", "_", version)


def _provider_inputs(package: str, config: StackFile) -> dict[str, Any]:
    # The engine reads a package's config as strings (objects as JSON), secrets kept secret.
    inputs: dict[str, Any] = {}
    prefix = package + ":"
    for key in sorted(config.wire):
        if key.startswith(prefix):
            value: Any = config.wire[key]
            inputs[key[len(prefix) :]] = secret(value) if key in config.secret_keys else value
    return inputs


def denied_default_providers(config: StackFile) -> set[str]:
    """`shouldDenyRequest`: the packages `pulumi:disable-default-providers` lists (`*` for all)."""
    raw = config.wire.get("pulumi:disable-default-providers", "")
    if not raw:
        return set()
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        raise RunError(f"Failed to parse pulumi:disable-default-providers: {raw}") from None
    if not isinstance(value, list):
        raise RunError("Unexpected encoding of pulumi:disable-default-providers")
    denied: set[str] = set()
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise RunError(f"pulumi:disable-default-providers[{i}] must be a string")
        denied.add(item.strip())
    return denied


class ResourceBuilder:
    """Turns requests into records as they arrive, adding default providers where the engine does."""

    def __init__(self, project: str, stack: str, config: StackFile) -> None:
        self.project = project
        self.stack = stack
        self.config = config
        self.records: list[ResourceRecord] = []
        self.by_urn: dict[str, ResourceRecord] = {}
        self._defaults: dict[tuple[str, str], ResourceRecord] = {}
        self._denied = denied_default_providers(config)

    def parents_of(self, parent: str) -> list[str]:
        """The parent chain, nearest first."""
        chain: list[str] = []
        while parent and parent in self.by_urn and parent not in chain:
            chain.append(parent)
            parent = self.by_urn[parent].parent or ""
        return chain

    def inherit_from_parent(self, request: Any) -> None:
        """`inheritFromParent`, applied to the request before transforms see it."""
        parent = self.by_urn.get(request.parent)
        if parent is None:
            return
        if not request.deletedWith and parent.deleted_with:
            request.deletedWith = parent.deleted_with
        if not request.HasField("protect") and parent.protect:
            request.protect = True
        if not request.HasField("retainOnDelete") and parent.retain_on_delete:
            request.retainOnDelete = True

    def default_provider(self, package: str, version: str, user: str) -> tuple[ResourceRecord, bool]:
        """The package's default provider and whether it is new; DefaultProviderDeniedError if disabled."""
        if package != "pulumi" and ("*" in self._denied or package in self._denied):
            raise DefaultProviderDeniedError(
                f"Default provider for '{package}' disabled. '{user}' must use an explicit provider."
            )
        version = version or package_version(package)
        prov = self._defaults.get((package, version))
        if prov is not None:
            return prov, False
        prov_type = PROVIDER_TYPE_PREFIX + package
        prov_name = default_provider_name(version)
        inputs = _provider_inputs(package, self.config)
        if version:
            inputs["version"] = version
        prov = ResourceRecord(
            urn=make_urn(self.project, self.stack, "", prov_type, prov_name),
            type=prov_type,
            name=prov_name,
            custom=True,
            parent=None,
            provider=None,
            inputs=inputs,
            version=version,
            default_provider=True,
        )
        self._defaults[(package, version)] = prov
        return prov, True

    def add(self, rec: ResourceRecord) -> None:
        self.records.append(rec)
        self.by_urn[rec.urn] = rec

    def registration(self, urn: str, request: Any) -> ResourceRecord:
        timeouts: dict[str, float] = {}
        if request.HasField("customTimeouts"):
            ct = request.customTimeouts
            timeouts = {k: parse_duration(getattr(ct, k)) for k in ("create", "update", "delete") if getattr(ct, k)}
        rec = ResourceRecord(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=request.custom,
            parent=request.parent or None,
            provider=request.provider or None,
            inputs=struct_dict(request.object),
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items() if v.urns},
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            deleted_with=request.deletedWith,
            ignore_changes=list(request.ignoreChanges),
            delete_before_replace=bool(request.deleteBeforeReplace),
            delete_before_replace_defined=bool(request.deleteBeforeReplaceDefined),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            replace_on_changes=list(request.replaceOnChanges),
            aliases=[],
            requested_aliases=requested_alias_urns(request, self.project, self.stack),
            custom_timeouts=timeouts,
            version=request.version,
            remote=bool(request.remote),
            import_id=request.importId,
        )
        if rec.is_provider and rec.version and "version" not in rec.inputs:
            # The engine stamps the requested plugin version into a provider's inputs.
            rec.inputs["version"] = rec.version
        return rec

    def read(self, urn: str, request: Any, properties: Mapping[str, Any]) -> ResourceRecord:
        return ResourceRecord(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=True,
            parent=request.parent or None,
            provider=request.provider or None,
            inputs=dict(properties),
            dependencies=list(request.dependencies),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            version=request.version,
            import_id=request.id,
            read=True,
        )

    def attach_outputs(self, registered_outputs: Mapping[str, struct_pb2.Struct]) -> None:
        for rec in self.records:
            if rec.urn in registered_outputs:
                rec.outputs = struct_dict(registered_outputs[rec.urn])


def provider_reference(prov: ResourceRecord) -> str:
    # A provider being created has no id yet: the reference carries the unknown id.
    return f"{prov.urn}::{UNKNOWN}"
