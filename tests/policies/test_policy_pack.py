"""The pack as the CLI runs it: metadata over gRPC, per-stack config files, and the engine's reconciliation."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from tests.policies.fixtures import RDS_INSTANCE, RDS_INSTANCE_PROPS, changed
from tests.policies.harness import (
    CONFIG_DIR,
    LEVEL_NAMES,
    PACK_DIR,
    Pack,
    engine_policy_config,
    load_config,
    to_struct,
    urn_of,
)

STACKS = sorted(p.stem for p in CONFIG_DIR.glob("*.json"))
CONTROL_ID = re.compile(r"FSBP [A-Za-z]+\.\d+|CKV2?_AWS_\d+|AWSGuard [a-z-]+|baseline|AWS RDS")
PROD_ONLY = {
    "aws-rds-instance-multi-az-enabled",
    "aws-rds-instance-deletion-protection-enabled",
    "aws-rds-instance-protected",
    "aws-elasticache-serverless-cache-protected",
}
ADVISORY = {
    "aws-rds-instance-performance-insights-enabled",
    "aws-rds-instance-performance-insights-encrypted-with-customer-managed-key",
    "aws-rds-instance-enhanced-monitoring-enabled",
    "aws-rds-instance-disallow-default-master-username",
    "aws-rds-instance-current-ca-certificate",
    "aws-elasticache-serverless-cache-encrypted-with-customer-managed-key",
}


@pytest.fixture(scope="module")
def served_pack() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """Boot the pack exactly like the CLI's Python analyzer shim: cwd = pack dir, the port on stdout's first line."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PULUMI_CONFIG"}}
    env.update(
        PULUMI_CONFIG=json.dumps({"aws:region": "eu-west-1"}),
        PULUMI_PROJECT="platform",
        PULUMI_STACK="prod",
        PULUMI_DRY_RUN="true",
        PULUMI_ORGANIZATION="organization",
    )
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(PACK_DIR)],
        cwd=PACK_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()
        if not port.isdigit():
            proc.kill()
            pytest.fail(f"pack did not start: {port!r}\n{proc.stderr.read() if proc.stderr else ''}")
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def info(served_pack: analyzer_pb2_grpc.AnalyzerStub) -> analyzer_pb2.AnalyzerInfo:
    return served_pack.GetAnalyzerInfo(empty_pb2.Empty(), timeout=10)


def test_served_pack_identity(info: analyzer_pb2.AnalyzerInfo) -> None:
    assert info.name == "platform-security-baseline"
    assert info.supportsConfig
    assert len(info.policies) >= 25
    names = [p.name for p in info.policies]
    assert len(names) == len(set(names))


def test_every_policy_carries_review_metadata(info: analyzer_pb2.AnalyzerInfo) -> None:
    for p in info.policies:
        assert re.fullmatch(r"aws-[a-z0-9]+(-[a-z0-9]+)+", p.name), p.name
        assert p.description.strip(), p.name
        assert p.severity != analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED, p.name
        assert p.remediation_steps.strip(), p.name
        assert p.tags, p.name
        assert p.framework.name, p.name
        assert p.framework.reference, p.name
        assert p.framework.specification, p.name
        assert CONTROL_ID.search(p.description), f"{p.name}: no control id in description"
        assert any(CONTROL_ID.search(t) for t in p.tags), f"{p.name}: no control id in tags"
        assert p.policy_type in {analyzer_pb2.POLICY_TYPE_RESOURCE, analyzer_pb2.POLICY_TYPE_STACK}, p.name
        assert LEVEL_NAMES[p.enforcementLevel] == ("advisory" if p.name in ADVISORY else "mandatory"), p.name


def test_served_pack_enforces_prod_config(
    served_pack: analyzer_pb2_grpc.AnalyzerStub, info: analyzer_pb2.AnalyzerInfo
) -> None:
    served_pack.ConfigureStack(
        analyzer_pb2.AnalyzerStackConfigureRequest(stack="prod", project="platform", dry_run=True), timeout=10
    )
    served_pack.Configure(engine_policy_config(info, load_config("prod")), timeout=10)
    request = analyzer_pb2.AnalyzeRequest(
        type=RDS_INSTANCE,
        name="db",
        urn=urn_of(RDS_INSTANCE, "db"),
        properties=to_struct(changed(RDS_INSTANCE_PROPS, backupRetentionPeriod=7)),
        options=analyzer_pb2.AnalyzerResourceOptions(protect=True),
    )
    response = served_pack.Analyze(request, timeout=10)
    assert [(d.policyName, d.enforcementLevel) for d in response.diagnostics] == [
        ("aws-rds-instance-backup-retention", analyzer_pb2.MANDATORY)
    ]
    assert "at least 14 days" in response.diagnostics[0].message


# ------------------------------------------------------------------------------------------------ config files
@pytest.fixture(scope="module")
def local_info() -> analyzer_pb2.AnalyzerInfo:
    return Pack().info


@pytest.mark.parametrize("stack", STACKS)
def test_config_file_names_only_existing_policies_and_properties(info: analyzer_pb2.AnalyzerInfo, stack: str) -> None:
    policies = {p.name: p for p in info.policies}  # as served by the booted pack
    for name, entry in load_config(stack).items():
        if name == "all":
            assert entry in LEVEL_NAMES.values()
            continue
        assert name in policies, f"{stack}.json names unknown policy {name}"
        if isinstance(entry, str):
            assert entry in LEVEL_NAMES.values()
            continue
        schema = json_format.MessageToDict(policies[name].configSchema.properties)
        for key, value in entry.items():
            if key == "enforcementLevel":
                assert value in LEVEL_NAMES.values()
            else:
                assert key in schema, f"{stack}.json: {name} has no config property {key}"
                assert isinstance(value, int)
                assert schema[key]["minimum"] <= value <= schema[key]["maximum"]


def test_both_stacks_have_a_config_file() -> None:
    assert STACKS == ["preview", "prod"]


@pytest.mark.parametrize("stack", STACKS)
def test_effective_levels_per_stack(local_info: analyzer_pb2.AnalyzerInfo, stack: str) -> None:
    configured = engine_policy_config(local_info, load_config(stack)).policyConfig
    for p in local_info.policies:
        level = LEVEL_NAMES[configured[p.name].enforcementLevel]
        if p.name in ADVISORY:
            expected = "advisory"  # "all": "mandatory" must not upgrade the expected-but-optional controls
        elif p.name in PROD_ONLY:
            expected = "mandatory" if stack == "prod" else "disabled"
        elif p.name == "aws-rds-instance-final-snapshot-on-delete":
            expected = "mandatory" if stack == "prod" else "advisory"
        else:
            expected = "mandatory"
        assert level == expected, f"{stack}: {p.name}"


@pytest.mark.parametrize(("stack", "retention_days", "snapshots"), [("preview", 7, 1), ("prod", 14, 7)])
def test_thresholds_per_stack(
    local_info: analyzer_pb2.AnalyzerInfo, stack: str, retention_days: int, snapshots: int
) -> None:
    configured = engine_policy_config(local_info, load_config(stack)).policyConfig
    rds = json_format.MessageToDict(configured["aws-rds-instance-backup-retention"].properties)
    cache = json_format.MessageToDict(configured["aws-elasticache-serverless-cache-snapshot-retention"].properties)
    assert rds == {"minimumRetentionDays": retention_days}
    assert cache == {"minimumSnapshotRetention": snapshots}
