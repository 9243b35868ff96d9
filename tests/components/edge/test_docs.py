"""docs/edge.md on what issue 18 settled: `ssl_automatic_mode` needs no manual step (the provider has no validator on
`setting_id`; the API documents PATCH /zones/{zone_id}/settings/ssl_automatic_mode)."""

from __future__ import annotations

import pytest

from components.manual_steps import manual_steps
from tests.support.stacks import ROOT, load_stack

EDGE = ROOT / "docs" / "edge.md"


def test_ssl_automatic_mode_is_documented_as_settled_without_a_manual_step() -> None:
    text = EDGE.read_text()
    assert "the API documents `PATCH /zones/{zone_id}/settings/ssl_automatic_mode`, so no manual step is needed" in text
    assert "take the one manual step" not in text
    assert "acceptance of `ssl_automatic_mode`" not in text


@pytest.mark.parametrize("stack", ["prod", "preview"])
def test_no_manual_step_sets_ssl_automatic_mode(stack: str) -> None:
    assert not [step.id for step in manual_steps(load_stack(stack)) if "ssl_automatic_mode" in step.instruction]
