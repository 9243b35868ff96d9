"""The bootstrap project, planned offline like the main program: the OIDC provider, the two roles trusted
only from this repository, the state bucket's guards and the secrets-provider key; the pack passes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.stack import ConfigError
from components.state_backend.component import state_access_policy, state_bucket_policy
from components.state_backend.config import build_bootstrap_config
from tests.support.cli import PlanRun, run_plan
from tests.support.stacks import ROOT

BOOTSTRAP = ROOT / "bootstrap"
AUD = "token.actions.githubusercontent.com:aud"
SUB = "token.actions.githubusercontent.com:sub"
PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
REPO = "example-org/web-app"


@pytest.fixture(scope="module")
def bootstrap(tmp_path_factory: pytest.TempPathFactory) -> PlanRun:
    return run_plan(tmp_path_factory.mktemp("bootstrap"), "--program", str(BOOTSTRAP), stack="shared")


def _inputs(run: PlanRun, name: str) -> dict[str, Any]:
    return run.resource(name)["inputs"]


def _trust(run: PlanRun, name: str) -> dict[str, Any]:
    (statement,) = json.loads(_inputs(run, name)["assumeRolePolicy"])["Statement"]
    return statement


def test_the_bootstrap_plans_and_passes_the_pack(bootstrap: PlanRun) -> None:
    assert bootstrap.code == 0, bootstrap.stdout + bootstrap.stderr
    assert bootstrap.doc["summary"]["mandatory"] == 0
    assert bootstrap.doc["policy"]["diagnostics"] == []


def test_the_oidc_provider_is_githubs_for_sts_and_kept(bootstrap: PlanRun) -> None:
    provider = bootstrap.resource("state-github-oidc")
    assert provider["inputs"]["url"] == "https://token.actions.githubusercontent.com"
    assert provider["inputs"]["clientIdLists"] == ["sts.amazonaws.com"]
    assert "thumbprintLists" not in provider["inputs"]
    assert provider["protect"] is True


def test_the_deploy_role_trusts_the_two_environments_exactly(bootstrap: PlanRun) -> None:
    assert _trust(bootstrap, "state-deploy") == {
        "Sid": "GitHubActionsOidc", "Effect": "Allow", "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {AUD: "sts.amazonaws.com", SUB: [
            f"repo:{REPO}:environment:preview", f"repo:{REPO}:environment:prod"]}},
    }


def test_the_read_only_role_adds_main_but_not_pull_requests(bootstrap: PlanRun) -> None:
    condition = _trust(bootstrap, "state-readonly")["Condition"]
    assert condition == {"StringEquals": {AUD: "sts.amazonaws.com", SUB: [
        f"repo:{REPO}:environment:preview", f"repo:{REPO}:environment:prod", f"repo:{REPO}:ref:refs/heads/main"]}}


def test_pull_requests_are_trusted_only_when_asked(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.shared.yaml"
    text = (BOOTSTRAP / "Pulumi.shared.yaml").read_text()
    config.write_text(text + "  platform-bootstrap:read_only_pull_requests: true\n")
    run = run_plan(tmp_path, "--program", str(BOOTSTRAP), "--config", str(config), stack="shared")
    assert run.code == 0, run.stdout + run.stderr
    assert f"repo:{REPO}:pull_request" in _trust(run, "state-readonly")["Condition"]["StringEquals"][SUB]
    assert f"repo:{REPO}:pull_request" not in _trust(run, "state-deploy")["Condition"]["StringEquals"][SUB]


def test_the_state_bucket_is_guarded(bootstrap: PlanRun) -> None:
    bucket = bootstrap.resource("state-state")
    assert bucket["inputs"]["bucket"] == "platform-pulumi-state-123456789012-eu-west-1"
    assert bucket["protect"] is True
    assert bucket["retainOnDelete"] is True
    assert _inputs(bootstrap, "state-state-versioning")["versioningConfiguration"] == {"status": "Enabled"}
    (rule,) = _inputs(bootstrap, "state-state-encryption")["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    access = _inputs(bootstrap, "state-state-public-access")
    assert all(access[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                           "restrictPublicBuckets"))
    key = bootstrap.resource("state-key")
    assert key["protect"] is True
    assert key["inputs"]["enableKeyRotation"] is True
    alias = _inputs(bootstrap, "state-key-alias")
    assert alias["name"] == "alias/platform-pulumi-state"
    assert bootstrap.doc["outputs"]["secrets_provider"] == "awskms://alias/platform-pulumi-state?region=eu-west-1"
    assert bootstrap.doc["outputs"]["backend_url"].startswith("s3://platform-pulumi-state-123456789012-eu-west-1")


def test_the_read_only_role_cannot_write_state_and_the_deploy_role_can() -> None:
    # The documents depend on the bucket's and key's ARNs (unknown offline): their builders are checked here.
    bucket, key = "arn:aws:s3:::state", "arn:aws:kms:eu-west-1:123456789012:key/k"

    def actions(document: str) -> set[str]:
        return {a for s in json.loads(document)["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}

    assert {"s3:PutObject", "s3:DeleteObject", "kms:GenerateDataKey"} <= actions(
        state_access_policy(bucket_arn=bucket, key_arn=key, write=True))
    read = actions(state_access_policy(bucket_arn=bucket, key_arn=key, write=False))
    assert {"s3:PutObject", "s3:DeleteObject", "kms:Encrypt", "kms:GenerateDataKey"}.isdisjoint(read)
    assert {"s3:GetObject", "s3:ListBucket", "kms:Decrypt"} <= read


def test_the_bucket_policy_admits_only_the_admin_and_the_roles_over_tls() -> None:
    policy = json.loads(state_bucket_policy(bucket_arn="arn:aws:s3:::state", admin_arn="arn:aws:iam::1:role/Admin",
                                            deploy_arn="arn:aws:iam::1:role/d", read_only_arn="arn:aws:iam::1:role/r"))
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert all(s["Effect"] == "Deny" for s in policy["Statement"])
    assert by_sid["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert by_sid["DenyOldTls"]["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}
    assert by_sid["DenyEveryoneElse"]["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": [
        "arn:aws:iam::1:role/Admin", "arn:aws:iam::1:role/d", "arn:aws:iam::1:role/r"]}}
    assert by_sid["ReadOnlyNeverWrites"]["Principal"] == {"AWS": "arn:aws:iam::1:role/r"}
    assert "s3:PutObject" in by_sid["ReadOnlyNeverWrites"]["Action"]


def test_config_problems_are_listed_by_key() -> None:
    raw = {"platform-bootstrap:repository": "example-org/*", "platform-bootstrap:admin_principal_arn": "root",
           "platform-bootstrap:owner": "t", "platform-bootstrap:cost_center": "c"}
    with pytest.raises(ConfigError) as caught:
        build_bootstrap_config(raw, stack="shared")
    message = str(caught.value)
    assert "platform-bootstrap:repository = 'example-org/*': must be 'owner/name'" in message
    assert "platform-bootstrap:admin_principal_arn = 'root': must be an IAM role or user ARN" in message
