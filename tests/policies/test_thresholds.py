"""One home for every threshold: `configured_minimum` reads a stack's minimum the way the engine configures it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import json_format

from tests.policies.harness import CONFIG_DIR, PACK_DIR, Pack, engine_policy_config, load_config, stack_wide_policies

from baseline.thresholds import THRESHOLDS, configured_minimum, configured_minimums  # isort: skip

EXPECTED = {
    "preview": {
        "aws-rds-instance-configure-backup-retention": 7,
        "aws-elasticache-serverless-cache-configure-snapshot-retention": 1,
        "aws-cloudwatch-log-group-configure-retention": 30,
        "aws-backup-plan-configure-daily-retention": 1,
        "aws-backup-plan-configure-weekly-retention": 1,
        "aws-backup-plan-configure-monthly-retention": 1,
    },
    "prod": {
        "aws-rds-instance-configure-backup-retention": 14,
        "aws-elasticache-serverless-cache-configure-snapshot-retention": 7,
        "aws-cloudwatch-log-group-configure-retention": 365,
        "aws-backup-plan-configure-daily-retention": 7,
        "aws-backup-plan-configure-weekly-retention": 28,
        "aws-backup-plan-configure-monthly-retention": 365,
    },
}


@pytest.mark.parametrize("stack", sorted(EXPECTED))
def test_configured_minimums_per_stack(stack: str) -> None:
    assert configured_minimums(stack) == EXPECTED[stack]


@pytest.mark.parametrize("stack", sorted(EXPECTED))
def test_configured_minimum_is_what_the_engine_configures(stack: str) -> None:
    pack = Pack()
    configured = engine_policy_config(pack.info, load_config(stack)).policyConfig
    for name, threshold in THRESHOLDS.items():
        props = json_format.MessageToDict(configured[name].properties)
        assert props[threshold.key] == configured_minimum(name, stack)


def test_every_threshold_policy_declares_the_threshold_schema() -> None:
    schemas = {
        p.name: json_format.MessageToDict(p.configSchema.properties)
        for p in Pack().info.policies
        if p.HasField("configSchema") and p.configSchema.properties
    }
    # Config that is not a threshold: the unattended environments exempt from reviewers (a list of name patterns).
    other = {"github-repository-environment-require-reviewers"}
    assert set(schemas) - stack_wide_policies() - other == set(THRESHOLDS)
    for name, threshold in THRESHOLDS.items():
        assert schemas[name] == {threshold.key: threshold.schema()}


def test_a_stack_that_sets_no_value_gets_the_default(tmp_path: Path) -> None:
    (tmp_path / "dev.json").write_text(json.dumps({"all": "mandatory"}))
    name = "aws-cloudwatch-log-group-configure-retention"
    assert configured_minimum(name, "dev", config_dir=tmp_path) == THRESHOLDS[name].default == 365


def test_wrong_types_and_names_are_errors(tmp_path: Path) -> None:
    name = "aws-rds-instance-configure-backup-retention"
    (tmp_path / "bad.json").write_text(json.dumps({name: {"minimumRetentionDays": "14"}}))
    with pytest.raises(TypeError, match="must be an integer"):
        configured_minimum(name, "bad", config_dir=tmp_path)
    with pytest.raises(KeyError):
        configured_minimum("aws-rds-instance-disallow-public-access", "prod")
    with pytest.raises(FileNotFoundError):
        configured_minimum(name, "staging")


def test_config_dir_is_the_packs() -> None:
    assert (CONFIG_DIR / "prod.json").is_file()


def test_reading_thresholds_imports_no_pulumi_sdk() -> None:
    """The floors test can read the pack's minimums without paying for the SDK import."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import baseline.thresholds as t; "
        "assert t.configured_minimum('aws-rds-instance-configure-backup-retention', 'prod') == 14; "
        "assert not [m for m in sys.modules if m.startswith('pulumi')], sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code, str(PACK_DIR)], check=True, timeout=60)
