"""`python -m ops plan` end to end, as a user runs it: both stacks, an insecure program, an unsafe stack config
and a bad one. Each case is one subprocess, through the same engine-faithful path (`--program`, `--config`)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.stacks import ROOT

INSECURE_PROGRAM = ROOT / "tests" / "fixtures" / "insecure_program"


@dataclass
class PlanRun:
    code: int
    stdout: str
    stderr: str
    document: dict[str, Any] | None

    def resources(self, type_: str) -> list[dict[str, Any]]:
        assert self.document is not None
        return [r for r in self.document["resources"] if r["type"] == type_]

    def one(self, type_: str) -> dict[str, Any]:
        (resource,) = self.resources(type_)
        return resource

    def violated(self, level: str = "mandatory") -> set[str]:
        assert self.document is not None
        return {d["policy"] for d in self.document["policy"]["diagnostics"] if d["enforcementLevel"] == level}


def plan(tmp_path: Path, stack: str, *args: str) -> PlanRun:
    out = tmp_path / f"{stack}.json"
    result = subprocess.run(
        [sys.executable, "-m", "ops", "plan", "--stack", stack, "--json", str(out), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    document = json.loads(out.read_text()) if out.exists() else None
    return PlanRun(result.returncode, result.stdout, result.stderr, document)


def stack_file_with(tmp_path: Path, stack: str, **overrides: dict[str, Any]) -> Path:
    data = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    for concern, values in overrides.items():
        data["config"][f"platform:{concern}"] = {**data["config"][f"platform:{concern}"], **values}
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def prod_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanRun:
    return plan(tmp_path_factory.mktemp("prod"), "prod")


def test_prod_plans_clean_with_every_safeguard_visible(prod_plan: PlanRun) -> None:
    assert prod_plan.code == 0, prod_plan.stdout + prod_plan.stderr
    document = prod_plan.document
    assert document is not None
    assert document["summary"]["mandatory"] == 0
    assert document["policy"]["packs"][0]["name"] == "platform-security-baseline"

    instance = prod_plan.one("aws:rds/instance:Instance")
    key = next(r for r in prod_plan.resources("aws:kms/key:Key") if r["name"] == "postgres-key")
    inputs = instance["inputs"]
    assert inputs["storageEncrypted"] is True
    assert inputs["kmsKeyId"] == "[unknown]"
    assert instance["propertyDependencies"]["kmsKeyId"] == [key["urn"]]
    assert inputs["publiclyAccessible"] is False
    assert inputs["multiAz"] is True
    assert inputs["deletionProtection"] is True
    assert instance["protect"] is True
    assert inputs["backupRetentionPeriod"] >= 14
    assert inputs["iamDatabaseAuthenticationEnabled"] is True
    assert inputs["manageMasterUserPassword"] is True
    assert not any("password" in r["inputs"] for r in document["resources"])

    proxy = prod_plan.one("aws:rds/proxy:Proxy")
    assert proxy["inputs"]["requireTls"] is True

    cache = prod_plan.one("aws:elasticache/serverlessCache:ServerlessCache")
    subnets = {r["urn"] for r in prod_plan.resources("aws:ec2/subnet:Subnet") if r["inputs"]["tags"]["tier"] == "data"}
    assert set(cache["propertyDependencies"]["subnetIds"]) == subnets
    assert all(s["inputs"]["mapPublicIpOnLaunch"] is False for s in prod_plan.resources("aws:ec2/subnet:Subnet"))
    assert cache["inputs"]["snapshotRetentionLimit"] >= 7
    assert cache["inputs"]["dailySnapshotTime"]
    assert cache["protect"] is True

    # Secrets are redacted in the JSON: the URL output and the generated passwords never appear.
    assert document["outputs"]["cache_url"] == "[secret]"
    assert "rediss://" not in json.dumps(document) + prod_plan.stdout


def test_prod_report_is_readable(prod_plan: PlanRun) -> None:
    for fragment in ("platform:data:PostgresDatabase", "aws:rds/instance:Instance", "[protect]",
                     "0 mandatory", "cache_url: [secret]"):
        assert fragment in prod_plan.stdout


def test_preview_plans_clean_and_is_cheaper(tmp_path: Path) -> None:
    run = plan(tmp_path, "preview")
    assert run.code == 0, run.stdout + run.stderr
    assert run.document is not None
    assert run.document["summary"]["mandatory"] == 0
    instance = run.one("aws:rds/instance:Instance")
    assert instance["inputs"]["multiAz"] is False
    assert instance["protect"] is False
    assert [r["inputs"]["tags"]["tier"] for r in run.resources("aws:ec2/subnet:Subnet")].count("data") == 2
    assert len(run.resources("aws:ec2/natGateway:NatGateway")) == 1
    # The HA and data-loss controls preview deliberately relaxes are advisory there, never disabled: a reviewer
    # sees each one, and nothing else is advisory.
    assert run.violated("advisory") == {
        "aws-rds-instance-enable-multi-az",
        "aws-rds-instance-enable-deletion-protection",
        "aws-rds-instance-require-protect",
        "aws-rds-instance-disallow-burstable-class",
        "aws-elasticache-serverless-cache-require-protect",
        "aws-kms-key-require-protect",
        "aws-s3-bucket-disallow-force-destroy",
        "aws-s3-bucket-require-protect",
        "azure-storage-account-require-protect",
        "aws-backup-vault-require-protect",
        "aws-backup-vault-require-vault-lock",
        # Not a relaxation: the budget policy cannot decide while an hourly charge has no price (docs/cost.md).
        "stack-require-budget-above-estimate",
    }


def test_insecure_program_is_stopped_by_mandatory_policies(tmp_path: Path) -> None:
    run = plan(tmp_path, "prod", "--program", str(INSECURE_PROGRAM))
    assert run.code == 1, run.stdout + run.stderr
    expected = {
        "aws-rds-instance-disallow-public-access",
        "aws-rds-instance-disallow-unencrypted-storage",
        "aws-rds-instance-configure-customer-managed-key",
        "aws-rds-instance-configure-backup-retention",
        "aws-rds-instance-enable-multi-az",
        "aws-rds-instance-enable-deletion-protection",
        "aws-rds-instance-require-final-snapshot",
        "aws-rds-instance-enable-iam-authentication",
        "aws-rds-instance-disallow-plaintext-master-password",
        "aws-rds-instance-enable-force-ssl",
        "aws-rds-instance-require-protect",
        "aws-rds-proxy-require-tls",
        "aws-rds-proxy-disallow-debug-logging",
        "aws-rds-proxy-disallow-inline-credentials",
        "aws-elasticache-serverless-cache-configure-snapshot-retention",
        "aws-elasticache-serverless-cache-require-user-group",
        "aws-elasticache-serverless-cache-configure-restrictive-security-groups",
        "aws-elasticache-serverless-cache-disallow-public-subnets",
        "aws-kms-key-enable-key-rotation",
        "aws-sns-topic-configure-customer-managed-key",
        "aws-sns-topic-policy-disallow-unconditioned-wildcard-principal",
        "aws-cloudwatch-metric-alarm-require-alarm-actions",
        "aws-cloudwatch-metric-alarm-require-ok-actions",
        "aws-cloudwatch-metric-alarm-configure-treat-missing-data",
        "aws-cloudwatch-metric-alarm-require-data-tier-alarms",
        "aws-cloudwatch-event-rule-require-backup-failure-alerts",
        "cloudflare-zone-configure-ssl-full-strict",
        "cloudflare-zone-configure-min-tls-version",
        "cloudflare-zone-enable-always-use-https",
        "cloudflare-zone-enable-hsts",
        "cloudflare-zone-enable-tls-1-3",
        "cloudflare-zone-require-waf-custom-rules",
        "cloudflare-zone-require-rate-limiting",
        "cloudflare-zone-configure-cache-bypass",
        "cloudflare-zone-disallow-legacy-apis",
        # backup storage (S3, IAM, Azure Storage)
        "aws-s3-bucket-disallow-public-access",
        "aws-s3-bucket-configure-customer-managed-key",
        "aws-s3-bucket-require-secure-transport",
        "aws-s3-bucket-enable-versioning",
        "aws-s3-bucket-configure-lifecycle",
        "aws-s3-bucket-configure-abort-incomplete-multipart-upload",
        "aws-s3-bucket-disallow-acls",
        "aws-s3-bucket-disallow-public-acl",
        "aws-s3-bucket-disallow-force-destroy",
        "aws-s3-bucket-require-protect",
        "aws-s3-bucket-policy-disallow-wildcard-principal",
        "aws-iam-role-configure-oidc-trust-conditions",
        "aws-iam-role-policy-disallow-wildcard-actions-on-all-resources",
        "azure-storage-account-require-https-only",
        "azure-storage-account-configure-minimum-tls",
        "azure-storage-account-disallow-blob-public-access",
        "azure-storage-account-disallow-shared-key-access",
        "azure-storage-account-enable-blob-soft-delete-and-versioning",
        "azure-storage-account-configure-lifecycle-management",
        "azure-storage-account-require-protect",
        "azure-storage-blob-container-disallow-public-access",
        "aws-backup-vault-configure-customer-managed-key",
        "aws-backup-vault-require-protect",
        "aws-backup-plan-configure-daily-retention",
        "aws-backup-selection-require-database-coverage",
        "aws-scheduler-schedule-configure-retry-and-dead-letter-queue",
        "aws-cloudwatch-event-target-configure-retry-and-dead-letter-queue",
        "aws-sqs-queue-enable-encryption",
        # issue 10: Checkov parity and stack-wide controls
        "aws-ec2-security-group-disallow-public-ingress",
        "aws-ec2-security-group-disallow-unrestricted-egress",
        "aws-ec2-security-group-require-description",
        "aws-ec2-subnet-disallow-public-ip-on-launch",
        "aws-iam-policy-disallow-wildcard-actions",
        "aws-iam-role-disallow-broad-assume-role-principals",
        "aws-iam-role-disallow-admin-managed-policies",
        "aws-lambda-function-require-vpc",
        "aws-lambda-function-disallow-deprecated-runtime",
        "aws-kms-key-require-enabled",
        "stack-require-protect-stateful-resources",
        "stack-require-tags",
        "stack-disallow-plaintext-secrets",
        "github-repository-environment-require-reviewers",
        "github-repository-environment-disallow-admin-bypass",
        "github-repository-environment-require-deployment-branch-policy",
        "github-actions-environment-secret-disallow-plaintext-value",
        "github-actions-environment-secret-disallow-long-lived-cloud-keys",
        "aws-iam-access-key-disallow-long-lived-keys",
    }
    assert expected <= run.violated("mandatory")
    for policy in expected:
        assert policy in run.stdout
    # The fixture's secret password is never printed, even though a policy flags it.
    assert "fixture-password-must-never-print" not in run.stdout + run.stderr + json.dumps(run.document)
    # The secrets policy names where a plaintext secret is, never the value.
    secrets = [d["message"] for d in run.document["policy"]["diagnostics"]
               if d["policy"] == "stack-disallow-plaintext-secrets"]
    assert any("`admin_url`" in m for m in secrets)
    assert any("DB_PASSWORD" in m for m in secrets)
    assert not any("plaintext-fixture-value" in m for m in secrets)
    assert "fixture-github-" not in run.stdout + run.stderr + json.dumps(run.document)


def test_unsafe_but_allowed_config_is_caught_by_policy_not_silently_applied(tmp_path: Path) -> None:
    config = stack_file_with(
        tmp_path, "prod",
        database={"multi_az": False, "deletion_protection": False, "protect": False},
        cache={"protect": False},
    )
    run = plan(tmp_path, "prod", "--config", str(config))
    assert run.code == 1
    assert run.violated("mandatory") == {
        "aws-rds-instance-enable-multi-az",
        "aws-rds-instance-enable-deletion-protection",
        "aws-rds-instance-require-protect",
        "aws-elasticache-serverless-cache-require-protect",
        "aws-kms-key-require-protect",
        "stack-require-protect-stateful-resources",
    }


def test_bad_config_exits_2_with_key_paths_and_registers_nothing(tmp_path: Path) -> None:
    config = stack_file_with(tmp_path, "prod", database={"backup_retention_days": 3, "instanse_class": "db.m7g.large"})
    run = plan(tmp_path, "prod", "--config", str(config))
    assert run.code == 2
    output = run.stdout + run.stderr
    assert "platform:database.backup_retention_days = 3: must be >= 14 in prod" in output
    assert "platform:database.instanse_class: unknown key" in output
    assert "Traceback" not in output
    assert run.document is None
    assert "aws:rds/instance:Instance" not in output


def test_the_concerns_are_wired_to_each_other_in_prod() -> None:
    """__main__.py: failures publish to the alert topic, and the jobs' secret header reaches the WAF as a secret."""
    from tests.support.plans import plan_stack
    from tests.support.wire import is_secret

    plan = plan_stack("prod")
    topic = plan.urn("aws:sns/topic:Topic", "alerting-topic")
    targets = plan.of_type("aws:cloudwatch/eventTarget:EventTarget")
    to_topic = [t for t in targets if t.property_dependencies.get("arn") == [topic]]
    assert {t.name.split("-")[0] for t in to_topic} >= {"backup"}  # backup, copy and restore failures
    for alarm in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        assert alarm.property_dependencies.get("alarmActions"), alarm.name
    assert not [t for t in plan.of_type("aws:sns/topic:Topic") if "stub" in t.name]
    custom = next(r for r in plan.of_type("cloudflare:index/ruleset:Ruleset")
                  if r.inputs["phase"] == "http_request_firewall_custom")
    callers = next(r for r in custom.inputs["rules"] if r["ref"] == "allow_machine_callers")
    assert is_secret(callers["expression"])
    secret = plan.urn("random:index/randomPassword:RandomPassword", "jobs-auth")
    assert custom.property_dependencies["rules"] == [secret]


