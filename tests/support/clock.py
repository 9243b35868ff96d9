"""A frozen clock for the program's own modules: what `datetime.now()`, `date.today()` and `time.time()` return
inside components/, ops/ and policies/ while the block runs, whichever way a module imported them."""

from __future__ import annotations

import datetime as dt
import sys
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_OWN = ("components", "ops", "policies")


@contextmanager
def frozen_now(at: dt.datetime) -> Iterator[None]:
    """Run the block as if the time were `at` (aware) for every loaded module of the program."""

    class FrozenDatetime(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Any:
            return at.astimezone(tz) if tz is not None else at.astimezone(dt.UTC).replace(tzinfo=None)

        @classmethod
        def utcnow(cls) -> Any:
            return at.astimezone(dt.UTC).replace(tzinfo=None)

        @classmethod
        def today(cls) -> Any:
            return cls.now()

    class FrozenDate(dt.date):
        @classmethod
        def today(cls) -> Any:
            return at.astimezone(dt.UTC).date()

    datetime_module = types.ModuleType("datetime")
    datetime_module.__dict__.update(vars(dt))
    datetime_module.datetime = FrozenDatetime  # type: ignore[attr-defined]
    datetime_module.date = FrozenDate  # type: ignore[attr-defined]
    time_module = types.ModuleType("time")
    time_module.__dict__.update(vars(time))
    time_module.time = at.timestamp  # type: ignore[attr-defined]
    replacements: list[tuple[Any, Any]] = [
        (dt, datetime_module), (dt.datetime, FrozenDatetime), (dt.date, FrozenDate), (time, time_module),
        (time.time, at.timestamp),
    ]
    patched: list[tuple[types.ModuleType, str, Any]] = []
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(_OWN):
            continue
        for attribute, value in list(vars(module).items()):
            replacement = next((new for old, new in replacements if value is old), None)
            if replacement is not None:
                patched.append((module, attribute, value))
                setattr(module, attribute, replacement)
    try:
        yield
    finally:
        for module, attribute, value in patched:
            setattr(module, attribute, value)
