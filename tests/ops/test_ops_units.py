"""Unit tests of the planner's pure parts: wire values, config loading, policy config, invokes, URNs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ops.errors import PlannerConfigError
from ops.model import PolicyConfigEntry, PolicyInfo, make_urn, stack_urn
from ops.policy.config import parse_policy_config, reconcile_policy_config, validate_policy_config
from ops.program.invokes import InvokeContext, get_availability_zones, get_partition, get_policy_document
from ops.project import SECRET_PLACEHOLDER, load_project, read_stack_file, to_wire
from ops.reports.common import LIST_LINE_LIMIT, output_lines
from ops.values import (
    RESOURCE_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    Redactor,
    secret,
    secret_strings,
    to_display,
    to_engine,
)

# --------------------------------------------------------------------------------------------------
# Wire values


def test_to_engine_collapses_references_and_drops_only_top_level_internal_keys():
    wire = {
        "role": {SIG_KEY: RESOURCE_SIG, "urn": "urn:a", "id": "role-123"},
        "pending": {SIG_KEY: RESOURCE_SIG, "urn": "urn:b", "id": ""},
        "component": {SIG_KEY: RESOURCE_SIG, "urn": "urn:c"},
        "__defaults": ["x"],
        "nested": {"__internal": 1, "kept": [secret("s3cr3t-value")]},
    }
    assert to_engine(wire) == {
        "role": "role-123",
        "pending": UNKNOWN,  # a resource being created has no id yet
        "component": "urn:c",
        # rpc.go skips internal keys at the top level only: a nested `__internal` reaches the policy.
        "nested": {"__internal": 1, "kept": [{SIG_KEY: SECRET_SIG, "value": "s3cr3t-value"}]},
    }
    assert to_engine(wire, skip_internal_keys=False)["__defaults"] == ["x"]  # Remediate keeps them


def test_to_display_marks_secrets_and_unknowns_and_restores_integers():
    wire = {"a": secret({"deep": "s3cr3t-value"}), "b": UNKNOWN, "c": [20.0, 1.5], "d": "plain"}
    assert to_display(wire) == {"a": "[secret]", "b": "[unknown]", "c": [20, 1.5], "d": "plain"}


def test_redactor_replaces_secret_strings_found_in_wire_values():
    redact = Redactor(secret_strings({"x": secret(["hunter2-long", UNKNOWN]), "y": "not-secret"}))
    assert redact("pw is hunter2-long, user is not-secret") == "pw is [secret], user is not-secret"


# --------------------------------------------------------------------------------------------------
# Project and stack config


def _project(tmp_path: Path, config_block: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(f"name: demo\nruntime: python\nconfig:\n{config_block}")
    (tmp_path / "__main__.py").write_text("")
    return tmp_path


def test_stack_config_values_reach_the_program_as_the_cli_passes_them(tmp_path: Path):
    program = _project(tmp_path, "  size:\n    type: integer\n    default: 3\n  aws:region: us-west-2\n")
    (program / "Pulumi.dev.yaml").write_text(
        "config:\n"
        "  demo:tags:\n    b: 2\n    a: one\n"
        "  demo:zones: [a, b]\n"
        "  demo:enabled: true\n"
        "  demo:token:\n    secure: AAAbbbCCC\n"
        "  demo:nested:\n    inner:\n      secure: AAAddd\n"
    )
    cfg = read_stack_file(load_project(program), "dev")
    assert cfg.wire["demo:tags"] == '{"a":"one","b":2}'  # JSON, keys sorted like Go's json.Marshal
    assert cfg.wire["demo:zones"] == '["a","b"]'
    assert cfg.wire["demo:enabled"] == "true"
    assert cfg.wire["demo:size"] == "3"  # project default
    assert cfg.wire["aws:region"] == "us-west-2"  # namespaced plain value in Pulumi.yaml
    assert cfg.wire["demo:token"] == SECRET_PLACEHOLDER
    assert json.loads(cfg.wire["demo:nested"]) == {"inner": SECRET_PLACEHOLDER}
    assert cfg.secret_keys == {"demo:token", "demo:nested"}
    assert any("demo:token" in w and "cannot be decrypted" in w for w in cfg.warnings)
    assert cfg.package_config("aws") == {"region": "us-west-2"}


def test_declared_types_are_checked_and_all_errors_reported(tmp_path: Path):
    program = _project(
        tmp_path,
        "  port:\n    type: integer\n  debug:\n    type: boolean\n  zones:\n    type: array\n"
        "    items:\n      type: string\n  name:\n    type: string\n",
    )
    (program / "Pulumi.dev.yaml").write_text(
        "config:\n  demo:port: eighty\n  demo:debug: maybe\n  demo:zones: notalist\n"
    )
    with pytest.raises(PlannerConfigError) as err:
        read_stack_file(load_project(program), "dev")
    msg = err.value.message
    assert "Stack 'dev' with configuration key 'port' must be of type 'integer'" in msg
    assert "'debug' must be of type 'boolean'" in msg
    assert "'zones' must be of type 'array<string>'" in msg
    assert "Stack 'dev' is missing configuration value name" in msg


def test_numeric_and_boolean_text_pass_type_checks_like_the_cli(tmp_path: Path):
    program = _project(tmp_path, "  port:\n    type: integer\n  debug:\n    type: boolean\n")
    (program / "Pulumi.dev.yaml").write_text('config:\n  demo:port: "8080"\n  demo:debug: "false"\n')
    cfg = read_stack_file(load_project(program), "dev")
    assert (cfg.wire["demo:port"], cfg.wire["demo:debug"]) == ("8080", "false")


def test_secret_declaration_requires_an_encrypted_value(tmp_path: Path):
    program = _project(tmp_path, "  password:\n    secret: true\n")
    (program / "Pulumi.dev.yaml").write_text("config:\n  demo:password: plain\n")
    with pytest.raises(PlannerConfigError, match="must be encrypted as it's secret"):
        read_stack_file(load_project(program), "dev")


def test_unnamespaced_stack_key_is_rejected(tmp_path: Path):
    program = _project(tmp_path, "  {}\n")
    (program / "Pulumi.dev.yaml").write_text("config:\n  region: x\n")
    with pytest.raises(PlannerConfigError, match="could not parse 'region' as a configuration key"):
        read_stack_file(load_project(program), "dev")


@pytest.mark.parametrize(("value", "wire"), [(True, "true"), (5, "5"), (1.5, "1.5"), (None, ""), ("x", "x")])
def test_to_wire_scalars(value: object, wire: str):
    assert to_wire(value) == wire


# --------------------------------------------------------------------------------------------------
# Policy config


def _policies() -> list[PolicyInfo]:
    return [
        PolicyInfo("strict", "d", "mandatory", "high", "resource", {"min": {"type": "integer", "default": 1}}),
        PolicyInfo("soft", "d", "advisory", None, "resource"),
        PolicyInfo("off", "d", "disabled", None, "stack"),
    ]


def _levels(result) -> dict[str, str | None]:
    return {k: v.level for k, v in result.policies.items()}


def test_every_policy_gets_an_explicit_level_from_its_own_default():
    result = reconcile_policy_config(_policies(), {}, {})
    assert _levels(result) == {"strict": "mandatory", "soft": "advisory", "off": "disabled"}
    assert result.policies["strict"].properties == {"min": 1}  # schema default
    assert result.warnings == []


def test_precedence_all_then_per_policy_then_initial_config_properties():
    initial = {"strict": PolicyConfigEntry("mandatory", {"min": 5}), "soft": PolicyConfigEntry("mandatory")}
    user = parse_policy_config({"all": "advisory", "off": "mandatory", "strict": {"min": 9}}, "test")
    result = reconcile_policy_config(_policies(), initial, user).policies
    assert result["strict"] == PolicyConfigEntry("advisory", {"min": 9})  # `all` downgrades, props merge
    assert result["soft"].level == "advisory"  # the file's `all` beats the pack's initial config
    assert result["off"].level == "mandatory"  # per-policy entry beats `all`


def test_initial_config_without_a_level_downgrades_like_the_engine_and_warns():
    # Off the wire, a properties-only initial_config entry has level ADVISORY (proto3's zero value);
    # the engine's applyConfig takes it literally (config.go), so the mandatory policy becomes advisory.
    result = reconcile_policy_config(_policies(), {"strict": PolicyConfigEntry("advisory", {"min": 5})}, {})
    assert result.policies["strict"] == PolicyConfigEntry("advisory", {"min": 5})
    [warning] = result.warnings
    assert "'strict'" in warning
    assert "downgraded from mandatory to advisory" in warning


def test_file_entry_without_a_level_keeps_the_level_it_had():
    user = parse_policy_config({"strict": {"min": 3}}, "test")
    assert user["strict"].level is None
    result = reconcile_policy_config(_policies(), {}, user)
    assert result.policies["strict"] == PolicyConfigEntry("mandatory", {"min": 3})


def test_unknown_policy_names_warn_and_are_not_sent():
    result = reconcile_policy_config(_policies(), {}, {"nope": PolicyConfigEntry("advisory")}, source="cfg.json")
    assert "nope" not in result.policies
    assert result.warnings == ["cfg.json names policy 'nope', which the pack does not have; the engine ignores it"]


def test_bad_levels_and_values_are_config_errors():
    with pytest.raises(PlannerConfigError, match="'sometimes' is not a valid enforcement level"):
        parse_policy_config({"strict": "sometimes"}, "test")
    with pytest.raises(PlannerConfigError, match="is not a valid value; must be a string or object"):
        parse_policy_config({"strict": 3}, "test")


def test_esc_environments_in_policy_config_are_refused_offline():
    with pytest.raises(PlannerConfigError, match="ESC environments"):
        parse_policy_config({"environments": ["org/env"], "strict": "advisory"}, "test")


def _validate(schema: dict, props: dict, required: tuple[str, ...] = ()) -> list[str]:
    policy = PolicyInfo("p", "d", "mandatory", None, "resource", schema, required)
    return validate_policy_config([policy], {"p": PolicyConfigEntry("mandatory", props)}, "pack", "1.0")


def test_policy_config_is_validated_with_a_real_json_schema_validator():
    # The old hand-written check knew only type and enum; the engine (gojsonschema) checks all of these.
    assert _validate({"min": {"type": "integer", "minimum": 7}}, {"min": 3}) == [
        "validating policy config: pack 1.0  p: min: 3 is less than the minimum of 7"
    ]
    assert _validate({"max": {"type": "number", "maximum": 10}}, {"max": 11}) != []
    assert _validate({"name": {"type": "string", "pattern": "^db-"}}, {"name": "cache"}) != []
    nested = {"limits": {"type": "object", "properties": {"gb": {"type": "integer"}}, "required": ["gb"]}}
    assert _validate(nested, {"limits": {}}) != []
    assert _validate(nested, {"limits": {"gb": 5}}) == []
    assert _validate({"min": {"type": "integer"}}, {}, required=("min",)) == [
        "validating policy config: pack 1.0  p: 'min' is a required property"
    ]
    assert _validate({"min": {"type": "integer"}}, {"min": 7.0}) == []  # JSON numbers arrive as floats


# --------------------------------------------------------------------------------------------------
# Invokes and URNs


def test_availability_zones_follow_the_configured_region():
    ctx = InvokeContext("p", "s", {"aws": {"region": "ap-southeast-2"}})
    result = get_availability_zones({}, ctx)
    assert result["names"] == ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"]
    assert result["zoneIds"] == ["apse2-az1", "apse2-az2", "apse2-az3"]
    assert get_partition({}, InvokeContext("p", "s", {"aws": {"region": "cn-north-1"}}))["partition"] == "aws-cn"


def test_policy_document_renders_like_the_provider():
    doc = get_policy_document(
        {
            "statements": [
                {
                    "actions": ["s3:GetObject"],
                    "resources": ["arn:aws:s3:::b/*", "arn:aws:s3:::a/*"],
                    "principals": [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}],
                }
            ]
        },
        InvokeContext("p", "s"),
    )
    assert json.loads(doc["json"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"],
                "Principal": {"Service": "ec2.amazonaws.com"},
            }
        ],
    }


def test_urns_qualify_child_types_by_the_parent_chain_but_not_the_stack():
    from ops.program.records import default_provider_name, parse_duration

    root = stack_urn("proj", "dev")
    comp = make_urn("proj", "dev", root, "my:index:Comp", "c")
    assert comp == "urn:pulumi:dev::proj::my:index:Comp::c"
    inner = make_urn("proj", "dev", comp, "my:index:Inner", "i")
    leaf = make_urn("proj", "dev", inner, "aws:s3/bucket:Bucket", "b")
    assert leaf == "urn:pulumi:dev::proj::my:index:Comp$my:index:Inner$aws:s3/bucket:Bucket::b"
    assert default_provider_name("7.51.1") == "default_7_51_1"
    assert default_provider_name("") == "default"
    assert parse_duration("1h30m") == 5400.0


# --------------------------------------------------------------------------------------------------
# YAML as the CLI's yaml.v3 reads it


def test_yaml_scalars_resolve_like_yaml_v3_not_yaml_1_1():
    from ops.yamlfile import parse_yaml

    doc = parse_yaml(
        "a: yes\nb: on\nc: 1:30\nd: 2024-01-01\ne: 0o17\nf: 017\ng: 0x1f\nh: true\ni: 1e3\nj: ~\n", "t", Path("t")
    )
    assert doc == {"a": "yes", "b": "on", "c": "1:30", "d": "2024-01-01", "e": 15, "f": 17, "g": 31, "h": True,
                   "i": 1000.0, "j": None}


def test_yaml_merge_keys_may_be_overridden_but_own_keys_may_not_repeat():
    from ops.yamlfile import YamlFileError, parse_yaml

    assert parse_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\n", "t", Path("t"))["other"] == {"x": 3, "y": 2}
    with pytest.raises(YamlFileError, match="duplicate key 'x' at line 3 \\(first defined at line 2\\)"):
        parse_yaml("m:\n  x: 1\n  x: 2\n", "t", Path("t"))


def test_the_cli_model_and_reports_load_no_sdk_grpc_or_heavy_imports():
    import subprocess
    import sys

    code = (
        "import sys, ops.cli, ops.model, ops.reports.plan_json, ops.reports.plan_text, ops.policy.config; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pulumi', 'grpc', 'jsonschema', 'rich', "
        "'pulumi_aws', 'pulumi_cloudflare', 'google'}))"
    )
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_plan_restores_the_interpreters_switch_interval() -> None:
    """The plan shortens the GIL switch interval while the analyzer thread waits on the pack; a process
    that plans in-process (tests, tools) gets its own setting back."""
    import sys

    from ops.commands.plan import PlanOptions, run_plan
    from tests.support.cli import RAW_PROGRAM, TOY_PACK

    before = sys.getswitchinterval()
    run_plan(PlanOptions(stack="dev", program=RAW_PROGRAM, policy_pack=TOY_PACK))
    assert sys.getswitchinterval() == before


def test_the_program_runs_without_the_cyclic_collector_which_resumes_afterwards(monkeypatch) -> None:
    """Full collections over the SDK's modules cost a prod plan ~0.3 s and find nothing the plan would free;
    the collector is off while the program and the pack run, and back on for whoever planned in-process."""
    import gc

    import ops.program
    from ops.commands.plan import PlanOptions, run_plan
    from tests.support.cli import RAW_PROGRAM, TOY_PACK

    seen: list[bool] = []
    real = ops.program.plan_program

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(ops.program, "plan_program", spy)  # run_plan imports it lazily, so it gets the spy
    assert gc.isenabled()
    run_plan(PlanOptions(stack="dev", program=RAW_PROGRAM, policy_pack=TOY_PACK))
    assert seen == [False]
    assert gc.isenabled()


def test_the_plan_records_what_the_program_and_the_policy_pack_each_cost() -> None:
    """bench/plan_benchmark.py reads these to print the policy/program ratio."""
    from ops.commands.plan import PlanOptions, run_plan
    from tests.support.cli import RAW_PROGRAM, TOY_PACK

    timings = run_plan(PlanOptions(stack="dev", program=RAW_PROGRAM, policy_pack=TOY_PACK)).timings
    assert timings["program_s"] > 0
    assert 0 < timings["policy_pack_boot_s"] < timings["done"]
    # The pack's CPU: at least its interpreter's start-up, at most what the whole run could have used on two cores.
    assert 0.01 <= timings["policy_pack_cpu_s"] <= 2 * timings["done"]
    no_policy = run_plan(PlanOptions(stack="dev", program=RAW_PROGRAM, no_policy=True)).timings
    assert "policy_pack_cpu_s" not in no_policy


def test_a_long_list_of_strings_output_is_shown_one_item_per_line() -> None:
    steps = [f"{n}. [after-first-up] a step whose instruction is long enough to wrap a terminal line" for n in (1, 2)]
    assert output_lines(steps) == steps
    assert output_lines(["daily/", "weekly/"]) is None  # short: stays one JSON line
    assert output_lines(["x" * LIST_LINE_LIMIT, 3]) is None  # not all strings
    assert output_lines("x" * 500) is None
    assert output_lines([]) is None
