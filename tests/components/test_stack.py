"""The stack's config loader: environment from the stack name, keys in the right namespace, one message
listing every problem in short lines, and no input that ends in anything but a StackConfig or a ConfigError.
Each concern's own values are tested beside it (tests/components/<concern>/test_config.py)."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from components.concern import ConcernConfig
from components.stack import CONCERN_MODELS, ConfigError, StackConfig, build_stack_config, environment_of_stack
from tests.components.test_config_messages import assert_speaks_config
from tests.support.configs import MINIMAL, build, one_problem, problems_of, repository_wire
from tests.support.stacks import ROOT, STACKS, load_stack, stack_config_map, stack_file


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


@pytest.mark.parametrize(
    ("stack", "environment"),
    [("prod", "prod"), ("preview", "preview"), ("prod-eu", "prod"), ("eu.prod", "prod"), ("PROD_2", "prod"),
     ("preview-pr-42", "preview")],
)
def test_the_environment_follows_from_the_stack_name(stack: str, environment: str) -> None:
    assert build(MINIMAL, stack).environment == environment
    assert build({**MINIMAL, "platform:environment": environment}, stack).environment == environment


@pytest.mark.parametrize(("stack", "declared"), [("prod", "preview"), ("prod-eu", "preview"), ("preview", "prod")])
def test_a_stack_cannot_declare_another_environment_than_its_name(stack: str, declared: str) -> None:
    # A prod stack that calls itself preview would get burstable classes, no Multi-AZ and a week of backups.
    raw = {**repository_wire("prod"), "platform:environment": declared}
    line = one_problem(problems_of(raw, stack), "platform:environment")
    assert line.startswith(f"platform:environment = {declared}: stack {stack} is a "), line
    assert "remove platform:environment" in line


def test_a_stack_whose_name_names_no_environment_must_declare_one() -> None:
    (line,) = problems_of(MINIMAL, "staging")
    assert line.startswith("platform:environment: required, since the stack name staging names no environment")
    assert build({**MINIMAL, "platform:environment": "preview"}, "staging").environment == "preview"
    (line,) = problems_of({**MINIMAL, "platform:environment": "staging"}, "staging")
    assert line.startswith("platform:environment = staging: must be preview or prod")
    (line,) = problems_of(MINIMAL, "prod-preview")
    assert "names both preview and prod" in line


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("Platform:database", "platform:database"),
        ("PLATFORM:cache", "platform:cache"),
        ("platfrom:owner", "platform:owner"),
        ("aws:database", "platform:database"),
        ("aws:Network", "platform:network"),
        ("aws:cost-center", "platform:cost_center"),
        ("platform:Database", "platform:database"),
        ("platform:cost-center", "platform:cost_center"),
        ("platform:netwrok", "platform:network"),
        ("aws:databse", "platform:database"),
    ],
)
def test_keys_in_the_wrong_namespace_or_case_are_flagged_with_the_key_meant(key: str, meant: str) -> None:
    raw = {**repository_wire("prod"), key: json.dumps({"backup_retention_days": 35})}
    line = one_problem(problems_of(raw), key)
    assert line.startswith(f"{key}: "), line
    assert f"did you mean {meant}?" in line, line


def test_other_namespaces_keys_are_left_alone() -> None:
    raw = {**repository_wire("prod"), "aws:profile": "ops", "aws:defaultTags": "{}", "cloudflare:apiToken": "t"}
    assert build(raw).environment == "prod"


def test_crashing_inputs_become_one_line_each() -> None:
    huge = "9" * 5000  # int() refuses more than 4,300 digits
    raw = {
        **repository_wire("prod"),
        "platform:database": '{"backup_retention_days": ' + huge + ', "proxy": {"max_connections_percent": -'
                             + huge + "}}",
        "platform:cache": "[" * 100_000 + "]" * 100_000,  # json.loads: RecursionError
        "platform:network": json.dumps({"app_cidrs": [[[[[[[[[["10.0.0.0/8"]]]]]]]]]]}),
    }
    problems = problems_of(raw)
    assert one_problem(problems, "backup_retention_days").startswith(
        "platform:database.backup_retention_days = <a 5000-digit integer>: far out of range; a whole number from 1"
    )
    one_problem(problems, "platform:database.proxy.max_connections_percent = <a 5000-digit integer>")
    assert one_problem(problems, "platform:cache").startswith("platform:cache = '[[[[")
    assert one_problem(problems, "platform:network").startswith("platform:network: nests more than 8 levels")


def test_huge_values_and_keys_are_shortened() -> None:
    long_text = "x" * 200_000
    raw = {
        **repository_wire("prod"),
        "platform:" + "k" * 200_000: "1",
        "platform:owner": long_text,
        "platform:database": json.dumps({"instance_class": long_text, long_text: 1,
                                         "extra_parameters": {long_text: "1"}}),
        "platform:cache": json.dumps({"daily_snapshot_time": [long_text] * 3}),
        "aws:" + "d" * 200_000: "1",
    }
    problems = problems_of(raw)
    assert len(problems) == 6, problems  # the long aws: key is nobody's near-miss
    assert all(len(problem) < 300 for problem in problems), [len(p) for p in problems]


def test_secret_values_are_never_echoed() -> None:
    raw = {**repository_wire("prod"), "platform:owner": "hunter2\n", "platform:database": json.dumps(
        {"master_username": "hunter2", "instance_class": "hunter2"})}
    with pytest.raises(ConfigError) as caught:
        build_stack_config(raw, project="platform", stack="prod",
                           secret_keys={"platform:owner", "platform:database"})
    assert "hunter2" not in str(caught.value)
    assert "platform:owner = [secret]" in str(caught.value)


@pytest.mark.parametrize("region", ["eu-west-\u0661", "eu-west-1\n", "EU-WEST-1", "eu-west", None])
def test_the_region_is_a_full_ascii_match(region: str | None) -> None:
    raw = {**repository_wire("prod"), "aws:region": region}
    one_problem(problems_of(raw), "aws:region = " if region is not None else "aws:region: required")


@pytest.mark.parametrize("owner", ["team\n", "t\u0435am", "", " team"])
def test_tag_values_are_full_ascii_matches(owner: str) -> None:
    one_problem(problems_of({**repository_wire("prod"), "platform:owner": owner}), "platform:owner = ")


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
        "platform:databse: unknown key; did you mean platform:database?",
        "aws:region = mars-1",
        "platform:cache.engine = memcached",
        "platform:cache.snapshot_retention_limit = 2",
        "platform:database.backup_retention_days = 3",
        "platform:database.instance_class = db.t4g.medium",
    ):
        assert fragment in message
    assert message.startswith("invalid configuration for stack 'prod' (6 problems); nothing was created")


def test_problems_of_every_stage_come_in_one_message() -> None:
    # Missing scalars, a bad region, unknown and misplaced keys, field errors and cross-field errors together.
    raw = {
        "aws:region": "eu-west-1\n",
        "Platform:cache": "{}",
        "platform:database": json.dumps({"backup_retention_days": 3, "allocated_storage_gb": 500,
                                         "max_allocated_storage_gb": 200}),
    }
    problems = problems_of(raw, "prod")
    for fragment in ("platform:owner: required", "platform:cost_center: required", "aws:region = ", "Platform:cache: ",
                     "backup_retention_days = 3", "max_allocated_storage_gb = 200"):
        one_problem(problems, fragment)


def test_object_keys_must_be_objects() -> None:
    problems = problems_of({**MINIMAL, "platform:database": "not json", "platform:cache": "[1, 2]"})
    assert "platform:database = not json: must be an object" in problems[0]
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


def test_a_missing_owner_does_not_hide_the_programs_problems(tmp_path: Any) -> None:
    """The CLI stops at a declared key without a default before the program runs; Pulumi.yaml gives owner and
    cost_center an empty default so that the program reports them with every other problem."""
    from ops.project import load_project, read_stack_file

    data = stack_file("prod", database={"backup_retention_days": 3})
    del data["config"]["platform:owner"]
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(data))
    wire = read_stack_file(load_project(ROOT), "prod", path).wire
    problems = problems_of(wire)
    one_problem(problems, "platform:owner = ''")
    one_problem(problems, "platform:database.backup_retention_days = 3")


# ---- hypothesis: whatever arrives in config, the outcome is a StackConfig or a ConfigError, never a traceback

# Digits of other scripts: Arabic-Indic, Extended Arabic-Indic, Devanagari, Bengali, fullwidth, mathematical.
OTHER_DIGIT_ZEROS = (0x0660, 0x06F0, 0x0966, 0x09E6, 0xFF10, 0x1D7CE)
VALID_TEXT = (
    "16", "16.4", "db.m7g.large", "db.t4g.medium", "02:30", "03:00-04:00", "sun:03:30-sun:04:30", "app_admin", "app",
    "10.40.0.0/16", "10.40.128.0/20", "sg-0a1b2c3d4e5f60718", "subnet-0123456789abcdef0", "vpc-0123456789abcdef0",
    "eu-west-1", "valkey", "redis", "required", "gp3", "on ~* &* +@all -@dangerous", "web-platform-team",
)


def _other_script_digit(value: str, zero: int) -> str:
    return "".join(chr(zero + int(c)) if c.isascii() and c.isdigit() else c for c in value)


valid_text = st.sampled_from(VALID_TEXT)
tricky_text = st.one_of(
    st.text(max_size=30),
    valid_text,
    valid_text.map(lambda value: value + "\n"),
    st.builds(_other_script_digit, valid_text, st.sampled_from(OTHER_DIGIT_ZEROS)),
    st.text(min_size=1, max_size=8).map(lambda text: text * 200),  # long: every echo must be shortened
)
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-100, 100_000), st.integers(-(10**40), 10**40),
    st.floats(allow_nan=False), tricky_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
# JSON text json.dumps cannot produce: integers past Python's 4,300-digit limit, deep nesting, huge exponents.
raw_fragments = st.one_of(
    st.integers(4301, 6000).map(lambda digits: "9" * digits),
    st.integers(4301, 6000).map(lambda digits: "-" + "1" * digits),
    st.integers(5, 3000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(5, 3000).map(lambda depth: '{"a": ' * depth + "1" + "}" * depth),
    st.just("1e999999"),
)


model_fields = sorted({field for model in CONCERN_MODELS.values() for field in model.model_fields})
proxy_fields = sorted(CONCERN_MODELS["database"].model_fields["proxy"].annotation.model_fields)  # type: ignore[union-attr]


# Values a stack may really set, so that part of the search ends in an accepted StackConfig.
PLAUSIBLE: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "database": {
        "backup_retention_days": st.integers(1, 35),
        "instance_class": st.sampled_from(["db.m7g.large", "db.r7g.xlarge", "db.t4g.medium", "db.m6i.2xlarge"]),
        "monitoring_interval_seconds": st.sampled_from([0, 1, 5, 10, 15, 30, 60]),
        "allocated_storage_gb": st.integers(20, 2000),
        "engine_version": st.sampled_from(["14", "15", "16", "16.4", "17"]),
        "multi_az": st.booleans(),
    },
    "cache": {
        "snapshot_retention_limit": st.integers(1, 35),
        "daily_snapshot_time": st.sampled_from(["00:00", "02:30", "23:59"]),
        "max_ecpu_per_second": st.integers(1000, 100_000),
        "engine": st.sampled_from(["valkey", "redis"]),
    },
    "alerts": {"minimum_severity": st.sampled_from(["warning", "critical"]),
               "emails": st.sampled_from([["a@example.com"], ["a@example.com", "b@example.org"]])},
    "network": {"egress": st.sampled_from(["none", "single_nat", "nat_per_az"]),
                "app_cidrs": st.sampled_from([[], ["10.40.128.0/20"], ["192.168.0.0/24"]])},
    "edge": {"plan": st.sampled_from(["free", "pro", "business", "enterprise"]), "dnssec": st.booleans(),
             "min_tls_version": st.sampled_from(["1.2", "1.3", "1.1"])},
    "backup_storage": {"object_lock_days": st.integers(1, 30),
                       "monthly": st.fixed_dictionaries({"retention_days": st.integers(1, 400)}),
                       "github_repository": st.sampled_from(["acme/app", "acme/*", "a/.."])},
    "backup": {"time_zone": st.sampled_from(["Etc/UTC", "Europe/Berlin", "europe/berlin", "Mars/Olympus"]),
               "start_window_minutes": st.integers(30, 480),
               "copy_region": st.sampled_from(["eu-central-1", "eu-west-1", "mars-1"])},
    "jobs": {"time_zone": st.sampled_from(["Etc/UTC", "America/New_York", "EST5EDT", "posixrules"]),
             "flexible_window_minutes": st.integers(0, 60),
             "base_url": st.sampled_from(["https://app.example.com", "http://app.example.com", "ftp://x"])},
    "github": {"plan": st.sampled_from(["free", "pro", "team", "enterprise"]),
               "visibility": st.sampled_from(["public", "private", "internal"]),
               "deployment_branches": st.sampled_from([["main"], ["main", "release/*"], []])},
    "cost": {"nat_data_processed_gb": st.integers(-1, 10_000), "s3_storage_gb": st.integers(0, 1000)},
    "budget": {"monthly_usd": st.sampled_from([None, 0, 1, 400, 1500, 10_000_001]),
               "actual_thresholds_percent": st.sampled_from([[80, 100], [100], [0], [80, 80], list(range(1, 12))])},
}


def _near_miss(name: str, how: int) -> str:
    if how == 0:
        return name.upper()
    if how == 1:
        return name[:-1]
    if how == 2:
        return name.replace("_", "-")
    return name[1:2] + name[0] + name[2:]


field_names = st.one_of(
    st.sampled_from(model_fields),
    st.builds(_near_miss, st.sampled_from(model_fields), st.integers(0, 3)),
    st.text(max_size=12),
)
top_level_keys = st.one_of(
    st.sampled_from(["platform:owner", "platform:cost_center", "aws:region", "platform:environment",
                     "platform:database", "platform:network", "platform:cache", "platform:extra"]),
    st.builds(lambda ns, key: f"{ns}:{key}",
              st.sampled_from(["Platform", "PLATFORM", "platfrom", "platform", "aws", "cloudflare"]),
              st.sampled_from(["database", "Database", "network", "cache", "owner", "cost-center", "environment",
                               "databse", "region"])),
)
STACK_NAME_CHARACTERS = string.ascii_letters + string.digits + "_.-"
stack_names = st.one_of(
    st.sampled_from(STACKS),
    st.text(STACK_NAME_CHARACTERS, min_size=1, max_size=100),
    st.builds(lambda env, rest: f"{env}-{rest}", st.sampled_from(["prod", "preview", "Prod"]),
              st.text(STACK_NAME_CHARACTERS, min_size=1, max_size=60)),
)


@st.composite
def mutated_configs(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    # Half the time a repository stack as it is named, so that plausible changes can end in a StackConfig.
    stack = draw(st.sampled_from(STACKS)) if draw(st.booleans()) else draw(stack_names)
    raw: dict[str, Any] = repository_wire(stack if stack in STACKS else draw(st.sampled_from(STACKS)))
    bodies = {concern: json.loads(raw.get(f"platform:{concern}", "{}")) for concern in CONCERN_MODELS}
    fragments: dict[str, str] = {}  # placeholder -> raw JSON text, put in after json.dumps
    for index in range(draw(st.integers(1, 4))):
        concern = draw(st.sampled_from(list(CONCERN_MODELS)))
        body = bodies[concern]
        if draw(st.booleans()):
            field = draw(st.sampled_from(sorted(PLAUSIBLE[concern])))
            body[field] = draw(PLAUSIBLE[concern][field])
            continue
        fragment = draw(st.none() | raw_fragments)
        value: Any = draw(json_values)
        if fragment is not None:
            value = f"\x00raw{index}\x00"
            fragments[json.dumps(value)] = fragment
        if draw(st.integers(0, 4)) == 0:
            body["proxy"] = {draw(st.sampled_from(proxy_fields) | field_names): value}
        else:
            body[draw(field_names)] = value
    for concern, body in bodies.items():
        text = json.dumps(body)
        for placeholder, fragment in fragments.items():
            text = text.replace(placeholder, fragment)
        raw[f"platform:{concern}"] = text
    if draw(st.integers(0, 2)) == 0:
        raw[draw(top_level_keys)] = draw(st.one_of(tricky_text, json_values.map(json.dumps), raw_fragments))
    if draw(st.integers(0, 5)) == 0:
        raw["platform:environment"] = draw(st.sampled_from(["prod", "preview", "staging"]) | tricky_text)
    return stack, raw


@settings(max_examples=settings().max_examples * 2)  # the widest search here: twice the profile
@given(mutated_configs())
def test_any_config_yields_a_stack_config_or_a_clean_error(case: tuple[str, dict[str, Any]]) -> None:
    stack, raw = case
    outcome: StackConfig | ConfigError
    try:
        outcome = build_stack_config(raw, project="platform", stack=stack)
    except ConfigError as error:
        outcome = error
    event("refused with a ConfigError" if isinstance(outcome, ConfigError) else "accepted as a StackConfig")
    if isinstance(outcome, ConfigError):
        assert outcome.problems
        for problem in outcome.problems:
            assert len(problem) < 300, problem
            assert "\n" not in problem, problem
            # Every line starts with the key path it is about.
            assert problem.startswith(("platform:", "aws:region")) or any(
                problem.startswith(key[:20]) for key in raw
            ), problem
        # ... and shows config values: no model repr, no "allowed keys here are" with nothing after it.
        assert_speaks_config(outcome.problems)
        return
    config = outcome
    # Whatever got through honours the floors of its environment, which its stack name allows.
    named = environment_of_stack(stack)
    assert config.environment in (named or {raw.get("platform:environment")})
    for concern, model_type in CONCERN_MODELS.items():
        for field, floor in model_type.floors.get(config.environment, {}).items():
            assert getattr(getattr(config, concern), field) >= floor.minimum, f"{concern}.{field}"
    assert config.name_prefix


def test_the_runtime_loader_sees_every_namespace_and_keeps_secrets_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the CLI, the program receives the stack's whole config (every namespace) and its secret keys."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    from components.stack import load_stack_config

    monkeypatch.setattr(pulumi, "get_project", lambda: "platform")
    monkeypatch.setattr(pulumi, "get_stack", lambda: "prod")
    wire = {**repository_wire("prod"), "platform:owner": "hunter2\n", "aws:database": "{}"}
    config_token = runtime_config.CONFIG.set(wire)
    secrets_token = runtime_config._SECRET_KEYS.set({"platform:owner"})
    try:
        with pytest.raises(ConfigError) as caught:
            load_stack_config()
    finally:
        runtime_config.CONFIG.reset(config_token)
        runtime_config._SECRET_KEYS.reset(secrets_token)
    message = str(caught.value)
    assert "hunter2" not in message
    assert "platform:owner = [secret]" in message
    assert "aws:database: " in message


def test_no_egress_and_a_bootstrap_on_up_are_refused_together() -> None:
    """The bootstrap function downloads the RDS CA bundle: without a NAT its invocation, and `pulumi up`, fail."""
    raw = stack_config_map("preview", network={"egress": "none"})
    (line,) = problems_of(raw, "preview")
    assert line.startswith("platform:database.bootstrap_on_up = true: with platform:network.egress = 'none'"), line
    raw = stack_config_map("preview", network={"egress": "none"}, database={"bootstrap_on_up": False})
    assert build(raw, "preview").database.bootstrap_on_up is False
