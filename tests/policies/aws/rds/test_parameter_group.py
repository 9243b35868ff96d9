"""RDS parameter group policy: PostgreSQL groups force TLS (rds.force_ssl = 1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import PARAMETER_GROUP_PROPS, RDS_PARAMETER_GROUP, changed
from tests.policies.harness import UNKNOWN, Pack, cant_run, only, violations

POLICY = "aws-rds-parameter-group-enable-force-ssl"
ABSENT = ...


def _params(*params: dict[str, Any]) -> list[dict[str, Any]]:
    return list(params)


def test_compliant_parameter_group_passes(pack: Pack) -> None:
    assert pack.analyze(RDS_PARAMETER_GROUP, PARAMETER_GROUP_PROPS) == []


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"parameters": _params({"name": "rds.force_ssl", "value": "0"})}, "rds.force_ssl is not 1"),
        ({"parameters": _params({"name": "RDS.FORCE_SSL", "value": "off"})}, "rds.force_ssl is not 1"),
        ({"parameters": _params({"name": "log_connections", "value": "1"})}, "rds.force_ssl is not set"),
        ({"parameters": ABSENT}, "rds.force_ssl is not set"),
        ({"parameters": []}, "rds.force_ssl is not set"),
    ],
)
def test_one_change_one_violation(pack: Pack, changes: dict[str, Any], fragment: str) -> None:
    only(pack.analyze(RDS_PARAMETER_GROUP, changed(PARAMETER_GROUP_PROPS, **changes)), POLICY, fragment)


@pytest.mark.parametrize(
    "changes",
    [
        {"family": "mysql8.0", "parameters": ABSENT},  # rds.force_ssl is a PostgreSQL parameter
        {"parameters": _params({"name": "rds.force_ssl", "value": 1})},  # a number, as the provider coerces it
        {"parameters": _params({"name": "rds.force_ssl", "value": UNKNOWN})},  # computed: decided at `up`
    ],
)
def test_other_families_numbers_and_unknown_values_pass(pack: Pack, changes: dict[str, Any]) -> None:
    assert violations(pack.analyze(RDS_PARAMETER_GROUP, changed(PARAMETER_GROUP_PROPS, **changes))) == []


@pytest.mark.parametrize("changes", [{"parameters": UNKNOWN}, {"family": UNKNOWN}])
def test_unknown_parameter_list_or_family_cannot_be_decided(pack: Pack, changes: dict[str, Any]) -> None:
    diags = pack.analyze(RDS_PARAMETER_GROUP, changed(PARAMETER_GROUP_PROPS, **changes))
    assert violations(diags) == []
    assert cant_run(diags) == {POLICY}


def test_unknown_entry_name_does_not_hide_a_later_force_ssl(pack: Pack) -> None:
    params = _params({"name": UNKNOWN, "value": "1"}, {"name": "rds.force_ssl", "value": "1"})
    assert pack.analyze(RDS_PARAMETER_GROUP, changed(PARAMETER_GROUP_PROPS, parameters=params)) == []
