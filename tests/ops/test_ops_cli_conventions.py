"""The CLI follows the conventions of pulumi, terraform, checkov and tflint (issue 20, item 5): `-h` and
`--version`; the same short flags across plan, diff and drift; `--json -` writes to stdout; flags without a value
placeholder; help text that is true; progress on a terminal and silence in CI; warnings in the summary line."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ops import __version__
from ops.progress import Progress, watched
from tests.support.cli import REPO, TINY_PROGRAM, write_stack_file

COMMANDS = ("plan", "diff", "drift", "stacks")
#: Each command's own exit-code sentence, which no other command's help may carry.
OWN_EXIT_CODES = {
    "plan": "Exit codes: 0 no mandatory policy violation; 1 a mandatory policy violation; 2 could not run",
    "diff": "Exit codes: 0 nothing needs attention; 1 something needs attention",
    "drift": "Exit codes: 0 no drift; 1 drift found; 2 a check could not run",
    "stacks": "Exit codes: 0 listed; 2 a stack file whose name or environment is bad, or none",
}


def ops(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "COLUMNS": "100", "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "ops", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False, env=environ)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("command", [(), *((c,) for c in COMMANDS)], ids=["top", *COMMANDS])
def test_h_is_help_like_help(command: tuple[str, ...]) -> None:
    short, long = ops(*command, "-h"), ops(*command, "--help")
    assert short.returncode == long.returncode == 0, short.stderr
    assert short.stdout == long.stdout
    assert short.stdout.startswith("Usage: python -m ops")
    assert "-h, --help" in short.stdout
    assert "<bool>" not in short.stdout  # a flag takes no value
    assert not re.search(r"\bdev\b", short.stdout), "help names a stack this project does not have"


def test_usage_lines_name_arguments_plainly() -> None:
    # As click, pulumi and terraform print them; typer's own `{BASE} {HEAD}` reads like a set to choose from.
    first_line = ops("diff", "-h").stdout.splitlines()[0]
    assert first_line == "Usage: python -m ops diff [OPTIONS] BASE HEAD"


def test_version() -> None:
    run = ops("--version")
    assert (run.returncode, run.stdout) == (0, f"ops {__version__}\n")


@pytest.mark.parametrize("command", ["plan", "diff", "drift"])
def test_the_same_short_flags_across_plan_diff_and_drift(command: str) -> None:
    text = ops(command, "-h").stdout
    assert re.search(r"^\s+-j, --json FILE\s", text, re.MULTILINE), text
    assert re.search(r"^\s+-r, --report FILE\s", text, re.MULTILINE), text
    if command != "diff":
        assert re.search(r"^\s+-s, --stack NAME\s", text, re.MULTILINE), text
    assert "- for stdout" in text


def test_the_top_level_help_says_which_commands_need_the_pulumi_cli() -> None:
    text = flat(ops("-h").stdout)
    assert "plan, diff and stacks run offline (no Pulumi CLI, provider plugins or cloud credentials)" in text
    assert "drift runs `pulumi refresh --preview-only` and needs the Pulumi CLI, `pulumi login` and cloud " \
           "credentials" in text
    assert "drift Find changes made outside Pulumi. Needs the Pulumi CLI" in text


@pytest.mark.parametrize("command", COMMANDS)
def test_each_commands_exit_codes_are_its_own(command: str) -> None:
    text = flat(ops(command, "-h").stdout)
    assert OWN_EXIT_CODES[command] in text, text
    for other, sentence in OWN_EXIT_CODES.items():
        if other != command:
            assert sentence not in text, f"{command} -h carries {other}'s exit codes"


def _tiny_stack(tmp_path: Path) -> Path:
    return write_stack_file(tmp_path, "secretsprovider: awskms://alias/x\nencryptedkey: k\nconfig:\n  tiny:mode: ok\n")


def test_json_dash_writes_the_plan_to_stdout_and_the_report_to_stderr(tmp_path: Path) -> None:
    run = ops("plan", "-s", "dev", "--program", str(TINY_PROGRAM), "--config", str(_tiny_stack(tmp_path)),
              "--no-policy", "-j", "-", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["stack"] == "dev"
    assert "Summary: " in run.stderr
    assert not (tmp_path / "-").exists()


def test_report_dash_writes_the_markdown_to_stdout(tmp_path: Path) -> None:
    run = ops("plan", "-s", "dev", "--program", str(TINY_PROGRAM), "--config", str(_tiny_stack(tmp_path)),
              "--no-policy", "-r", "-", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("<!--")
    assert not (tmp_path / "-").exists()


def test_json_and_report_cannot_both_be_stdout(tmp_path: Path) -> None:
    run = ops("plan", "-s", "dev", "--program", str(TINY_PROGRAM), "--config", str(_tiny_stack(tmp_path)),
              "--no-policy", "-j", "-", "-r", "-", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip() == "--json - and --report -: only one of them can go to stdout; name a FILE"


def test_a_file_named_dash_left_by_an_earlier_run_is_not_removed_by_a_failure(tmp_path: Path) -> None:
    (tmp_path / "-").write_text("not mine")
    run = ops("plan", "-s", "nosuch", "--program", str(TINY_PROGRAM), "--no-policy", "-j", "-", cwd=tmp_path)
    assert run.returncode == 2
    assert (tmp_path / "-").read_text() == "not mine"


# ---- progress: on a terminal, never in a pipe or in CI


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_phases_on_a_terminal_and_erases_them() -> None:
    terminal = _Terminal()
    progress = Progress(terminal, enabled=watched(terminal, {"TERM": "xterm"}))
    progress.phase("running the program")
    progress.done()
    assert re.fullmatch(r"\r\x1b\[2Krunning the program \(\d+\.\ds\)\r\x1b\[2K", terminal.getvalue())


@pytest.mark.parametrize("environ", [{"CI": "true"}, {"CI": "1"}, {"TERM": "dumb"}])
def test_progress_is_silent_in_ci_and_on_dumb_terminals(environ: dict[str, str]) -> None:
    assert not watched(_Terminal(), environ)
    assert watched(_Terminal(), {"CI": "false"})
    assert not watched(io.StringIO(), {})  # a pipe or a file


def _stderr_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run with stderr on a pseudo-terminal (stdout a pipe, as `ops plan > plan.txt`); what the terminal got."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(args, cwd=REPO, stdout=subprocess.PIPE, stderr=follower, env=env, timeout=120,
                              check=False)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert proc.returncode == 0
    return shown.decode()


def test_the_plan_shows_its_phases_on_a_terminal_and_nothing_in_a_pipe_or_in_ci(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "ops", "plan", "-s", "dev", "--program", str(TINY_PROGRAM), "--config",
            str(_tiny_stack(tmp_path)), "--no-policy"]
    env = {key: value for key, value in os.environ.items() if key != "CI"} | {"TERM": "xterm", "PYTHONPATH": str(REPO)}
    text = _stderr_on_a_terminal(args, env)
    assert "running the program (" in text, text
    assert text.endswith("\r\x1b[2K"), "the status line was not erased"
    assert _stderr_on_a_terminal(args, {**env, "CI": "true"}) == ""
    piped = subprocess.run(args, cwd=REPO, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert (piped.returncode, piped.stderr) == (0, "")


def test_the_first_install_says_what_it_does_and_how_long() -> None:
    makefile = (REPO / "Makefile").read_text()
    recipe = makefile.split("$(STAMP): requirements.txt", 1)[1].split("\n\n", 1)[0]
    first = [line.strip() for line in recipe.splitlines()[1:3]]
    assert all(line.startswith("@echo ") for line in first), first
    assert "once" in recipe
    assert "minutes" in recipe
