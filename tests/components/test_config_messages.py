"""Config error messages speak config, not Python: each names the key to change and shows the value the stack
file gives it (or says it is unset), never a model's repr, and an unknown key always gets its alternatives.
One reproducer per finding of the held-out fuzz of the config (issue 20, item 3), and the missing-environment
trap of a new stack (item 1)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from components.stack import CONCERN_MODELS
from tests.support.configs import MINIMAL, build, one_problem, problems_of, problems_with, repository_wire, with_edge
from tests.support.stacks import ROOT, STACKS


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def _all_models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = list(CONCERN_MODELS.values())
    while todo:
        model = todo.pop()
        if model in found:
            continue
        found.add(model)
        for field in model.model_fields.values():
            todo.extend(_models_in(field.annotation))
    return found


#: `RateLimitTier(`, `ReviewersConfig(`, ...: a model's repr in a message.
MODEL_REPR = re.compile(r"\b(?:" + "|".join(sorted(m.__name__ for m in _all_models())) + r")\(")


def assert_speaks_config(problems: list[str]) -> None:
    for problem in problems:
        assert not MODEL_REPR.search(problem), problem
        assert not re.search(r"allowed keys here are\s*($|\(|;)", problem), problem


# ---- an unknown key inside an optional sub-model or a list item gets its alternatives


def test_an_unknown_key_in_an_optional_sub_model_names_the_keys_allowed_there() -> None:
    problems = problems_with("prod", "backup", {"vault_lock": {"modee": "compliance"}})
    assert problems == ["platform:backup.vault_lock.modee: unknown key; did you mean mode?"]
    (line,) = problems_with("prod", "backup", {"vault_lock": {"zzz": 1}})
    assert line.startswith("platform:backup.vault_lock.zzz: unknown key; allowed keys here are mode, "), line


def test_an_unknown_key_in_a_list_item_names_the_keys_allowed_there() -> None:
    (line,) = problems_of(with_edge("prod", lambda edge: edge["dns_records"][0].update(contnt="x")))
    assert line == "platform:edge.dns_records[0].contnt: unknown key; did you mean content?"
    (line,) = problems_of(with_edge("prod", lambda edge: edge["rate_limits"][0].update(zzz=1)))
    assert line.startswith("platform:edge.rate_limits[0].zzz: unknown key; allowed keys here are name, "), line


# ---- values are shown as config, never as Python objects


def test_three_rate_limit_tiers_on_free_show_the_tiers_as_config() -> None:
    def three(edge: dict[str, Any]) -> None:
        edge["rate_limits"] = [{**edge["rate_limits"][0], "name": name} for name in ("api", "auth", "strict")]

    line = one_problem(problems_of(with_edge("preview", three), "preview"), "rate_limits")
    assert line.startswith("platform:edge.rate_limits = [{"), line
    assert "{name: api, …}" in line  # each tier as the file's mapping, by its name
    assert "3 tiers (api, auth, strict), but the free plan holds at most 1" in line
    assert_speaks_config([line])


def test_the_default_tiers_refused_on_free_are_shown_as_config_and_marked_unset() -> None:
    raw = with_edge("preview", lambda edge: edge.pop("rate_limits"))
    line = one_problem(problems_of(raw, "preview"), "rate_limits")
    assert line.startswith(
        "platform:edge.rate_limits (unset; default [{name: api, …}, {name: auth, …}, … (4 items)]"
    ), line
    assert_speaks_config([line])


def test_null_and_booleans_are_shown_as_yaml_writes_them() -> None:
    (line,) = problems_with("prod", "alerts", {"cache": {"throttled_commands": True}})
    assert line.startswith("platform:alerts.cache.throttled_commands = true: "), line
    line = one_problem(problems_with("prod", "edge", {"zone_id": None, "account_id": None}), "account_id")
    assert line.startswith("platform:edge.account_id = null: "), line


# ---- a cross-field check names the key to set, not the whole object


def test_a_missing_copy_region_names_copy_region() -> None:
    raw = repository_wire("prod")
    raw["aws:region"] = "me-central-1"
    network = json.loads(raw["platform:network"])
    network["availability_zones"] = ["mec1-az1", "mec1-az2", "mec1-az3"]
    raw["platform:network"] = json.dumps(network)
    (line,) = problems_of(raw)
    assert line.startswith("platform:backup.copy_region: required in prod for region me-central-1: "), line


def test_missing_prod_reviewers_name_the_reviewer_keys() -> None:
    raw = repository_wire("prod")
    github = json.loads(raw["platform:github"])
    del github["reviewers"]
    raw["platform:github"] = json.dumps(github)
    (line,) = problems_of(raw)
    assert line.startswith("platform:github.reviewers.teams: prod needs at least one required reviewer: set teams "
                           "or users"), line


@pytest.mark.parametrize(
    ("concern", "values", "start"),
    [
        ("alerts", {"emails": []}, "platform:alerts.emails = []: no destination"),
        ("edge", {"account_id": None}, "platform:edge.account_id = null: set account_id"),
        ("edge", {"hsts": {"preload": True, "max_age": 15_552_000}}, "platform:edge.hsts.max_age = 15552000: preload"),
        ("edge", {"dns_records": [{"name": "@", "type": "CNAME", "content": "o.example.net", "ttl": 300}]},
         "platform:edge.dns_records[0].ttl = 300: a proxied record's ttl must be 1"),
        ("edge", {"dns_records": [{"name": "@", "type": "MX", "content": "mx.example.net", "proxied": False}]},
         "platform:edge.dns_records[0].priority: priority is required for MX records"),
    ],
)
def test_cross_field_checks_name_the_key_to_change(concern: str, values: dict[str, Any], start: str) -> None:
    line = one_problem(problems_with("prod", concern, values), start.split(" ", maxsplit=1)[0])
    assert line.startswith(start), line


# ---- a deliberately absent setting is not an "unknown key"


def test_public_access_to_the_database_is_not_configurable_by_design() -> None:
    (line,) = problems_with("prod", "database", {"publicly_accessible": True})
    assert line.startswith("platform:database.publicly_accessible: not configurable by design: the instance is never "
                           "publicly accessible"), line
    assert "(docs/database.md#not-configurable-by-design)" in line
    (line,) = problems_with("prod", "cache", {"transit_encryption_enabled": False})
    assert line.startswith("platform:cache.transit_encryption_enabled: not configurable by design"), line


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to '-'."""
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#+ (.+)$", markdown, flags=re.MULTILINE)}


