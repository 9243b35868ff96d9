"""The database concern's config model: bad values are refused with their key path, value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.configs import build, one_problem, problems_with, with_values

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
                                               "whole number up to 65536"),
        ({"instance_class": "db.x9.huge"}, f"{ROOT}.instance_class = 'db.x9.huge': must be an RDS for PostgreSQL "
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
    assert line.startswith(f"{ROOT}.{field} = {value!r}: must"), line


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
    assert line.startswith(f"{ROOT}.max_allocated_storage_gb = 200: must be >= allocated_storage_gb (500)"), line


def test_cross_field_checks_run_even_when_another_field_fails() -> None:
    problems = problems_with("prod", "database", {
        "backup_retention_days": 3,
        "allocated_storage_gb": 500, "max_allocated_storage_gb": 200,
        "proxy": {"max_connections_percent": 50, "max_idle_connections_percent": 60, "iam_auth": "sometimes"},
    })
    for fragment in ("backup_retention_days = 3", "max_allocated_storage_gb = 200",
                     "proxy.max_idle_connections_percent = 60", "proxy.iam_auth = 'sometimes'"):
        one_problem(problems, fragment)


def test_repository_stack_values_still_pass() -> None:
    config = build(with_values("prod", "database", {"monitoring_interval_seconds": 30, "engine_version": "16.4"}))
    assert (config.database.monitoring_interval_seconds, config.database.major_version) == (30, 16)
