"""The factories behind the one-line checks, on a resource type of their own (no real policy involved)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import Severity
from pulumi_policy.policy import _PolicyAnalyzerServicer

from tests.policies.harness import UNKNOWN, Diagnostic, Pack, analyzer_pb2, to_struct, urn_of

from baseline.common import About, EnforcementLevel  # isort: skip
from baseline.factories import flag_policy, minimum_policy, present_policy, protected_policy  # isort: skip
from baseline.refs import ckv  # isort: skip
from baseline.thresholds import Threshold  # isort: skip

TYPE = "test:index/widget:Widget"
THRESHOLD = Threshold("minimum", "minimumThings", 5, 1, 50, "things", "d")
ABSENT = ...


def _about(name: str) -> About:
    return About(name, "d", (ckv("CKV_AWS_0"),), "c", Severity.LOW, "r", ("t",))


class _Servicer:
    def __init__(self, config: dict[str, Any] | None = None) -> None:
        policies = [
            flag_policy(_about("on"), TYPE, "on", required=True, default=False, consequence="it is off"),
            flag_policy(
                _about("off"), TYPE, "off", required=False, default=True, consequence="it is on",
                applies=lambda args: args.props.get("scope") != "exempt",
            ),
            minimum_policy(_about("minimum"), TYPE, "count", THRESHOLD, absent="none kept"),
            protected_policy(_about("protect"), TYPE, "widget"),
            present_policy(_about("present"), TYPE, "name", consequence="it is anonymous"),
        ]
        self.servicer = _PolicyAnalyzerServicer("factories", "0.0.1", policies, EnforcementLevel.MANDATORY)
        self.servicer.Configure(
            analyzer_pb2.ConfigureAnalyzerRequest(
                policyConfig={
                    p.name: analyzer_pb2.PolicyConfig(
                        enforcementLevel=analyzer_pb2.MANDATORY,
                        properties=to_struct(config if p.name == "minimum" and config else {}),
                    )
                    for p in policies
                }
            ),
            None,
        )

    def analyze(self, props: dict[str, Any], *, protect: bool = True) -> list[Diagnostic]:
        request = analyzer_pb2.AnalyzeRequest(
            type=TYPE, name="w", urn=urn_of(TYPE, "w"), properties=to_struct(props),
            options=analyzer_pb2.AnalyzerResourceOptions(protect=protect),
        )
        return Pack._diagnostics(self.servicer.Analyze(request, None))


COMPLIANT: dict[str, Any] = {"on": True, "off": False, "count": 5, "name": "w"}


def _with(**changes: Any) -> dict[str, Any]:
    props = dict(COMPLIANT)
    for key, value in changes.items():
        if value is ABSENT:
            props.pop(key)
        else:
            props[key] = value
    return props


def test_compliant_widget_passes() -> None:
    assert _Servicer().analyze(COMPLIANT) == []


@pytest.mark.parametrize(
    ("changes", "policy", "fragment"),
    [
        ({"on": False}, "on", "on is false: it is off."),
        ({"on": ABSENT}, "on", "on is absent (the provider default is false): it is off."),
        ({"on": "no"}, "on", "on is false"),
        ({"off": True}, "off", "off is true: it is on."),
        ({"off": ABSENT}, "off", "off is absent (the provider default is true): it is on."),
        ({"count": 4}, "minimum", "count is 4; at least 5 things are required."),
        ({"count": 0}, "minimum", "count is 0 (none kept)"),
        ({"count": ABSENT}, "minimum", "count is absent (none kept)"),
        ({"count": [5]}, "minimum", "count is not a number (none kept)"),
        ({"name": ABSENT}, "present", "name is not set: it is anonymous."),
        ({"name": " "}, "present", "name is not set"),
        ({"name": []}, "present", "name is not set"),
    ],
)
def test_one_change_one_violation(changes: dict[str, Any], policy: str, fragment: str) -> None:
    diags = _Servicer().analyze(_with(**changes))
    assert [d.policy for d in diags] == [policy]
    assert diags[0].message.endswith(fragment) or fragment in diags[0].message


def test_protected_policy() -> None:
    diags = _Servicer().analyze(COMPLIANT, protect=False)
    assert [d.policy for d in diags] == ["protect"]
    assert "could delete the widget" in diags[0].message


def test_applies_narrows_the_scope() -> None:
    assert _Servicer().analyze(_with(off=True, scope="exempt")) == []


@pytest.mark.parametrize(("config", "passes"), [({"minimumThings": 10}, False), ({"minimumThings": 3}, True)])
def test_minimum_comes_from_config(config: dict[str, Any], passes: bool) -> None:
    diags = _Servicer(config).analyze(_with(count=5))
    assert (diags == []) is passes


def test_minimum_below_the_schema_floor_falls_back_to_the_default() -> None:
    assert [d.policy for d in _Servicer({"minimumThings": 0}).analyze(_with(count=4))] == ["minimum"]


@pytest.mark.parametrize("prop", ["on", "off", "count"])
def test_unknown_value_is_cant_run(prop: str) -> None:
    diags = _Servicer().analyze(_with(**{prop: UNKNOWN}))
    assert [d.message.startswith("can't run policy") for d in diags] == [True]


def test_minimum_schema_is_the_thresholds() -> None:
    policy = minimum_policy(_about("minimum"), TYPE, "count", THRESHOLD, absent="x")
    assert policy.config_schema is not None
    assert policy.config_schema.properties == {"minimumThings": THRESHOLD.schema()}


def test_threshold_of_another_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="belongs to another policy"):
        minimum_policy(_about("other"), TYPE, "count", THRESHOLD, absent="x")


def test_about_requires_a_control() -> None:
    with pytest.raises(ValueError, match="cites no control"):
        About("x", "d", (), "c", Severity.LOW, "r", ())


def test_present_policy_counts_an_unknown_value_as_set() -> None:
    assert _Servicer().analyze(_with(name=UNKNOWN)) == []
