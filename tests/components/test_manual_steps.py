"""The manual steps: one list per stack, computed from the config, that matches the going-live runbook.

docs/going-live.md is the superset across configs: every runbook step is produced by some config (the "full"
config below), in the runbook's order, and each repository stack's steps follow that order. Each conditional step
appears and disappears with its config switch. The planned stack exports exactly the collector's lines.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.alerting.steps import alert_topics
from components.backup.steps import backup_vaults
from components.github.steps import (
    DEPLOY_SECRETS,
    DEPLOY_VARIABLES,
    DRIFT_SECRETS,
    DRIFT_VARIABLES,
    PROD_DEPLOY,
    STACK_VARIABLES,
    stack_secrets,
)
from components.manual_steps import CONCERNS, manual_step_lines, manual_steps
from components.stack import StackConfig, build_stack_config
from components.state_backend.identities import BOOTSTRAP_VARIABLES
from components.steps import PHASES, ManualStep, numbered
from tests.support.plans import PlanView
from tests.support.stacks import PROJECT, ROOT, load_stack, stack_config_map

RUNBOOK = ROOT / "docs" / "going-live.md"
WORKFLOWS = ROOT / ".github" / "workflows"
SLACK = {"slack": {"workspace_id": "T07EA123LEP", "channel_id": "C07EZ1ABC23"}}
# Prod turns on every conditional step but two; with these it produces every step the runbook lists.
FULL: dict[str, Any] = {"alerts": SLACK, "database": {"bootstrap_on_up": False}}
STEP_MARKER = re.compile(r"<!-- step: ([a-z0-9.-]+) -->")
HEADING = re.compile(r"^### (\d+)\. ", re.MULTILINE)


def runbook_ids() -> list[str]:
    return STEP_MARKER.findall(RUNBOOK.read_text())


def ids(steps: list[ManualStep]) -> list[str]:
    """The runbook ids of a stack's steps, in order, a repeated step (one per address and topic) once."""
    out: list[str] = []
    for step in steps:
        if not out or out[-1] != step.id:
            out.append(step.id)
    return out


def is_subsequence(part: list[str], whole: list[str]) -> bool:
    remaining = iter(whole)
    return all(item in remaining for item in part)


def keys(config: StackConfig) -> list[str]:
    return [step.key for step in manual_steps(config)]


# ------------------------------------------------------------------------------------------------ the runbook
def test_the_runbook_is_exactly_the_steps_of_the_full_config_in_order() -> None:
    assert ids(manual_steps(load_stack("prod", **FULL))) == runbook_ids()


@pytest.mark.parametrize("stack", ["prod", "preview"])
def test_each_stacks_steps_follow_the_runbooks_order(stack: str) -> None:
    steps = ids(manual_steps(load_stack(stack)))
    assert len(steps) == len(set(steps)), "a repeated step must be contiguous"
    assert is_subsequence(steps, runbook_ids())


def test_prods_steps_are_the_runbook_less_the_two_it_does_not_configure() -> None:
    assert ids(manual_steps(load_stack("prod"))) == [
        step for step in runbook_ids() if step not in {"alerts.slack-link", "database.bootstrap"}
    ]


def test_the_runbook_is_numbered_in_order_one_step_per_numbered_heading() -> None:
    text = RUNBOOK.read_text()
    sections = HEADING.split(text)[1:]  # number, body, number, body, ...
    numbers = [int(n) for n in sections[::2]]
    assert numbers == list(range(1, len(runbook_ids()) + 1))
    for number, body in zip(numbers, sections[1::2], strict=True):
        (step,) = STEP_MARKER.findall(body)
        assert f"Step id `{step}`" in body, f"step {number}: its id is shown"


def test_the_placeholder_step_holds_the_generated_block_left_for_the_generator() -> None:
    text = RUNBOOK.read_text()
    start = text.index("<!-- step: stack.placeholders -->")
    end = text.index("<!-- step:", start + 1)
    block = re.search(
        r"<!-- generated:placeholders all \(python -m docgen --write\) -->\n(.*?)<!-- /generated:placeholders -->",
        text, re.DOTALL,
    )
    assert block is not None
    assert start < block.start() < end
    assert text.count("<!-- generated:placeholders") == 1


