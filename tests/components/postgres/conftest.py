"""A real PostgreSQL for the database tests, started on loopback with the component's own parameters.

The server is Debian's `postgresql` package (with `postgresql-<version>-pgaudit`, both installed by the
Makefile's `postgres` target). It runs with every parameter the component sets for the prod stack, except
RDS-only `rds.*` ones, so the tests see the logging, auditing and timeouts a real instance would have.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from components.postgres.parameters import postgres_parameters
from tests.support.stacks import load_stack

psycopg = pytest.importorskip("psycopg")


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


def _conf_line(name: str, value: str) -> str:
    return f"{name} = '{value.replace(chr(39), chr(39) * 2)}'"


def server_parameters() -> dict[str, str]:
    """The prod stack's parameters a plain PostgreSQL understands (the rds.* ones exist only on RDS)."""
    return {
        p["name"]: p["value"]
        for p in postgres_parameters(load_stack("prod").database)
        if not p["name"].startswith("rds.")
    }


@dataclass(frozen=True)
class PostgresServer:
    port: int
    log_path: Path
    bindir: Path

    def connect(self, dbname: str = "postgres", user: str = "postgres", **options: Any) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=user, dbname=dbname, autocommit=True,
                               **options)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = _pg_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries not found; .ci/run must install Debian's postgresql package")
        pytest.skip("PostgreSQL server binaries not installed (make postgres)")
    version = bindir.parent.name
    if not (bindir.parent / "lib" / "pgaudit.so").exists():
        message = f"pgaudit not installed for PostgreSQL {version} (apt-get install postgresql-{version}-pgaudit)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # initdb refuses to run as root; Debian's package creates the 'postgres' system user for this.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    workdir = Path(tempfile.mkdtemp(prefix="pgtest-"))
    data, sockets, log_path = workdir / "data", workdir / "sockets", workdir / "server.log"
    sockets.mkdir()
    if as_user:
        shutil.chown(workdir, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    subprocess.run(
        [*as_user, str(bindir / "initdb"), "-D", str(data), "--auth=trust", "--username=postgres", "-E", "UTF8"],
        check=True, capture_output=True,
    )
    settings = {
        **server_parameters(),
        "listen_addresses": "127.0.0.1", "port": str(port), "unix_socket_directories": str(sockets),
        "fsync": "off", "logging_collector": "off", "log_destination": "stderr",
    }
    # postgresql.conf rather than ALTER SYSTEM: the parameter tests reset postgresql.auto.conf.
    with (data / "postgresql.conf").open("a") as conf:
        conf.write("\n".join(_conf_line(name, value) for name, value in settings.items()) + "\n")
    started = subprocess.run(
        [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log_path), "-w", "start"],
        check=False, capture_output=True, text=True,
    )
    if started.returncode != 0:
        # A parameter the server rejects at start shows here, with the server's own message.
        log = log_path.read_text(errors="replace") if log_path.exists() else ""
        shutil.rmtree(workdir, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start with the component's parameters:\n{started.stderr}\n{log}")
    try:
        yield PostgresServer(port=port, log_path=log_path, bindir=bindir)
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       check=False, capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres(postgres_server: PostgresServer) -> Iterator[psycopg.Connection]:
    """A superuser connection to the `postgres` database."""
    with postgres_server.connect() as connection:
        yield connection
