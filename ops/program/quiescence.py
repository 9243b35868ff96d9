"""The SDK's wait for a program's outstanding work (`pulumi.runtime.stack.wait_for_rpcs`), in linear time.

After the program's body returns, the SDK waits until no RPC and no Output task is outstanding. Its output loop
calls `asyncio.wait(pending, return_when=FIRST_COMPLETED)` once per completion, and each call adds and removes a
callback on every pending task: quadratic in the number of Outputs (thousands in a stack of a few hundred
resources; ~0.1 s at 95 resources, growing with the square). This version keeps the SDK's semantics (RPCs
drained as the SDK drains them; Outputs awaited in completion order; new Outputs picked up after each completion;
the first failure raised as soon as it completes; the RPC manager's unhandled exception re-raised) with one
callback per task.

`linear_wait_for_rpcs()` installs it for the program's run only, and leaves the SDK's own in place when the SDK
no longer has the shape it was written against (`pulumi>=3.272`).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Iterator
from typing import Any

from pulumi.runtime import settings as rt_settings
from pulumi.runtime import stack as rt_stack


async def wait_for_rpcs(await_all_outstanding_tasks: bool = True) -> None:
    rpc_manager = rt_settings._get_rpc_manager()
    outputs = rt_settings.SETTINGS
    while True:
        # RPCs exactly as the SDK drains them.
        while len(rpc_manager.rpcs) > 0:
            await asyncio.sleep(0)
            try:
                await rpc_manager.rpcs.pop()
            except Exception as exn:
                if rpc_manager.unhandled_exception is not None:
                    cause = rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
                    raise exn from cause
                raise
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)

        if await_all_outstanding_tasks:
            await _await_outputs(outputs)

        if len(rpc_manager.rpcs) == 0:
            break


async def _await_outputs(settings: Any) -> None:
    finished: asyncio.Queue[asyncio.Future[Any]] = asyncio.Queue()
    watching = 0

    def watch_new() -> int:
        with settings.lock:
            new = list(settings.outputs)
            settings.outputs.clear()
        for task in new:
            task.add_done_callback(finished.put_nowait)
        return len(new)

    watching += watch_new()
    while watching:
        task = await finished.get()
        watching -= 1
        await task  # re-raises the task's exception, as the SDK does
        watching += watch_new()


def _sdk_has_expected_shape() -> bool:
    original = getattr(rt_stack, "wait_for_rpcs", None)
    if original is None or not inspect.iscoroutinefunction(original):
        return False
    if list(inspect.signature(original).parameters) != ["await_all_outstanding_tasks"]:
        return False
    settings = rt_settings.SETTINGS
    return (
        hasattr(rt_settings, "_get_rpc_manager")
        and isinstance(getattr(settings, "outputs", None), set)
        and hasattr(settings, "lock")
    )


@contextlib.contextmanager
def linear_wait_for_rpcs() -> Iterator[bool]:
    """Use the linear wait while the block runs; yields whether it is in use."""
    if not _sdk_has_expected_shape():
        yield False
        return
    original = rt_stack.wait_for_rpcs
    rt_stack.wait_for_rpcs = wait_for_rpcs
    try:
        yield True
    finally:
        rt_stack.wait_for_rpcs = original