# ------------------------------------------------------------------------------------------------ the switches
@pytest.mark.parametrize(("step", "on", "off"), [
    ("edge.ds-record", {}, {"edge": {"dnssec": False}}),
    ("edge.name-servers", {}, {"edge": {"zone_id": "f" * 32, "account_id": None}}),
    ("edge.subscription", {}, {"edge": {"manage_subscription": False}}),
    ("edge.zone-active", {}, {"edge": {"zone_active": True}}),
    ("alerts.slack-link", {"alerts": SLACK}, {}),
    ("database.bootstrap", {"database": {"bootstrap_on_up": False}}, {}),
])
def test_a_conditional_step_follows_its_switch(step: str, on: dict[str, Any], off: dict[str, Any]) -> None:
    assert step in keys(load_stack("prod", **on))
    assert step not in keys(load_stack("prod", **off))


def test_preview_has_no_ds_purchase_or_vault_lock_steps() -> None:
    assert not {"edge.ds-record", "edge.subscription", "backup.vault-lock"} & set(keys(load_stack("preview")))
    # The lock's step follows the lock (prod always has one: it refuses vault_lock: null).
    assert "backup.vault-lock" in keys(load_stack("preview", backup={"vault_lock": {"mode": "compliance"}}))


def test_one_confirmation_per_address_and_topic() -> None:
    config = load_stack("prod", alerts={"emails": ["oncall@example.com", "db-team@example.org"]})
    confirmations = [step for step in manual_steps(config) if step.id == "alerts.email-confirmation"]
    assert [step.subject for step in confirmations] == [
        "oncall@example.com, platform-prod-alerts", "oncall@example.com, platform-prod-alerts-us-east-1",
        "db-team@example.org, platform-prod-alerts", "db-team@example.org, platform-prod-alerts-us-east-1",
    ]
    assert all(step.phase == "after-first-up" for step in confirmations)


def test_a_us_east_1_stack_confirms_its_one_topic() -> None:
    wire = stack_config_map("preview", network={"availability_zones": ["use1-az1", "use1-az2"]})
    wire["aws:region"] = "us-east-1"
    config = build_stack_config(wire, project=PROJECT, stack="preview")
    assert [step.subject for step in manual_steps(config) if step.id == "alerts.email-confirmation"] == [
        "platform-preview@example.com, platform-preview-alerts"
    ]


def test_slack_only_stack_has_no_confirmations_and_tests_the_channel() -> None:
    steps = manual_steps(load_stack("prod", alerts={**SLACK, "emails": []}))
    assert "alerts.email-confirmation" not in ids(steps)
    (test,) = [step for step in steps if step.id == "alerts.service-paths"]
    assert test.instruction.endswith("done when each of the five messages reached the Slack channel")


def test_the_alert_path_step_goes_through_each_service_not_an_admin_publish() -> None:
    (paths,) = [step for step in manual_steps(load_stack("prod")) if step.id == "alerts.service-paths"]
    for call in ("aws cloudwatch set-alarm-state --region eu-west-1 --alarm-name platform-prod-db-free-storage",
                 "--region us-east-1 --alarm-name platform-prod-app-health",
                 "aws events put-events", "--subscription-name platform-prod-rds-events"):
        assert call in paths.instruction
    assert "aws sns publish" not in paths.instruction.replace("`aws sns publish` succeeds", "")


def test_email_subscriptions_are_confirmed_authenticated() -> None:
    # A link-confirmed subscription can be unsubscribed unsigned by whoever holds its unsubscribe link (SNS API
    # Reference, ConfirmSubscription: AuthenticateOnUnsubscribe).
    confirmations = [s for s in manual_steps(load_stack("prod")) if s.id == "alerts.email-confirmation"]
    assert confirmations
    for step in confirmations:
        assert "--authenticate-on-unsubscribe true" in step.instruction
        assert "ConfirmationWasAuthenticated" in step.instruction


