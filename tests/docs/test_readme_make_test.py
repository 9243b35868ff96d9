"""The README says what `make test` needs and how long it takes, so a newcomer on a 2-core machine knows that
seven quiet minutes are normal and that the first run asks for sudo (apt-get: PostgreSQL and pgaudit)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_says_how_long_make_test_takes_and_what_it_needs() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = readme.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"`make test` runs ~[\d,]+ tests .*about \d+ minutes on a 2-core machine", " ".join(
        commands.split()))
    assert "root or sudo for `apt-get`" in commands  # the Makefile's postgres target
    makefile = (ROOT / "Makefile").read_text()
    assert "$$SUDO apt-get install" in makefile
    assert "-n auto" in (ROOT / "pyproject.toml").read_text()
