"""Run a Pulumi program in-process as the language host would, against a recording mock engine.

The SDK is configured exactly as `pulumi-language-python-exec` configures it (project, stack,
organization, monitor, engine, `dry_run=True`) and the program runs through
`pulumi.runtime.stack.run_in_stack`, so `pulumi.export` values arrive via RegisterResourceOutputs.
The monitor (`monitor.py`) answers like the engine does during a preview of a fresh stack.

This package imports the Pulumi SDK (not any provider SDK): import it only when planning.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import runpy
import sys
import time
import traceback
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pulumi.errors import RunError
from pulumi.runtime import config as rt_config
from pulumi.runtime import settings as rt_settings
from pulumi.runtime import stack as rt_stack

from ..errors import PlannerConfigError, ProgramError
from ..model import Plan, StackFile, stack_urn
from ..project import Project
from .invokes import BUILTIN_INVOKES, InvokeContext, InvokeFn
from .monitor import Listener, OfflineMocks, RecordingEngine, RecordingMonitor
from .quiescence import linear_wait_for_rpcs
from .records import ResourceBuilder

__all__ = ["Listener", "plan_program"]
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
            raise PlannerConfigError(f"no __main__.py in the program directory {main}")
        return main
    if not main.exists():
        raise PlannerConfigError(f"program not found: {main}")
    return main


_OPS_DIR = Path(__file__).resolve().parent.parent


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
    config: StackFile,
    *,
    organization: str = "organization",
    invokes: Mapping[str, InvokeFn] | None = None,
    listener: Listener | None = None,
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


def _run_program(
    loop: asyncio.AbstractEventLoop,
    executor: ThreadPoolExecutor,
    monitor: RecordingMonitor,
    project: Project,
    target: Path,
) -> ProgramError | None:
    interrupted = False
    try:
        with _program_environment(project.directory), linear_wait_for_rpcs():
            loop.run_until_complete(rt_stack.run_in_stack(lambda: runpy.run_path(str(target), run_name="__main__")))
    except RunError as exc:
        # The program's own complete message, as the language host reports a RunError.
        return ProgramError(str(exc))
    except KeyboardInterrupt:
        interrupted = True
        raise
    except BaseException as exc:  # SystemExit from a program is a failure too
        return ProgramError(_format_failure(exc, project.directory))
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending and not interrupted:
            with contextlib.suppress(BaseException):
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        if not interrupted:
            loop.close()
        asyncio.set_event_loop(None)
        # After Ctrl-C a monitor call may still be waiting on the pack: do not wait for it.
        executor.shutdown(wait=not interrupted, cancel_futures=interrupted)
        monitor.transforms.close()
    return None


def _plan_in_context(
    project: Project,
    config: StackFile,
    target: Path,
    *,
    organization: str,
    invokes: Mapping[str, InvokeFn] | None,
    listener: Listener | None,
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

    failure = _run_program(loop, executor, monitor, project, target)
    if monitor.errors:
        # What the engine refused (a bad type token, a denied default provider, a transform's error) fails
        # the run even if the program caught the exception.
        failure = ProgramError(monitor.errors[0])
    elif failure is None and mocks.unknown_tokens:
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
