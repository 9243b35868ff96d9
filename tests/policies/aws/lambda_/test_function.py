"""Lambda functions: in the VPC, on a supported runtime."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.fixtures import changed
from tests.policies.harness import UNKNOWN, Pack, cant_run, only

FUNCTION = "aws:lambda/function:Function"
VPC = "aws-lambda-function-require-vpc"
RUNTIME = "aws-lambda-function-disallow-deprecated-runtime"
ABSENT = ...
PROPS: dict[str, Any] = {
    "runtime": "python3.13",
    "handler": "handler.handler",
    "role": "arn:aws:iam::111122223333:role/bootstrap",
    "vpcConfig": {"subnetIds": ["subnet-1", "subnet-2"], "securityGroupIds": ["sg-1"]},
}


@pytest.mark.parametrize("changes", [{}, {"vpcConfig": {"subnetIds": UNKNOWN, "securityGroupIds": [UNKNOWN]}}])
def test_compliant_function_passes(pack: Pack, changes: dict[str, Any]) -> None:
    assert pack.analyze(FUNCTION, changed(PROPS, **changes)) == []


@pytest.mark.parametrize(
    ("changes", "policy", "fragment"),
    [
        ({"vpcConfig": ABSENT}, VPC, "runs outside the VPC"),
        ({"vpcConfig": {"subnetIds": [], "securityGroupIds": ["sg-1"]}}, VPC, "no subnetIds"),
        ({"vpcConfig": {"subnetIds": ["subnet-1"]}}, VPC, "securityGroupIds"),
        ({"runtime": "python3.8"}, RUNTIME, "python3.8 is deprecated"),
        ({"runtime": "Nodejs16.x"}, RUNTIME, "nodejs16.x is deprecated"),
    ],
)
def test_one_change_one_violation(pack: Pack, changes: dict[str, Any], policy: str, fragment: str) -> None:
    only(pack.analyze(FUNCTION, changed(PROPS, **changes)), policy, fragment)


def test_unknown_runtime_cannot_run(pack: Pack) -> None:
    assert cant_run(pack.analyze(FUNCTION, changed(PROPS, runtime=UNKNOWN))) == {RUNTIME}
