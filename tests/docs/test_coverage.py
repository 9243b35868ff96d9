"""What the docs pages hold: one config reference per concern, and every policy of the pack on a table."""

from __future__ import annotations

from collections import Counter

from components.stack import CONCERN_MODELS
from docgen import config_reference, policy_pages
from docgen.blocks import documents
from docgen.markers import Block, blocks
from docgen.pack import baseline
from docgen.sources import REPO


def _blocks() -> list[tuple[str, Block, str]]:
    found = []
    for path in documents(REPO):
        text = path.read_text()
        found += [(path.stem, block, block.body(text)) for block in blocks(text, path.name)]
    return found


def _policy_names(body: str) -> set[str]:
    return {line.split("`")[1] for line in body.splitlines() if line.startswith("| `")}


def test_every_concern_has_exactly_one_config_block() -> None:
    counts = Counter(block.arg for _, block, _ in _blocks() if block.kind == "config")
    assert counts == Counter(config_reference.arguments()), counts
    assert set(CONCERN_MODELS) <= set(counts)


def test_every_policy_is_on_a_page_or_on_the_full_table() -> None:
    pack = {policy.name for policy in baseline("pack").all_policies()}
    tables = {(stem, block.kind): _policy_names(body) for stem, block, body in _blocks()
              if block.kind in ("policies", "policy-table")}
    full = tables[("policy-pack", "policy-table")]
    on_pages = set().union(*(names for (_, kind), names in tables.items() if kind == "policies"))
    assert full == pack
    assert on_pages <= pack
    assert pack <= full | on_pages


def test_each_page_lists_exactly_its_types_policies() -> None:
    by_type = {module.RESOURCE_TYPE: {p.name for p in module.POLICIES} for module in baseline("pack").MODULES}
    page_blocks = {block.arg: (stem, body) for stem, block, body in _blocks() if block.kind == "policies"}
    assert set(page_blocks) == set(policy_pages.pages())
    for page, (stem, body) in page_blocks.items():
        assert stem == page, f"docs/{stem}.md holds the policies of {page}"
        expected = set().union(*(by_type[t] for t in policy_pages.page_types(page)))
        assert _policy_names(body) == expected, page


def test_stack_wide_policies_are_on_the_full_table_only() -> None:
    stack_wide = {p.name for m in baseline("pack").MODULES if m.RESOURCE_TYPE == "pulumi:pulumi:Stack"
                  for p in m.POLICIES}
    assert stack_wide
    for _, block, body in _blocks():
        if block.kind == "policies":
            assert not stack_wide & _policy_names(body), block.arg
