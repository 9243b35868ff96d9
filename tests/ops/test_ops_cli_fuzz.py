"""What the held-out fuzz of the CLI found (issue 20, item 4), one reproducer each: output paths that are not regular
files, a NUL byte in a stack file, a NaN in the policy config, a mistyped stack name. Each ends with its documented
exit code and one message that names the file, never a traceback or an "internal error"."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.support.cli import REPO, TINY_PROGRAM, TOY_PACK, PlanRun, run_plan, write_stack_file

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root (CAP_MKNOD)")


def _tiny(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = write_stack_file(tmp_path, "config:\n  tiny:mode: ok\n")
    return subprocess.run(
        [sys.executable, "-m", "ops", "plan", "--stack", "dev", "--program", str(TINY_PROGRAM), "--config",
         str(config), "--no-policy", *args],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )


def _read_fifo_in_background(fifo: Path) -> tuple[threading.Thread, list[bytes]]:
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as reader:
            received.append(reader.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, received


# ---- output paths that are not regular files are written into, never renamed over


@pytest.mark.parametrize("option", ["--json", "--report"])
def test_a_fifo_output_stays_a_fifo_and_gets_the_document(tmp_path: Path, option: str) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    thread, received = _read_fifo_in_background(fifo)
    proc = _tiny(tmp_path, option, str(fifo))
    thread.join(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode), "the FIFO was replaced"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.fifo.")], "a temporary file was left"
    if option == "--json":
        assert json.loads(received[0])["stack"] == "dev"
    else:
        assert received[0].startswith(b"<!--")


@ROOT_ONLY
def test_a_full_device_as_json_output_is_refused_and_stays_a_device(tmp_path: Path) -> None:
    # The same device as /dev/full (char 1:7), made in a temporary folder: the real one is never touched.
    full = tmp_path / "full"
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    proc = _tiny(tmp_path, "--json", str(full))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip() == f"--json {full}: cannot write: No space left on device"
    assert stat.S_ISCHR(full.stat().st_mode), "the device was replaced by a regular file"


@ROOT_ONLY
def test_a_null_device_as_output_stays_a_device(tmp_path: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    proc = _tiny(tmp_path, "--json", str(null), "--report", str(null))
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(null.stat().st_mode)


def test_a_symlinked_output_keeps_its_link_and_replaces_the_file_it_names(tmp_path: Path) -> None:
    target = tmp_path / "plans" / "plan.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "plan.json"
    link.symlink_to(target)
    proc = _tiny(tmp_path, "--json", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink()
    assert json.loads(target.read_text())["stack"] == "dev"


# ---- a NUL byte in a stack file


def test_a_nul_byte_in_a_stack_file_names_the_file_and_the_place(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_bytes(b"config:\n  tiny:mode: o\x00k\n")
    run = run_plan(tmp_path, "--program", str(TINY_PROGRAM), "--config", str(path), "--no-policy")
    assert run.code == 2, run.stdout + run.stderr
    assert run.stderr.strip() == (
        f"stack config file {path} (line 2, column 15): a NUL byte, which YAML does not allow in its text (control "
        "characters other than tab and newline); remove it"
    )


def test_a_nul_byte_in_the_project_file_is_refused_the_same_way(tmp_path: Path) -> None:
    program = tmp_path / "prog"
    program.mkdir()
    (program / "Pulumi.yaml").write_bytes(b"name: tiny\x00\nruntime: python\n")
    run = run_plan(tmp_path, "--program", str(program), "--no-policy")
    assert run.code == 2
    assert run.stderr.startswith(f"project file {program / 'Pulumi.yaml'} (line 1, column 11): a NUL byte"), run.stderr


# ---- NaN and Infinity in the policy config


@pytest.mark.parametrize(
    ("text", "key", "shown"),
    [
        ('{"explode": {"threshold": NaN}}', "explode.threshold", "NaN"),
        ('{"explode": {"limits": [1, -Infinity]}}', "explode.limits.1", "-Infinity"),
        ('{"explode": {"threshold": 1e999}}', "explode.threshold", "Infinity"),
    ],
)
def test_a_non_finite_number_in_the_policy_config_is_a_schema_error_naming_key_and_file(
    tmp_path: Path, text: str, key: str, shown: str
) -> None:
    config = tmp_path / "policy.json"
    config.write_text(text)
    stack = write_stack_file(tmp_path, "config:\n  tiny:mode: ok\n")
    run = run_plan(tmp_path, "--program", str(TINY_PROGRAM), "--config", str(stack), "--policy-pack", str(TOY_PACK),
                   "--policy-config", str(config))
    assert run.code == 2, run.stdout + run.stderr
    assert run.stderr.startswith(f"policy config {config}: {key} = {shown}: not a JSON number"), run.stderr
    assert "serialize" not in run.stderr
    assert not run.json_path.exists()


# ---- a mistyped stack


def test_a_mistyped_stack_gets_did_you_mean_and_the_stacks_that_exist(tmp_path: Path) -> None:
    run: PlanRun = run_plan(tmp_path, "--no-policy", stack="prodd")
    assert run.code == 2
    assert run.stderr.startswith(f"stack config file not found: {REPO / 'Pulumi.prodd.yaml'}. Did you mean prod? "
                                 "The stacks here: preview, prod."), run.stderr
