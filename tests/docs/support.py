"""Running docgen as a user does, on the repository or on a copy of what it writes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from docgen.sources import REPO


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def docgen(*args: str) -> Run:
    proc = subprocess.run([sys.executable, "-m", "docgen", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def copy_outputs(tmp: Path) -> Path:
    """docs/, README.md and schemas/ copied under `tmp` (docgen's --root), so tests never write the repository."""
    shutil.copytree(REPO / "docs", tmp / "docs")
    shutil.copytree(REPO / "schemas", tmp / "schemas")
    shutil.copy(REPO / "README.md", tmp / "README.md")
    return tmp
