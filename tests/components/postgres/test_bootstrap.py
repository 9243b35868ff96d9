"""The bootstrap SQL against a real PostgreSQL, applied by the bootstrap function's own code and driver.

It runs twice, as a non-superuser stand-in for the RDS master user, and the app role it creates has
exactly the privileges it needs. Where plain PostgreSQL 15 differs from RDS for PostgreSQL 16:
- `rds_iam` and `rds_superuser` exist only on RDS: the fixture creates an `rds_iam` stand-in and gives the
  master stand-in CREATEROLE and CREATEDB (what rds_superuser membership gives it for these statements),
  with ADMIN OPTION on rds_iam (which PostgreSQL 16's CREATEROLE rules require to GRANT it).
- On RDS, rds_superuser may create pgaudit; on plain PostgreSQL only a superuser can, so the fixture creates
  the extension first and V002's `CREATE EXTENSION IF NOT EXISTS` is a no-op here.
- The test server trusts loopback connections; on RDS the app role can log in only with an IAM token.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from components.postgres.bootstrap.handler import apply, migrations, render
from components.postgres.config import DatabaseConfig
from tests.components.postgres.conftest import PostgresServer
from tests.support.stacks import load_stack

psycopg = pytest.importorskip("psycopg")
pg8000_native = pytest.importorskip("pg8000.native")

DATABASE = "bootstrap_test"


@pytest.fixture(scope="module")
def config() -> DatabaseConfig:
    return load_stack("prod").database


@pytest.fixture(scope="module")
def settings(config: DatabaseConfig) -> dict[str, str]:
    return {"app_role": config.app_username, "database": DATABASE, "schema": config.app_schema,
            "owner": config.master_username}


@pytest.fixture(scope="module")
def bootstrapped(postgres_server: PostgresServer, settings: dict[str, str]) -> list[list[str]]:
    master = settings["owner"]
    with postgres_server.connect() as admin:
        admin.execute("CREATE ROLE rds_iam NOLOGIN")
        admin.execute(f"CREATE ROLE {master} LOGIN CREATEROLE CREATEDB")
        admin.execute(f"GRANT rds_iam TO {master} WITH ADMIN OPTION")
        admin.execute(f"CREATE DATABASE {DATABASE} OWNER {master}")
    with postgres_server.connect(DATABASE) as admin:
        admin.execute("CREATE EXTENSION pgaudit")
    runs = []
    for _ in range(2):
        connection = pg8000_native.Connection(user=master, host="127.0.0.1", port=postgres_server.port,
                                              database=DATABASE)
        try:
            runs.append(apply(connection, settings))
        finally:
            connection.close()
    return runs


@pytest.fixture
def superuser(postgres_server: PostgresServer, bootstrapped: list[list[str]]) -> Iterator[psycopg.Connection]:
    with postgres_server.connect(DATABASE) as connection:
        yield connection


def _one(connection: psycopg.Connection, query: str, *params: object) -> object:
    return connection.execute(query, params).fetchone()[0]


def test_bootstrap_applies_every_version_twice_cleanly(bootstrapped: list[list[str]]) -> None:
    names = [path.name for path in migrations()]
    assert names == ["V001__app_role.sql", "V002__pgaudit.sql"]
    assert bootstrapped == [names, names]


def test_app_role_is_a_plain_iam_login(superuser: psycopg.Connection, settings: dict[str, str]) -> None:
    role = settings["app_role"]
    row = superuser.execute(
        "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolpassword "
        "FROM pg_authid WHERE rolname = %s", (role,)).fetchone()
    assert row == (True, False, False, False, False, False, None)
    assert _one(superuser, "SELECT pg_has_role(%s, 'rds_iam', 'MEMBER')", role) is True
    assert _one(superuser, "SELECT pg_has_role(%s, %s, 'MEMBER')", role, settings["owner"]) is False


def test_app_role_privileges(superuser: psycopg.Connection, settings: dict[str, str]) -> None:
    role, schema = settings["app_role"], settings["schema"]
    privilege = "SELECT has_database_privilege(%s, %s, %s)"
    assert _one(superuser, privilege, role, DATABASE, "CONNECT") is True
    assert _one(superuser, privilege, role, DATABASE, "TEMPORARY") is True
    assert _one(superuser, privilege, role, DATABASE, "CREATE") is False
    assert _one(superuser, "SELECT has_schema_privilege(%s, %s, 'USAGE')", role, schema) is True
    assert _one(superuser, "SELECT has_schema_privilege(%s, %s, 'CREATE')", role, schema) is True
    assert _one(superuser, "SELECT has_schema_privilege(%s, 'public', 'CREATE')", role) is False
    assert _one(superuser, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s",
                schema) == settings["owner"]


def test_other_roles_get_nothing_by_default(superuser: psycopg.Connection, settings: dict[str, str]) -> None:
    superuser.execute("CREATE ROLE bystander LOGIN")
    try:
        assert _one(superuser, "SELECT has_database_privilege('bystander', %s, 'CONNECT')", DATABASE) is False
        assert _one(superuser, "SELECT has_schema_privilege('bystander', %s, 'USAGE')", settings["schema"]) is False
    finally:
        superuser.execute("DROP ROLE bystander")


def test_app_role_can_build_its_schema_but_not_escalate(postgres_server: PostgresServer,
                                                       bootstrapped: list[list[str]],
                                                       settings: dict[str, str]) -> None:
    with postgres_server.connect(DATABASE, user=settings["app_role"]) as app:
        assert _one(app, "SHOW search_path") == settings["schema"]
        app.execute("CREATE TABLE IF NOT EXISTS app_owned (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)")
        app.execute("INSERT INTO app_owned DEFAULT VALUES")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("CREATE ROLE escalated")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("CREATE DATABASE escalated")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("CREATE TABLE public.squatter (id int)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute(f"DROP SCHEMA {settings['schema']}")


def test_objects_the_master_creates_later_are_usable_by_the_app(postgres_server: PostgresServer,
                                                               bootstrapped: list[list[str]],
                                                               settings: dict[str, str]) -> None:
    schema = settings["schema"]
    with postgres_server.connect(DATABASE, user=settings["owner"]) as master:
        master.execute(f"CREATE TABLE IF NOT EXISTS {schema}.operator_table (id serial PRIMARY KEY, v text)")
    with postgres_server.connect(DATABASE, user=settings["app_role"]) as app:
        app.execute("INSERT INTO operator_table (v) VALUES ('x')")
        assert _one(app, "SELECT count(*) FROM operator_table") >= 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("DROP TABLE operator_table")


def test_a_rerun_undoes_a_hand_made_escalation(postgres_server: PostgresServer, bootstrapped: list[list[str]],
                                              settings: dict[str, str]) -> None:
    role = settings["app_role"]
    with postgres_server.connect() as admin:
        admin.execute(f"ALTER ROLE {role} CREATEDB PASSWORD 'hand-set'")
    connection = pg8000_native.Connection(user=settings["owner"], host="127.0.0.1", port=postgres_server.port,
                                          database=DATABASE)
    try:
        apply(connection, settings)
    finally:
        connection.close()
    with postgres_server.connect() as admin:
        row = admin.execute("SELECT rolcreatedb, rolpassword FROM pg_authid WHERE rolname = %s", (role,)).fetchone()
    assert row == (False, None)


@pytest.mark.parametrize("bad", ["App", "app-user", "app;drop", "app\n", "\uff41pp", ""])
def test_settings_spliced_into_sql_must_be_plain_identifiers(settings: dict[str, str], bad: str) -> None:
    with pytest.raises(ValueError, match="is not a lowercase PostgreSQL identifier"):
        render("SELECT '${app_role}'", {**settings, "app_role": bad})


def test_dollar_quoting_is_left_to_sql(settings: dict[str, str]) -> None:
    assert render("DO $x$ BEGIN END $x$; SELECT $1, '${schema}'", settings) == (
        f"DO $x$ BEGIN END $x$; SELECT $1, '{settings['schema']}'"
    )
