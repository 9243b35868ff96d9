"""The CLI's error paths: one line on stderr, exit 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.support import docgen

OPEN = "<!-- generated:{kind} {arg} (python -m docgen --write) -->"


def _root_with(tmp_path: Path, text: str) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (OPEN.format(kind="tables", arg="all") + "\n<!-- /generated:tables -->\n",
         "docs/page.md:1: unknown block kind generated:tables"),
        ("# Page\n\n" + OPEN.format(kind="config", arg="databse") + "\n<!-- /generated:config -->\n",
         "docs/page.md:3: generated:config has no argument 'databse'"),
        ("intro\n" + OPEN.format(kind="policies", arg="nowhere") + "\n<!-- /generated:policies -->\n",
         "docs/page.md:2: generated:policies has no argument 'nowhere'"),
        (OPEN.format(kind="config", arg="cache") + "\nbody without an end\n",
         "docs/page.md:1: generated:config cache is not closed"),
        (OPEN.format(kind="config", arg="cache") + "\n<!-- /generated:policies -->\n",
         "docs/page.md:1: generated:config cache is not closed"),
        ("<!-- /generated:config -->\n", "docs/page.md:1: closing marker without an opening one"),
        ("<!-- generated:config -->\n<!-- /generated:config -->\n",
         "docs/page.md:1: marker needs a kind and an argument"),
    ],
    ids=["unknown-kind", "unknown-concern", "unknown-page", "unclosed", "closed-by-another-kind", "stray-close",
         "no-argument"],
)
@pytest.mark.parametrize("mode", ["--check", "--write"])
def test_errors_exit_2_with_one_line(tmp_path: Path, text: str, expected: str, mode: str) -> None:
    root = _root_with(tmp_path, text)
    run = docgen(mode, "--root", str(root))
    assert run.code == 2
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"docgen: error: {expected}"), line
    assert (root / "docs" / "page.md").read_text() == text  # nothing written
    assert not (root / "schemas").exists()


def test_a_missing_mode_is_a_usage_error() -> None:
    run = docgen()
    assert run.code == 2
    assert "Traceback" not in run.stderr
