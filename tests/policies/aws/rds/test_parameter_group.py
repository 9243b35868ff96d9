"""RDS parameter group policies: PostgreSQL groups force TLS and never log statement text that carries a password."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import PARAMETER_GROUP_PROPS, RDS_PARAMETER_GROUP, changed
from tests.policies.harness import UNKNOWN, Pack, cant_run, only, violations

FORCE_SSL = "aws-rds-parameter-group-enable-force-ssl"
LOGGING = "aws-rds-parameter-group-disallow-statement-logging"
QUERY_LOGGING = "aws-rds-parameter-group-configure-query-logging"
ABSENT = ...


def _set(name: str, value: Any) -> dict[str, Any]:
    """The compliant group with parameter `name` set to `value` (or removed, for ABSENT); other entries untouched."""
    params = [dict(p) for p in PARAMETER_GROUP_PROPS["parameters"] if p["name"] != name]
    if value is not ABSENT:
        params.append({"name": name, "value": value, "applyMethod": "immediate"})
    return changed(PARAMETER_GROUP_PROPS, parameters=params)


def test_compliant_parameter_group_passes(pack: Pack) -> None:
    assert pack.analyze(RDS_PARAMETER_GROUP, PARAMETER_GROUP_PROPS) == []


@pytest.mark.parametrize(
    ("props", "policy", "fragment"),
    [
        (_set("rds.force_ssl", "0"), FORCE_SSL, "rds.force_ssl is not 1"),
        (_set("rds.force_ssl", "off"), FORCE_SSL, "rds.force_ssl is not 1"),
        (_set("rds.force_ssl", ABSENT), FORCE_SSL, "rds.force_ssl is not set"),
        (_set("log_statement", "ddl"), LOGGING, "log_statement is 'ddl'"),
        (_set("log_statement", "ALL"), LOGGING, "log_statement is 'all'"),
        (_set("log_statement", "mod"), LOGGING, "log_statement is 'mod'"),
        (_set("log_min_error_statement", "error"), LOGGING, "log_min_error_statement is 'error'"),
        (_set("log_min_error_statement", ABSENT), LOGGING, "log_min_error_statement is not set (default 'error')"),
    ],
)
def test_one_change_one_violation(pack: Pack, props: dict[str, Any], policy: str, fragment: str) -> None:
    only(pack.analyze(RDS_PARAMETER_GROUP, props), policy, fragment)


@pytest.mark.parametrize("parameter", ["log_statement", "log_min_duration_statement"])
def test_query_logging_left_to_the_engine_violates(pack: Pack, parameter: str) -> None:
    """CKV2_AWS_30: both set explicitly (their values are the statement-logging policy's business)."""
    only(pack.analyze(RDS_PARAMETER_GROUP, _set(parameter, ABSENT)), QUERY_LOGGING, f"{parameter} is not set")


def test_query_logging_off_by_choice_passes(pack: Pack) -> None:
    assert pack.analyze(RDS_PARAMETER_GROUP, _set("log_min_duration_statement", "-1")) == []


def test_upper_case_parameter_name_is_the_same_parameter(pack: Pack) -> None:
    props = _set("rds.force_ssl", ABSENT)
    props["parameters"].append({"name": "RDS.FORCE_SSL", "value": "0"})
    only(pack.analyze(RDS_PARAMETER_GROUP, props), FORCE_SSL, "rds.force_ssl is not 1")


@pytest.mark.parametrize(
    "props",
    [
        changed(PARAMETER_GROUP_PROPS, family="mysql8.0", parameters=ABSENT),  # PostgreSQL parameters only
        _set("rds.force_ssl", 1),  # a number, as the provider coerces it
        _set("log_statement", "None"),
        _set("log_min_error_statement", "PANIC"),
    ],
)
def test_other_families_spellings_and_defaults_pass(pack: Pack, props: dict[str, Any]) -> None:
    assert pack.analyze(RDS_PARAMETER_GROUP, props) == []


@pytest.mark.parametrize(
    ("props", "policies"),
    [
        (changed(PARAMETER_GROUP_PROPS, parameters=UNKNOWN), {FORCE_SSL, LOGGING, QUERY_LOGGING}),
        (changed(PARAMETER_GROUP_PROPS, family=UNKNOWN), {FORCE_SSL, LOGGING, QUERY_LOGGING}),
        (_set("rds.force_ssl", UNKNOWN), {FORCE_SSL}),
        (_set("log_statement", UNKNOWN), {LOGGING, QUERY_LOGGING}),
    ],
)
def test_unknowns_that_decide_cannot_be_decided(pack: Pack, props: dict[str, Any], policies: set[str]) -> None:
    diags = pack.analyze(RDS_PARAMETER_GROUP, props)
    assert violations(diags) == []
    assert cant_run(diags) == policies


def test_unknown_entry_name_could_be_any_parameter(pack: Pack) -> None:
    params = [{"name": UNKNOWN, "value": "1"}, *PARAMETER_GROUP_PROPS["parameters"]]
    props = changed(PARAMETER_GROUP_PROPS, parameters=params)
    assert pack.analyze(RDS_PARAMETER_GROUP, props) == []  # every parameter the policies read is set after it
    missing = _set("log_min_error_statement", ABSENT)
    missing["parameters"].insert(0, {"name": UNKNOWN, "value": "panic"})
    assert cant_run(pack.analyze(RDS_PARAMETER_GROUP, missing)) == {LOGGING}
