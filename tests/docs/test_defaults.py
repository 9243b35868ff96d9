"""The config reference's defaults are what the loader gives: for every key path a repository stack file
leaves unset, docgen's default for that environment equals the validated stack config's value."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic_core import PydanticUndefined

from components.stack import CONCERN_MODELS
from docgen.config_reference import default_value, model_keys, render
from docgen.derived import DERIVED_DEFAULTS
from docgen.markdown import jsonable
from docgen.sources import REPO, stack_config
from tests.support.stacks import load_stack

_MISSING = object()


def _at(value: Any, parts: tuple[str, ...], get: Any) -> Any:
    for part in parts:
        value = get(value, part)
        if value is _MISSING:
            return _MISSING
    return value


@pytest.mark.parametrize("stack", ["preview", "prod"])
def test_every_unset_key_gets_the_documented_default(stack: str) -> None:
    validated = load_stack(stack)
    raw = stack_config(REPO / f"Pulumi.{stack}.yaml")
    compared, derived_seen, wrong = 0, set(), []
    for concern, model in CONCERN_MODELS.items():
        for key in model_keys(model, f"platform:{concern}"):
            if "[]" in key.parts or "<name>" in key.parts or key.expanded:
                continue  # item defaults are per item; a nested model's keys are compared one by one
            written = _at(raw.get(key.config_key, _MISSING), key.parts,
                          lambda v, p: v.get(p, _MISSING) if isinstance(v, dict) else _MISSING)
            if written is not _MISSING:
                continue
            actual = _at(getattr(validated, concern), key.parts,
                         lambda v, p: _MISSING if v is None else getattr(v, p))
            if actual is _MISSING:
                continue  # inside an optional object the stack leaves unset
            if (key.model, key.name, stack) in DERIVED_DEFAULTS:
                derived_seen.add((key.model, key.name, stack))
                continue
            documented = default_value(key, stack)
            assert documented is not PydanticUndefined, f"{key.label}: documented as required, yet unset"
            compared += 1
            if jsonable(documented) != jsonable(actual):
                wrong.append(f"{key.label}: documented {jsonable(documented)!r}, loader gives {jsonable(actual)!r}")
    assert not wrong, "defaults derived elsewhere belong in docgen/derived.py:\n" + "\n".join(wrong)
    assert compared > 140
    assert derived_seen == {k for k in DERIVED_DEFAULTS if k[2] == stack}


def test_derived_defaults_are_shown() -> None:
    assert "aws:region's partner region" in render("backup")
