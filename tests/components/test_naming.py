"""Physical names: valid for each service, never colliding within a stack, however the stack is named.

The table below says which name each child gets; `test_the_table_is_what_the_components_name` holds it to
the names the components really send (in a plan), and the property tests hold the table to every valid
project and stack name."""

from __future__ import annotations

import re
import string
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.naming import (
    BACKUP_VAULT,
    ELASTICACHE_SERVERLESS_CACHE,
    ELASTICACHE_USER_GROUP_ID,
    ELASTICACHE_USER_ID,
    KMS_ALIAS,
    NAME_PREFIX,
    RDS_INSTANCE,
    RDS_PROXY,
    SNS_TOPIC,
    STATE_MACHINE,
    NameRule,
    is_valid,
    physical_name,
)
from components.stack import StackConfig
from tests.support.plans import PlanView, plan_stack

# (resource type, input) -> (the rule it must follow, the service's namespace in which names must differ)
NamedInput = tuple[str, str]
RULES: dict[NamedInput, tuple[NameRule, str]] = {
    ("aws:rds/instance:Instance", "identifier"): (RDS_INSTANCE, "rds-instance"),
    ("aws:rds/proxy:Proxy", "name"): (RDS_PROXY, "rds-proxy"),
    ("aws:elasticache/serverlessCache:ServerlessCache", "name"): (ELASTICACHE_SERVERLESS_CACHE, "cache"),
    ("aws:elasticache/user:User", "userId"): (ELASTICACHE_USER_ID, "cache-user"),
    ("aws:elasticache/userGroup:UserGroup", "userGroupId"): (ELASTICACHE_USER_GROUP_ID, "cache-user-group"),
    ("aws:kms/alias:Alias", "name"): (KMS_ALIAS, "kms-alias"),
    ("aws:sns/topic:Topic", "name"): (SNS_TOPIC, "sns-topic"),
    ("aws:sfn/stateMachine:StateMachine", "name"): (STATE_MACHINE, "state-machine"),
}


def expected_names(prefix: str, app_user_name: str = "app") -> dict[NamedInput, list[str]]:
    """Every physical name one stack's children set, as the components derive them."""
    identifier = physical_name(prefix, "postgres", RDS_INSTANCE)
    cache = physical_name(prefix, "cache", ELASTICACHE_SERVERLESS_CACHE)
    topics = [physical_name(prefix, "alerts", SNS_TOPIC), physical_name(prefix, "alerts-us-east-1", SNS_TOPIC)]
    return {
        ("aws:rds/instance:Instance", "identifier"): [identifier],
        ("aws:rds/proxy:Proxy", "name"): [physical_name(identifier, "proxy", RDS_PROXY)],
        ("aws:elasticache/serverlessCache:ServerlessCache", "name"): [cache],
        ("aws:elasticache/user:User", "userId"): [
            physical_name(cache, "default", ELASTICACHE_USER_ID),
            physical_name(cache, app_user_name, ELASTICACHE_USER_ID),
        ],
        ("aws:elasticache/userGroup:UserGroup", "userGroupId"): [
            physical_name(cache, "users", ELASTICACHE_USER_GROUP_ID)
        ],
        # The alias carries the name of what its key protects.
        ("aws:kms/alias:Alias", "name"): [
            f"alias/{identifier}", f"alias/{cache}", f"alias/{physical_name(prefix, 'flow-logs', KMS_ALIAS)}",
            *(f"alias/{topic}" for topic in topics),
            f"alias/{physical_name(prefix, 'backups', KMS_ALIAS)}",
            # AWS Backup: the vault keys carry their vault's name; the alert DLQ and cron-job DLQ keys theirs.
            f"alias/{physical_name(prefix, 'backup', BACKUP_VAULT)}",
            f"alias/{physical_name(prefix, 'backup-copy', BACKUP_VAULT)}",
            f"alias/{physical_name(prefix, 'backup-alerts', KMS_ALIAS)}",
            f"alias/{physical_name(prefix, 'jobs', KMS_ALIAS)}",
        ],
        ("aws:sns/topic:Topic", "name"): topics,
        ("aws:sfn/stateMachine:StateMachine", "name"): [physical_name(prefix, "backup-checker", STATE_MACHINE)],
    }


def assert_valid_and_distinct(names: dict[NamedInput, list[str]]) -> None:
    seen: dict[str, set[str]] = {}
    for named_input, values in names.items():
        rule, namespace = RULES[named_input]
        for value in values:
            bare = value.removeprefix("alias/") if rule is KMS_ALIAS else value
            assert is_valid(bare, rule), f"{rule.service}: {value!r}"
            assert not bare.endswith("-"), value
            assert value not in seen.setdefault(namespace, set()), f"{namespace}: {value!r} twice"
            seen[namespace].add(value)


