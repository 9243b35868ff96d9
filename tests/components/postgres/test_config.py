"""The database concern's config model: bad values are refused with their key path, value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from components.concern import shown
from components.postgres.config import autoscaling_minimum_gb
from components.stack import ConfigError
from tests.support.configs import build, one_problem, problems_with, with_values
from tests.support.stacks import load_stack

ROOT = "platform:database"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"backup_retention_dayz": 14}, f"{ROOT}.backup_retention_dayz: unknown key; did you mean "
                                        "backup_retention_days?"),
        ({"proxy": {"requiretls": False}}, f"{ROOT}.proxy.requiretls: unknown key; allowed keys here are iam_auth"),
        ({"backup_retention_days": 36}, f"{ROOT}.backup_retention_days = 36: out of range; must be a whole "
                                        "number from 1 to 35"),
        ({"max_allocated_storage_gb": 70_000}, f"{ROOT}.max_allocated_storage_gb = 70000: out of range; must be a "
                                               "whole number from 0 to 65536"),
        ({"instance_class": "db.x9.huge"}, f"{ROOT}.instance_class = db.x9.huge: must be an RDS for PostgreSQL "
                                           "instance class"),
        ({"instance_class": "db.m7g.micro"}, "m7g classes start at 'large'"),
        ({"backup_retention_days": 13}, f"{ROOT}.backup_retention_days = 13: must be >= 14 in prod (FSBP RDS.11"),
        ({"instance_class": "db.t4g.large"}, "burstable (db.t*) classes are for development and test only"),
        ({"proxy": {"iam_auth": "optional"}}, "IAMAuth ENABLED is valid only for SQL Server proxies"),
        ({"engine_version": "12"}, "supported by both RDS and RDS Proxy: one of 14, 15, 16, 17"),
        ({"performance_insights_retention_days": 30}, "must be 7, 731 or a multiple of 31"),
        ({"master_username": "postgres"}, "(FSBP RDS.25)"),
        ({"extra_parameters": {"rds.force_ssl": "0"}}, "'rds.force_ssl' is set by the component"),
    ],
)
def test_bad_values_are_reported_with_key_path_value_and_what_is_allowed(
    values: dict[str, Any], expected: str
) -> None:
    problems = problems_with("prod", "database", values)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("field", "value"),
    [
        # Other scripts' digits: `\d` and int() accept them, AWS does not.
        ("engine_version", "\u0661\u0666"),
        ("engine_version", "\uff11\uff16"),
        ("backup_window", "0\u0662:00-03:00"),
        ("backup_window", "02:00-0\u0663:00"),
        ("maintenance_window", "sun:0\u0664:30-sun:05:30"),
        # A trailing newline: `$` matches before it.
        ("engine_version", "16\n"),
        ("instance_class", "db.m7g.large\n"),
        ("master_username", "app_admin\n"),
        ("db_name", "app\n"),
        ("backup_window", "02:00-03:00\n"),
        ("maintenance_window", "sun:03:30-sun:04:30\n"),
    ],
)
def test_identifiers_are_full_ascii_matches(field: str, value: str) -> None:
    line = one_problem(problems_with("prod", "database", {field: value}), f"{ROOT}.{field} = ")
    assert line.startswith(f"{ROOT}.{field} = {shown(value)}: must"), line


def test_extra_parameter_names_and_values_are_single_line_ascii() -> None:
    problems = problems_with("prod", "database", {"extra_parameters": {"work_mem\n": "4096"}})
    assert "is not a PostgreSQL parameter name" in one_problem(problems, f"{ROOT}.extra_parameters")
    problems = problems_with("prod", "database", {"extra_parameters": {"work_mem": "4096\nfsync = off"}})
    assert "must be printable ASCII on one line" in one_problem(problems, f"{ROOT}.extra_parameters")


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        # A bool is never an interval, a count or a percentage, though Python says True == 1.
        ("monitoring_interval_seconds", True, "must be one of 1, 5, 10, 15, 30, 60"),
        ("monitoring_interval_seconds", 60.0, "must be one of 1, 5, 10, 15, 30, 60"),
        ("monitoring_interval_seconds", "60", "must be one of 1, 5, 10, 15, 30, 60"),
        ("backup_retention_days", True, "must be a whole number"),
        ("allocated_storage_gb", 100.0, "must be a whole number"),
        ("statement_timeout_ms", "60000", "must be a whole number"),
        # ...and text is never a flag.
        ("multi_az", "yes", "must be true or false"),
        ("deletion_protection", 1, "must be true or false"),
        # An unquoted version is a number in YAML: 16.10 would silently become 16.1.
        ("engine_version", 16, "must be a quoted string"),
    ],
)
def test_types_are_strict(field: str, value: Any, allowed: str) -> None:
    line = one_problem(problems_with("prod", "database", {field: value}), f"{ROOT}.{field} = ")
    assert allowed in line, line


def test_a_proxy_bool_is_not_a_percentage() -> None:
    line = one_problem(problems_with("prod", "database", {"proxy": {"max_connections_percent": True}}),
                       f"{ROOT}.proxy.max_connections_percent")
    assert "must be a whole number" in line, line
    assert "from 1 to 100" in line, line


def test_cross_field_errors_name_the_fields_involved_not_the_whole_section() -> None:
    problems = problems_with("prod", "database", {"proxy": {"max_connections_percent": 50,
                                                            "max_idle_connections_percent": 60}})
    line = one_problem(problems, "max_idle_connections_percent")
    assert line.startswith(f"{ROOT}.proxy.max_idle_connections_percent = 60: must not exceed "
                           "max_connections_percent (50)"), line
    problems = problems_with("prod", "database", {"allocated_storage_gb": 500, "max_allocated_storage_gb": 200})
    line = one_problem(problems, "max_allocated_storage_gb")
    assert line.startswith(f"{ROOT}.max_allocated_storage_gb = 200: with allocated_storage_gb = 500, the "
                           "autoscaling ceiling must be at least 10% above it, i.e. >= 550"), line


def test_cross_field_checks_run_even_when_another_field_fails() -> None:
    problems = problems_with("prod", "database", {
        "backup_retention_days": 3,
        "allocated_storage_gb": 500, "max_allocated_storage_gb": 200,
        "proxy": {"max_connections_percent": 50, "max_idle_connections_percent": 60, "iam_auth": "sometimes"},
    })
    for fragment in ("backup_retention_days = 3", "max_allocated_storage_gb = 200",
                     "proxy.max_idle_connections_percent = 60", "proxy.iam_auth = sometimes"):
        one_problem(problems, fragment)


def test_repository_stack_values_still_pass() -> None:
    config = build(with_values("prod", "database", {"monitoring_interval_seconds": 30, "engine_version": "16.4"}))
    assert (config.database.monitoring_interval_seconds, config.database.major_version) == (30, 16)


# ---- provider constraints and logging safety


def _problems(**database: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_stack("prod", database=database)
    return caught.value.problems


@pytest.mark.parametrize(("allocated", "ceiling"), [(100, 105), (100, 109), (20, 21), (1000, 1099)])
def test_autoscaling_ceiling_less_than_ten_percent_above_the_allocation_is_refused(
    allocated: int, ceiling: int
) -> None:
    (problem,) = _problems(allocated_storage_gb=allocated, max_allocated_storage_gb=ceiling)
    assert f"max_allocated_storage_gb = {ceiling}: with allocated_storage_gb = {allocated}," in problem
    assert f">= {autoscaling_minimum_gb(allocated)}" in problem
    assert "or 0 to turn autoscaling off" in problem


@pytest.mark.parametrize(("allocated", "ceiling"), [(100, 110), (20, 22), (21, 24), (1000, 1100), (100, 0)])
def test_autoscaling_ceiling_ten_percent_above_or_off_is_accepted(allocated: int, ceiling: int) -> None:
    database = load_stack("prod", database={
        "allocated_storage_gb": allocated, "max_allocated_storage_gb": ceiling,
    }).database
    assert database.max_allocated_storage_gb == ceiling


def test_autoscaling_minimum_rounds_up() -> None:
    assert [autoscaling_minimum_gb(gb) for gb in (20, 21, 100, 1000, 65_536)] == [22, 24, 110, 1100, 72_090]


def test_negative_autoscaling_ceiling_is_refused() -> None:
    (problem,) = _problems(max_allocated_storage_gb=-1)
    assert "max_allocated_storage_gb = -1" in problem


def test_duration_logging_is_refused_because_it_logs_statement_text() -> None:
    (problem,) = _problems(log_min_duration_statement_ms=1000)
    assert "platform:database.log_min_duration_statement_ms = 1000: must be -1 (off)" in problem
    assert "ALTER ROLE ... PASSWORD" in problem


@pytest.mark.parametrize("name", ["log_statement", "log_min_error_statement", "log_min_duration_sample",
                                  "log_transaction_sample_rate", "debug_print_parse", "pgaudit.log_parameter",
                                  "session_preload_libraries"])
def test_extra_parameters_cannot_turn_statement_text_logging_back_on(name: str) -> None:
    (problem,) = _problems(extra_parameters={name: "all"})
    assert f"'{name}'" in problem
    assert "set by the component" in problem or "a role's password" in problem


def test_every_parameter_the_component_sets_is_managed() -> None:
    from components.postgres.config import MANAGED_PARAMETERS
    from components.postgres.parameters import postgres_parameters

    names = {p["name"] for p in postgres_parameters(load_stack("prod").database)}
    assert names == MANAGED_PARAMETERS


@pytest.mark.parametrize(("field", "value"), [("app_username", "public"), ("app_username", "rds_iam"),
                                              ("app_schema", "public"), ("app_schema", "pg_catalog"),
                                              ("app_username", "App"), ("app_schema", "app\n")])
def test_app_role_and_schema_names_are_plain_and_not_reserved(field: str, value: str) -> None:
    (problem,) = _problems(**{field: value})
    assert problem.startswith(f"platform:database.{field} = {shown(value)}: must ")


def test_the_app_role_is_never_the_master_user() -> None:
    (problem,) = _problems(app_username="app_admin")
    assert "the app must not connect as the master user" in problem
