"""The engine behaviours issue 6 lists, each checked end to end against what `pulumi preview` would do.

One plan of tests/fixtures/fidelity_program with tests/fixtures/fidelity_pack (policies that report what they
were sent) is shared; the cheap cases run the provider-free tiny program. The engine's source for each is
cited in the planner module that reproduces it.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from tests.support.cli import FIXTURES, TINY_PROGRAM, TOY_PACK, PlanRun, run_plan, write_stack_file

FIDELITY_PROGRAM = FIXTURES / "fidelity_program"
FIDELITY_PACK = FIXTURES / "fidelity_pack"
STACK_URN = "urn:pulumi:dev::fidelity::pulumi:pulumi:Stack::fidelity-dev"
AWS_VERSION = importlib.metadata.version("pulumi-aws")


@pytest.fixture(scope="module")
def fidelity(tmp_path_factory: pytest.TempPathFactory) -> PlanRun:
    tmp = tmp_path_factory.mktemp("fidelity")
    return run_plan(tmp, "--program", str(FIDELITY_PROGRAM), "--policy-pack", str(FIDELITY_PACK))


def _message(run: PlanRun, policy: str) -> str:
    [diag] = run.diagnostics(policy)
    return diag["message"]


def _tiny(tmp_path: Path, mode: str, *extra: str, config: str = "") -> PlanRun:
    path = write_stack_file(tmp_path, f"config:\n  tiny:mode: {mode}\n{config}")
    return run_plan(tmp_path, "--program", str(TINY_PROGRAM), "--config", str(path), *extra)


# 1. Output-only properties at preview


def test_output_only_properties_are_unknown_in_analyze_stack(fidelity: PlanRun):
    # Absent, the stack policy would report "the key has no arn" (mandatory); unknown, the pack says it
    # can't run during preview (advisory), which is what `pulumi preview` reports.
    [diag] = fidelity.diagnostics("key-arn")
    assert diag["enforcementLevel"] == "advisory"
    assert "can't run policy 'key-arn'" in diag["message"]
    assert "arn" in fidelity.resource("key")["outputOnly"]
    assert fidelity.doc["outputs"]["keyArn"] == "[unknown]"


def test_output_only_properties_come_from_the_sdk_class_without_importing_other_providers():
    import pulumi_aws.kms  # noqa: F401 - what a program using aws.kms.Key has imported

    from ops.program.outputs import output_only_properties

    names = output_only_properties("aws:kms/key:Key", AWS_VERSION)
    assert {"arn", "keyId"} <= set(names)
    assert "description" not in names  # an input
    assert output_only_properties("tiny:index:Thing") == ()  # no SDK class: nothing invented


# 2. New-style transforms


def test_transforms_run_in_the_engines_order_before_analyze(fidelity: PlanRun):
    # The bucket's own transforms, then its parent's, then the stack's; and make_private ran before
    # Analyze, so the mandatory bucket-public policy passes, as under `pulumi preview`.
    assert _message(fidelity, "bucket-seen").endswith("acl=private order=own>parent>stack> audit=kept")
    assert fidelity.diagnostics("bucket-public") == []
    bucket = fidelity.resource("holder-bucket")
    assert bucket["inputs"]["acl"] == "private"
    assert bucket["transformed"] is True


def test_invoke_transforms_run_before_the_invoke_is_answered(tmp_path: Path):
    run = _tiny(tmp_path, "invoketransform", "--no-policy")
    assert run.code == 0, run.stderr
    assert run.doc["outputs"]["zones"] == ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"]


def test_a_transform_that_raises_fails_the_plan(tmp_path: Path):
    run = _tiny(tmp_path, "badtransform", "--no-policy")
    assert run.code == 2
    assert "invoke transform:" in run.stderr
    assert "the transform exploded on purpose" in run.stderr
    assert not run.json_path.exists()


# 3. Policy config: see test_ops_units.py (reconcile, validation) and test_ops_plan.py (initial_config downgrade).


def test_policy_config_schema_violation_fails_with_the_engines_message(tmp_path: Path):
    config = tmp_path / "policy.json"
    config.write_text('{"db-backup-retention": {"minDays": "seven"}}')
    run = _tiny(tmp_path, "ok", "--policy-pack", str(TOY_PACK), "--policy-config", str(config))
    assert run.code == 2
    assert f"invalid policy config ({config}):" in run.stderr
    assert "validating policy config: toy-policies 0.3.0  db-backup-retention: minDays: 'seven' is not of type" in (
        run.stderr
    )
    assert "Traceback" not in run.stderr
    assert not run.json_path.exists()


# 4. Read resources


def test_read_resources_are_not_analyzed(fidelity: PlanRun):
    legacy = fidelity.resource("legacy")
    assert legacy["read"] is True
    assert fidelity.diagnostics("rds-encrypted") == []  # the read database has no inputs; it is not analyzed
    seen = fidelity.diagnostics("stack-seen")
    names = next(d["message"] for d in seen if "resources=" in d["message"])
    assert "'legacy'" not in names
    assert "'organization/other/prod'" not in names


# 5. Default providers


def test_a_stack_reference_gets_the_pulumi_default_provider(fidelity: PlanRun):
    ref = fidelity.resource("organization/other/prod")
    assert ref["provider"].startswith("urn:pulumi:dev::fidelity::pulumi:providers:pulumi::default::")
    assert fidelity.resource("default")["type"] == "pulumi:providers:pulumi"


def test_an_invoke_alone_creates_its_default_provider(tmp_path: Path):
    run = _tiny(tmp_path, "invokeonly", "--policy-pack", str(TOY_PACK))
    assert run.code == 0, run.stderr
    providers = [r for r in run.doc["resources"] if r["type"] == "pulumi:providers:aws"]
    assert [p["defaultProvider"] for p in providers] == [True]
    # Analyzed like any registration.
    analyzed = {d["urn"] for d in run.diagnostics("analyze-coverage")}
    assert providers[0]["urn"] in analyzed


@pytest.mark.parametrize(
    ("mode", "denied", "user"),
    [
        ("invokeonly", '["aws"]', "'aws:index/getCallerIdentity:getCallerIdentity'"),
        ("custom", '["*"]', "'urn:pulumi:dev::tiny::tiny:index:Thing::thing'"),
    ],
)
def test_disable_default_providers_fails_like_the_engine(tmp_path: Path, mode: str, denied: str, user: str):
    run = _tiny(tmp_path, mode, "--no-policy", config=f"  pulumi:disable-default-providers: '{denied}'\n")
    assert run.code == 2
    package = "aws" if mode == "invokeonly" else "tiny"
    assert f"Default provider for '{package}' disabled. {user} must use an explicit provider." in run.stderr
    assert "Traceback" not in run.stderr


# 6. Internal keys


def test_nested_internal_keys_reach_the_policy(fidelity: PlanRun):
    assert "audit=kept" in _message(fidelity, "bucket-seen")


# 7. Remediations


def test_remediated_values_become_the_inputs_the_program_and_dependants_see(fidelity: PlanRun):
    bucket = fidelity.resource("holder-bucket")
    assert bucket["inputs"]["tags"]["remediated"] == "yes"  # the JSON plan shows the remediated inputs
    # The dependant was built from the bucket's outputs, which the program got after the remediation.
    assert fidelity.resource("remediated-tag")["inputs"]["description"] == "yes"
    assert [r["policy"] for r in fidelity.doc["policy"]["remediations"]] == ["tag-remediation"]


def test_a_remediate_level_violation_counts_as_mandatory(fidelity: PlanRun):
    [diag] = fidelity.diagnostics("never-fixed")
    assert diag["enforcementLevel"] == "mandatory"
    assert fidelity.doc["summary"]["mandatory"] == 1
    assert fidelity.code == 1


# 8. Smaller ones


def test_aliases_are_not_sent_on_a_fresh_stack(fidelity: PlanRun):
    assert _message(fidelity, "aliases-seen").endswith("aliases=[]")
    assert fidelity.resource("renamed")["requestedAliases"] == [
        "urn:pulumi:dev::fidelity::aws:ssm/parameter:Parameter::old-name"
    ]


def test_a_component_without_register_outputs_has_empty_outputs(fidelity: PlanRun):
    assert fidelity.resource("holder")["inputs"] == {"size": 3}
    seen = next(d["message"] for d in fidelity.diagnostics("stack-seen") if "holder.props" in d["message"])
    assert "holder.props={}" in seen


def test_a_stack_diagnostic_for_a_urn_not_in_the_stack_is_reported_on_the_stack(fidelity: PlanRun):
    [diag] = [d for d in fidelity.diagnostics("stack-seen") if "about the read database" in d["message"]]
    assert diag["urn"] == STACK_URN


def test_retain_on_delete_and_deleted_with_are_inherited_from_the_parent(fidelity: PlanRun):
    bucket = fidelity.resource("holder-bucket")
    assert bucket["retainOnDelete"] is True
    assert bucket["deletedWith"] == fidelity.resource("key")["urn"]
    assert "holder-bucket  [retainOnDelete, deletedWith, transformed]" in fidelity.stdout


def test_a_diagnostic_without_severity_takes_its_policys():
    from pulumi.runtime.proto import analyzer_pb2

    from ops.policy.analyzer import AnalyzerSession

    session = AnalyzerSession.__new__(AnalyzerSession)
    session.pack_name, session.pack_version, session.severities = "pack", "1.0", {"p": "high"}
    diag = session.diagnostic(
        analyzer_pb2.AnalyzeDiagnostic(policyName="p", enforcementLevel=analyzer_pb2.MANDATORY, message="m"), "urn:x"
    )
    assert diag.severity == "high"
    explicit = session.diagnostic(
        analyzer_pb2.AnalyzeDiagnostic(policyName="p", severity=analyzer_pb2.POLICY_SEVERITY_LOW), "urn:x"
    )
    assert explicit.severity == "low"
    # A remediate-level violation was not fixed by a remediation: analyzeResource counts it as mandatory.
    remediate = session.diagnostic(
        analyzer_pb2.AnalyzeDiagnostic(policyName="p", enforcementLevel=analyzer_pb2.REMEDIATE), "urn:x"
    )
    assert remediate.level == "mandatory"


# Malformed type tokens (the engine's ParseTypeToken)


def test_a_malformed_type_token_is_refused_as_the_engine_does(tmp_path: Path):
    run = _tiny(tmp_path, "badtype", "--no-policy")
    assert run.code == 2
    assert run.stderr.strip() == "Type 'not a type' is not a valid type token (must have format '*:*:*')"
    assert not run.json_path.exists()
