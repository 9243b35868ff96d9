"""Docs cite no stack resource totals ('prod 291 -> 298'): no test keeps such a figure true, and it went stale
once already (docs/cron-jobs.md). `python -m ops plan --stack <stack>` prints the real count."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_TOTALS = re.compile(r"\b(?:prod|preview|staging) \d{2,} ->")


def test_no_doc_cites_a_stacks_resource_total_before_and_after_a_change() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
             for number, line in enumerate(path.read_text().splitlines(), start=1) if _TOTALS.search(line)]
    assert found == []
