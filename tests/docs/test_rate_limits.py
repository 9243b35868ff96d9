"""`rate-limits plans|defaults|stacks`: docs/edge.md's rate-limit tables are generated from the functions the rules
are built with, and `--check` names a stale one."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.edge import rules
from components.edge.config import _default_tiers
from components.edge.plans import PLANS
from docgen import rate_limits
from docgen.errors import UnknownArgument
from docgen.markers import blocks
from docgen.sources import REPO
from tests.docs.support import copy_outputs, docgen


def _body(kind: str, arg: str) -> str:
    text = (REPO / "docs" / "edge.md").read_text()
    (block,) = [b for b in blocks(text) if (b.kind, b.arg) == (kind, arg)]
    return block.body(text)


def test_each_table_is_on_the_edge_page_once() -> None:
    text = (REPO / "docs" / "edge.md").read_text()
    assert sorted(b.arg for b in blocks(text) if b.kind == "rate-limits") == sorted(rate_limits.ARGUMENTS)


def test_the_defaults_table_holds_every_tier_on_every_plan_from_the_rules() -> None:
    body = _body("rate-limits", "defaults")
    for tier in _default_tiers():
        (row,) = [line for line in body.splitlines() if line.startswith(f"| `{tier.name}`:")]
        assert tier.protects_against in row
        assert rules.describe_intent(tier) in row
        for plan in PLANS:
            rate = rules.tier_rate(tier, plan)
            assert f"{rate.requests} / {rate.period} s" in rate_limits.rule_cell(tier, plan)
            assert rate_limits.rule_cell(tier, plan).replace("|", "\\|") in row
    assert "| `api`: `/api/` | one client flooding or scraping the API | 100 per 15 min | 100 / 10 s, block 10 s; " \
           "**x90** | 100 / 60 s, block 1 min; **x15** |" in body


def test_the_stacks_table_is_each_stacks_tiers_on_its_plan() -> None:
    body = _body("rate-limits", "stacks")
    assert "| prod | pro | `api`: `/api/` |" in body
    assert "5 per 15 min and 2 per 1 min | 2 / 10 s, block 10 s (every method); **x36** |" in body


def test_a_stale_rate_limit_table_is_named(tmp_path: Path) -> None:
    root = copy_outputs(tmp_path)
    page = root / "docs" / "edge.md"
    text = page.read_text()
    (block,) = [b for b in blocks(text) if (b.kind, b.arg) == ("rate-limits", "defaults")]
    body = block.body(text)
    # What the old linear translation showed for Pro: 7 per 60 s for "100 per 15 min".
    page.write_text(text[: block.start] + body.replace("100 / 60 s", "7 / 60 s", 1) + text[block.end :])
    run = docgen("--check", "--root", str(root))
    assert (run.code, run.stdout) == (1, "stale: docs/edge.md: rate-limits defaults\n")


def test_an_unknown_argument_is_refused() -> None:
    with pytest.raises(UnknownArgument, match="generated:rate-limits has no argument 'tiers'"):
        rate_limits.render("tiers")
