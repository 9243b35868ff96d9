"""The database concern's config model: provider constraints it must refuse before `pulumi up` does."""

from __future__ import annotations

import pytest

from components.postgres.config import autoscaling_minimum_gb
from components.stack import ConfigError
from tests.support.stacks import load_stack


def _problems(**database: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_stack("prod", database=database)
    return caught.value.problems


@pytest.mark.parametrize(("allocated", "ceiling"), [(100, 105), (100, 109), (20, 21), (1000, 1099)])
def test_autoscaling_ceiling_less_than_ten_percent_above_the_allocation_is_refused(
    allocated: int, ceiling: int
) -> None:
    (problem,) = _problems(allocated_storage_gb=allocated, max_allocated_storage_gb=ceiling)
    assert f"max_allocated_storage_gb = {ceiling} with allocated_storage_gb = {allocated}" in problem
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
    assert problem.startswith(f"platform:database.{field} = {value!r}: must ")


def test_the_app_role_is_never_the_master_user() -> None:
    (problem,) = _problems(app_username="app_admin")
    assert "the app must not connect as the master user" in problem
