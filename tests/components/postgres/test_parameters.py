"""The parameter group against a real PostgreSQL: a typo'd name or a bad value would otherwise only fail at
`pulumi up`, when RDS rejects the parameter group.

The server is Debian's `postgresql` package started on loopback by the fixture. Debian 12 ships PostgreSQL
15 while the stacks run 16; every parameter the component sets exists in both, and `rds.*` parameters are
RDS-only, so they are skipped here and guarded by the policy pack instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.postgres.config import DatabaseConfig
from components.postgres.parameters import postgres_parameters
from tests.support.stacks import STACKS, load_stack

psycopg = pytest.importorskip("psycopg")
sql = pytest.importorskip("psycopg.sql")


def _pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return candidates[0].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres() -> Iterator[psycopg.Connection]:
    bindir = _pg_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries not found; .ci/run must install Debian's postgresql package")
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    # initdb refuses to run as root; Debian's package creates the 'postgres' system user for this.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    workdir = Path(tempfile.mkdtemp(prefix="pgparams-"))
    data, sockets = workdir / "data", workdir / "sockets"
    sockets.mkdir()
    if as_user:
        shutil.chown(workdir, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    subprocess.run(
        [*as_user, str(bindir / "initdb"), "-D", str(data), "--auth=trust", "--username=postgres", "-E", "UTF8"],
        check=True, capture_output=True,
    )
    subprocess.run(
        [
            *as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(workdir / "server.log"), "-w", "start",
            "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} "
                  "-c shared_preload_libraries=pg_stat_statements -c fsync=off",
        ],
        check=True, capture_output=True,
    )
    try:
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             autocommit=True) as connection:
            yield connection
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       check=False, capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


def _alter_system(name: str, value: str) -> sql.Composed:
    # ALTER SYSTEM takes no bind parameters; the value is quoted as a literal, as RDS passes it.
    return sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.SQL(name), sql.Literal(value))


def _configs() -> list[tuple[str, DatabaseConfig]]:
    configs = [(stack, load_stack(stack).database) for stack in STACKS]
    # The extremes the config model allows, so a boundary value RDS would reject is caught too.
    extremes = load_stack("preview", database={
        "log_min_duration_statement_ms": -1, "statement_timeout_ms": 0, "lock_timeout_ms": 2_147_483_647,
        "idle_in_transaction_session_timeout_ms": 2_147_483_647,
        "extra_parameters": {"work_mem": "65536", "log_connections": "1", "max_connections": "400"},
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
        if context == "postmaster":
            assert parameter["apply_method"] == "pending-reboot", (
                f"{name} is static (context postmaster): RDS only accepts apply_method pending-reboot"
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
    assert loaded == libraries
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
