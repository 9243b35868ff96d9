"""RDS Proxy policies: a compliant proxy passes; one changed property yields exactly that violation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import RDS_PROXY, RDS_PROXY_PROPS, changed, proxy_stack
from tests.policies.harness import UNKNOWN, Pack, cant_run, only, violations

ABSENT = ...


def test_compliant_proxy_passes(pack: Pack) -> None:
    assert pack.analyze(RDS_PROXY, RDS_PROXY_PROPS) == []


def _auth(**changes: Any) -> list[dict[str, Any]]:
    return [changed(RDS_PROXY_PROPS["auths"][0], **changes)]


@pytest.mark.parametrize(
    ("policy", "changes", "fragment"),
    [
        ("aws-rds-proxy-require-tls", {"requireTls": False}, "requireTls is false"),
        ("aws-rds-proxy-require-tls", {"requireTls": ABSENT}, "requireTls is absent (the provider default is false)"),
        ("aws-rds-proxy-disallow-debug-logging", {"debugLogging": True}, "debugLogging is true"),
        ("aws-rds-proxy-disallow-inline-credentials", {"auths": ABSENT}, "no auths"),
        ("aws-rds-proxy-disallow-inline-credentials", {"auths": []}, "no auths"),
        ("aws-rds-proxy-disallow-inline-credentials", {"auths": _auth(secretArn=ABSENT)}, "no secretArn"),
        (
            "aws-rds-proxy-disallow-inline-credentials",
            {"auths": _auth(secretArn=ABSENT, username="app")},
            "auths[0] has no secretArn",
        ),
        (
            "aws-rds-proxy-disallow-inline-credentials",
            {"auths": _auth(authScheme="PASSWORD")},
            "authScheme is 'PASSWORD'",
        ),
    ],
)
def test_proxy_one_change_one_violation(pack: Pack, policy: str, changes: dict[str, Any], fragment: str) -> None:
    diags = pack.analyze(RDS_PROXY, changed(RDS_PROXY_PROPS, **changes))
    assert [d.policy for d in diags] == [policy]
    assert fragment in diags[0].message


@pytest.mark.parametrize(
    "changes",
    [
        {"debugLogging": ABSENT},  # default false
        {"auths": ABSENT, "defaultAuthScheme": "IAM_AUTH"},  # end-to-end IAM: no stored credentials
        {"auths": _auth(secretArn=UNKNOWN)},  # instance.master_user_secrets[0].secret_arn during preview
        {"auths": _auth(authScheme=ABSENT)},  # SECRETS is the only scheme
    ],
)
def test_proxy_defaults_and_unknown_secret_arn_pass(pack: Pack, changes: dict[str, Any]) -> None:
    assert pack.analyze(RDS_PROXY, changed(RDS_PROXY_PROPS, **changes)) == []


def test_proxy_unknown_auths_list_cannot_be_decided(pack: Pack) -> None:
    diags = pack.analyze(RDS_PROXY, changed(RDS_PROXY_PROPS, auths=UNKNOWN))
    assert violations(diags) == []
    assert cant_run(diags) == {"aws-rds-proxy-disallow-inline-credentials"}




def test_iam_auth_proxy_still_refuses_an_inline_auths_entry(pack: Pack) -> None:
    props = changed(RDS_PROXY_PROPS, defaultAuthScheme="IAM_AUTH", auths=_auth(authScheme="PASSWORD"))
    only(pack.analyze(RDS_PROXY, props), "aws-rds-proxy-disallow-inline-credentials", "authScheme is 'PASSWORD'")


@pytest.mark.parametrize("scheme", ["NONE", "iam", ABSENT])
def test_auths_are_required_unless_the_scheme_is_iam_auth(pack: Pack, scheme: object) -> None:
    props = changed(RDS_PROXY_PROPS, defaultAuthScheme=scheme, auths=ABSENT)
    only(pack.analyze(RDS_PROXY, props), "aws-rds-proxy-disallow-inline-credentials", "no auths")


def test_proxy_unknown_auth_scheme_without_auths_cannot_be_decided(pack: Pack) -> None:
    diags = pack.analyze(RDS_PROXY, changed(RDS_PROXY_PROPS, defaultAuthScheme=UNKNOWN, auths=ABSENT))
    assert violations(diags) == []
    assert cant_run(diags) == {"aws-rds-proxy-disallow-inline-credentials"}


def test_unknown_auth_scheme_does_not_hide_a_compliant_auths_list(pack: Pack) -> None:
    assert pack.analyze(RDS_PROXY, changed(RDS_PROXY_PROPS, defaultAuthScheme=UNKNOWN)) == []


# ------------------------------------------------------------------------------------------------ stack: log group
LOG_GROUP_POLICY = "aws-rds-proxy-require-log-group"


def test_proxy_with_its_log_group_created_first_passes(pack: Pack) -> None:
    assert pack.analyze_stack(list(proxy_stack())) == []


def test_proxy_without_its_log_group_is_refused(pack: Pack) -> None:
    _, proxy = proxy_stack()
    proxy.depends_on = []
    only(pack.analyze_stack([proxy]), LOG_GROUP_POLICY, "writes to /aws/rds/proxy/app-db-proxy, which is not declared")


def test_proxy_not_waiting_for_its_log_group_is_refused(pack: Pack) -> None:
    group, proxy = proxy_stack()
    proxy.depends_on = []
    only(pack.analyze_stack([group, proxy]), LOG_GROUP_POLICY, "does not depend on log group proxy-logs")


@pytest.mark.parametrize("name", [ABSENT, UNKNOWN, ""])
def test_proxy_name_must_be_known(pack: Pack, name: object) -> None:
    group, proxy = proxy_stack()
    proxy.props = changed(proxy.props, name=name)
    only(pack.analyze_stack([group, proxy]), LOG_GROUP_POLICY, "name is not a known string")
