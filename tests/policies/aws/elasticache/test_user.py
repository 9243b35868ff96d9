"""ElastiCache user policy: a user named 'default' is switched off or needs a password."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import DEFAULT_USER_PROPS, EC_USER, changed
from tests.policies.harness import UNKNOWN, Pack, cant_run, only, violations

POLICY = "aws-elasticache-user-disallow-passwordless-default-user"
ABSENT = ...
ENABLED = "on ~* +@all"


def test_locked_default_user_passes(pack: Pack) -> None:
    assert pack.analyze(EC_USER, DEFAULT_USER_PROPS) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"accessString": ENABLED, "noPasswordRequired": True, "authenticationMode": ABSENT},
        {"accessString": ENABLED, "noPasswordRequired": "true", "authenticationMode": ABSENT},
        {"accessString": ENABLED, "authenticationMode": {"type": "no-password-required"}},
        {"accessString": "ON", "authenticationMode": {"type": "No-Password-Required"}},
    ],
)
def test_enabled_passwordless_default_user_is_refused(pack: Pack, changes: dict[str, Any]) -> None:
    diag = only(pack.analyze(EC_USER, changed(DEFAULT_USER_PROPS, **changes)), POLICY, "'default' user is enabled")
    assert "s3cr3t" not in diag.message


@pytest.mark.parametrize(
    "changes",
    [
        {"accessString": ENABLED},  # enabled, but needs a password
        {"accessString": "off ~* -@all", "noPasswordRequired": True, "authenticationMode": ABSENT},  # switched off
        {"accessString": "OFF", "authenticationMode": {"type": "no-password-required"}},
        {"userName": "app", "accessString": ENABLED, "noPasswordRequired": True},  # not the default user
        {"accessString": ENABLED, "authenticationMode": {"type": "iam"}},
    ],
)
def test_locked_or_password_protected_or_other_users_pass(pack: Pack, changes: dict[str, Any]) -> None:
    assert pack.analyze(EC_USER, changed(DEFAULT_USER_PROPS, **changes)) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"accessString": UNKNOWN, "noPasswordRequired": True},
        {"userName": UNKNOWN, "accessString": ENABLED, "noPasswordRequired": True},
        {"accessString": ENABLED, "noPasswordRequired": UNKNOWN},
    ],
)
def test_unknowns_that_decide_the_outcome_cannot_be_decided(pack: Pack, changes: dict[str, Any]) -> None:
    diags = pack.analyze(EC_USER, changed(DEFAULT_USER_PROPS, **changes))
    assert violations(diags) == []
    assert cant_run(diags) == {POLICY}


def test_unknown_access_string_of_another_user_is_not_read(pack: Pack) -> None:
    assert pack.analyze(EC_USER, changed(DEFAULT_USER_PROPS, userName="app", accessString=UNKNOWN)) == []
