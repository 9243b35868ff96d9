"""No input may make a policy raise: an exception in a policy aborts the whole `pulumi preview`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from tests.policies import fixtures as fx
from tests.policies.conftest import PRESENCE_JOINS
from tests.policies.harness import (
    INTERNAL_ERROR,
    UNKNOWN,
    Pack,
    Resource,
    secret,
    to_struct,
    urn_of,
    violations,
)
from tests.policies.harness import analyzer_pb2 as pb

# common imports the pack module path (harness puts it on sys.path first)
from baseline.common import About, EnforcementLevel, resource_policy, stack_policy  # isort: skip
from baseline.refs import ckv  # isort: skip

RESOURCE_TYPES = [
    fx.RDS_INSTANCE,
    fx.RDS_PARAMETER_GROUP,
    fx.RDS_PROXY,
    fx.SERVERLESS_CACHE,
    fx.EC_USER,
    fx.KMS_KEY,
    fx.LOG_GROUP,
    fx.FLOW_LOG,
    "cloudflare:index/pageRule:PageRule",
    fx.BACKUP_VAULT,
    "aws:backup/plan:Plan",
    "aws:scheduler/schedule:Schedule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:sqs/queue:Queue",
    fx.SECURITY_GROUP,
    fx.SECURITY_GROUP_INGRESS_RULE,
    fx.DEFAULT_SECURITY_GROUP,
    fx.SUBNET,
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:lambda/function:Function",
]
STACK_TYPES = [
    fx.RDS_INSTANCE,
    fx.RDS_PARAMETER_GROUP,
    fx.SERVERLESS_CACHE,
    fx.EC_USER,
    fx.EC_USER_GROUP,
    fx.EC_USER_GROUP_ASSOCIATION,
    fx.SECURITY_GROUP,
    fx.DEFAULT_SECURITY_GROUP,
    fx.SECURITY_GROUP_RULE,
    fx.SECURITY_GROUP_INGRESS_RULE,
    fx.SUBNET,
    fx.VPC,
    fx.FLOW_LOG,
    fx.KMS_KEY,
    fx.BACKUP_VAULT,
    fx.LOG_GROUP,
    "cloudflare:index/zone:Zone",
    "cloudflare:index/zoneSetting:ZoneSetting",
    "cloudflare:index/ruleset:Ruleset",
    "aws:backup/selection:Selection",
    "aws:rds/cluster:Cluster",
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:lambda/function:Function",
    "aws:s3/bucket:Bucket",
    "pulumi:pulumi:Stack",
    "pulumi:providers:aws",
]
# Every wire name a policy reads, so that generated garbage actually reaches the policies' code paths.
KEYS = sorted(
    {
        *fx.RDS_INSTANCE_PROPS,
        *fx.RDS_PROXY_PROPS,
        *fx.SERVERLESS_CACHE_PROPS,
        *fx.KMS_KEY_PROPS,
        *fx.PARAMETER_GROUP_PROPS,
        *fx.LOG_GROUP_PROPS,
        *fx.FLOW_LOG_PROPS,
        *fx.DEFAULT_USER_PROPS,
        *fx.ROOT_ADMIN_STATEMENT,
        *fx.USE_VIA_RDS_STATEMENT,
        "Statement",
        "NotPrincipal",
        "AWS",
        "kmsKeyArn",
        "logGroupName",
        "family",
        "password",
        "passwordWo",
        "replicateSourceDb",
        "defaultAuthScheme",
        "authScheme",
        "secretArn",
        "customerMasterKeySpec",
        "customKeyStoreId",
        "name",
        "value",
        "id",
        "ingress",
        "cidrBlocks",
        "ipv6CidrBlocks",
        "cidrIpv4",
        "cidrIpv6",
        "securityGroupId",
        "type",
        "mapPublicIpOnLaunch",
        "userIds",
        "userId",
        "userName",
        "accessString",
        "noPasswordRequired",
        "authenticationMode",
        "passwords",
        # Cloudflare zones, settings and rulesets
        "zoneId",
        "settingId",
        "strict_transport_security",
        "max_age",
        "include_subdomains",
        "phase",
        "rules",
        "expression",
        "action",
        "actionParameters",
        "ratelimit",
        "period",
        "cache",
        "enabled",
        # AWS Backup, Scheduler, EventBridge targets, SQS
        "schedule",
        "ruleName",
        "lifecycle",
        "deleteAfter",
        "copyActions",
        "resources",
        "selectionTags",
        "arn",
        "tags",
        "target",
        "retryPolicy",
        "deadLetterConfig",
        "kmsMasterKeyId",
        "sqsManagedSseEnabled",
        "defaultTags",
        "description",
        "protocol",
        "ipProtocol",
        "egress",
        "fromPort",
        "toPort",
        "assumeRolePolicy",
        "managedPolicyArns",
        "inlinePolicies",
        "policyArn",
        "policy",
        "runtime",
        "vpcConfig",
        "subnetIds",
        "securityGroupIds",
        "isEnabled",
        "forceDestroy",
        "deletionProtection",
        "Action",
        "Effect",
        "Principal",
        "Resource",
        "cache_url",
    }
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10),
    st.sampled_from(
        [
            UNKNOWN,
            "0.0.0.0/0",
            "::/0",
            "cron(0 4 ? * 2#1 *)",
            "cron(0 2 1 * ? *)",
            "cron(",
            "*",
            "STRINGEQUALS",
            "alias/aws/sqs",
            "10.0.0.0/8",
            "default",
            "off -@all",
            "on",
            "postgres",
            "memcached",
            "rds.force_ssl",
            "1",
            "SECRETS",
            "IAM_AUTH",
            "ingress",
            "no-password-required",
            "alias/aws/rds",
            "db.t4g.medium",
            "ALL",
            "strict",
            "security_header",
            "http_ratelimit",
            "http_request_cache_settings",
            "set_cache_settings",
            "kms:*",
            "*",
            "Allow",
            fx.ROOT_ARN,
            "rediss://u:p@h:6379",
            "-1",
            "tcp",
            "arn:aws:iam::aws:policy/AdministratorAccess",
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Principal": {"AWS": "*"}}]}',
            fx.KMS_KEY_PROPS["policy"],
            '{"Statement": {"Effect": "Allow", "Principal": "*"}}',
            '{"Statement": [null, 1, {"Principal": {"AWS": [1, null]}, "Effect": "Allow", "Action": 2}]}',
            "[" * 3000,
            "1" * 5000,
        ]
    ),
)
VALUES = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5),
        children.map(secret),
    ),
    max_leaves=6,
)
PROPS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=10)

# Example counts keep the whole policy suite under 10 s (generating nested garbage is the slow part).
ROBUST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PACK = Pack(PRESENCE_JOINS)
PACK = Pack(stack_wide=True)


@ROBUST
@given(type_=st.sampled_from(RESOURCE_TYPES), props=PROPS, protect=st.booleans())
def test_garbage_resource_props_never_raise(type_: str, props: dict[str, Any], protect: bool) -> None:
    diags = PACK.analyze(type_, props, protect=protect)
    assert not [d for d in diags if INTERNAL_ERROR in d.message], diags


@st.composite
def stacks(draw: st.DrawFn) -> list[Resource]:
    resources = [
        Resource(draw(st.sampled_from(STACK_TYPES)), f"r{i}", draw(PROPS)) for i in range(draw(st.integers(1, 6)))
    ]
    for r in resources:
        for key in draw(st.lists(st.sampled_from(KEYS), max_size=3)):
            r.deps[key] = draw(st.lists(st.sampled_from(resources), max_size=3))
    return resources


@settings(ROBUST, max_examples=60)
@given(resources=stacks())
def test_garbage_stacks_never_raise_and_never_skip_the_stack_check(resources: list[Resource]) -> None:
    diags = PACK.analyze_stack(resources)
    assert not [d for d in diags if INTERNAL_ERROR in d.message], diags
    assert violations(diags) == diags  # a stack policy must never end in "can't run during preview"


def test_dependency_on_a_urn_missing_from_the_request_is_ignored() -> None:
    s = fx.cache_stack()
    request = pb.AnalyzeStackRequest(resources=[r.to_proto() for r in s.resources()])
    ghost = urn_of(fx.SECURITY_GROUP, "not-in-this-request")
    request.resources[-1].propertyDependencies["securityGroupIds"].urns.append(ghost)
    # The cache has no alarm in this fixture: the presence join is tested on its own (test_metric_alarm.py).
    diagnostics = Pack({"aws-cloudwatch-metric-alarm-require-data-tier-alarms": "disabled"}).servicer.AnalyzeStack(
        request, None
    ).diagnostics
    assert list(diagnostics) == []


# ------------------------------------------------------------------------------------------------ the guard
def _servicer(*policies: Any) -> _PolicyAnalyzerServicer:
    servicer = _PolicyAnalyzerServicer("guard-test", "0.0.1", list(policies), EnforcementLevel.MANDATORY)
    servicer.Configure(
        pb.ConfigureAnalyzerRequest(
            policyConfig={p.name: pb.PolicyConfig(enforcementLevel=pb.MANDATORY) for p in policies}
        ),
        None,
    )
    return servicer


def _about(name: str) -> About:
    return About(
        name=name,
        description="d",
        refs=(ckv("CKV_AWS_0"),),
        control="c",
        severity=Severity.LOW,
        remediation="r",
        tags=("t",),
    )


def test_unexpected_exception_becomes_a_mandatory_violation_without_its_text() -> None:
    def broken(args: ResourceValidationArgs) -> Iterator[str]:
        yield from ()
        raise KeyError("hunter2")

    servicer = _servicer(resource_policy(_about("broken"), (fx.KMS_KEY,), broken))
    request = pb.AnalyzeRequest(type=fx.KMS_KEY, name="k", urn=urn_of(fx.KMS_KEY, "k"), properties=to_struct({}))
    (diag,) = servicer.Analyze(request, None).diagnostics
    assert INTERNAL_ERROR in diag.message
    assert "KeyError" in diag.message
    assert "hunter2" not in diag.message
    assert diag.enforcementLevel == pb.MANDATORY


def test_unknown_read_in_a_resource_policy_is_the_sdk_cant_run_note() -> None:
    def reads_unknown(args: ResourceValidationArgs) -> Iterator[str]:
        yield from ()
        raise UnknownValueError(UNKNOWN_STRING_VALUE, ["kmsKeyId"])

    servicer = _servicer(resource_policy(_about("u"), (fx.KMS_KEY,), reads_unknown))
    request = pb.AnalyzeRequest(type=fx.KMS_KEY, name="k", urn=urn_of(fx.KMS_KEY, "k"), properties=to_struct({}))
    (diag,) = servicer.Analyze(request, None).diagnostics
    assert diag.message.startswith("can't run policy 'u'")
    assert diag.enforcementLevel == pb.ADVISORY


def test_unknown_read_in_a_stack_policy_is_not_silently_skipped() -> None:
    def reads_unknown(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
        yield from ()
        raise UnknownValueError(UNKNOWN_STRING_VALUE, ["x"])

    servicer = _servicer(stack_policy(_about("s"), reads_unknown))
    (diag,) = servicer.AnalyzeStack(pb.AnalyzeStackRequest(), None).diagnostics
    assert INTERNAL_ERROR in diag.message
    assert diag.enforcementLevel == pb.MANDATORY
