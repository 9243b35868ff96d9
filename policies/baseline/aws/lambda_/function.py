"""Lambda functions (`aws:lambda/function:Function`).

The stack's functions (the database bootstrap) reach private data stores, so they run in the VPC; their runtime
must still be supported by AWS (deprecated runtimes get no security patches). Hard-coded secrets in the
function's environment are caught by the stack-wide `stack-disallow-plaintext-secrets` (CKV_AWS_45).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pulumi_policy import ResourceValidationArgs, Severity

from ...common import About, get, is_set, lower_str, resource_policy
from ...refs import ckv, fsbp

LAMBDA_FUNCTION: Final = "aws:lambda/function:Function"
_TAGS = ("aws", "lambda")
_RUNTIMES_URL = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
# Checkov 3.3.30 DeprecatedLambdaRuntime's list (AWS's deprecated runtimes), plus python3.8 and nodejs18.x,
# deprecated by AWS since (lambda-runtimes.html, "Deprecated runtimes").
DEPRECATED_RUNTIMES: Final = frozenset(
    {
        "dotnetcore3.1", "nodejs12.x", "python3.6", "python2.7", "dotnet5.0", "dotnetcore2.1", "ruby2.5",
        "nodejs10.x", "nodejs8.10", "nodejs4.3", "nodejs6.10", "dotnetcore1.0", "dotnetcore2.0", "nodejs4.3-edge",
        "nodejs", "java8", "python3.7", "go1.x", "provided", "ruby2.7", "nodejs14.x", "nodejs16.x", "python3.9",
        "dotnet7", "dotnet6", "python3.8", "nodejs18.x",
    }
)


def _in_vpc(args: ResourceValidationArgs) -> Iterator[str]:
    if not is_set(get(args.props, "vpcConfig", "subnetIds")) or not is_set(
        get(args.props, "vpcConfig", "securityGroupIds")
    ):
        yield "vpcConfig has no subnetIds/securityGroupIds: the function runs outside the VPC's network controls."


def _runtime(args: ResourceValidationArgs) -> Iterator[str]:
    runtime = lower_str(args, "runtime")
    if runtime in DEPRECATED_RUNTIMES:
        yield f"runtime {runtime} is deprecated by AWS: it no longer receives security patches."


RESOURCE_TYPE = LAMBDA_FUNCTION
"""The resource type this module's policies are about."""

POLICIES = [
    resource_policy(
        About(
            name="aws-lambda-function-require-vpc",
            description="Lambda functions must run in the VPC (vpcConfig with subnets and security groups).",
            refs=(ckv("CKV_AWS_117"), fsbp("Lambda.3")),
            control="functions that reach data stores run in the VPC",
            severity=Severity.MEDIUM,
            remediation="Pass `vpc_config={'subnet_ids': private_subnet_ids, 'security_group_ids': [sg.id]}`.",
            tags=(*_TAGS, "network"),
        ),
        (LAMBDA_FUNCTION,),
        _in_vpc,
    ),
    resource_policy(
        About(
            name="aws-lambda-function-disallow-deprecated-runtime",
            description="Lambda functions must not use a runtime AWS has deprecated.",
            refs=(ckv("CKV_AWS_363"), fsbp("Lambda.2")),
            control="supported runtimes only",
            severity=Severity.MEDIUM,
            remediation="Move the function to a supported runtime (e.g. `runtime=\"python3.13\"`).",
            tags=_TAGS,
            url=_RUNTIMES_URL,
        ),
        (LAMBDA_FUNCTION,),
        _runtime,
    ),
]
