"""A role's password never reaches the server log, which RDS exports to CloudWatch; the role change is
still audited.

The server runs the component's own parameters (conftest.py): pgaudit preloaded with `pgaudit.log =
'role,ddl'`, `log_statement = none`, `log_min_error_statement = panic`, duration logging off.

Where PostgreSQL 15 (Debian 12, this test) and 16 (the stacks) differ for what is tested here:
- pgaudit: Debian 12 ships pgaudit 1.7 for PostgreSQL 15, RDS ships pgaudit 16.x for PostgreSQL 16; both
  redact the password of CREATE/ALTER ROLE in the ROLE class (`PASSWORD <REDACTED>`) and log the same
  `AUDIT: SESSION,...` line format.
- PostgreSQL 16 changed CREATEROLE (a role manages only roles it has ADMIN OPTION on) and added
  `createrole_self_grant`; neither changes what is logged.
- The logging parameters used here (log_statement, log_min_error_statement, log_min_duration_statement,
  log_min_duration_sample, log_lock_waits, log_temp_files) exist with the same contexts and meanings in 15
  and 16.
- On RDS the log line prefix is RDS's (`%t:%r:%u@%d:[%p]:`), not Debian's default; the tests match the
  message text only.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

import pytest

from tests.components.postgres.conftest import PostgresServer, server_parameters

psycopg = pytest.importorskip("psycopg")


def _marker() -> str:
    return f"pw-marker-{secrets.token_hex(8)}"


def _wait_for(server: PostgresServer, predicate: Callable[[str], bool]) -> str:
    # The server writes its log asynchronously to the file pg_ctl redirected stderr to.
    deadline = time.monotonic() + 5
    while True:
        text = server.log_text()
        if predicate(text) or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


def _fence(server: PostgresServer) -> str:
    """An audited statement after the ones under test: once it is in the log, everything before it is too."""
    name = f"fence_{secrets.token_hex(6)}"
    with server.connect() as connection:
        connection.execute(f"CREATE SCHEMA {name}")
        connection.execute(f"DROP SCHEMA {name}")
    return name


def test_component_logging_parameters_are_the_ones_the_server_runs(postgres: psycopg.Connection) -> None:
    expected = {name: server_parameters()[name] for name in (
        "log_statement", "log_min_error_statement", "log_min_duration_statement", "pgaudit.log",
    )}
    actual = {name: postgres.execute(f"SHOW {name}").fetchone()[0] for name in expected}
    assert actual == expected == {
        "log_statement": "none", "log_min_error_statement": "panic", "log_min_duration_statement": "-1",
        "pgaudit.log": "role,ddl",
    }


def test_role_passwords_never_reach_the_log_but_role_changes_are_audited(postgres_server: PostgresServer) -> None:
    role = f"audited_{secrets.token_hex(4)}"
    created, altered, failed, typo = _marker(), _marker(), _marker(), _marker()
    with postgres_server.connect() as connection:
        connection.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{created}'")
        connection.execute(f"ALTER ROLE {role} PASSWORD '{altered}'")
        # A failing role change: its error must not carry the statement.
        with pytest.raises(psycopg.errors.UndefinedObject):
            connection.execute(f"ALTER ROLE no_such_role_{role} PASSWORD '{failed}'")
        # A syntax error next to a password.
        with pytest.raises(psycopg.errors.SyntaxError):
            connection.execute(f"ALTER ROLE {role} PASSWORD '{typo}' VALID UNTILL 'infinity'")
        connection.execute(f"DROP ROLE {role}")
    fence = _fence(postgres_server)
    log = _wait_for(postgres_server, lambda text: fence in text)
    assert fence in log, "the fence statement never reached the log: is pgaudit loaded?"

    for marker in (created, altered, failed, typo):
        assert marker not in log
    assert f"ROLE,CREATE ROLE,,,CREATE ROLE {role} LOGIN PASSWORD <REDACTED>" in log
    assert f"ROLE,ALTER ROLE,,,ALTER ROLE {role} PASSWORD <REDACTED>" in log
    assert f'role "no_such_role_{role}" does not exist' in log, "the failure itself is still logged"


def test_the_check_would_see_a_password_that_statement_logging_writes(postgres_server: PostgresServer) -> None:
    # Guards the guard: with the setting the component replaced (log_statement = ddl), or with the default
    # log_min_error_statement, the same log file does receive the password.
    role = f"leaky_{secrets.token_hex(4)}"
    logged, errored = _marker(), _marker()
    with postgres_server.connect() as connection:
        connection.execute("SET log_statement = 'ddl'")
        connection.execute(f"CREATE ROLE {role} PASSWORD '{logged}'")
        connection.execute("SET log_statement = 'none'")
        connection.execute("SET log_min_error_statement = 'error'")
        with pytest.raises(psycopg.errors.UndefinedObject):
            connection.execute(f"ALTER ROLE no_such_role_{role} PASSWORD '{errored}'")
        connection.execute(f"DROP ROLE {role}")
    log = _wait_for(postgres_server, lambda text: logged in text and errored in text)
    assert logged in log
    assert errored in log