def test_the_vault_lock_step_says_when_it_becomes_irreversible_and_how_to_read_the_date() -> None:
    (lock,) = [s for s in manual_steps(load_stack("prod", backup={"vault_lock": {"changeable_for_days": 7}}))
               if s.id == "backup.vault-lock"]
    assert "irreversible, 7 days after" in lock.title
    assert "aws backup describe-backup-vault --region eu-west-1 --backup-vault-name platform-prod-backup " in (
        lock.instruction)
    assert "--backup-vault-name platform-prod-backup-copy" in lock.instruction
    assert "LockDate" in lock.instruction
    (governance,) = [s for s in manual_steps(load_stack("prod", backup={"vault_lock": {"mode": "governance"}}))
                     if s.id == "backup.vault-lock"]
    assert "governance" in governance.title
    assert "irreversible" not in governance.title


@pytest.mark.parametrize("stack", ["prod", "preview"])
def test_the_checker_step_starts_the_checker_with_a_probe_and_says_when_it_is_done(stack: str) -> None:
    (step,) = [s for s in manual_steps(load_stack(stack)) if s.id == "backup.checker-run"]
    assert step.phase == "after-first-up"
    text = step.instruction
    assert "aws stepfunctions start-execution --region eu-west-1" in text
    assert '"$(pulumi stack output backup_checker_arn)"' in text
    assert "--input '{\"probe\": true}'" in text
    assert "aws stepfunctions describe-execution" in text
    assert "done when the status is SUCCEEDED" in text
    assert f"'[platform-{stack}] backup checker test'" in text
    assert "done when its daily tier shows recoveryPoints 1 or more" in text
    assert f"--backup-vault-name platform-{stack}-backup" in text
    without = next(s for s in manual_steps(load_stack(stack, backup={"restore_testing": None}))
                   if s.id == "backup.checker-run")
    assert "restoreTests" in text
    assert "restoreTests" not in without.instruction


def test_the_purchase_step_says_it_bills_monthly_and_deleting_does_not_cancel() -> None:
    (purchase,) = [s for s in manual_steps(load_stack("prod")) if s.id == "edge.subscription"]
    assert purchase.phase == "before-first-up"
    assert "billed monthly" in purchase.instruction
    assert "does NOT cancel the billing" in purchase.instruction


def test_the_origin_certificate_step_reads_the_secret_outputs() -> None:
    (origin,) = [s for s in manual_steps(load_stack("prod")) if s.id == "edge.origin-certificate"]
    assert "pulumi stack output --show-secrets edge_origin_certificate" in origin.instruction
    assert "pulumi stack output --show-secrets edge_origin_private_key" in origin.instruction
    assert "origin.example.net" in origin.title


def test_prod_without_reviewers_sets_prod_deploy_to_dispatch() -> None:
    def settings(config: StackConfig) -> str:
        return next(s.instruction for s in manual_steps(config) if s.id == "github.actions-settings")

    assert PROD_DEPLOY not in settings(load_stack("prod"))
    team = load_stack("prod", github={"plan": "team", "reviewers": {}})
    assert f"gh variable set {PROD_DEPLOY} --repo example-org/web-app --body dispatch" in settings(team)


# ------------------------------------------------------------------------------------------------ the output
def test_the_planned_stack_exports_the_collectors_lines(prod: PlanView) -> None:
    assert prod.plan.outputs["manual_steps"] == manual_step_lines(load_stack("prod"))


def test_the_output_lines_are_numbered_with_phase_title_and_key(prod: PlanView) -> None:
    lines = prod.plan.outputs["manual_steps"]
    for number, (line, step) in enumerate(zip(lines, manual_steps(load_stack("prod")), strict=True), start=1):
        assert line.startswith(f"{number}. [{step.phase}] {step.title}: ")
        assert line.endswith(f" ({step.key})")


def test_the_steps_name_the_topics_and_vaults_the_stack_creates(prod: PlanView) -> None:
    config = load_stack("prod")
    topics = {r.inputs["name"] for r in prod.of_type("aws:sns/topic:Topic")}
    assert {name for name, _ in alert_topics(config.name_prefix, config.aws_region)} == topics
    vaults = {r.inputs["name"] for r in prod.of_type("aws:backup/vault:Vault")}
    assert {name for name, _ in backup_vaults(config)} == vaults
    assert prod.plan.outputs["backup_vault_name"] == backup_vaults(config)[0][0]