@pytest.mark.parametrize("model", sorted(_all_models(), key=lambda m: m.__name__), ids=lambda m: m.__name__)
def test_every_not_configurable_key_cites_a_docs_anchor_that_exists(model: type[BaseModel]) -> None:
    for key, why in getattr(model, "not_configurable", {}).items():
        assert key not in model.model_fields, f"{model.__name__}.{key} is a field"
        (page, anchor), *_ = re.findall(r"\((docs/[\w-]+\.md)#([\w-]+)\)", why) or [(None, None)]
        assert page is not None, f"{model.__name__}.{key}: no docs anchor in {why!r}"
        text = (ROOT / page).read_text()
        assert anchor in _anchors(text), f"{page}#{anchor}"
        assert f"`{key}`" in text, f"{page} does not list {key}"


# ---- every default validates when a stack restates it


def _restated(stack: str, raw: dict[str, Any], concern: str) -> None:
    base = build(raw, stack)
    restated = {**raw, f"platform:{concern}": json.dumps(getattr(base, concern).model_dump(mode="json"))}
    assert getattr(build(restated, stack), concern) == getattr(base, concern)


@pytest.mark.parametrize("concern", sorted(CONCERN_MODELS))
@pytest.mark.parametrize("stack", STACKS)
def test_every_default_validates_when_a_stack_restates_it(stack: str, concern: str) -> None:
    """A stack that writes out what it gets (the defaults, every key) gets the same config: no default fails its
    own validator (`edge.waf.exploit_path_fragments` held 'wp-config', which no path validator took)."""
    _restated(stack, repository_wire(stack), concern)
    _restated(stack, {**MINIMAL, "platform:environment": stack}, concern)


# ---- a stack whose environment cannot be told is told only that


def test_a_stack_without_an_environment_is_told_only_to_set_it() -> None:
    """Its environment's floors are unknown: the preview file copied to `staging` must not be judged by prod's
    (which asks for required reviewers); what is wrong in every environment is still reported."""
    (line,) = problems_of(repository_wire("preview"), "staging")
    assert line.startswith("platform:environment: required, since the stack name staging names no environment")
    raw = {**repository_wire("preview"), "platform:owner": ""}
    problems = problems_of(raw, "staging")
    assert len(problems) == 2, problems
    one_problem(problems, "platform:owner")
    assert build({**repository_wire("preview"), "platform:environment": "preview"}, "staging").environment == "preview"


def test_the_repository_stacks_speak_config_in_every_problem(tmp_path: Path) -> None:
    # Every problem a broken prod file gets, at once.
    raw = {key: "{}" if key.startswith("platform:") and key != "platform:owner" else value
           for key, value in repository_wire("prod").items()}
    assert_speaks_config(problems_of(raw))
