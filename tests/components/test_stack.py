"""Stack configuration: environment defaults, floors, and one clean error listing every problem."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from components.concern import ConcernConfig
from components.stack import CONCERN_MODELS, ConfigError, StackConfig, build_stack_config
from tests.support.stacks import STACKS, load_stack, stack_config_map, stack_file

MINIMAL = {
    "aws:region": "eu-west-1", "platform:owner": "team", "platform:cost_center": "cc-1",
    # The AZs and the app subnets have no default: a stack chooses them.
    "platform:network": json.dumps({"availability_zones": ["euw1-az1", "euw1-az2"],
                                    "app_subnet_cidrs": ["10.40.128.0/20", "10.40.144.0/20"]}),
}


def problems_of(raw: dict[str, Any], stack: str = "prod") -> list[str]:
    with pytest.raises(ConfigError) as caught:
        build_stack_config(raw, project="platform", stack=stack)
    return caught.value.problems


@pytest.mark.parametrize("stack", STACKS)
def test_repository_stacks_are_valid(stack: str) -> None:
    config = load_stack(stack)
    assert config.environment == stack
    assert len(config.network.zones) == (3 if stack == "prod" else 2)


def test_environments_differ_as_the_table_says() -> None:
    preview, prod = load_stack("preview"), load_stack("prod")
    assert (preview.database.multi_az, prod.database.multi_az) == (False, True)
    assert (preview.database.deletion_protection, prod.database.deletion_protection) == (False, True)
    assert (preview.database.protect, prod.database.protect) == (False, True)
    assert preview.database.backup_retention_days == 7
    assert prod.database.backup_retention_days >= 14
    assert preview.database.instance_class.startswith("db.t")
    assert not prod.database.instance_class.startswith("db.t")
    assert preview.cache.snapshot_retention_limit == 1
    assert prod.cache.snapshot_retention_limit >= 7


@pytest.mark.parametrize("stack", STACKS)
def test_minimal_config_takes_every_environment_default(stack: str) -> None:
    config = build_stack_config({**MINIMAL, "platform:environment": stack}, project="platform", stack=stack)
    for concern, model_type in CONCERN_MODELS.items():
        model = getattr(config, concern)
        for field, value in model_type.defaults[stack].items():
            assert getattr(model, field) == value, f"{concern}.{field}"


def test_environment_defaults_to_the_stack_name_and_rejects_others() -> None:
    assert build_stack_config(MINIMAL, project="platform", stack="prod").environment == "prod"
    (problem,) = problems_of(MINIMAL, stack="staging")
    assert problem.startswith("platform:environment = 'staging': must be one of preview, prod")


@pytest.mark.parametrize(
    ("concern", "values", "expected"),
    [
        # A typo'd key, top level of a concern and nested.
        ("database", {"backup_retention_dayz": 14}, "platform:database.backup_retention_dayz: unknown key; "
                                                    "allowed keys here are engine_version, instance_class"),
        ("database", {"proxy": {"requiretls": False}}, "platform:database.proxy.requiretls: unknown key"),
        # A wrong type.
        ("network", {"availability_zones": "three"}, "platform:network.availability_zones = 'three': Input should "
                                                     "be a valid list"),
        # Out of range.
        ("cache", {"max_ecpu_per_second": 10}, "platform:cache.max_ecpu_per_second = 10: Input should be "
                                               "greater than or equal to 1000"),
        ("database", {"backup_retention_days": 36}, "platform:database.backup_retention_days = 36: Input should "
                                                    "be less than or equal to 35"),
        # Unknown instance class pattern.
        ("database", {"instance_class": "db.x9.huge"}, "platform:database.instance_class = 'db.x9.huge': must be "
                                                       "an RDS for PostgreSQL instance class"),
        ("database", {"instance_class": "db.m7g.micro"}, "m7g classes start at 'large'"),
        # Below the environment floor.
        ("database", {"backup_retention_days": 13}, "platform:database.backup_retention_days = 13: must be >= 14 "
                                                    "in prod (FSBP RDS.11"),
        ("cache", {"snapshot_retention_limit": 3}, "platform:cache.snapshot_retention_limit = 3: must be >= 7 in "
                                                   "prod"),
        # Provider constraints encoded with their source.
        ("database", {"instance_class": "db.t4g.large"}, "burstable (db.t*) classes are for development and test "
                                                         "only (AWS RDS User Guide"),
        ("database", {"proxy": {"iam_auth": "optional"}}, "IAMAuth ENABLED is valid only for SQL Server proxies"),
        ("database", {"engine_version": "12"}, "supported by both RDS and RDS Proxy: one of 14, 15, 16, 17"),
        ("database", {"performance_insights_retention_days": 30}, "must be 7, 731 or a multiple of 31"),
        ("database", {"master_username": "postgres"}, "(FSBP RDS.25)"),
        ("database", {"extra_parameters": {"rds.force_ssl": "0"}}, "'rds.force_ssl' is set by the component"),
        ("cache", {"engine": "redis", "major_engine_version": "8"}, "'8' is not offered for serverless redis"),
        ("cache", {"app_access_string": "on nopass ~* +@all"}, "must not set passwords or 'nopass'"),
        ("network", {"app_cidrs": ["0.0.0.0/0"]}, "must be a private (RFC 1918) range"),
        ("network", {"existing_vpc_id": "vpc-0123456789abcdef0"}, "existing_vpc_id needs at least two subnets"),
    ],
)
def test_bad_values_are_reported_with_key_path_value_and_what_is_allowed(
    concern: str, values: dict[str, Any], expected: str
) -> None:
    raw = stack_config_map("prod")
    raw[f"platform:{concern}"] = json.dumps({**json.loads(raw[f"platform:{concern}"]), **values})
    problems = problems_of(raw)
    assert any(expected in problem for problem in problems), problems


def test_every_problem_is_listed_in_one_message() -> None:
    raw = {
        **stack_config_map("prod"),
        "platform:databse": "{}",
        "aws:region": "mars-1",
        "platform:cache": json.dumps({"engine": "memcached", "snapshot_retention_limit": 2}),
        "platform:database": json.dumps({"backup_retention_days": 3, "instance_class": "db.t4g.medium"}),
    }
    with pytest.raises(ConfigError) as caught:
        build_stack_config(raw, project="platform", stack="prod")
    message = str(caught.value)
    for fragment in (
        "platform:databse: unknown key",
        "aws:region = 'mars-1'",
        "platform:cache.engine = 'memcached'",
        "platform:cache.snapshot_retention_limit = 2",
        "platform:database.backup_retention_days = 3",
        "platform:database.instance_class = 'db.t4g.medium'",
    ):
        assert fragment in message
    assert message.startswith("invalid configuration for stack 'prod' (6 problems); nothing was created")


def test_object_keys_must_be_objects() -> None:
    problems = problems_of({**MINIMAL, "platform:database": "not json", "platform:cache": "[1, 2]"})
    assert "platform:database = 'not json': must be an object" in problems[0]
    assert "platform:cache = [1, 2]: must be an object" in problems[1]


def test_floors_are_declared_for_every_environment_and_are_met_by_the_defaults() -> None:
    for model in CONCERN_MODELS.values():
        for environment, floors in model.floors.items():
            for field, floor in floors.items():
                assert model.default_for(field, environment) >= floor.minimum
                assert floor.source


def test_config_models_are_frozen_and_forbid_extras() -> None:
    config = load_stack("prod")
    with pytest.raises(Exception, match="frozen"):
        config.database.multi_az = False  # type: ignore[misc]
    for model in CONCERN_MODELS.values():
        assert model.model_config.get("extra") == "forbid"


# ---- hypothesis: whatever arrives in config, the outcome is a StackConfig or a ConfigError, never a traceback

json_scalars = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | st.text(
    max_size=20
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
field_names = st.sampled_from([
    field for model in CONCERN_MODELS.values() for field in model.model_fields
]) | st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12)


@st.composite
def mutated_configs(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    stack = draw(st.sampled_from(STACKS))
    raw = stack_config_map(stack)
    for _ in range(draw(st.integers(1, 4))):
        concern = draw(st.sampled_from(list(CONCERN_MODELS)))
        key = f"platform:{concern}"
        body = json.loads(raw.get(key, "{}"))
        body[draw(field_names)] = draw(json_values)
        raw[key] = json.dumps(body)
    if draw(st.booleans()):
        raw[draw(st.sampled_from(["platform:owner", "platform:cost_center", "aws:region", "platform:environment",
                                  "platform:database", "platform:extra"]))] = draw(json_values.map(json.dumps))
    return stack, raw


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_configs())
def test_any_config_yields_a_stack_config_or_a_clean_error(case: tuple[str, dict[str, Any]]) -> None:
    stack, raw = case
    outcome: StackConfig | ConfigError
    try:
        outcome = build_stack_config(raw, project="platform", stack=stack)
    except ConfigError as error:
        outcome = error
    if isinstance(outcome, ConfigError):
        assert outcome.problems
        for problem in outcome.problems:
            assert problem.startswith(("platform:", "aws:region")), problem
            assert "Traceback" not in problem
    else:
        config = outcome
        # Whatever got through still honours the floors of its environment.
        for concern, model_type in CONCERN_MODELS.items():
            for field, floor in model_type.floors.get(config.environment, {}).items():
                assert getattr(getattr(config, concern), field) >= floor.minimum, f"{concern}.{field}"


def _restated_defaults(model: type[BaseModel], values: dict[str, Any], environment: str, path: str) -> list[str]:
    restated = []
    for field, value in values.items():
        annotation = model.model_fields[field].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(value, dict):
            restated += _restated_defaults(annotation, value, environment, f"{path}.{field}")
        elif isinstance(model, type) and issubclass(model, ConcernConfig) and value == model.default_for(
            field, environment  # type: ignore[arg-type]
        ):
            restated.append(f"{path}.{field} = {value!r}")
    return restated


@pytest.mark.parametrize("stack", STACKS)
def test_stack_files_restate_no_default(stack: str) -> None:
    """A stack file holds only deliberate choices: a restated default would hide a later change of it."""
    data = stack_file(stack)["config"]
    restated = [f"platform:environment = {stack!r}"] if data.get("platform:environment") == stack else []
    for concern, model in CONCERN_MODELS.items():
        restated += _restated_defaults(model, data.get(f"platform:{concern}", {}), stack, f"platform:{concern}")
    assert not restated, f"Pulumi.{stack}.yaml restates defaults: {restated}"