def test_the_stack_outputs_the_workflows_read_reach_the_github_environment() -> None:
    """The off-site copy and the app's workflows read vars.* and secrets: each comes from a stack output."""
    import re

    from tests.support.plans import plan_stack
    from tests.support.wire import is_secret

    plan = plan_stack("prod")
    variables = {v.inputs["variableName"]: v for v in plan.of_type(
        "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")}
    workflow = (ROOT / ".github" / "workflows" / "offsite-copy.yml").read_text()
    for name in set(re.findall(r"vars\.(BACKUP_[A-Z_]+)", workflow)) - {"BACKUP_PREFIXES", "BACKUP_MAX_AGE_HOURS"}:
        assert name in variables, name
        assert variables[name].property_dependencies.get("value"), name  # from an output, never a literal
    # The prefixes come from config, joined as the workflow splits them.
    assert variables["BACKUP_PREFIXES"].inputs["value"] == "daily/,weekly/,monthly/"
    # Each tier's freshness limit comes from the dump jobs' schedules: a day (36 h with the copy's wait and a late
    # start), a week, and the longest month.
    assert variables["BACKUP_MAX_AGE_HOURS"].inputs["value"] == "daily/=36,weekly/=180,monthly/=756"
    secrets = {s.inputs["secretName"]: s for s in plan.of_type(
        "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret")}
    assert {"REDIS_URL", "CRON_AUTH_SECRET"} <= set(secrets)
    assert all(is_secret(s.inputs["value"]) for s in secrets.values())


def test_an_unprotected_prod_zone_is_a_mandatory_violation(tmp_path: Path) -> None:
    """Deleting a Cloudflare zone deletes its DNS: the stateful-resource table holds the zone (issue 18)."""
    config = stack_file_with(tmp_path, "prod", edge={"protect": False})
    run = plan(tmp_path, "prod", "--config", str(config))
    assert run.code == 1, run.stdout + run.stderr
    assert run.violated("mandatory") == {"stack-require-protect-stateful-resources"}
    assert "edge-zone: the Cloudflare zone is not `protect`ed" in run.stdout
