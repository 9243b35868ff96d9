"""Run a Pulumi program in-process as the language host would, against a recording mock engine.

The SDK is configured exactly as `pulumi-language-python-exec` configures it (project, stack,
organization, monitor, engine, `dry_run=True`) and the program runs through
`pulumi.runtime.stack.run_in_stack`, so `pulumi.export` values arrive via RegisterResourceOutputs.
The monitor keeps every raw `RegisterResourceRequest`, answers like the engine does during a
preview of a fresh stack (outputs = inputs, no id yet, so the SDK resolves everything else as
unknown), and the default providers the engine would add are synthesized afterwards.

This module imports the Pulumi SDK (not any provider SDK): import it only when planning.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import importlib.metadata
import logging
import os
import re
import runpy
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.errors import RunError
from pulumi.runtime import config as rt_config
from pulumi.runtime import settings as rt_settings
from pulumi.runtime import stack as rt_stack
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, Mocks
from pulumi.runtime.proto import engine_pb2, resource_pb2

from .errors import ConfigError, ProgramError
from .invokes import BUILTIN_INVOKES, InvokeContext, InvokeFn
from .project import Project, StackConfig
from .values import UNKNOWN, secret

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"

_SEVERITIES = {
    engine_pb2.DEBUG: "debug",
    engine_pb2.INFO: "info",
    engine_pb2.WARNING: "warning",
    engine_pb2.ERROR: "error",
}


@dataclass
class ResourceRecord:
    """One resource as the engine would know it after the program registered it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None  # provider reference: "<provider urn>::<provider id>"
    inputs: dict[str, Any]  # wire form, exactly what the program sent
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    delete_before_replace: bool = False
    delete_before_replace_defined: bool = False
    additional_secret_outputs: list[str] = field(default_factory=list)
    replace_on_changes: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    custom_timeouts: dict[str, float] = field(default_factory=dict)
    version: str = ""
    remote: bool = False
    import_id: str = ""
    read: bool = False  # registered by `Resource.get(...)` (ReadResource)
    default_provider: bool = False  # synthesized here, as the engine would
    outputs: dict[str, Any] | None = None  # from RegisterResourceOutputs (stack, components)

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
    config: StackConfig
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


def stack_urn(project: str, stack: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{STACK_TYPE}::{project}-{stack}"


def make_urn(project: str, stack: str, parent: str, type_: str, name: str) -> str:
    """The engine's `resource.NewURN`: a child's type is qualified by its parent's, except the Stack's."""
    if parent:
        parent_type = parent.split("::")[2]
        if parent_type != STACK_TYPE:
            type_ = f"{parent_type}${type_}"
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


class UnknownInvokeError(RunError):
    """The program called a provider function the offline planner has no answer for."""


class DuplicateUrnError(RunError):
    """Two resources would get the same URN; the engine rejects the second registration."""


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
                f"ops plan can answer: {known} (add one to ops.invokes.BUILTIN_INVOKES)"
            )
        # A bare dict: MockMonitor.Invoke treats a tuple as (result, failures) and needs a list.
        return fn(args.args, self.context)

    def new_resource(self, args: Any) -> tuple[str | None, dict]:  # pragma: no cover - unused
        return "", dict(args.inputs)


