"""components/config_sources.py against the program: changing each key changes exactly the properties it says."""

from __future__ import annotations

from typing import Any

import pytest

from components.config_sources import CONFIG_SOURCES, PROTECT, sources_for
from components.stack import CONCERN_MODELS
from ops.model import ResourceRecord
from ops.values import to_display
from tests.support.plans import PlanView, plan_stack

KEYS = sorted({s.key for s in CONFIG_SOURCES})


# Values that keep the rest of the preview config valid (max_allocated_storage_gb must stay 10% above).
OTHER_VALUES: dict[str, Any] = {
    "database.allocated_storage_gb": 30,
    "network.cidr_block": "10.42.0.0/16",
    "network.app_subnet_cidrs": ["10.41.160.0/20", "10.41.176.0/20"],
    "edge.domain": "example-preview.org",
}
# Other fields of the same concern that the new value needs to stay valid: the app subnets move into the new VPC
# range; the hosts the stack calls stay in the old zone, declared external to the renamed one (the cross-check of
# components/edge/config.py).
COMPANIONS: dict[str, dict[str, Any]] = {
    "network.cidr_block": {"app_subnet_cidrs": ["10.42.128.0/20", "10.42.144.0/20"]},
    "edge.domain": {"external_hosts": ["app.example-preview.com"]},
}


def _other_value(key: str) -> Any:
    if key in OTHER_VALUES:
        return OTHER_VALUES[key]
    concern, _, field = key.partition(".")
    model = CONCERN_MODELS[concern]
    preview, prod = model.default_for(field, "preview"), model.default_for(field, "prod")
    if preview != prod:
        return prod
    if isinstance(preview, bool):
        return not preview
    if isinstance(preview, int):
        return preview * 2 if field.endswith("_days") else preview + 1
    raise AssertionError(f"{key}: give the test a value to change it to")


def _value(rec: ResourceRecord, prop: str) -> Any:
    if prop == PROTECT:
        return rec.protect
    return to_display(rec.inputs.get(prop))


@pytest.fixture(scope="module")
def preview() -> PlanView:
    return plan_stack("preview")


def test_every_key_is_a_field_of_its_concern_model() -> None:
    for key in KEYS:
        concern, _, field = key.partition(".")
        assert field in CONCERN_MODELS[concern].model_fields, key


@pytest.mark.parametrize("key", KEYS)
def test_changing_the_key_changes_the_properties_it_names(key: str, preview: PlanView) -> None:
    concern, _, field = key.partition(".")
    changed = plan_stack("preview", **{concern: {field: _other_value(key), **COMPANIONS.get(key, {})}})
    before = {r.urn: r for r in preview.custom}
    declared = [s for s in CONFIG_SOURCES if s.key == key]
    for source in declared:
        reached = [r for r in changed.custom if source in sources_for(r.urn, r.type)]
        assert reached, f"{key}: no {source.resource_type} in {source.component}"
        moved = [r for r in reached if r.urn in before and _value(r, source.prop) != _value(before[r.urn], source.prop)]
        assert moved, f"{key} does not change {source.prop} of {source.resource_type} in {source.component}"
