"""Hostile input to `python -m ops plan`: each case ends with one clear message and its documented exit code.

Exit 2 means "could not run", 130 "interrupted"; 1 is reserved for a mandatory policy violation, so
none of these may end with 1, a traceback or a hang. The tiny program imports no provider SDK, so
most runs are cheap.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import RAW_PROGRAM, REPO, TINY_PROGRAM, TOY_PACK, PlanRun, run_plan, write_stack_file


def _plan(tmp_path: Path, stack_text: str | bytes, *extra: str) -> PlanRun:
    path = tmp_path / "Pulumi.dev.yaml"
    if isinstance(stack_text, bytes):
        path.write_bytes(stack_text)
    else:
        path.write_text(stack_text)
    return run_plan(tmp_path, "--program", str(TINY_PROGRAM), "--config", str(path), *extra)


def _refused(run: PlanRun, *fragments: str) -> None:
    assert run.code == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    for fragment in fragments:
        assert fragment in run.stderr
    assert not run.json_path.exists()


# Encodings


def test_a_latin1_stack_file_is_refused(tmp_path: Path):
    run = _plan(tmp_path, "config:\n  tiny:mode: caf\xe9\n".encode("latin-1"), "--no-policy")
    _refused(run, "is not UTF-8 text (byte 0xe9", "save it as UTF-8")


def test_a_utf16_stack_file_is_refused(tmp_path: Path):
    run = _plan(tmp_path, "config:\n  tiny:mode: ok\n".encode("utf-16"), "--no-policy")
    _refused(run, "is UTF-16 text; save it as UTF-8")


def test_a_latin1_policy_config_is_refused(tmp_path: Path):
    config = tmp_path / "policy.json"
    config.write_bytes('{"explode": {"note": "caf\xe9"}}'.encode("latin-1"))
    run = _plan(tmp_path, "config: {}\n", "--policy-pack", str(TOY_PACK), "--policy-config", str(config))
    _refused(run, f"policy config {config} is not UTF-8 text")


def test_a_policy_config_that_is_a_directory_is_refused(tmp_path: Path):
    run = _plan(tmp_path, "config: {}\n", "--policy-pack", str(TOY_PACK), "--policy-config", str(tmp_path))
    _refused(run, f"cannot read policy config {tmp_path}: Is a directory")


@pytest.mark.parametrize(
    "text", ["[" * 100_000, '{"explode": {"n": ' + "9" * 5000 + "}}", '{"explode": '], ids=["deep", "huge-int", "cut"]
)
def test_malformed_policy_config_json_is_refused(tmp_path: Path, text: str):
    config = tmp_path / "policy.json"
    config.write_text(text)
    run = _plan(tmp_path, "config: {}\n", "--policy-pack", str(TOY_PACK), "--policy-config", str(config))
    _refused(run, f"policy config {config}")


# YAML values without a JSON form, and the ones yaml.v3 keeps as text


def test_yaml_dates_and_timestamps_reach_the_program_as_text(tmp_path: Path):
    run = _plan(tmp_path, "config:\n  tiny:mode: ok\n  tiny:when: 2024-01-01\n  tiny:at: 2024-01-01T10:00:00Z\n",
                "--no-policy")
    assert run.code == 0, run.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!set {a, b}", "unsupported YAML tag !!set at line 3"),
        ("!!binary aGVsbG8=", "unsupported YAML tag !!binary at line 3"),
        ("9" * 5000, "an integer of 5000 digits at line 3, column 13 is too large"),
        ("[" * 3000 + "]" * 3000, "nesting deeper than 100 levels"),
    ],
    ids=["set", "binary", "huge-int", "deep-nesting"],
)
def test_yaml_values_without_a_config_form_are_refused(tmp_path: Path, value: str, message: str):
    run = _plan(tmp_path, f"config:\n  tiny:mode: ok\n  tiny:odd: {value}\n", "--no-policy")
    _refused(run, message)


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path: Path):
    lines = ["config:", "  tiny:l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"  tiny:l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    started = time.monotonic()
    run = _plan(tmp_path, "\n".join(lines) + "\n", "--no-policy")
    assert time.monotonic() - started < 20
    _refused(run, "excessive aliasing")


def test_duplicate_keys_are_refused_naming_the_key_and_both_lines(tmp_path: Path):
    text = "config:\n  tiny:mode: ok\n  platform:database:\n    a: 1\n  platform:database:\n    a: 2\n"
    run = _plan(tmp_path, text, "--no-policy")
    _refused(run, "duplicate key 'platform:database' at line 5 (first defined at line 3)")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("config:\n  tiny:mode: [unclosed\n", "malformed YAML in stack config file"),
        ("config:\n  - a\n  - b\n", "`config` in stack config file"),
        ("- just\n- a list\n", "must be a mapping"),
    ],
    ids=["malformed", "config-not-a-mapping", "not-a-mapping"],
)
def test_malformed_stack_files_are_refused(tmp_path: Path, text: str, message: str):
    _refused(_plan(tmp_path, text, "--no-policy"), message)


def test_an_empty_stack_file_is_an_empty_config(tmp_path: Path):
    run = _plan(tmp_path, "", "--no-policy")
    assert run.code == 0, run.stderr  # as the CLI: no config, the project's defaults apply


# Config too large to hand to the policy pack through its environment


@pytest.mark.parametrize(
    "config",
    ["".join(f"  tiny:key{i}: value-{i}\n" for i in range(10_000)), f"  tiny:big: {'x' * 133_120}\n"],
    ids=["10000-keys", "130KB-value"],
)
def test_a_config_too_large_for_the_environment_is_refused_with_its_size(tmp_path: Path, config: str):
    run = _plan(tmp_path, "config:\n  tiny:mode: ok\n" + config, "--policy-pack", str(TOY_PACK))
    _refused(run, "bytes as PULUMI_CONFIG, over the 131,072-byte limit for one environment variable")


# Missing things


def test_a_missing_program_directory_is_refused(tmp_path: Path):
    run = run_plan(tmp_path, "--program", str(tmp_path / "nope"), "--no-policy")
    _refused(run, f"program directory not found: {tmp_path / 'nope'}")


def test_a_program_without_main_is_refused(tmp_path: Path):
    program = tmp_path / "prog"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: empty\nruntime: python\n")
    (program / "Pulumi.dev.yaml").write_text("config: {}\n")
    run = run_plan(tmp_path, "--program", str(program), "--no-policy")
    _refused(run, f"no __main__.py in the program directory {program}")


def test_a_pack_that_fails_to_boot_shows_its_error_trimmed(tmp_path: Path):
    pack = tmp_path / "broken_pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("import helper\n")
    (pack / "helper.py").write_text("raise ImportError('the broken pack cannot start')\n")
    run = _plan(tmp_path, "config: {}\n", "--policy-pack", str(pack))
    _refused(run, f"policy pack {pack} failed to start:", "ImportError: the broken pack cannot start",
             f'File "{pack / "helper.py"}"')
    assert "site-packages" not in run.stderr  # the SDK's own frames say nothing about the pack's error


# Output


def test_an_unwritable_json_path_is_refused_before_any_work(tmp_path: Path):
    target = tmp_path / "missing-dir" / "plan.json"
    proc = subprocess.run(
        [sys.executable, "-m", "ops", "plan", "--stack", "dev", "--program", str(TINY_PROGRAM), "--no-policy",
         "--json", str(target)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"--json {target}: directory {target.parent} does not exist"
    assert proc.stdout == ""


def test_an_error_leaves_no_stale_plan_behind(tmp_path: Path):
    ok = _plan(tmp_path, "config:\n  tiny:mode: ok\n", "--no-policy")
    assert ok.code == 0
    assert ok.json_path.exists()
    failed = _plan(tmp_path, "config:\n  tiny:mode: raise\n", "--no-policy")
    assert failed.code == 2
    assert not failed.json_path.exists()  # the earlier plan is not left to be read as this one


def test_a_closed_stdout_keeps_the_verdict_and_the_json(tmp_path: Path):
    out = tmp_path / "plan.json"
    proc = subprocess.run(
        f"{sys.executable} -m ops plan --stack dev --program {TINY_PROGRAM} --no-policy --json {out} >&-",
        shell=True, cwd=REPO, capture_output=False, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(out.read_text())["summary"]["exitCode"] == 0


# Ctrl-C

# Delivers SIGINT to the process at a fixed point: while `ops.commands.common` is half-loaded (its imports done,
# none of its functions defined yet). Run as `python -m ops` would run, through runpy.
_SIGINT_WHILE_COMMON_LOADS = """
import importlib.machinery, os, runpy, signal, sys

