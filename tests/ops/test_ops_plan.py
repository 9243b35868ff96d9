"""End-to-end: `python -m ops plan` on the raw fixture program with the toy policy pack.

Most assertions share one plan (the `default_run` fixture); the scenarios that need a different
policy config run their own.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
from pathlib import Path

from tests.support.cli import RAW_PROGRAM, TOY_PACK, PlanRun, run_plan, write_policy_config, write_stack_file
from tests.support.wire import UNKNOWN

STACK_URN = "urn:pulumi:dev::fixture::pulumi:pulumi:Stack::fixture-dev"
AWS_VERSION = importlib.metadata.version("pulumi-aws")
AWS_DEFAULT = f"urn:pulumi:dev::fixture::pulumi:providers:aws::default_{AWS_VERSION.replace('.', '_')}"
API_TOKEN = "fixture-api-token-plaintext-93c1"  # plain in Pulumi.dev.yaml, read with require_secret
CIPHERTEXT = "AAABAOpsPlanFixtureCiphertextNotDecryptable0000"
PLACEHOLDER = "ops-plan-offline-secret-placeholder"


# --------------------------------------------------------------------------------------------------
# The resources in the JSON


def test_initial_config_without_a_level_downgrades_the_policy_as_the_engine_does(default_run: PlanRun):
    # db-backup-retention is mandatory by its own level; the pack's initial config only sets its
    # properties, so the level arrives as ADVISORY (proto3's zero) and the engine's applyConfig
    # takes it: under `pulumi preview` the violation is advisory and the preview passes. So here.
    assert default_run.code == 0, default_run.stderr
    [diag] = default_run.diagnostics("db-backup-retention")
    assert diag["enforcementLevel"] == "advisory"
    assert diag["severity"] == "high"
    assert diag["urn"] == "urn:pulumi:dev::fixture::aws:rds/instance:Instance::db"
    assert "at least 7 required" in diag["message"]  # minDays from the pack's initial config
    assert diag["pack"] == "toy-policies"
    assert default_run.doc["policy"]["packs"] == [{"name": "toy-policies", "version": "0.3.0"}]
    assert default_run.doc["summary"]["mandatory"] == 0
    assert "[advisory] db-backup-retention (high)" in default_run.stdout
    # ... and the plan says so, since the pack's author probably did not mean it.
    assert any(
        "'db-backup-retention'" in w and "downgraded from mandatory to advisory" in w
        for w in default_run.doc["warnings"]
    )
    assert "Policy config: none" in default_run.stdout


def test_urns_parents_and_the_stack(default_run: PlanRun):
    doc = default_run.doc
    assert (doc["project"], doc["stack"]) == ("fixture", "dev")
    stack = default_run.resource("fixture-dev")
    assert (stack["urn"], stack["type"], stack["parent"], stack["custom"]) == (
        STACK_URN,
        "pulumi:pulumi:Stack",
        None,
        False,
    )
    net = default_run.resource("net")
    assert net["urn"] == "urn:pulumi:dev::fixture::fixture:index:Network::net"
    assert (net["parent"], net["custom"]) == (STACK_URN, False)
    subnet = default_run.resource("net-subnet-0")
    assert subnet["urn"] == "urn:pulumi:dev::fixture::fixture:index:Network$aws:ec2/subnet:Subnet::net-subnet-0"
    assert subnet["parent"] == net["urn"]
    assert subnet["custom"] is True
    assert default_run.resource("db")["parent"] == STACK_URN
    assert doc["summary"]["resources"] == len(doc["resources"]) == 16


def test_default_and_explicit_provider_references(default_run: PlanRun):
    prov = default_run.resource(f"default_{AWS_VERSION.replace('.', '_')}")
    assert prov["urn"] == AWS_DEFAULT
    assert prov["type"] == "pulumi:providers:aws"
    assert prov["defaultProvider"] is True
    # The stack's aws:* config without namespace, plus the installed SDK's version.
    assert prov["inputs"] == {"region": "eu-west-1", "version": AWS_VERSION}
    assert default_run.resource("db")["provider"] == f"{AWS_DEFAULT}::{UNKNOWN}"
    assert default_run.resource("db-password")["provider"].startswith(
        "urn:pulumi:dev::fixture::pulumi:providers:random::default_"
    )
    # The engine registers a default provider before its first user: here the program's first aws invoke.
    names = [r["name"] for r in default_run.doc["resources"]]
    first_aws_user = next(
        i for i, r in enumerate(default_run.doc["resources"]) if r["provider"] == f"{AWS_DEFAULT}::{UNKNOWN}"
    )
    assert names.index(prov["name"]) < first_aws_user
    explicit = default_run.resource("use1")
    assert explicit["inputs"]["region"] == "us-east-1"
    assert default_run.resource("logs")["provider"] == f"{explicit['urn']}::{UNKNOWN}"
    assert default_run.resource("net")["provider"] is None  # components have none


def test_dependencies_and_property_dependencies(default_run: PlanRun):
    db = default_run.resource("db")
    key_urn = default_run.resource("db-key")["urn"]
    group_urn = default_run.resource("db-subnets")["urn"]
    password_urn = default_run.resource("db-password")["urn"]
    assert set(db["dependencies"]) == {key_urn, group_urn, password_urn}
    assert db["propertyDependencies"] == {
        "kmsKeyId": [key_urn],
        "dbSubnetGroupName": [group_urn],
        "password": [password_urn],
    }
    # depends_on adds a dependency without a property dependency.
    token = default_run.resource("api-token")
    assert token["dependencies"] == [db["urn"]]
    assert token["propertyDependencies"] == {}
    assert default_run.resource("db-arn")["propertyDependencies"] == {"insecureValue": [db["urn"]]}


def test_resource_options(default_run: PlanRun):
    db = default_run.resource("db")
    assert db["protect"] is True
    assert db["ignoreChanges"] == ["password"]
    # The program's own entry first, then those the SDK adds from the provider schema.
    assert db["additionalSecretOutputs"][0] == "address"
    assert "password" in db["additionalSecretOutputs"]
    assert db["deleteBeforeReplace"] is True
    assert db["retainOnDelete"] is False
    token = default_run.resource("api-token")
    assert (token["retainOnDelete"], token["protect"]) == (True, False)


def test_preview_unknowns_and_secrets_in_inputs(default_run: PlanRun):
    db = default_run.resource("db")
    assert db["inputs"]["kmsKeyId"] == "[unknown]"  # the key's arn does not exist yet
    assert db["inputs"]["password"] == "[secret]"  # RandomPassword.result: secret (and unknown)
    assert db["inputs"]["allocatedStorage"] == 20
    assert default_run.resource("db-arn")["inputs"]["insecureValue"] == "[unknown]"  # db.arn
    assert default_run.resource("net-subnet-1")["inputs"]["vpcId"] == "[unknown]"
    assert default_run.resource("net-subnet-1")["inputs"]["availabilityZone"] == "eu-west-1b"
    assert default_run.resource("api-token")["inputs"]["value"] == "[secret]"
    assert default_run.resource("db-password-cfg")["inputs"]["value"] == "[secret]"


def test_stack_outputs(default_run: PlanRun):
    assert default_run.doc["outputs"] == {
        "env": "dev",
        "apiToken": "[secret]",
        "account": "123456789012",
        "azs": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        "vpcId": "[unknown]",
        "dbEndpoint": "[unknown]",
    }
    assert "  apiToken: [secret]" in default_run.stdout
    assert "  vpcId: [unknown]" in default_run.stdout


def test_secrets_are_never_printed(default_run: PlanRun):
    text = default_run.stdout + default_run.stderr + default_run.json_path.read_text()
    for plaintext in (API_TOKEN, CIPHERTEXT, PLACEHOLDER):
        assert plaintext not in text
    # The toy pack's `leaky` policy quotes the token in its message; the planner scrubs it.
    [leak] = default_run.diagnostics("leaky")
    assert leak["message"].endswith("parameter value is [secret]")


def test_secure_config_value_is_a_warned_placeholder(default_run: PlanRun):
    assert (
        "warning: config value 'fixture:dbPassword' is encrypted and cannot be decrypted offline" in default_run.stdout
    )
    assert "warning: fixture warning: this program is only a test fixture" in default_run.stdout
    assert any("fixture:dbPassword" in w for w in default_run.doc["warnings"])


# --------------------------------------------------------------------------------------------------
# What the policy pack received


def test_analyze_is_called_for_stack_components_and_providers(default_run: PlanRun):
    seen = {d["urn"]: d["message"] for d in default_run.diagnostics("analyze-coverage")}
    assert "analyzed pulumi:pulumi:Stack fixture-dev; region=None parent=None" in seen[STACK_URN]
    net = default_run.resource("net")["urn"]
    assert f"parent={STACK_URN}" in seen[net]
    assert "region=eu-west-1" in seen[AWS_DEFAULT]  # a default provider's inputs are its config
    assert "region=us-east-1" in seen[default_run.resource("use1")["urn"]]
    random_default = default_run.resource("db-password")["provider"].rsplit("::", 1)[0]
    assert random_default in seen
    # Analyze's provider field carries the provider's name and inputs.
    vpc = default_run.resource("net-vpc")["urn"]
    assert seen[vpc].endswith(f"net-vpc provider=default_{AWS_VERSION.replace('.', '_')} region=eu-west-1")


def test_analyze_stack_sees_parents_dependencies_and_property_dependencies(default_run: PlanRun):
    [shape] = default_run.diagnostics("stack-shape")
    assert shape["urn"] == STACK_URN
    assert shape["message"].splitlines()[-1] == (
        "subnets=2 parents=['net(fixture:index:Network)'] db-arn.insecureValue<-['db'] "
        "api-token<-['db'] db.protect=True db.ignoreChanges=['password'] "
        f"db.provider=default_{AWS_VERSION.replace('.', '_')} resources=16"
    )


def test_a_policy_reading_an_unknown_value_is_reported_not_failed(default_run: PlanRun):
    [diag] = default_run.diagnostics("unknown-reader")
    # Mandatory policy, but an unknown value can't be judged during preview: advisory note.
    assert diag["enforcementLevel"] == "advisory"
    assert "can't run policy 'unknown-reader'" in diag["message"]
    assert diag["urn"] == default_run.resource("db-arn")["urn"]


# --------------------------------------------------------------------------------------------------
# The text report


def test_plain_text_report_tree_counts_and_summary(default_run: PlanRun):
    out = default_run.stdout
    assert "\x1b[" not in out  # not a terminal: no colour codes
    lines = out.splitlines()
    net = lines.index("      + fixture:index:Network  net  [component]")
    assert lines[net + 1] == "          + aws:ec2/vpc:Vpc  net-vpc"
    assert lines[net - 1] == "  + pulumi:pulumi:Stack  fixture-dev  [stack]"
    assert "      + aws:rds/instance:Instance  db  [protect]" in lines
    assert "      + aws:ssm/parameter:Parameter  api-token  [retainOnDelete]" in lines
    assert re.search(r"^\s+3  aws:ssm/parameter:Parameter$", out, re.MULTILINE)
    assert lines[-1].startswith("Summary: 16 resources to create (2 default providers); policy toy-policies@0.3.0: 0")
    # The toy pack's mandatory unknown-reader reads an unknown value: the SDK's advisory "can't run policy" note,
    # so the plan passes (exit 0) but does not read as a plain OK.
    assert lines[-1].endswith(
        "; passed, but 1 mandatory check could not decide: unknown-reader (string value at .insecureValue can't be "
        "known during preview)")


# --------------------------------------------------------------------------------------------------
# Scenarios with other policy configs


def test_advisory_only_exits_zero_and_default_policy_config_is_found(tmp_path: Path, toy_pack_copy: Path):
    # <pack>/config/<stack>.json is picked up without --policy-config.
    (toy_pack_copy / "config").mkdir()
    (toy_pack_copy / "config" / "dev.json").write_text(
        json.dumps({"db-backup-retention": "advisory", "bucket-tags": "remediate"})
    )
    run = run_plan(tmp_path, "--program", str(RAW_PROGRAM), "--policy-pack", str(toy_pack_copy))
    assert run.code == 0, run.stdout + run.stderr
    doc = run.doc
    assert doc["summary"]["mandatory"] == 0
    assert doc["policy"]["enforcementLevels"]["db-backup-retention"] == "advisory"
    [diag] = run.diagnostics("db-backup-retention")
    assert diag["enforcementLevel"] == "advisory"
    # The remediation rewrote the bucket's tags before Analyze, so required-tags passes it.
    logs_urn = run.resource("logs")["urn"]
    assert doc["policy"]["remediations"] == [
        {
            "policy": "bucket-tags",
            "pack": "toy-policies",
            "urn": logs_urn,
            "description": "Adds the required tags to buckets.",
        }
    ]
    assert [d["urn"] for d in run.diagnostics("required-tags")] == [run.resource("db")["urn"]]
    assert run.stdout.rstrip().endswith(
        "; passed, but 1 mandatory check could not decide: unknown-reader (string value at .insecureValue can't be "
        "known during preview)")


def test_public_database_is_a_mandatory_violation_despite_all_advisory(tmp_path: Path):
    stack = write_stack_file(
        tmp_path,
        (RAW_PROGRAM / "Pulumi.dev.yaml").read_text() + "  fixture:publicDb: true\n",
    )
    policy_config = write_policy_config(tmp_path, {"all": "advisory", "no-public-db": "mandatory"})
    run = run_plan(
        tmp_path,
        "--program",
        str(RAW_PROGRAM),
        "--config",
        str(stack),
        "--policy-pack",
        str(TOY_PACK),
        "--policy-config",
        str(policy_config),
    )
    assert run.code == 1, run.stderr
    [diag] = run.diagnostics("no-public-db")
    assert diag["enforcementLevel"] == "mandatory"
    assert diag["severity"] == "critical"
    assert "database is publicly accessible" in diag["message"]
    assert "[mandatory] no-public-db (critical)" in run.stdout
    # Mandatory diagnostics come before advisory ones.
    assert run.stdout.index("  mandatory:") < run.stdout.index("  advisory:")
    assert run.stdout.rstrip().endswith("FAILED: mandatory policy violations")
    # `all` downgraded the policy that is mandatory by its own level.
    assert [d["enforcementLevel"] for d in run.diagnostics("db-backup-retention")] == ["advisory"]
    assert run.doc["summary"]["mandatory"] == 1


def test_config_file_upgrades_a_policy_and_sets_its_properties(tmp_path: Path):
    policy_config = write_policy_config(
        tmp_path,
        {
            "required-tags": {"enforcementLevel": "mandatory", "requiredTags": ["env"]},
            "db-backup-retention": {"minDays": 2},
        },
    )
    run = run_plan(
        tmp_path,
        "--program",
        str(RAW_PROGRAM),
        "--policy-pack",
        str(TOY_PACK),
        "--policy-config",
        str(policy_config),
    )
    assert run.code == 1, run.stderr
    levels = run.doc["policy"]["enforcementLevels"]
    # A file entry without a level keeps the level the policy had: advisory, from the initial config.
    assert (levels["required-tags"], levels["db-backup-retention"]) == ("mandatory", "advisory")
    # Only env is required now: the untagged bucket fails, the db (env tag) passes.
    [tags] = run.diagnostics("required-tags")
    assert (tags["urn"], tags["enforcementLevel"]) == (run.resource("logs")["urn"], "mandatory")
    assert run.diagnostics("db-backup-retention") == []  # 3 days >= minDays 2
