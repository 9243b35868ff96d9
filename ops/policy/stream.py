"""Analysis while the program runs: the engine analyzes each resource as it registers, and so does this.

Imports grpc and the SDK's protos (through `analyzer`): import it after the pack was started.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

import grpc

from ..errors import PlannerConfigError
from ..model import Plan, PolicyConfigEntry, PolicyResult, ResourceRecord, StackFile
from .analyzer import AnalyzerSession, StackIdentity
from .pack import PolicyPackProcess
from .schema_check import SchemaChecker

_DONE = object()


class AnalyzerStream:
    """Analyzes resources while the program is still registering them, as the engine does.

    A worker thread configures the pack as soon as it is up and then sends Remediate/Analyze for each
    record handed to `submit` (the `listener` of `ops.program.plan_program`), in order. The pack works on
    the other core meanwhile, so only AnalyzeStack is left when the program ends. When a policy remediates,
    `submit` returns a future the monitor waits on: the remediated inputs are what the program gets back.
    `finish` returns the result or raises the first failure (PolicyPackError, PlannerConfigError).
    """

    def __init__(
        self,
        process: PolicyPackProcess,
        identity: StackIdentity,
        config: StackFile,
        user_config: Mapping[str, PolicyConfigEntry] | None = None,
        *,
        user_config_source: str | None = None,
        tags: Mapping[str, str] | None = None,
        checker: SchemaChecker | None = None,
    ) -> None:
        self._session = AnalyzerSession(process, config)
        self._checker = checker or SchemaChecker()
        self._identity = identity
        self._user_config = dict(user_config or {})
        self._source = user_config_source
        self._tags = dict(tags or {})
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._configured = threading.Event()
        self._stopped = False
        self._thread = threading.Thread(target=self._work, name="ops-plan-analyzer", daemon=True)

    def start(self) -> AnalyzerStream:
        self._thread.start()
        return self

    def submit(self, rec: ResourceRecord) -> Future[dict[str, Any] | None] | None:
        waiter: Future[dict[str, Any] | None] | None = None
        # Whether anything remediates is known once the pack is configured (it boots in parallel).
        self._configured.wait()
        if self._session.remediates and self._error is None and not self._stopped:
            waiter = Future()
        self._queue.put((rec, waiter))
        return waiter

    def _work(self) -> None:
        session = self._session
        waiter: Future[dict[str, Any] | None] | None = None
        try:
            try:
                session.connect()
                try:
                    session.configure(self._identity, self._user_config, self._source, self._tags)
                finally:
                    # The engine validates before Configure; the verdict is the same when it is checked in the
                    # helper process meanwhile and read in finish(): an invalid config fails the run, no
                    # diagnostic is reported (also when the pack itself refused the config in Configure).
                    result = session.result
                    if result is not None:
                        self._checker.submit(result.policies, result.config, session.pack_name,
                                             session.pack_version)
            finally:
                self._configured.set()
            while (item := self._queue.get()) is not _DONE:
                rec, waiter = item
                changed = session.remediate(rec)
                if changed is not None:
                    rec.inputs = changed
                if waiter is not None:
                    waiter.set_result(changed)
                    waiter = None
                session.analyze(rec)
        except grpc.RpcError as exc:
            self._error = session.failure(exc)
        except Exception as exc:  # handed to finish(), which re-raises it
            self._error = exc
        finally:
            self._release(waiter)

    def _release(self, waiter: Future[dict[str, Any] | None] | None) -> None:
        # Nobody may be left waiting for a remediation that will not come.
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not _DONE and item[1] is not None and not item[1].done():
                item[1].set_result(None)

    def _config_errors(self) -> list[str]:
        return self._checker.errors()

    def _invalid_config(self, errors: list[str]) -> PlannerConfigError:
        where = f" ({self._source})" if self._source else ""
        return PlannerConfigError(f"invalid policy config{where}:\n" + "\n".join(f"  {e}" for e in errors))

    def finish(self, plan: Plan) -> PolicyResult:
        self._queue.put(_DONE)
        self._thread.join()
        session = self._session
        try:
            if self._error is not None:
                # A policy may have failed on the invalid config the engine would have refused first.
                errors = self._config_errors()
                if errors:
                    raise self._invalid_config(errors)
                raise self._error
            result = session.result
            assert result is not None
            try:
                session.analyze_stack(plan)
            except grpc.RpcError:
                errors = self._config_errors()
                if errors:
                    raise self._invalid_config(errors) from None
                raise
            errors = self._config_errors()
            if errors:
                raise self._invalid_config(errors)
            return result
        except grpc.RpcError as exc:
            raise session.failure(exc) from None
        finally:
            session.close()
            self._checker.close()

    def abort(self) -> None:
        """Stop after a failed program; whatever the pack said no longer matters."""
        self._checker.close()
        self._stopped = True
        self._configured.set()
        self._queue.put(_DONE)
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._session.close()