def test_the_stack_writes_the_github_names_the_steps_say_it_writes(prod: PlanView) -> None:
    written = {r.inputs["variableName"] for r in
               prod.of_type("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")}
    assert written == set(STACK_VARIABLES)
    secrets = {r.inputs["secretName"] for r in
               prod.of_type("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret")}
    assert secrets == set(stack_secrets(load_stack("prod")))


def workflow_names(kind: str) -> set[str]:
    names: set[str] = set()
    for path in sorted(WORKFLOWS.glob("*.yml")):
        yaml.safe_load(path.read_text())  # a workflow that does not parse is not read for names
        names |= set(re.findall(rf"\b{kind}\.([A-Z][A-Z0-9_]*)", path.read_text()))
    return names


# What the bootstrap writes into the environments it creates (components/state_backend/identities.py).
BOOTSTRAP_WRITES = {name for names in BOOTSTRAP_VARIABLES.values() for name in names}


def test_every_name_the_workflows_read_is_set_by_a_step_the_bootstrap_or_the_stack() -> None:
    by_hand = {*DEPLOY_VARIABLES, *DRIFT_VARIABLES, PROD_DEPLOY}
    assert workflow_names("vars") <= by_hand | BOOTSTRAP_WRITES | set(STACK_VARIABLES)
    assert by_hand <= workflow_names("vars"), "a step sets a variable no workflow reads"
    assert workflow_names("vars") >= BOOTSTRAP_WRITES, "the bootstrap writes a variable no workflow reads"
    secrets_by_hand = {*DEPLOY_SECRETS, *DRIFT_SECRETS}
    assert workflow_names("secrets") - {"GITHUB_TOKEN"} == secrets_by_hand


def test_the_steps_say_what_the_bootstrap_writes_and_a_person_never_sets_it() -> None:
    assert not BOOTSTRAP_WRITES & ({*DEPLOY_VARIABLES, *DRIFT_VARIABLES} - {"AWS_REGION"})
    (settings,) = [s for s in manual_steps(load_stack("prod")) if s.id == "github.actions-settings"]
    # No repository-wide AWS variable any more: every `gh variable set` names an environment (or is PROD_DEPLOY).
    for command in re.findall(r"`gh (?:variable|secret) set [^`]*`", settings.instruction):
        assert "--env infra-prod" in command or "--env infra-drift-prod" in command or PROD_DEPLOY in command
    for name in BOOTSTRAP_WRITES:
        assert f"gh variable set {name}" not in settings.instruction


def test_the_settings_step_names_every_name_set_by_hand_in_its_environment() -> None:
    (settings,) = [s for s in manual_steps(load_stack("prod")) if s.id == "github.actions-settings"]
    for name in (*DEPLOY_VARIABLES, *DEPLOY_SECRETS, *DRIFT_VARIABLES, *DRIFT_SECRETS, *BOOTSTRAP_WRITES):
        assert name in settings.instruction
    assert "`gh variable set NAME --repo example-org/web-app --env infra-prod --body VALUE`" in settings.instruction
    assert "`gh secret set NAME --repo example-org/web-app --env infra-prod`" in settings.instruction
    assert "in infra-drift-prod: the variables AZURE_READONLY_CLIENT_ID" in settings.instruction
    assert "trusts repo:example-org/web-app:environment:infra-drift-prod" in settings.instruction


@pytest.mark.parametrize("stack", ["prod", "preview"])
def test_the_azure_deploy_identity_trusts_the_deploy_jobs_environment_only(stack: str) -> None:
    (identity,) = [s for s in manual_steps(load_stack(stack)) if s.id == "github.azure-deploy-identity"]
    subject = f"repo:example-org/web-app:environment:infra-{stack}"
    assert f"--subject {subject} " in identity.instruction
    assert identity.instruction.endswith(f"shows the subject {subject}")
    assert f"environment:{stack} " not in identity.instruction  # never the app's environment