class SignalMidModule(importlib.machinery.SourceFileLoader):
    def exec_module(self, module):
        source = self.get_data(self.path).decode()
        cut = source.index("@dataclass")
        source = source[:cut] + "import os as _o, signal as _s; _o.kill(_o.getpid(), _s.SIGINT)\\n" + source[cut:]
        exec(compile(source, self.path, "exec"), module.__dict__)

class Finder:
    def find_spec(self, name, path=None, target=None):
        if name != "ops.commands.common":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        spec.loader = SignalMidModule(name, spec.origin)
        return spec

sys.meta_path.insert(0, Finder())
sys.argv = ["ops", "plan", "--stack", "dev", "--no-policy", "--json", sys.argv[1]]
runpy.run_module("ops", run_name="__main__", alter_sys=True)
"""


def test_ctrl_c_while_the_cli_module_that_handles_it_is_loading_ends_with_130_not_a_traceback(tmp_path: Path):
    # The start-up handler once imported `ops.commands.common` itself; a signal arriving while that module was
    # loading made the import fail ("partially initialized module") and printed a traceback (a flaky test above).
    json_path = tmp_path / "plan.json"
    json_path.write_text("{}")  # a stale plan from an earlier run
    proc = subprocess.run(
        [sys.executable, "-c", _SIGINT_WHILE_COMMON_LOADS, str(json_path)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 130, proc.stdout + proc.stderr
    assert proc.stderr.strip() == "interrupted"
    assert not json_path.exists()


def test_the_interrupt_module_and_the_exit_code_table_agree():
    from ops.errors import ExitCode
    from ops.interrupt import INTERRUPTED

    assert INTERRUPTED == ExitCode.INTERRUPTED


def _pack_processes(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline and "pulumi.policy" in cmdline:
            pids.append(int(entry.name))
    return pids


@pytest.mark.parametrize(
    ("program", "delay"),
    [("raw", 0.35), ("raw", 0.6), ("raw", 0.85), ("raw", 1.1), ("sleeping", 1.5)],
    ids=["start-up", "imports", "pack-boot", "program", "mid-program"],
)
def test_ctrl_c_ends_the_run_promptly_with_130_and_stops_the_pack(
    tmp_path: Path, toy_pack_copy: Path, program: str, delay: float
):
    json_path = tmp_path / "plan.json"
    json_path.write_text("{}")  # a stale plan from an earlier run
    where = ["--program", str(RAW_PROGRAM)]
    if program == "sleeping":
        sleeping = write_stack_file(tmp_path, "config:\n  tiny:mode: sleep\n")
        where = ["--program", str(TINY_PROGRAM), "--config", str(sleeping)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "ops", "plan", "--stack", "dev", *where,
         "--policy-pack", str(toy_pack_copy), "--json", str(json_path)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    stdout, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 8, "the interrupted run did not end promptly"
    if proc.returncode == 0:
        pytest.skip("the plan finished before the signal arrived")
    assert proc.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr
    assert stderr.strip().endswith("interrupted")
    assert not json_path.exists()
    deadline = time.monotonic() + 5
    while _pack_processes(str(toy_pack_copy)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _pack_processes(str(toy_pack_copy)) == [], "the policy pack process was left running"
    assert os.path.exists(toy_pack_copy)
