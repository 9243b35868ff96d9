"""The pack refuses a policy config property no policy declares (policies/baseline/config_keys.py): the engine
validates only `{type: object, properties, required}`, so without this a typo'd threshold is silently ignored."""

from __future__ import annotations

import pytest

from tests.policies.harness import Pack, load_config


@pytest.mark.parametrize("stack", ["prod", "preview"])
def test_each_stacks_policy_config_names_only_declared_properties(stack: str) -> None:
    Pack(load_config(stack), stack_wide=True)  # Configure accepts it


def test_a_typo_in_a_threshold_key_fails_configure_naming_the_policy_and_the_key() -> None:
    config = load_config("prod")
    entry = config["aws-rds-instance-configure-backup-retention"]
    entry["minimumRetentionDay"] = entry.pop("minimumRetentionDays")
    with pytest.raises(ValueError, match=r"aws-rds-instance-configure-backup-retention: minimumRetentionDay: "
                                         r"unknown property .*did you mean 'minimumRetentionDays'\?"):
        Pack(config)


def test_a_property_for_a_policy_without_config_is_refused() -> None:
    with pytest.raises(ValueError, match=r"aws-rds-instance-require-protect: minimum: unknown property .* it takes "
                                         "no properties"):
        Pack({"aws-rds-instance-require-protect": {"enforcementLevel": "mandatory", "minimum": 3}})
