"""RDS parameter groups (`aws:rds/parameterGroup:ParameterGroup`): TLS is forced by `rds.force_ssl = 1`.

`force_ssl_state` is also what the instance's stack policy (`aws-rds-instance-enable-force-ssl`) reads from the
group an instance uses; it never raises, so a stack check can call it on any group.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import (
    RDS_PARAMETER_GROUP,
    UNKNOWN,
    About,
    as_list,
    as_number,
    as_str,
    get,
    is_unknown,
    known,
    lower_str,
    resource_policy,
)
from ...refs import ckv, platform, postgres_docs

ForceSsl = Literal["on", "off", "unset", "unknown"]
SSL_URL = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html"


def force_ssl_state(group_props: object) -> ForceSsl:
    """'on', 'off', 'unset' or 'unknown' for rds.force_ssl in a parameter group's `parameters`."""
    params = as_list(get(group_props, "parameters"))
    if params is UNKNOWN:
        return "unknown"
    state: ForceSsl = "unset"
    for param in params if isinstance(params, list) else []:
        name = UNKNOWN if param is UNKNOWN else as_str(get(param, "name"))
        if name is UNKNOWN:
            state = "unknown" if state == "unset" else state
            continue
        if not isinstance(name, str) or name.strip().lower() != "rds.force_ssl":
            continue
        value = get(param, "value")
        if is_unknown(value):
            return "unknown"
        return "on" if as_number(value) == 1.0 else "off"
    return state


def parameter_value(group_props: object, parameter: str) -> object:
    """The value of `parameter` in a group's `parameters` (lower-cased string), None when the group does not set
    it, or UNKNOWN when the list, a name that could be it, or its value is unknown."""
    params = as_list(get(group_props, "parameters"))
    if params is UNKNOWN:
        return UNKNOWN
    unknown_name = False
    for param in params if isinstance(params, list) else []:
        name = UNKNOWN if param is UNKNOWN else as_str(get(param, "name"))
        if name is UNKNOWN:
            unknown_name = True
            continue
        if isinstance(name, str) and name.strip().lower() == parameter:
            value = get(param, "value")
            if is_unknown(value):
                return UNKNOWN
            return str(value).strip().lower() if isinstance(value, str | int | float) else None
    return UNKNOWN if unknown_name else None


# Statement logging writes `CREATE/ALTER ROLE ... PASSWORD '...'` in cleartext to the server log, which RDS exports
# to CloudWatch. pgaudit's `role` class redacts passwords; these two settings do not.
_LOGGED_STATEMENTS = frozenset({"ddl", "mod", "all"})
PG_LOGGING_URL = "https://www.postgresql.org/docs/current/runtime-config-logging.html"


def _statement_logging(args: ResourceValidationArgs) -> Iterator[str]:
    family = lower_str(args, "family")
    if family is None or not family.startswith("postgres"):
        return
    statement = known(parameter_value(args.props, "log_statement"), "parameters")
    if isinstance(statement, str) and statement in _LOGGED_STATEMENTS:
        yield (
            f"log_statement is '{statement}': role changes are logged with their password in cleartext; set it to "
            "'none' and audit with pgaudit (pgaudit.log = 'role, ddl'), which redacts passwords."
        )
    error_statement = known(parameter_value(args.props, "log_min_error_statement"), "parameters")
    if error_statement != "panic":
        shown = "not set (default 'error')" if error_statement is None else f"'{error_statement}'"
        yield (
            f"log_min_error_statement is {shown}: the text of a failing statement, such as an ALTER ROLE ... PASSWORD "
            "with a typo, is logged; set it to 'panic'."
        )


def _query_logging(args: ResourceValidationArgs) -> Iterator[str]:
    """Checkov CKV2_AWS_30: the group sets log_statement and log_min_duration_statement explicitly. Their values are
    a deliberate choice (both off in this stack: statement text can carry a role's password, see
    `aws-rds-parameter-group-disallow-statement-logging`); what this check refuses is leaving them to the engine."""
    family = lower_str(args, "family")
    if family is None or not family.startswith("postgres"):
        return
    for parameter in ("log_statement", "log_min_duration_statement"):
        if known(parameter_value(args.props, parameter), "parameters") is None:
            yield f"{parameter} is not set: the server log's query logging is left to the engine default."


def _enable_force_ssl(args: ResourceValidationArgs) -> Iterator[str]:
    family = lower_str(args, "family")
    if family is None or not family.startswith("postgres"):
        return
    state = force_ssl_state(args.props)
    if state == "unknown":
        known(UNKNOWN, "parameters")
    if state == "off":
        yield "rds.force_ssl is not 1: PostgreSQL accepts unencrypted client connections."
    elif state == "unset":
        yield "rds.force_ssl is not set (the PostgreSQL 15+ default is 1, earlier versions 0); set it to 1 explicitly."


RESOURCE_TYPE = RDS_PARAMETER_GROUP
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    resource_policy(
        About(
            name="aws-rds-parameter-group-enable-force-ssl",
            description="PostgreSQL parameter groups must force TLS for client connections (rds.force_ssl = 1).",
            refs=(ckv("CKV2_AWS_69"),),
            control="TLS enforced in the parameter group (rds.force_ssl = 1)",
            severity=Severity.HIGH,
            remediation='Add `{"name": "rds.force_ssl", "value": "1"}` to the group\'s `parameters`.',
            tags=("aws", "rds", "encryption-in-transit", "tls"),
            url=SSL_URL,
        ),
        (RDS_PARAMETER_GROUP,),
        _enable_force_ssl,
    ),
    resource_policy(
        About(
            name="aws-rds-parameter-group-disallow-statement-logging",
            description="PostgreSQL parameter groups must not log statement text that can carry a role's password "
            "(log_statement ddl/mod/all; log_min_error_statement below panic).",
            refs=(platform("data-exposure baseline"),
                  postgres_docs("error reporting and logging: log_statement, log_min_error_statement", PG_LOGGING_URL)),
            control="role passwords never reach the server log (log_statement = none, pgaudit role class)",
            severity=Severity.HIGH,
            remediation='Set `{"name": "log_statement", "value": "none"}` and `{"name": "log_min_error_statement", '
            '"value": "panic"}`; audit DDL and role changes with pgaudit (`shared_preload_libraries` = pgaudit, '
            '`pgaudit.log` = "role, ddl").',
            tags=("aws", "rds", "logging", "secrets"),
            url=PG_LOGGING_URL,
        ),
        (RDS_PARAMETER_GROUP,),
        _statement_logging,
    ),
    resource_policy(
        About(
            name="aws-rds-parameter-group-configure-query-logging",
            description="PostgreSQL parameter groups must configure query logging explicitly: log_statement and "
            "log_min_duration_statement are set.",
            refs=(ckv("CKV2_AWS_30"),),
            control="database query logging configured explicitly",
            severity=Severity.LOW,
            remediation='Add `{"name": "log_statement", "value": "none"}` and `{"name": '
            '"log_min_duration_statement", "value": "-1"}` (or a threshold in milliseconds) to `parameters`.',
            tags=("aws", "rds", "logging"),
            url=PG_LOGGING_URL,
        ),
        (RDS_PARAMETER_GROUP,),
        _query_logging,
    ),
]
