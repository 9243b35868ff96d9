"""Required tags on every taggable AWS resource, own or inherited from the provider's defaultTags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi_aws
import pytest

from tests.policies.harness import UNKNOWN, Pack, Resource, only

from baseline.stack import tags as tags_module  # isort: skip

POLICY = "stack-require-tags"
TAGS = {"environment": "prod", "owner": "web-platform-team", "cost-center": "cc-1", "managed-by": "pulumi"}
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def _mine(pack: Pack, resources: list[Resource]) -> list[Any]:
    return [d for d in pack.analyze_stack(resources) if d.policy == POLICY]


def _provider(**props: Any) -> Resource:
    return Resource("pulumi:providers:aws", "tagged", props)


def test_data_is_the_installed_sdk() -> None:
    data = tags_module.taggable_data()
    derived = tags_module.derive_from_sdk(Path(pulumi_aws.__file__).parent)
    assert derived == data, "run: cd policies && ../.venv/bin/python -m baseline.stack.tags --write"
    assert LOG_GROUP in data["taggable"]
    assert ROLE_POLICY in data["untaggable"]
    assert not set(data["taggable"]) & set(data["untaggable"])


def test_tagged_resource_passes(stack_pack: Pack) -> None:
    assert _mine(stack_pack, [Resource(LOG_GROUP, "logs", {"tags": dict(TAGS)})]) == []


@pytest.mark.parametrize("missing", sorted(TAGS))
def test_each_missing_tag_violates(stack_pack: Pack, missing: str) -> None:
    tags = {k: v for k, v in TAGS.items() if k != missing}
    only(_mine(stack_pack, [Resource(LOG_GROUP, "logs", {"tags": tags})]), POLICY, f"missing required tag(s) {missing}")


def test_untagged_resource_and_empty_value_violate(stack_pack: Pack) -> None:
    only(_mine(stack_pack, [Resource(LOG_GROUP, "logs", {})]), POLICY, "environment, owner, cost-center, managed-by")
    only(_mine(stack_pack, [Resource(LOG_GROUP, "logs", {"tags": {**TAGS, "owner": ""}})]), POLICY, "owner")


def test_provider_default_tags_count(stack_pack: Pack) -> None:
    provider = _provider(region="eu-west-1", defaultTags={"tags": {"environment": "prod", "owner": "team"}})
    resource = Resource(LOG_GROUP, "logs", {"tags": {"cost-center": "cc-1", "managed-by": "pulumi"}}, provider=provider)
    assert _mine(stack_pack, [provider, resource]) == []
    bare = Resource(LOG_GROUP, "logs", {"tags": {"cost-center": "cc-1"}}, provider=provider)
    only(_mine(stack_pack, [provider, bare]), POLICY, "managed-by")


def test_untaggable_types_and_other_providers_are_skipped(stack_pack: Pack) -> None:
    resources = [Resource(ROLE_POLICY, "inline", {"policy": "{}"}), Resource("random:index/randomId:RandomId", "r", {})]
    assert _mine(stack_pack, resources) == []


def test_unknown_tag_maps_are_judged_at_up_but_unknown_values_count(stack_pack: Pack) -> None:
    assert _mine(stack_pack, [Resource(LOG_GROUP, "logs", {"tags": UNKNOWN})]) == []
    assert _mine(stack_pack, [Resource(LOG_GROUP, "logs", {"tags": {**TAGS, "owner": UNKNOWN}})]) == []


def test_type_missing_from_the_data_cannot_pass_silently(stack_pack: Pack) -> None:
    only(_mine(stack_pack, [Resource("aws:future/thing:Thing", "t", {"tags": dict(TAGS)})]), POLICY, "regenerate")


def test_required_tags_come_from_config() -> None:
    pack = Pack({POLICY: {"enforcementLevel": "mandatory", "requiredTags": ["team"]}}, stack_wide=True)
    assert _mine(pack, [Resource(LOG_GROUP, "logs", {"tags": {"team": "web"}})]) == []
    only(_mine(pack, [Resource(LOG_GROUP, "logs", {"tags": dict(TAGS)})]), POLICY, "team")
