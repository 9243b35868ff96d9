"""The backup storage config: transitions that do not pay, Object Lock that would block lifecycle, and bad
repository names are refused with their key path, value and reason."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.configs import build, one_problem, problems_with, with_values
from tests.support.stacks import load_stack

ROOT = "platform:backup_storage"


def test_defaults_per_environment() -> None:
    prod, preview = load_stack("prod").backup_storage, load_stack("preview").backup_storage
    assert [t.retention_days for t in prod.tiers().values()] == [7, 28, 365]
    assert prod.monthly.s3_storage_class == "GLACIER_IR"
    assert prod.monthly.azure_tier == "Cold"
    assert prod.daily.s3_storage_class is prod.weekly.s3_storage_class is None
    assert (prod.protect, prod.force_destroy, prod.azure_replication) == (True, False, "Standard_GRS")
    assert (preview.protect, preview.force_destroy, preview.azure_replication) == (False, True, "Standard_LRS")
    assert prod.prefixes == ["daily/", "weekly/", "monthly/"]
    # The copy job's own environment, named after the stack (not the environment): a third stack gets its own.
    assert prod.copy_environment("prod") == "backup-copy-prod"
    assert preview.copy_environment("staging") == "backup-copy-staging"
    assert prod.oidc_subject("prod") == "repo:example-org/web-app:environment:backup-copy-prod"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # Glacier IR bills 90 days: a monthly dump kept 60 days would pay for 30 it never uses.
        ({"monthly": {"retention_days": 60}}, f"{ROOT}.monthly = "),
        ({"monthly": {"retention_days": 60}}, "s3_storage_class = GLACIER_IR after 30 days does not pay"),
        # Standard-IA: only after 30 days in Standard, and 30 billed days in IA.
        ({"weekly": {"s3_storage_class": "STANDARD_IA"}}, "after 30 days never happens: dumps expire after 28 days"),
        ({"weekly": {"retention_days": 90, "s3_storage_class": "STANDARD_IA", "s3_transition_days": 7}},
         "moves objects to STANDARD_IA only after 30 days"),
        ({"weekly": {"azure_tier": "Cool"}}, "azure_tier = Cool after 30 days does not pay"),
        ({"monthly": {"retention_days": 100, "s3_storage_class": None}}, "azure_tier = Cold after 30 days"),
        ({"object_lock_days": 8}, f"{ROOT}.object_lock_days = 8: must be at most 7 (the daily tier's retention_days)"),
        ({"force_destroy": True}, f"{ROOT}.force_destroy = true: must be false in prod"),
        ({"azure_replication": "Standard_LRS"}, "must be geo-redundant in prod"),
        ({"noncurrent_version_days": 3},
         f"{ROOT}.noncurrent_version_days = 3: out of range; must be a whole number from 7 to 365"),
        ({"writer_trusted_services": ["ec2.amazonaws.com"]}, f"{ROOT}.writer_trusted_services = "),
        ({"writer_trusted_services": []}, "must be a non-empty list"),
        ({"weekly": {"retention_days": 50, "s3_storage_class": "STANDARD_IA"}},
         "does not pay: the dump would stay 20 days of the 30 STANDARD_IA bills at least"),
        ({"azure_location": "West Europe"}, f"{ROOT}.azure_location = West Europe: must be an Azure region"),
        ({"azure_storage_account_name": "Has-Caps"}, "must be 3-24 lowercase ASCII letters and digits"),
        ({"azure_container_name": "ab"}, f"{ROOT}.azure_container_name = ab: must be 3-63"),
        ({"github_environment": "prod:*"}, f"{ROOT}.github_environment = prod:*: must be"),
        ({"daily": {"retention_days": 0}}, f"{ROOT}.daily.retention_days = 0: out of range"),
        ({"tiers": {}}, f"{ROOT}.tiers: unknown key"),
    ],
)
def test_bad_values_are_refused_with_the_reason(values: dict[str, Any], expected: str) -> None:
    problems = problems_with("prod", "backup_storage", values)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    "repository",
    ["", "owner", "owner/", "/repo", "owner/repo/extra", "own*er/repo", "owner/re*po", "owner/*", "-owner/repo",
     "owner-/repo", "ow--ner/repo", "owner/..", "owner/.", "owner/repo\n", "owner/rep o", "o" * 40 + "/repo",
     "owner/" + "r" * 101, "\u043ewner/repo", "owner/repo:environment:prod"],
)
def test_bad_repository_names(repository: str) -> None:
    line = one_problem(problems_with("prod", "backup_storage", {"github_repository": repository}),
                       f"{ROOT}.github_repository")
    assert "must be 'owner/repo'" in line


@pytest.mark.parametrize("repository", ["acme/app", "Acme-Corp/web.app_2", "a/b", "o" * 39 + "/" + "r" * 100])
def test_good_repository_names(repository: str) -> None:
    raw = with_values("prod", "backup_storage", {"github_repository": repository})
    raw["platform:github"] = with_values("prod", "github", {"repository": repository})["platform:github"]
    config = build(raw).backup_storage
    assert config.oidc_subject("prod") == f"repo:{repository}:environment:backup-copy-prod"


def test_the_copy_runs_in_the_apps_repository() -> None:
    # The workflow lives in the app's repository: a token from any other carries another `sub`.
    line = one_problem(problems_with("prod", "backup_storage", {"github_repository": "example-org/infra"}),
                       f"{ROOT}.github_repository = example-org/infra")
    assert "must be platform:github.repository (example-org/web-app)" in line
    assert "the off-site copy workflow lives in the app's repository" in line


@pytest.mark.parametrize("environment", ["prod", "infra-prod", "infra-drift-prod"])
def test_the_copy_environment_is_its_own(environment: str) -> None:
    # The app's environment and the infrastructure's are other identities' subjects.
    line = one_problem(problems_with("prod", "backup_storage", {"github_environment": environment}),
                       f"{ROOT}.github_environment = {environment}")
    assert "each OIDC subject is trusted by one role" in line


def test_a_named_copy_environment_is_kept() -> None:
    config = build(with_values("prod", "backup_storage", {"github_environment": "offsite-copy"})).backup_storage
    assert config.oidc_subject("prod") == "repo:example-org/web-app:environment:offsite-copy"


def test_the_repository_and_region_are_required() -> None:
    raw = with_values("prod", "backup_storage", {})
    raw["platform:backup_storage"] = "{}"
    from tests.support.configs import problems_of

    problems = problems_of(raw)
    one_problem(problems, f"{ROOT}.github_repository: required")
    one_problem(problems, f"{ROOT}.azure_location: required")


def test_object_lock_is_prod_only_and_fits_the_shortest_tier() -> None:
    line = one_problem(problems_with("preview", "backup_storage", {"object_lock_days": 3}), "object_lock_days")
    assert "Object Lock is for prod only" in line
    # The shortest tier decides, whichever it is.
    problems = problems_with("prod", "backup_storage", {"daily": {"retention_days": 30}, "weekly": {
        "retention_days": 14}, "object_lock_days": 20})
    assert any("must be at most 14 (the weekly tier's retention_days)" in p for p in problems), problems
    config = build(with_values("prod", "backup_storage", {"object_lock_days": 7})).backup_storage
    assert config.object_lock_days == 7


def test_transitions_that_pay_are_accepted() -> None:
    config = build(with_values("prod", "backup_storage", {
        "weekly": {"retention_days": 60, "s3_storage_class": "STANDARD_IA", "azure_tier": "Cool"},
        "monthly": {"retention_days": 120, "s3_transition_days": 30, "azure_tier_days": 30},
    })).backup_storage
    assert config.weekly.s3_storage_class == "STANDARD_IA"
    assert config.monthly.s3_storage_class == "GLACIER_IR"


@pytest.mark.parametrize(("field", "value"), [("protect", 1), ("force_destroy", "false"),
                                              ("noncurrent_version_days", True), ("object_lock_days", 7.0)])
def test_types_are_strict(field: str, value: Any) -> None:
    assert any(f"{ROOT}.{field} = " in p for p in problems_with("prod", "backup_storage", {field: value}))
