"""The parameter group against a real PostgreSQL: a typo'd name or a bad value would otherwise only fail at
`pulumi up`, when RDS rejects the parameter group.

The server is Debian's `postgresql` package started on loopback by the fixture (conftest.py). Debian 12
ships PostgreSQL 15 while the stacks run 16; every parameter the component sets exists in both, and `rds.*`
parameters are RDS-only, so they are skipped here and guarded by the policy pack instead. Static parameters
PostgreSQL 16 and 17 added (`reserved_connections`, `debug_io_direct`, the SLRU `*_buffers`, ...) cannot be
checked against 15's pg_settings; STATIC_PARAMETERS lists them from the release notes.
"""

from __future__ import annotations

import pytest

from components.postgres.config import DatabaseConfig
from components.postgres.parameters import STATIC_PARAMETERS, apply_method, postgres_parameters
from tests.support.stacks import STACKS, load_stack

psycopg = pytest.importorskip("psycopg")
sql = pytest.importorskip("psycopg.sql")


def _alter_system(name: str, value: str) -> sql.Composed:
    # ALTER SYSTEM takes no bind parameters; the value is quoted as a literal, as RDS passes it.
    return sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.SQL(name), sql.Literal(value))


def _configs() -> list[tuple[str, DatabaseConfig]]:
    configs = [(stack, load_stack(stack).database) for stack in STACKS]
    # The extremes the config model allows, so a boundary value RDS would reject is caught too.
    extremes = load_stack("preview", database={
        "statement_timeout_ms": 0, "lock_timeout_ms": 2_147_483_647,
        "idle_in_transaction_session_timeout_ms": 2_147_483_647,
        "extra_parameters": {"work_mem": "65536", "log_connections": "1", "max_connections": "400",
                             "max_wal_senders": "20", "pg_stat_statements.max": "10000"},
    }).database
    return [*configs, ("extremes", extremes)]


CONFIGS = _configs()


@pytest.mark.parametrize(("label", "config"), CONFIGS, ids=[label for label, _ in CONFIGS])
def test_every_parameter_exists_and_its_value_is_accepted(postgres: psycopg.Connection, label: str,
                                                          config: DatabaseConfig) -> None:
    checked = 0
    for parameter in postgres_parameters(config):
        name, value = parameter["name"], parameter["value"]
        if name.startswith("rds."):
            continue
        row = postgres.execute("SELECT context, vartype FROM pg_settings WHERE name = %s", (name,)).fetchone()
        assert row is not None, f"{label}: {name} is not a PostgreSQL parameter"
        context = row[0]
        # ALTER SYSTEM validates type, range and enum for every context (even postmaster) without applying.
        try:
            postgres.execute(_alter_system(name, value))
        except psycopg.Error as error:
            pytest.fail(f"{label}: PostgreSQL rejects {name} = {value!r}: {error}")
        finally:
            postgres.execute("ALTER SYSTEM RESET ALL")
        expected = "pending-reboot" if context == "postmaster" else "immediate"
        assert parameter["apply_method"] == expected, (
            f"{label}: {name} has context {context}: RDS accepts only pending-reboot for a static parameter, "
            "and a dynamic one set pending-reboot silently waits for a reboot"
        )
        checked += 1
    assert checked >= 10


def test_time_and_size_values_are_in_the_units_the_config_keys_promise(postgres: psycopg.Connection) -> None:
    # The config keys say *_ms and RDS takes values in each parameter's base unit: the two must agree.
    expected_units = {
        "log_min_duration_statement": "ms",
        "statement_timeout": "ms",
        "idle_in_transaction_session_timeout": "ms",
        "lock_timeout": "ms",
        "log_autovacuum_min_duration": "ms",
        "log_temp_files": "kB",
    }
    names = {parameter["name"] for parameter in postgres_parameters(load_stack("prod").database)}
    assert set(expected_units) <= names
    for name, unit in expected_units.items():
        (actual,) = postgres.execute("SELECT unit FROM pg_settings WHERE name = %s", (name,)).fetchone()
        assert actual == unit, f"{name} is measured in {actual}, not {unit}"


def test_preloaded_library_loads_and_serves_statistics(postgres: psycopg.Connection) -> None:
    libraries = next(
        p["value"] for p in postgres_parameters(load_stack("prod").database) if p["name"] == "shared_preload_libraries"
    )
    (loaded,) = postgres.execute("SHOW shared_preload_libraries").fetchone()
    assert loaded == libraries == "pg_stat_statements,pgaudit"
    assert postgres.execute("SELECT 1 FROM pg_settings WHERE name = 'pgaudit.log'").fetchone() is not None
    postgres.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    postgres.execute("SELECT 1")
    (count,) = postgres.execute("SELECT count(*) FROM pg_stat_statements").fetchone()
    assert count > 0


def test_a_typo_would_be_caught(postgres: psycopg.Connection) -> None:
    # Guards the guard: the same checks reject a misspelt name and an out-of-range value.
    assert postgres.execute("SELECT 1 FROM pg_settings WHERE name = 'statment_timeout'").fetchone() is None
    with pytest.raises(psycopg.Error):
        postgres.execute(_alter_system("log_temp_files", "-5"))
    postgres.execute("ALTER SYSTEM RESET ALL")


def test_static_parameter_table_covers_every_postmaster_parameter(postgres: psycopg.Connection) -> None:
    # With the preloaded libraries loaded, pg_settings lists their parameters too (pg_stat_statements.max).
    rows = postgres.execute("SELECT name FROM pg_settings WHERE context = 'postmaster'").fetchall()
    postmaster = {name for (name,) in rows}
    assert "shared_preload_libraries" in postmaster
    assert "pg_stat_statements.max" in postmaster
    missing = postmaster - STATIC_PARAMETERS
    assert not missing, f"static parameters missing from STATIC_PARAMETERS: {sorted(missing)}"


def test_static_parameter_table_names_no_dynamic_parameter(postgres: psycopg.Connection) -> None:
    rows = postgres.execute("SELECT name, context FROM pg_settings").fetchall()
    dynamic = {name for name, context in rows if context != "postmaster"}
    assert not STATIC_PARAMETERS & dynamic, sorted(STATIC_PARAMETERS & dynamic)


def test_extra_parameters_get_the_apply_method_of_their_context() -> None:
    config = load_stack("preview", database={"extra_parameters": {"work_mem": "65536", "max_connections": "400"}})
    methods = {p["name"]: p["apply_method"] for p in postgres_parameters(config.database)}
    assert methods["work_mem"] == "immediate"
    assert methods["max_connections"] == "pending-reboot"
    assert methods["shared_preload_libraries"] == "pending-reboot"
    assert methods["statement_timeout"] == "immediate"
    assert apply_method("rds.logical_replication") == "pending-reboot"
