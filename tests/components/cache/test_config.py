"""The cache concern's config model: bad values are refused with their key path, value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from components.concern import shown
from tests.support.configs import build, one_problem, problems_with, with_values

ROOT = "platform:cache"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"max_ecpu_per_second": 10}, f"{ROOT}.max_ecpu_per_second = 10: out of range; must be a whole number "
                                      "from 1000 to 15000000"),
        ({"snapshot_retention_limit": 3}, f"{ROOT}.snapshot_retention_limit = 3: must be >= 7 in prod"),
        ({"engine": "redis", "major_engine_version": "8"},
         f"{ROOT}.major_engine_version = '8': is not offered for serverless redis; allowed: 7"),
        ({"app_access_string": "on nopass ~* +@all"}, "must not set passwords or 'nopass'"),
        ({"engine": "memcached"}, f"{ROOT}.engine = memcached: "),
    ],
)
def test_bad_values_are_reported_with_key_path_value_and_what_is_allowed(
    values: dict[str, Any], expected: str
) -> None:
    problems = problems_with("prod", "cache", values)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("daily_snapshot_time", "0\u0662:30"),
        ("daily_snapshot_time", "02:3\u0660"),
        ("daily_snapshot_time", "02:30\n"),
        ("app_user_name", "app\n"),
        ("app_user_name", "\u0430pp"),  # a Cyrillic a
        ("app_user_name", "app-"),
        ("app_user_name", "a--b"),
        ("app_access_string", "on ~* +@all\n"),
        ("app_access_string", "on ~*\n+@all"),
    ],
)
def test_identifiers_are_full_ascii_matches(field: str, value: str) -> None:
    line = one_problem(problems_with("prod", "cache", {field: value}), f"{ROOT}.{field} = ")
    assert line.startswith(f"{ROOT}.{field} = {shown(value)}: must"), line


def test_an_unquoted_yaml_time_is_explained_not_echoed_as_a_number() -> None:
    # YAML 1.1 reads `daily_snapshot_time: 12:30` as 12 * 60 + 30.
    line = one_problem(problems_with("prod", "cache", {"daily_snapshot_time": 750}), f"{ROOT}.daily_snapshot_time")
    assert "must be a quoted 'hh24:mi' string" in line
    assert 'write daily_snapshot_time: "12:30"' in line


@pytest.mark.parametrize(("field", "value"), [("protect", 1), ("protect", "false"), ("max_data_storage_gb", True)])
def test_types_are_strict(field: str, value: Any) -> None:
    one_problem(problems_with("prod", "cache", {field: value}), f"{ROOT}.{field} = ")


def test_the_engine_check_runs_even_when_another_field_fails() -> None:
    problems = problems_with("prod", "cache", {"engine": "redis", "major_engine_version": "8",
                                               "snapshot_retention_limit": 2})
    one_problem(problems, "major_engine_version = '8'")
    one_problem(problems, "snapshot_retention_limit = 2")


def test_repository_stack_values_still_pass() -> None:
    assert build(with_values("prod", "cache", {"daily_snapshot_time": "23:59"})).cache.daily_snapshot_time == "23:59"
