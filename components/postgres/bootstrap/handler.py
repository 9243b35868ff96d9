"""The database bootstrap function: applies the versioned SQL in `sql/` as the RDS-managed master user.

It runs as a Lambda function in the VPC (the database is private and there is no bastion), reads the
master credentials from the RDS-managed secret at run time (they never enter Pulumi state, the event or
the result), connects to the instance over TLS verified against the RDS CA bundle, and applies every
`sql/V*.sql` file in version order, each in one transaction. `pulumi up` invokes it whenever the SQL
changes (`bootstrap_on_up`); every file is idempotent, so it is safe to invoke again by hand:

    aws lambda invoke --function-name "$(pulumi stack output database_bootstrap_function)" \
        --cli-binary-format raw-in-base64-out --payload '{}' /dev/stdout

The deployment package holds this file, `sql/`, and the pure-Python driver pg8000 with its dependencies,
vendored by the component (components/postgres/component.py). No import of the AWS SDK or the driver
happens at module level, so tests import `render` and `apply` without either.
"""

from __future__ import annotations

import json
import os
import re
import ssl
import string
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

SQL_DIRECTORY = Path(__file__).resolve().parent / "sql"
# The values substituted into the SQL are identifiers from the validated config; checked again here because
# they are spliced into SQL text.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,62}")
_SETTINGS = ("app_role", "database", "schema", "owner")
# AWS RDS User Guide, "Using SSL/TLS to encrypt a connection": the bundle of every RDS CA, all commercial Regions.
DEFAULT_CA_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"


class _SqlTemplate(string.Template):
    """Only `${name}` is a placeholder: a bare `$` belongs to SQL (dollar quoting, `$1`)."""

    pattern = r"\$\{(?P<braced>[a-z_]+)\}|(?P<escaped>(?!))|(?P<named>(?!))|(?P<invalid>(?!))"


class SimpleQueryConnection(Protocol):
    """What `apply` needs: pg8000.native.Connection.run (simple query protocol when given no parameters)."""

    def run(self, sql: str) -> Any: ...


def migrations(directory: Path = SQL_DIRECTORY) -> list[Path]:
    """The versioned SQL files, in version order (V001__..., V002__...)."""
    return sorted(directory.glob("V*__*.sql"), key=lambda path: int(path.name[1:].split("__")[0]))


def render(sql: str, settings: Mapping[str, str]) -> str:
    """The SQL with `${app_role}` etc. substituted, after checking every value is a plain identifier."""
    missing = [key for key in _SETTINGS if key not in settings]
    if missing:
        raise ValueError(f"bootstrap settings missing: {', '.join(missing)}")
    for key in _SETTINGS:
        value = settings[key]
        if not (value.isascii() and _IDENTIFIER.fullmatch(value)):
            raise ValueError(f"bootstrap setting {key}={value!r} is not a lowercase PostgreSQL identifier")
    return _SqlTemplate(sql).substitute({key: settings[key] for key in _SETTINGS})


def apply(connection: SimpleQueryConnection, settings: Mapping[str, str],
          directory: Path = SQL_DIRECTORY) -> list[str]:
    """Apply every migration; each file is one simple-query message, so it commits or rolls back whole."""
    applied = []
    for path in migrations(directory):
        connection.run(render(path.read_text(), settings))
        applied.append(path.name)
    return applied


def settings_from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    return {
        "app_role": environ["APP_ROLE"],
        "database": environ["DB_NAME"],
        "schema": environ["APP_SCHEMA"],
        "owner": environ["MASTER_USERNAME"],
    }


def _tls_context(bundle_url: str) -> ssl.SSLContext:
    # The bundle is fetched over HTTPS verified by the runtime's CA store, then pins the database's CA.
    with urllib.request.urlopen(bundle_url, timeout=10) as response:
        bundle = response.read().decode("ascii")
    context = ssl.create_default_context(cadata=bundle)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def handler(event: Mapping[str, Any] | None, context: Any) -> dict[str, Any]:
    """Lambda entry point. The event is ignored; the result names the files applied, never a credential."""
    # Imported here, not at module level: the Lambda runtime provides boto3 and the package vendors pg8000,
    # while tests import this module without either.
    import boto3  # noqa: PLC0415
    import pg8000.native  # noqa: PLC0415

    environ = os.environ
    secret = json.loads(
        boto3.client("secretsmanager").get_secret_value(SecretId=environ["MASTER_SECRET_ARN"])["SecretString"]
    )
    connection = pg8000.native.Connection(
        user=secret["username"],
        password=secret["password"],
        host=environ["DB_HOST"],
        port=int(environ["DB_PORT"]),
        database=environ["DB_NAME"],
        ssl_context=_tls_context(environ.get("RDS_CA_BUNDLE_URL", DEFAULT_CA_BUNDLE_URL)),
        timeout=60,
        application_name="platform-bootstrap",
    )
    del secret
    try:
        applied = apply(connection, settings_from_environment(environ))
    finally:
        connection.close()
    return {"applied": applied, "app_role": environ["APP_ROLE"], "database": environ["DB_NAME"]}
