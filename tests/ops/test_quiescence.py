"""The planner's linear wait for outstanding work behaves as the SDK's own `wait_for_rpcs`."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Any

import pulumi
import pytest
from pulumi.runtime import settings as rt_settings
from pulumi.runtime import stack as rt_stack

from ops.program import quiescence

SDK_WAIT = rt_stack.wait_for_rpcs
Waiter = Callable[[], Awaitable[None]]


def _run(waiter: Callable[..., Awaitable[None]], body: Callable[[list[asyncio.Future[Any]]], None]) -> tuple[
    list[asyncio.Future[Any]], BaseException | None
]:
    """Run `body` (which creates Outputs and records their futures), then `waiter`, on a fresh loop."""

    def in_context() -> tuple[list[asyncio.Future[Any]], BaseException | None]:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        rt_settings.SETTINGS.outputs.clear()
        created: list[asyncio.Future[Any]] = []
        error: BaseException | None = None

        async def main() -> None:
            body(created)
            await asyncio.sleep(0)  # let started RPCs register themselves, as a program's body does
            await waiter()

        try:
            loop.run_until_complete(main())
        except Exception as exc:
            error = exc
        finally:
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.close()
            asyncio.set_event_loop(None)
        return created, error

    return contextvars.copy_context().run(in_context)


def _chains(created: list[asyncio.Future[Any]], *, width: int = 60, depth: int = 4) -> None:
    """Outputs whose applies create further Outputs while the wait is under way."""

    def grow(level: int) -> Callable[[int], int]:
        def step(value: int) -> int:
            if level < depth:
                nested = pulumi.Output.from_input(value + 1).apply(grow(level + 1))
                created.append(nested._data)
            return value

        return step

    for i in range(width):
        out = pulumi.Output.from_input(i).apply(grow(0))
        created.append(out._data)


@pytest.mark.parametrize("waiter", [SDK_WAIT, quiescence.wait_for_rpcs], ids=["sdk", "linear"])
def test_every_output_created_during_the_wait_has_finished_when_it_returns(waiter: Callable[..., Any]) -> None:
    created, error = _run(waiter, _chains)
    assert error is None
    assert len(created) == 60 * 5
    assert all(f.done() for f in created)
    assert not rt_settings.SETTINGS.outputs


def _failing(created: list[asyncio.Future[Any]]) -> None:
    _chains(created, width=10, depth=2)

    def boom(_: int) -> int:
        raise ValueError("an apply failed")

    created.append(pulumi.Output.from_input(1).apply(boom)._data)


def test_a_failing_output_is_raised_as_the_sdk_raises_it() -> None:
    _, sdk_error = _run(SDK_WAIT, _failing)
    _, error = _run(quiescence.wait_for_rpcs, _failing)
    assert isinstance(sdk_error, ValueError)
    assert type(error) is type(sdk_error)
    assert str(error) == str(sdk_error) == "an apply failed"


def _failing_rpc(created: list[asyncio.Future[Any]]) -> None:
    async def rpc() -> None:
        raise RuntimeError("the monitor refused a registration")

    manager = rt_settings._get_rpc_manager()
    manager.clear()
    created.append(asyncio.ensure_future(manager.do_rpc("register", rpc)()))


def test_an_rpc_failure_is_raised_as_the_sdk_raises_it() -> None:
    _, sdk_error = _run(SDK_WAIT, _failing_rpc)
    _, error = _run(quiescence.wait_for_rpcs, _failing_rpc)
    rt_settings._get_rpc_manager().clear()
    assert sdk_error is not None
    assert type(error) is type(sdk_error)
    assert str(error) == str(sdk_error)


def test_installed_for_the_block_only_and_never_over_an_sdk_of_another_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    with quiescence.linear_wait_for_rpcs() as used:
        assert used
        assert rt_stack.wait_for_rpcs is quiescence.wait_for_rpcs
    assert rt_stack.wait_for_rpcs is SDK_WAIT

    async def changed(*, timeout: float = 1.0) -> None:  # a future SDK's different signature
        return None

    monkeypatch.setattr(rt_stack, "wait_for_rpcs", changed)
    with quiescence.linear_wait_for_rpcs() as used:
        assert not used
        assert rt_stack.wait_for_rpcs is changed
