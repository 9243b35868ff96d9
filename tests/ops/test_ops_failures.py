"""End-to-end failure paths of `python -m ops plan`: each must exit 2 with a clear message.

The tiny program imports no provider SDK, so these runs are cheap.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import TINY_PROGRAM, TOY_PACK, run_plan, write_policy_config, write_stack_file


def _tiny(tmp_path: Path, mode: str, *extra: str):
    config = write_stack_file(tmp_path, f"config:\n  tiny:mode: {mode}\n")
    return run_plan(tmp_path, "--program", str(TINY_PROGRAM), "--config", str(config), *extra)


def test_missing_stack_file(tmp_path: Path):
    run = run_plan(tmp_path, "--program", str(TINY_PROGRAM), "--no-policy", stack="nosuchstack")
    assert run.code == 2
    assert run.stderr.strip() == (
        f"stack config file not found: {TINY_PROGRAM / 'Pulumi.nosuchstack.yaml'}. The stacks here: dev. Create it "
        "to add the stack (docs/configuration.md#adding-a-stack), or pass --config FILE for stack 'nosuchstack'."
    )
    assert run.stdout == ""
    assert not run.json_path.exists()


def test_malformed_stack_file(tmp_path: Path):
    config = write_stack_file(tmp_path, "config:\n  tiny:mode: [unclosed\n")
    run = run_plan(tmp_path, "--program", str(TINY_PROGRAM), "--config", str(config), "--no-policy")
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith(f"malformed YAML in stack config file {config} (line ")
    assert len(run.stderr.strip().splitlines()) == 1


def test_wrongly_typed_config_value(tmp_path: Path):
    (tmp_path / "prog").mkdir()
    program = tmp_path / "prog"
    (program / "Pulumi.yaml").write_text("name: typed\nruntime: python\nconfig:\n  replicas:\n    type: integer\n")
    (program / "__main__.py").write_text("")
    config = write_stack_file(tmp_path, "config:\n  typed:replicas: many\n")
    run = run_plan(tmp_path, "--program", str(program), "--config", str(config), "--no-policy")
    assert run.code == 2
    assert run.stderr.strip() == "Stack 'dev' with configuration key 'replicas' must be of type 'integer'"


def test_run_error_prints_only_its_message(tmp_path: Path):
    run = _tiny(tmp_path, "runerror", "--no-policy")
    assert run.code == 2
    assert run.stderr.strip() == "invalid stack config:\n  tiny:size: must be one of small, large (got 'huge')"
    assert "Traceback" not in run.stderr + run.stdout


def test_other_exceptions_print_message_and_program_traceback(tmp_path: Path):
    run = _tiny(tmp_path, "raise", "--no-policy")
    assert run.code == 2
    assert run.stderr.startswith("program failed: ValueError: tiny program exploded on purpose\nTraceback")
    assert f'File "{TINY_PROGRAM / "__main__.py"}"' in run.stderr


def test_logged_error_fails_the_plan(tmp_path: Path):
    run = _tiny(tmp_path, "logerror", "--no-policy")
    assert run.code == 2
    assert "tiny program logged an error on purpose" in run.stderr


def test_unknown_invoke_is_named(tmp_path: Path):
    run = _tiny(tmp_path, "badinvoke", "--no-policy")
    assert run.code == 2
    assert "provider function 'tiny:index/getThing:getThing', which has no offline answer" in run.stderr
    assert "Traceback" not in run.stderr


def test_tiny_program_plans_cleanly_with_the_pack(tmp_path: Path):
    # The control for the two pack failures below: the same program and pack succeed.
    run = _tiny(tmp_path, "ok", "--policy-pack", str(TOY_PACK))
    assert run.code == 0, run.stderr
    assert [r["type"] for r in run.doc["resources"]] == ["pulumi:pulumi:Stack", "tiny:index:Box"]
    assert run.doc["outputs"] == {"mode": "ok"}
    assert run.resource("box")["outputs"] == {"label": "box"}


def test_unknown_policy_name_in_policy_config_is_a_warning_as_in_the_engine(tmp_path: Path):
    policy_config = write_policy_config(tmp_path, {"no-such-policy": "mandatory"})
    run = _tiny(tmp_path, "ok", "--policy-pack", str(TOY_PACK), "--policy-config", str(policy_config))
    assert run.code == 0, run.stderr
    assert f"{policy_config} names policy 'no-such-policy', which the pack does not have" in run.stdout
    assert f"Policy config: {policy_config}" in run.stdout
    assert "Traceback" not in run.stderr


def test_an_exception_in_a_policy_aborts_the_run(tmp_path: Path):
    policy_config = write_policy_config(tmp_path, {"explode": {"armed": True}})
    run = _tiny(tmp_path, "ok", "--policy-pack", str(TOY_PACK), "--policy-config", str(policy_config))
    assert run.code == 2
    assert "policy pack 'toy-policies' failed in Analyze for urn:pulumi:dev::tiny::pulumi:pulumi:Stack" in run.stderr
    assert "toy policy exploded on purpose" in run.stderr


def test_a_pack_that_cannot_boot(tmp_path: Path):
    pack = tmp_path / "broken_pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("raise ImportError('the broken pack cannot start')\n")
    run = _tiny(tmp_path, "ok", "--policy-pack", str(pack))
    assert run.code == 2
    assert run.stderr.startswith(f"policy pack {pack} failed to start:")
    assert "the broken pack cannot start" in run.stderr


def test_help_documents_the_exit_codes_and_where_pulumi_differs():
    import subprocess
    import sys

    from ops.errors import ExitCode
    from tests.support.cli import REPO

    assert [int(c) for c in ExitCode] == [0, 1, 2, 130]
    proc = subprocess.run(
        [sys.executable, "-m", "ops", "plan", "--help"], cwd=REPO, capture_output=True, text=True, check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "Exit codes: 0 no mandatory policy violation; 1 a mandatory policy violation; 2 could not run" in text
    assert "130 interrupted" in text
    assert "Unlike `pulumi preview`, which exits 1 for a policy violation, a program error and bad config alike" in text