class RecordingMonitor(MockMonitor):
    """A MockMonitor that keeps the raw requests and answers like a preview of a new stack."""

    def __init__(
        self,
        mocks: OfflineMocks,
        builder: ResourceBuilder,
        listener: Callable[[ResourceRecord], None] | None = None,
    ) -> None:
        super().__init__(mocks)
        self.project = builder.project
        self.stack = builder.stack
        self.builder = builder
        self.listener = listener
        self._lock = threading.Lock()
        # (urn, request, read) in the order the engine would receive them.
        self.requests: list[tuple[str, Any, bool]] = []
        self.registered_outputs: dict[str, struct_pb2.Struct] = {}
        self._states: dict[str, tuple[str, struct_pb2.Struct]] = {}
        self.logs: list[LogEntry] = []

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # MockMonitor's version keeps the Stack in child types; the engine does not.
        return make_urn(self.project, self.stack, parent, type_, name)

    def _remember(self, urn: str, request: Any, read: bool, rid: str, state: struct_pb2.Struct) -> None:
        with self._lock:
            if urn in self._states:
                raise DuplicateUrnError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
            self.requests.append((urn, request, read))
            self._states[urn] = (rid, state)
            added = self.builder.add(urn, request, read)
            # The engine analyzes each resource as it registers; so does a listener, in order.
            if self.listener is not None:
                for rec in added:
                    self.listener(rec)

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        # Preview of a create: outputs are the inputs, the id is not known yet. The SDK resolves
        # every property missing here (arn, endpoint, ...) and the id as unknown.
        self._remember(urn, request, False, "", request.object)
        if request.type == STACK_TYPE:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=request.object)

    def ReadResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        props = request.properties
        if request.type == STACK_REFERENCE_TYPE:
            props = struct_pb2.Struct()
            props.update({"name": request.id, "outputs": {}, "secretOutputNames": []})
            self.logs.append(
                LogEntry(
                    "warning",
                    f"stack reference '{request.id}' cannot be read offline; its outputs are empty",
                    urn,
                )
            )
        self._remember(urn, request, True, request.id, props)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=props)

    def RegisterResourceOutputs(self, request: Any) -> Any:
        out = struct_pb2.Struct()
        out.CopyFrom(request.outputs)
        with self._lock:
            self.registered_outputs[request.urn] = out
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