def prefix_of(project: str, stack: str) -> str:
    return StackConfig.model_construct(project=project, stack=stack).name_prefix


def plan_names(plan: PlanView) -> dict[NamedInput, list[str]]:
    return {
        (type_, key): sorted(resource.inputs[key] for resource in plan.of_type(type_))
        for type_, key in RULES
    }


LONG_STACK = "prod-" + "eu-central-customer-acme-blue-green-2026"  # 45 characters: past every 40-char cut


@pytest.fixture(scope="module")
def long_stack_plan() -> PlanView:
    # The environment stated too, though the name implies it: the plan does not depend on deriving it.
    return plan_stack("prod", stack_name=LONG_STACK, environment="prod")


def test_the_table_is_what_the_components_name(prod: PlanView, long_stack_plan: PlanView) -> None:
    for stack, plan in (("prod", prod), (LONG_STACK, long_stack_plan)):
        expected = {key: sorted(values) for key, values in expected_names(prefix_of("platform", stack)).items()}
        assert plan_names(plan) == expected, stack


def test_a_long_stack_name_gives_distinct_valid_names(long_stack_plan: PlanView) -> None:
    # Cut at 40 characters, the default and the app cache users of this stack shared one user id.
    names = plan_names(long_stack_plan)
    assert_valid_and_distinct(names)
    assert len(set(names[("aws:elasticache/user:User", "userId")])) == 2


def test_names_that_fit_stay_readable() -> None:
    assert expected_names(prefix_of("platform", "prod"))[("aws:elasticache/user:User", "userId")] == [
        "platform-prod-cache-default", "platform-prod-cache-app",
    ]
    assert physical_name("platform-prod", "postgres", RDS_INSTANCE) == "platform-prod-postgres"
    long = physical_name("platform-" + "x" * 60, "postgres", RDS_INSTANCE)
    assert long.endswith("-postgres")
    assert len(long) == 63


# Pulumi project and stack names: letters, digits, '-', '_' and '.', up to 100 characters.
# (st.text over an alphabet: from_regex generates the same names several times slower.)
pulumi_names = st.text(string.ascii_letters + string.digits + "_.-", min_size=1, max_size=100) | st.builds(
    # long and name-safe: only a cut could fold two of them into one
    lambda head, rest: head + rest, st.sampled_from(string.ascii_lowercase),
    st.text(string.ascii_lowercase + string.digits + "-", min_size=30, max_size=99),
)
# App user names as the cache model admits them (components/cache/config.py): single hyphens, 1-40.
app_user_names = st.text(string.ascii_lowercase + string.digits + "-", max_size=39).map(
    lambda rest: re.sub("-+", "-", "a" + rest).rstrip("-")
)


@given(project=pulumi_names, stack=pulumi_names, app_user_name=app_user_names)
def test_names_are_valid_and_never_collide_for_any_project_and_stack(
    project: str, stack: str, app_user_name: str
) -> None:
    prefix = prefix_of(project, stack)
    assert is_valid(prefix, NAME_PREFIX), prefix
    assert_valid_and_distinct(expected_names(prefix, app_user_name))


def _variants(stack: str) -> st.SearchStrategy[str]:
    # Stacks that a cut, a lowercasing or a character substitution would fold into one name.
    return st.sampled_from([stack + "x", stack + "-2", stack.swapcase(), stack.replace("-", "_"),
                            stack.replace("_", "."), stack[:-1] or "y"]) | pulumi_names


@given(pair=pulumi_names.flatmap(lambda stack: st.tuples(st.just(stack), _variants(stack))))
def test_distinct_stacks_of_a_project_get_distinct_prefixes(pair: tuple[str, str]) -> None:
    stack, other = pair
    if stack != other:
        assert prefix_of("platform", stack) != prefix_of("platform", other)


RULE_LIST = [RDS_INSTANCE, RDS_PROXY, ELASTICACHE_SERVERLESS_CACHE, ELASTICACHE_USER_ID, KMS_ALIAS, NAME_PREFIX,
             STATE_MACHINE]


@given(prefix=st.text(max_size=300), suffixes=st.lists(st.text(max_size=80), min_size=2, max_size=5, unique=True),
       rule=st.sampled_from(RULE_LIST))
def test_any_prefix_and_suffixes_give_valid_distinct_names(prefix: str, suffixes: list[str], rule: NameRule) -> None:
    # Even inputs no component passes (unicode, empty, huge) give valid names, distinct per suffix.
    derive: Callable[[str], str] = lambda suffix: physical_name(prefix, suffix, rule)  # noqa: E731
    names = [derive(suffix) for suffix in suffixes]
    assert all(is_valid(name, rule) for name in names), names
    assert len(set(names)) == len(names), names
    assert names == [derive(suffix) for suffix in suffixes], "stable"
