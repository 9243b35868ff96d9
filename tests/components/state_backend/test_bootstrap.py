"""The bootstrap project, planned offline like the main program: the OIDC provider, a deploy role per hosted
stack and the read-only role, each trusted only by its own GitHub environment (which the bootstrap creates), the
state bucket's guards, the secrets-provider key and the boundary; the pack passes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.stack import ConfigError
from components.state_backend.component import state_access_policy, state_bucket_policy
from components.state_backend.config import build_bootstrap_config
from components.state_backend.identities import DEPLOY_ENVIRONMENT_VARIABLES, DRIFT_ENVIRONMENT_VARIABLES
from tests.components.state_backend.plans import REPO, bootstrap_plan
from tests.support.cli import PlanRun

AUD = "token.actions.githubusercontent.com:aud"
SUB = "token.actions.githubusercontent.com:sub"
PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
BRANCHES = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
ACCOUNTS = ["prod", "preview", "shared"]


@pytest.fixture(scope="module", params=ACCOUNTS)
def plan(request: pytest.FixtureRequest) -> PlanRun:
    return bootstrap_plan(request.param)


@pytest.fixture(scope="module")
def prod() -> PlanRun:
    return bootstrap_plan("prod")


def _inputs(run: PlanRun, name: str) -> dict[str, Any]:
    return run.resource(name)["inputs"]


def _trust(run: PlanRun, name: str) -> dict[str, Any]:
    (statement,) = json.loads(_inputs(run, name)["assumeRolePolicy"])["Statement"]
    return statement


def _subjects(run: PlanRun, name: str) -> list[str]:
    subjects = _trust(run, name)["Condition"]["StringEquals"][SUB]
    return [subjects] if isinstance(subjects, str) else subjects


def _of_type(run: PlanRun, type_: str) -> list[dict[str, Any]]:
    return [r for r in run.doc["resources"] if r["type"] == type_]


def test_each_bootstrap_plans_and_passes_the_pack(plan: PlanRun) -> None:
    assert plan.code == 0, plan.stdout + plan.stderr
    assert plan.doc["summary"]["mandatory"] == 0
    assert plan.doc["policy"]["diagnostics"] == []


def test_the_oidc_provider_is_githubs_for_sts_and_kept(prod: PlanRun) -> None:
    provider = prod.resource("state-github-oidc")
    assert provider["inputs"]["url"] == "https://token.actions.githubusercontent.com"
    assert provider["inputs"]["clientIdLists"] == ["sts.amazonaws.com"]
    assert "thumbprintLists" not in provider["inputs"]
    assert provider["protect"] is True


@pytest.mark.parametrize(("account", "stacks"), [("prod", ["prod"]), ("preview", ["preview"]),
                                                 ("shared", ["preview", "prod"])])
def test_each_deploy_role_trusts_its_own_infra_environment_exactly(account: str, stacks: list[str]) -> None:
    run = bootstrap_plan(account)
    roles = sorted(r["inputs"]["name"] for r in _of_type(run, "aws:iam/role:Role"))
    assert roles == sorted([*(f"platform-infra-deploy-{s}" for s in stacks), "platform-infra-readonly"])
    for stack in stacks:
        assert _trust(run, f"state-deploy-{stack}") == {
            "Sid": "GitHubActionsOidc", "Effect": "Allow", "Principal": {"Federated": PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {AUD: "sts.amazonaws.com", SUB: f"repo:{REPO}:environment:infra-{stack}"}},
        }
    assert _subjects(run, "state-readonly") == [f"repo:{REPO}:environment:infra-drift-{s}" for s in stacks]


def test_no_role_trusts_main_pull_requests_or_the_apps_environments(plan: PlanRun) -> None:
    subjects = [s for r in _of_type(plan, "aws:iam/role:Role") for s in _subjects(plan, r["name"])]
    assert len(subjects) == len(set(subjects)), "a subject is trusted by two roles"
    for subject in subjects:
        assert subject.startswith(f"repo:{REPO}:environment:infra-"), subject
        assert not subject.endswith((":ref:refs/heads/main", ":pull_request", ":environment:prod",
                                     ":environment:preview"))


def test_the_bootstrap_creates_the_infra_environments_main_only(plan: PlanRun) -> None:
    shared = plan is bootstrap_plan("shared")
    environments = {r["inputs"]["environment"]: r["inputs"] for r in _of_type(plan, ENVIRONMENT)}
    stacks = [e.removeprefix("infra-") for e in environments if not e.startswith("infra-drift-")]
    assert set(environments) == {*(f"infra-{s}" for s in stacks), *(f"infra-drift-{s}" for s in stacks)}
    for name, inputs in environments.items():
        assert inputs["repository"] == "web-app"
        assert inputs["canAdminsBypass"] is False
        assert inputs["deploymentBranchPolicy"] == {"protectedBranches": False, "customBranchPolicies": True}
        # Prod deploys wait for a reviewer (not the one who triggered it), and in a shared account every deploy
        # does (each deploy role reaches prod there); drift waits for nobody, nor does preview in its own account.
        prod_deploy = name == "infra-prod" or (shared and not name.startswith("infra-drift-"))
        assert ("reviewers" in inputs) is prod_deploy, name
        assert inputs["preventSelfReview"] is prod_deploy, name
    branches = {(r["inputs"]["environment"], r["inputs"]["branchPattern"]) for r in _of_type(plan, BRANCHES)}
    assert branches == {(name, "main") for name in environments}


def test_the_bootstrap_writes_exactly_the_variables_the_workflows_read(plan: PlanRun) -> None:
    written: dict[str, list[str]] = {}
    for variable in _of_type(plan, VARIABLE):
        written.setdefault(variable["inputs"]["environment"], []).append(variable["inputs"]["variableName"])
    for environment, names in written.items():
        expected = DRIFT_ENVIRONMENT_VARIABLES if environment.startswith("infra-drift-") else (
            DEPLOY_ENVIRONMENT_VARIABLES)
        assert sorted(names) == sorted(expected), environment
    backend = {v["inputs"]["value"] for v in _of_type(plan, VARIABLE) if v["inputs"]["variableName"] ==
               "PULUMI_BACKEND_URL"}
    assert backend == {"s3://platform-pulumi-state-123456789012-eu-west-1?region=eu-west-1"}


def test_prod_reviewers_come_from_config(prod: PlanRun) -> None:
    assert _inputs(prod, "state-github-infra-prod")["reviewers"] == [{"teams": [1234567], "users": []}]


def test_the_boundary_is_the_accounts_one(plan: PlanRun) -> None:
    boundary = _inputs(plan, "state-boundary")
    assert boundary["name"] == "platform-infra-boundary"
    assert json.loads(boundary["policy"])["Statement"]


def test_the_state_bucket_is_guarded(prod: PlanRun) -> None:
    bucket = prod.resource("state-state")
    assert bucket["inputs"]["bucket"] == "platform-pulumi-state-123456789012-eu-west-1"
    assert bucket["protect"] is True
    assert bucket["retainOnDelete"] is True
    assert _inputs(prod, "state-state-versioning")["versioningConfiguration"] == {"status": "Enabled"}
    (rule,) = _inputs(prod, "state-state-encryption")["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    access = _inputs(prod, "state-state-public-access")
    assert all(access[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                           "restrictPublicBuckets"))
    key = prod.resource("state-key")
    assert key["protect"] is True
    assert key["inputs"]["enableKeyRotation"] is True
    alias = _inputs(prod, "state-key-alias")
    assert alias["name"] == "alias/platform-pulumi-state"
    assert prod.doc["outputs"]["secrets_provider"] == "awskms://alias/platform-pulumi-state?region=eu-west-1"
    assert prod.doc["outputs"]["backend_url"].startswith("s3://platform-pulumi-state-123456789012-eu-west-1")


def test_the_bucket_policy_lists_every_role_of_the_account(plan: PlanRun) -> None:
    policy = json.loads(_inputs(plan, "state-state-policy")["policy"])
    admitted = next(s for s in policy["Statement"] if s["Sid"] == "DenyEveryoneElse")
    roles = {f"arn:aws:iam::123456789012:role/{r['inputs']['name']}" for r in _of_type(plan, "aws:iam/role:Role")}
    assert set(admitted["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]) == {
        *roles, "arn:aws:iam::123456789012:role/PlatformAdmin"}


def test_the_read_only_role_cannot_write_state_and_the_deploy_role_can() -> None:
    # The documents depend on the key's ARN (unknown offline): their builders are checked here.
    bucket, key = "arn:aws:s3:::state", "arn:aws:kms:eu-west-1:123456789012:key/k"

    def actions(document: str) -> set[str]:
        return {a for s in json.loads(document)["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}

    assert {"s3:PutObject", "s3:DeleteObject", "kms:GenerateDataKey"} <= actions(
        state_access_policy(bucket_arn=bucket, key_arn=key, write=True))
    read = actions(state_access_policy(bucket_arn=bucket, key_arn=key, write=False))
    assert {"s3:PutObject", "s3:DeleteObject", "kms:Encrypt", "kms:GenerateDataKey"}.isdisjoint(read)
    assert {"s3:GetObject", "s3:ListBucket", "kms:Decrypt"} <= read
    # Allow-only and never IAM: the evaluation tests leave this one document out without changing an outcome.
    for write in (True, False):
        statements = json.loads(state_access_policy(bucket_arn=bucket, key_arn=key, write=write))["Statement"]
        assert all(s["Effect"] == "Allow" and not any(a.startswith(("iam:", "sts:")) for a in s["Action"])
                   for s in statements)


def test_the_bucket_policy_admits_only_the_admin_and_the_roles_over_tls() -> None:
    policy = json.loads(state_bucket_policy(bucket_arn="arn:aws:s3:::state", admin_arn="arn:aws:iam::1:role/Admin",
                                            deploy_arns=["arn:aws:iam::1:role/d"],
                                            read_only_arn="arn:aws:iam::1:role/r"))
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert all(s["Effect"] == "Deny" for s in policy["Statement"])
    assert by_sid["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert by_sid["DenyOldTls"]["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}
    assert by_sid["DenyEveryoneElse"]["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": [
        "arn:aws:iam::1:role/Admin", "arn:aws:iam::1:role/d", "arn:aws:iam::1:role/r"]}}
    assert by_sid["ReadOnlyNeverWrites"]["Principal"] == {"AWS": "arn:aws:iam::1:role/r"}
    assert "s3:PutObject" in by_sid["ReadOnlyNeverWrites"]["Action"]
    assert by_sid["OnlyTheAdministratorDeletesHistory"]["Condition"] == {
        "ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::1:role/Admin"}}


RAW = {"platform-bootstrap:repository": "example-org/web-app",
       "platform-bootstrap:admin_principal_arn": "arn:aws:iam::123456789012:role/PlatformAdmin",
       "platform-bootstrap:owner": "t", "platform-bootstrap:cost_center": "c",
       "platform-bootstrap:stacks": '["prod"]',
       "platform-bootstrap:github": '{"plan": "enterprise", "visibility": "private", "reviewers": {"teams": [1]}}'}


def _problems(**overrides: str) -> str:
    raw = {**RAW, **{f"platform-bootstrap:{k}": v for k, v in overrides.items()}}
    with pytest.raises(ConfigError) as caught:
        build_bootstrap_config(raw, stack="account")
    return str(caught.value)


def test_config_problems_are_listed_by_key() -> None:
    message = _problems(repository="example-org/*", admin_principal_arn="root")
    assert "platform-bootstrap:repository = example-org/*: must be 'owner/name'" in message
    assert "platform-bootstrap:admin_principal_arn = root: must be an IAM role or user ARN" in message


def test_stacks_of_both_environments_need_the_acknowledgement_and_it_says_what_they_expose() -> None:
    message = _problems(stacks='["preview", "prod"]')
    assert "platform-bootstrap:shared_account_acknowledged: stacks preview, prod span environments" in message
    assert "the preview deploy role (PowerUserAccess) could then change prod's resources and data" in message
    assert "decrypt its secrets" in message
    config = build_bootstrap_config({**RAW, "platform-bootstrap:stacks": '["preview", "prod"]',
                                     "platform-bootstrap:shared_account_acknowledged": "true"}, stack="account")
    assert config.environment_of == {"preview": "preview", "prod": "prod"}
    # Two stacks of one environment share an account without it.
    assert build_bootstrap_config({**RAW, "platform-bootstrap:stacks": '["prod", "prod-eu"]'}, stack="a").stacks


def test_read_only_pull_requests_is_refused_with_the_reason() -> None:
    message = _problems(read_only_pull_requests="false")
    assert "platform-bootstrap:read_only_pull_requests: removed: pull requests get the offline plan" in message
    assert "decrypts every state secret" in message


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"stacks": "[]"}, "must name at least one stack"),
    ({"stacks": '["prod/eu"]'}, "is not a stack name"),
    ({"stacks": '["Prod", "prod"]'}, "lists a stack twice"),
    ({"stacks": '["infra-prod"]'}, "the bootstrap's own"),
    ({"stacks": '["staging"]'}, "staging names no environment: add it to environments"),
    ({"github": '{"plan": "enterprise", "visibility": "private"}'},
     "for the prod stacks' infra environments: prod needs at least one required reviewer"),
    ({"github": '{"plan": "free", "visibility": "private"}'}, "has no environments at all"),
])
def test_stack_names_and_the_github_settings_are_validated_like_the_main_stacks(
    overrides: dict[str, str], expected: str,
) -> None:
    assert expected in _problems(**overrides)


def test_a_stack_named_after_no_environment_takes_it_from_environments() -> None:
    config = build_bootstrap_config({**RAW, "platform-bootstrap:stacks": '["staging"]',
                                     "platform-bootstrap:environments": '{"staging": "preview"}'}, stack="a")
    assert config.environment_of == {"staging": "preview"}


def test_a_role_exists_only_once_the_environment_it_trusts_is_protected(plan: PlanRun) -> None:
    """GitHub hands an environment's subject to any workflow that names the environment, creating it unprotected if
    it does not exist: each role waits for its environment and that environment's main-only branch policy."""
    by_urn = {r["urn"]: r for r in plan.doc["resources"]}
    protection: dict[str, set[str]] = {}
    for resource in plan.doc["resources"]:
        if resource["type"] == "github:index/repositoryEnvironment:RepositoryEnvironment":
            protection.setdefault(resource["inputs"]["environment"], set()).add(resource["urn"])
        if resource["type"].endswith(":RepositoryEnvironmentDeploymentPolicy"):
            environment = by_urn[resource["dependencies"][0]]["inputs"]["environment"]
            protection.setdefault(environment, set()).add(resource["urn"])
    checked = 0
    for role in _of_type(plan, "aws:iam/role:Role"):
        for subject in _subjects(plan, role["name"]):
            environment = subject.rsplit(":environment:", 1)[1]
            assert len(protection[environment]) == 2, environment
            assert protection[environment] <= set(role["dependencies"]), f"{role['name']} trusts {environment} early"
            checked += 1
    assert checked >= 2


def test_main_is_reviewed_before_any_role_trusts_a_main_only_environment(plan: PlanRun) -> None:
    """The environments without reviewers (infra-preview, infra-drift-*) are gated by "main only": that holds only
    if nothing reaches main unreviewed (GitHub Docs, "About rulesets": a ruleset on `~DEFAULT_BRANCH`)."""
    (ruleset,) = _of_type(plan, "github:index/repositoryRuleset:RepositoryRuleset")
    inputs = ruleset["inputs"]
    assert inputs["enforcement"] == "active"
    assert inputs["target"] == "branch"
    assert inputs["conditions"]["refName"]["includes"] == ["~DEFAULT_BRANCH"]
    assert not inputs.get("bypassActors")
    rules = inputs["rules"]
    assert rules["deletion"] is True
    assert rules["nonFastForward"] is True
    assert rules["pullRequest"]["requiredApprovingReviewCount"] >= 1
    assert rules["pullRequest"]["dismissStaleReviewsOnPush"] is True
    for role in _of_type(plan, "aws:iam/role:Role"):
        if role["name"].startswith("state-"):
            assert ruleset["urn"] in role["dependencies"], role["name"]