# --------------------------------------------------------------------------------------------------
# Turning requests into records


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Seconds in a Go duration string ("1h30m", "5m"), as the engine parses custom timeouts."""
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION.findall(text or ""))


def _struct_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(struct)


def _alias_urns(request: Any, project: str, stack: str) -> list[str]:
    """Alias specs resolved to URNs, as the engine does before handing them to analyzers."""
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
            make_urn(
                spec.project or project,
                spec.stack or stack,
                parent,
                spec.type or request.type,
                spec.name or request.name,
            )
        )
    return urns


def _record(urn: str, request: Any, read: bool, project: str, stack: str) -> ResourceRecord:
    if read:
        return ResourceRecord(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=True,
            parent=request.parent or None,
            provider=request.provider or None,
            inputs=_struct_dict(request.properties),
            dependencies=list(request.dependencies),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            version=request.version,
            import_id=request.id,
            read=True,
        )
    timeouts: dict[str, float] = {}
    if request.HasField("customTimeouts"):
        ct = request.customTimeouts
        timeouts = {k: parse_duration(getattr(ct, k)) for k in ("create", "update", "delete") if getattr(ct, k)}
    return ResourceRecord(
        urn=urn,
        type=request.type,
        name=request.name,
        custom=request.custom,
        parent=request.parent or None,
        provider=request.provider or None,
        inputs=_struct_dict(request.object),
        dependencies=list(request.dependencies),
        property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items() if v.urns},
        protect=bool(request.protect),
        retain_on_delete=bool(request.retainOnDelete),
        ignore_changes=list(request.ignoreChanges),
        delete_before_replace=bool(request.deleteBeforeReplace),
        delete_before_replace_defined=bool(request.deleteBeforeReplaceDefined),
        additional_secret_outputs=list(request.additionalSecretOutputs),
        replace_on_changes=list(request.replaceOnChanges),
        aliases=_alias_urns(request, project, stack),
        custom_timeouts=timeouts,
        version=request.version,
        remote=bool(request.remote),
        import_id=request.importId,
    )


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


def _provider_inputs(package: str, config: StackConfig) -> dict[str, Any]:
    # The engine reads a package's config as strings (objects as JSON), secrets kept secret.
    inputs: dict[str, Any] = {}
    prefix = package + ":"
    for key in sorted(config.wire):
        if key.startswith(prefix):
            value: Any = config.wire[key]
            inputs[key[len(prefix) :]] = secret(value) if key in config.secret_keys else value
    return inputs


class ResourceBuilder:
    """Turns requests into records as they arrive, adding default providers where the engine does."""

    def __init__(self, project: str, stack: str, config: StackConfig) -> None:
        self.project = project
        self.stack = stack
        self.config = config
        self.records: list[ResourceRecord] = []
        self._defaults: dict[tuple[str, str], ResourceRecord] = {}

    def add(self, urn: str, request: Any, read: bool) -> list[ResourceRecord]:
        """Record one registration; returns the new records (a default provider first, if added)."""
        rec = _record(urn, request, read, self.project, self.stack)
        added: list[ResourceRecord] = []
        if rec.is_provider and rec.version and "version" not in rec.inputs:
            # The engine stamps the requested plugin version into a provider's inputs.
            rec.inputs["version"] = rec.version
        needs_provider = (rec.custom or rec.remote) and not rec.is_provider and rec.package != "pulumi"
        if needs_provider and not rec.provider:
            version = rec.version or package_version(rec.package)
            prov = self._defaults.get((rec.package, version))
            if prov is None:
                prov = self._default_provider(rec.package, version)
                # The engine registers a default provider just before its first user.
                added.append(prov)
            # A provider being created has no id yet: the reference carries the unknown id.
            rec.provider = f"{prov.urn}::{UNKNOWN}"
        added.append(rec)
        self.records.extend(added)
        return added

    def _default_provider(self, package: str, version: str) -> ResourceRecord:
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
        return prov

    def attach_outputs(self, registered_outputs: Mapping[str, struct_pb2.Struct]) -> None:
        for rec in self.records:
            if rec.urn in registered_outputs:
                rec.outputs = _struct_dict(registered_outputs[rec.urn])


# --------------------------------------------------------------------------------------------------
# Running the program


@contextlib.contextmanager
def _program_environment(directory: Path) -> Iterator[None]:
    """cwd and sys.path as the language host sets them; program prints go to stderr, not the report."""
    old_cwd = Path.cwd()
    entry = str(directory)
    os.chdir(directory)
    sys.path.insert(0, entry)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        os.chdir(old_cwd)
        with contextlib.suppress(ValueError):
            sys.path.remove(entry)


def _program_target(project: Project) -> Path:
    main = project.main
    if main.is_dir():
        if not (main / "__main__.py").exists():
            raise ConfigError(f"no __main__.py in the program directory {main}")
        return main
    if not main.exists():
        raise ConfigError(f"program not found: {main}")
    return main


_OPS_DIR = Path(__file__).resolve().parent


def _is_program_file(filename: str, program_dir: Path) -> bool:
    # The repo root is the default program dir, and it also holds ops/ and the virtualenv.
    path = Path(filename)
    return path.is_relative_to(program_dir) and not path.is_relative_to(_OPS_DIR) and "site-packages" not in path.parts


def _format_failure(exc: BaseException, program_dir: Path) -> str:
    """The exception with its traceback from the program's first frame on (the runtime's own
    frames above it say nothing about the failure); the full chain if the program has none."""
    frames = traceback.extract_tb(exc.__traceback__)
    first = next((i for i, f in enumerate(frames) if _is_program_file(f.filename, program_dir)), None)
    if first is None:
        tb = "".join(traceback.format_exception(exc)).rstrip()
    else:
        tb = (
            "Traceback (most recent call last):\n"
            + "".join(traceback.format_list(frames[first:]))
            + "".join(traceback.format_exception_only(exc))
        ).rstrip()
    return f"program failed: {type(exc).__name__}: {exc}\n{tb}"


def plan_program(
    project: Project,
    config: StackConfig,
    *,
    organization: str = "organization",
    invokes: Mapping[str, InvokeFn] | None = None,
    listener: Callable[[ResourceRecord], None] | None = None,
) -> Plan:
    """Run the program with preview semantics and return what it would register.

    `invokes` adds or overrides offline invoke answers. `listener` is called with each record
    (default providers included) in registration order while the program runs, from the
    monitor's thread; it must not block.

    Raises ProgramError for a RunError (its message only), any other exception (message and
    traceback), an unknown invoke, or errors logged with `pulumi.log.error`.
    """
    target = _program_target(project)
    started = time.perf_counter()
    # A fresh context, like the automation server's `ctx.run`: the SDK keeps its settings,
    # config and root resource in context variables.
    ctx = contextvars.copy_context()
    plan = ctx.run(
        lambda: _plan_in_context(project, config, target, organization=organization, invokes=invokes, listener=listener)
    )
    plan.elapsed = time.perf_counter() - started
    return plan


def _plan_in_context(
    project: Project,
    config: StackConfig,
    target: Path,
    *,
    organization: str,
    invokes: Mapping[str, InvokeFn] | None,
    listener: Callable[[ResourceRecord], None] | None,
) -> Plan:
    table = dict(BUILTIN_INVOKES)
    table.update(invokes or {})
    packages: dict[str, dict[str, Any]] = {}
    for key, value in config.values.items():
        ns, _, name = key.partition(":")
        packages.setdefault(ns, {})[name] = value
    mocks = OfflineMocks(table, InvokeContext(project.name, config.stack, packages))
    builder = ResourceBuilder(project.name, config.stack, config)
    monitor = RecordingMonitor(mocks, builder, listener)
    engine = RecordingEngine(monitor.logs)

    rt_settings.ROOT.set(None)
    rt_settings.configure(
        rt_settings.Settings(
            project=project.name,
            stack=config.stack,
            monitor=monitor,
            engine=engine,
            parallel=1,
            dry_run=True,
            organization=organization,
            root_directory=str(project.directory),
        )
    )
    rt_config.set_all_config(dict(config.wire), sorted(config.secret_keys))

    # The language host silences asyncio's "exception never retrieved" noise; errors surface
    # through run_in_stack anyway.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # One worker: monitor calls are instant in process, and a single thread keeps the
    # registration order (and so the report and the Analyze order) deterministic.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ops-plan-monitor")
    loop.set_default_executor(executor)
    loop.set_exception_handler(lambda _loop, _context: None)

    failure: ProgramError | None = None
    try:
        with _program_environment(project.directory):
            loop.run_until_complete(rt_stack.run_in_stack(lambda: runpy.run_path(str(target), run_name="__main__")))
    except RunError as exc:
        # The program's own complete message, as the language host reports a RunError.
        failure = ProgramError(str(exc))
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit from a program is a failure too
        failure = ProgramError(_format_failure(exc, project.directory))
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            with contextlib.suppress(BaseException):
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
        asyncio.set_event_loop(None)
        executor.shutdown(wait=True)

    if failure is None and mocks.unknown_tokens:
        # A program may catch the error; the plan must still not pretend the call succeeded.
        failure = ProgramError(
            f"the program calls provider function '{mocks.unknown_tokens[0]}', which has no offline answer"
        )
    errors = [e.message for e in monitor.logs if e.severity == "error"]
    if failure is None and errors:
        failure = ProgramError("the program logged errors:\n" + "\n".join(f"  {m}" for m in errors))
    if failure is not None:
        raise failure

    builder.attach_outputs(monitor.registered_outputs)
    resources = builder.records
    root = stack_urn(project.name, config.stack)
    stack_outputs = next((r.outputs or {} for r in resources if r.urn == root), {})
    return Plan(
        project=project.name,
        stack=config.stack,
        organization=organization,
        resources=resources,
        outputs=stack_outputs,
        logs=list(monitor.logs),
        config=config,
        description=project.description,
    )
