"""Every policy of the pack under a preview's unknowns, generically: each resource policy with every resource type
it targets, each stack policy with a stack of every type the pack knows. All inputs and all output-only
properties (read from the provider SDK's classes) are the engine's unknown sentinel. No policy may raise; a
resource policy answers "can't run during preview" or nothing; a stack policy answers nothing (it never lets an
unknown escape, and an unknown value is never a missing one). New policies and types are covered at merge."""

from __future__ import annotations

import functools
import importlib
from typing import Any

import pytest
from pulumi_policy import ResourceValidationPolicy

from tests.policies.harness import INTERNAL_ERROR, UNKNOWN, Pack, Resource
from tests.policies.test_robustness import KEYS

from baseline.common import TARGETS  # isort: skip
from baseline.pack import MODULES, all_policies  # isort: skip
from baseline.stack.stateful import STATEFUL  # isort: skip

_PACKAGES = {
    "aws": "pulumi_aws",
    "azure-native": "pulumi_azure_native",
    "random": "pulumi_random",
    "github": "pulumi_github",
    "cloudflare": "pulumi_cloudflare",
}
_PULUMI_NAME = "_pulumi_name"
PACK = Pack(stack_wide=True)
# Policies whose finding is about an unknown or present value itself, by design (the fragment their message has):
BY_DESIGN = {
    # A master password passed in by the program is the finding, whatever its value (use the managed secret).
    "aws-rds-instance-disallow-plaintext-master-password": "is set: the master password is a program input",
    # The proxy's log group is declared from its name in advance: the name must be a known literal.
    "aws-rds-proxy-require-log-group": "name is not a known string",
    # Setting a deprecated input at all is the finding, whatever its value.
    "github-actions-environment-secret-disallow-plaintext-value": "the deprecated input",
    # An unknown value that did not arrive secret-wrapped comes from a non-secret output: a real finding.
    "github-actions-environment-secret-require-pulumi-secret-value": "did not arrive as a Pulumi secret",
    # Declaring a long-lived access key is the finding, whatever its inputs.
    "aws-iam-access-key-disallow-long-lived-keys": "must not create IAM access keys",
    # Declaring a resource of a retired Cloudflare API is the finding, whatever its inputs.
    "cloudflare-zone-disallow-legacy-apis": "use a Ruleset with phase",
    # A presence join: unknown inputs declare no alarm, so an unwatched database or cache is a real finding.
    "aws-cloudwatch-metric-alarm-require-data-tier-alarms": "nobody is told",
    # Likewise: unknown inputs declare no event rule routing backup failures to a topic.
    "aws-cloudwatch-event-rule-require-backup-failure-alerts": "reaches nobody",
}
# Adopted by the stack, never computed into another resource's input.
NOT_A_DEPENDENCY = {"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"}


@functools.cache
def wire_names(type_token: str) -> tuple[str, ...]:
    """Every property (input and output) of the type's SDK class, by wire name; () for a type with no class."""
    package, module, name = type_token.split(":")
    root = _PACKAGES.get(package)
    if root is None:
        return ()
    submodule = module.split("/")[0]
    submodule = {"lambda": "lambda_", "index": ""}.get(submodule, submodule)
    try:
        python_module = importlib.import_module(f"{root}.{submodule}" if submodule else root)
    except ImportError:
        return ()
    cls = getattr(python_module, name, None)
    if not isinstance(cls, type):
        return ()
    # The resource class's getters are its outputs; its Args class's are its inputs (azure-native's inputs such
    # as accountName are not outputs).
    args = getattr(python_module, f"{name}Args", None)
    classes = [*cls.__mro__, *(args.__mro__ if isinstance(args, type) else ())]
    names = {
        wire
        for klass in classes
        if not klass.__module__.startswith("pulumi.")
        for attr in vars(klass).values()
        if isinstance(attr, property) and isinstance(wire := getattr(attr.fget, _PULUMI_NAME, None), str)
    }
    return tuple(sorted(names))


def unknown_props(type_: str) -> dict[str, Any]:
    return dict.fromkeys({*wire_names(type_), *KEYS}, UNKNOWN)


# The pack's resource policies (other tests build throwaway policies through the same builder).
PACK_TARGETS = {p.name: TARGETS[p.name] for p in all_policies() if isinstance(p, ResourceValidationPolicy)}
RESOURCE_CASES = sorted((name, type_) for name, types in PACK_TARGETS.items() for type_ in types)
STACK_TYPES = sorted(
    {t for types in PACK_TARGETS.values() for t in types}
    | {m.RESOURCE_TYPE for m in MODULES}
    | set(STATEFUL)
    | {"pulumi:providers:aws"}
)


def test_the_cases_cover_the_pack() -> None:
    resource_policies = {p.name for p in all_policies() if isinstance(p, ResourceValidationPolicy)}
    assert {name for name, _ in RESOURCE_CASES} == resource_policies
    assert len(resource_policies) >= 40
    assert len(wire_names("aws:rds/instance:Instance")) > 80  # outputs like `endpoint`, `arn` included
    assert "endpoint" in wire_names("aws:rds/instance:Instance")


@pytest.mark.parametrize(("policy", "type_"), RESOURCE_CASES)
def test_resource_policy_under_unknowns_cannot_run_or_passes(policy: str, type_: str) -> None:
    diags = [d for d in PACK.analyze(type_, unknown_props(type_), protect=True) if d.policy == policy]
    assert not [d for d in diags if INTERNAL_ERROR in d.message], diags
    fragment = BY_DESIGN.get(policy)
    diags = [d for d in diags if fragment is None or fragment not in d.message]
    assert all(d.cant_run and d.level == "advisory" for d in diags), diags


def test_stack_policies_under_unknowns_report_nothing() -> None:
    from tests.support.plans import plan_stack

    # Every type the pack targets, and every type the stack declares (the partners stack policies join).
    declared = {r.type for r in plan_stack("prod").plan.resources if r.custom and not r.is_provider}
    types = sorted(set(STACK_TYPES) | declared)
    resources = [Resource(t, f"r{i}", unknown_props(t), protect=True) for i, t in enumerate(types)]
    for r in resources:  # every input may be computed from any other resource
        sources = [o for o in resources if o is not r and o.type not in NOT_A_DEPENDENCY]
        r.deps = dict.fromkeys(r.props, sources)
    diags = PACK.analyze_stack(resources)
    assert not [d for d in diags if INTERNAL_ERROR in d.message], diags
    assert [d for d in diags if BY_DESIGN.get(d.policy, "\0") not in d.message] == [], diags