def test_the_environments_the_steps_name_are_the_workflows() -> None:
    """The step's environments are the ones deploy.yml and drift.yml declare (infra-<stack>, infra-drift-<stack>)."""
    texts = {path.name: path.read_text() for path in WORKFLOWS.glob("*.yml")}
    assert "environment: infra-${{ matrix.stack }}" in texts["deploy.yml"]
    assert "environment: infra-drift-${{ matrix.stack }}" in texts["drift.yml"]


# ------------------------------------------------------------------------------------------------ the model
def test_steps_are_ordered_by_phase_then_concern() -> None:
    steps = manual_steps(load_stack("prod", **FULL))
    concern_rank = {concern: rank for rank, (concern, _) in enumerate(CONCERNS)}
    order = [(PHASES.index(s.phase), concern_rank[s.id.partition(".")[0]]) for s in steps]
    assert order == sorted(order)


@pytest.mark.parametrize("bad", [
    {"id": "Edge.NameServers"},
    {"id": "name-servers"},
    {"phase": "later"},
    {"title": "two\nlines"},
    {"instruction": " "},
])
def test_a_step_refuses_a_bad_id_phase_or_multi_line_text(bad: dict[str, str]) -> None:
    fields: dict[str, Any] = {"id": "edge.name-servers", "phase": "after-first-up", "title": "t", "instruction": "i"}
    with pytest.raises(ValueError, match="manual step"):
        ManualStep(**{**fields, **bad})


def test_numbered_lines() -> None:
    step = ManualStep(id="edge.name-servers", phase="after-first-up", title="Point", instruction="do it")
    repeated = ManualStep(id="alerts.email-confirmation", phase="after-first-up", title="Confirm",
                          instruction="click", subject="a@example.com, topic")
    assert numbered([step, repeated]) == [
        "1. [after-first-up] Point: do it (edge.name-servers)",
        "2. [after-first-up] Confirm: click (alerts.email-confirmation[a@example.com, topic])",
    ]


def test_the_steps_module_imports_no_sdk() -> None:
    # Steps are computed from config alone: no pulumi, no provider, in any step module.
    for path in [ROOT / "components" / "steps.py", *sorted((ROOT / "components").glob("*/steps.py"))]:
        imports = re.findall(r"^\s*(?:from|import) (\S+)", Path(path).read_text(), re.MULTILINE)
        assert not [name for name in imports if name.startswith("pulumi")], path


def test_connecting_the_app_names_the_job_contract_only_when_jobs_call_it() -> None:
    (with_jobs,) = [s for s in manual_steps(load_stack("prod")) if s.id == "app.connect"]
    assert "job_auth_secret" in with_jobs.instruction
    assert "202" in with_jobs.instruction
    # A stack without a base_url is refused (nothing would write the backups); the steps still read it right.
    config = load_stack("prod")
    config = config.model_copy(update={"jobs": config.jobs.model_copy(update={"base_url": None})})
    (without,) = [s for s in manual_steps(config) if s.id == "app.connect"]
    assert "job_auth_secret" not in without.instruction
    assert "database_app_connect_policy_arn" in without.instruction


@pytest.mark.parametrize(("own_file", "expected"), [(True, "preview-eu.json"), (False, "preview.json")])
def test_the_first_up_names_the_policy_config_deploy_uses_for_that_stack(tmp_path: Path, own_file: bool, expected: str):
    # deploy.yml and `ops plan` use the stack's own policies/config/<stack>.json when it exists (ops/stacks.py);
    # the runbook's first `pulumi up` must evaluate the same file, not the environment's.
    from components.manual_steps import stack_steps

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "preview.json").write_text("{}")
    if own_file:
        (tmp_path / "config" / "preview-eu.json").write_text("{}")
    config = build_stack_config(stack_config_map("preview"), project=PROJECT, stack="preview-eu")
    first_up = next(step for step in stack_steps(config, pack=tmp_path) if step.id == "stack.first-up")
    assert f"--policy-pack-config policies/config/{expected}`" in first_up.instruction
