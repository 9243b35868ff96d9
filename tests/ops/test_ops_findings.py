"""Policy findings named by the config key that fixes them; preview's expected relaxations collapsed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from ops.commands.plan import PlanOptions, run_plan
from ops.findings import findings_of
from ops.model import PlanReport
from ops.reports.plan_json import build_json
from ops.reports.plan_markdown import render_markdown
from ops.reports.plan_text import render_text
from tests.support.stacks import ROOT

PREVIEW_RELAXATIONS = {
    "platform:backup_storage.protect": ["aws-kms-key-require-protect", "aws-s3-bucket-require-protect",
                                        "azure-storage-account-require-protect"],
    "platform:backup.protect": ["aws-backup-vault-require-protect", "aws-kms-key-require-protect"],
    "platform:backup_storage.force_destroy": ["aws-s3-bucket-disallow-force-destroy"],
    "platform:database.protect": ["aws-kms-key-require-protect", "aws-rds-instance-require-protect"],
    "platform:cache.protect": ["aws-elasticache-serverless-cache-require-protect"],
    "platform:database.deletion_protection": ["aws-rds-instance-enable-deletion-protection"],
    "platform:database.instance_class": ["aws-rds-instance-disallow-burstable-class"],
    "platform:database.multi_az": ["aws-rds-instance-enable-multi-az"],
    # A stack policy on a missing resource, mapped by its policy (components/config_sources.py, POLICY_KEYS).
    "platform:backup.vault_lock": ["aws-backup-vault-require-vault-lock"],
}
# Not a relaxation: the budget policy cannot decide while an hourly charge has no price (docs/cost.md). It stays in
# view, in the violations table, never collapsed with the expected ones.
UNDECIDED = "stack-require-budget-above-estimate"


def _plan(tmp: Path, stack: str, change: dict[str, dict[str, object]] | None = None) -> PlanReport:
    config = None
    if change:
        data = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
        for key, values in change.items():
            data["config"][key] = {**data["config"].get(key, {}), **values}
        config = tmp / f"Pulumi.{stack}.yaml"
        config.write_text(yaml.safe_dump(data))
    return run_plan(PlanOptions(stack=stack, config=config))


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> PlanReport:
    return _plan(tmp_path_factory.mktemp("preview"), "preview")


def test_every_preview_advisory_is_an_expected_relaxation_named_by_its_key(preview: PlanReport) -> None:
    findings = findings_of(preview)
    assert [d.policy for d in findings.unmapped] == [UNDECIDED]
    assert {f.key: f.policies for f in findings.expected} == PREVIEW_RELAXATIONS
    assert findings.expected_count() == preview.advisory - 1 == 15


def test_preview_text_collapses_the_relaxations_to_one_line_per_key(preview: PlanReport) -> None:
    text = render_text(preview)
    section = text[text.index("Policy diagnostics:"):]
    assert ("  expected for a preview stack (15 advisory, from 9 config keys at their preview defaults; prod's "
            "defaults differ):") in section
    assert ("    platform:database.protect: false (prod: true): aws-kms-key-require-protect, "
            "aws-rds-instance-require-protect") in section
    # No expected diagnostic listed one by one; the budget's cannot-decide note is, being no relaxation.
    assert [line.split()[1] for line in section.splitlines() if "[advisory]" in line] == [UNDECIDED]


def test_preview_report_keeps_them_out_of_the_violations_table(preview: PlanReport) -> None:
    markdown = render_markdown(preview)
    violations = markdown[markdown.index("#### Policy violations"):markdown.index("<details><summary>Expected")]
    (row,) = [row for row in violations.splitlines() if row.startswith("| advisory")]
    assert f"`{UNDECIDED}`" in row
    assert "**Passed**: 0 mandatory, 16 advisory (15 expected for a preview stack, collapsed below)" in markdown
    assert ("<details><summary>Expected for a preview stack: 15 advisory findings from 9 config keys at their "
            "preview defaults (prod's differ)</summary>") in markdown
    assert "| `platform:database.multi_az` | `false` | `true` | `aws-rds-instance-enable-multi-az` |" in markdown


def test_preview_json_names_the_key_of_every_diagnostic(preview: PlanReport) -> None:
    document = json.loads(json.dumps(build_json(preview)))
    policy = document["policy"]
    assert policy["expectedForEnvironment"] == 15
    assert all(d["expectedForEnvironment"] and len(d["configKeys"]) == 1
               for d in policy["diagnostics"] if d["policy"] != UNDECIDED)
    multi_az = next(f for f in policy["findings"] if f["configKey"] == "platform:database.multi_az")
    assert multi_az["value"] is False
    assert multi_az["valueFrom"] == "the preview default"
    assert multi_az["set"] is True


def test_a_value_set_in_the_stack_file_stays_in_view(tmp_path: Path) -> None:
    # Not the preview default: a deliberate choice a reviewer should see, not an expected relaxation.
    report = _plan(tmp_path, "preview", {"platform:database": {"instance_class": "db.t4g.large"}})
    findings = findings_of(report)
    (chosen,) = findings.actionable
    assert chosen.key == "platform:database.instance_class"
    assert chosen.origin == "Pulumi.preview.yaml"
    text = render_text(report)
    assert ("    [advisory] platform:database.instance_class is db.t4g.large (Pulumi.preview.yaml): set "
            "platform:database.instance_class: db.m7g.large in Pulumi.preview.yaml") in text
    assert "expected for a preview stack (14 advisory, from 8 config keys" in text
    assert "#### By the config key that fixes them" in render_markdown(report)


def test_one_config_change_that_trips_several_policies_is_one_finding(tmp_path: Path) -> None:
    report = _plan(tmp_path, "prod", {"platform:database": {"protect": False}})
    assert report.exit_code == 1
    findings = findings_of(report)
    (finding,) = findings.by_key
    assert finding.key == "platform:database.protect"
    assert finding.policies == ["aws-kms-key-require-protect", "aws-rds-instance-require-protect",
                                "stack-require-protect-stateful-resources"]
    assert not finding.expected
    text = render_text(report)
    assert ("    [mandatory] platform:database.protect is false (Pulumi.prod.yaml): set platform:database.protect: "
            "true in Pulumi.prod.yaml") in text
    assert text.count("[mandatory] platform:database.protect") == 1
    assert "[mandatory] aws-rds-instance-require-protect" not in text  # listed under its key, not on its own


def _table_rows(markdown: str, header_start: str) -> list[list[str]]:
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def test_the_reports_remediation_is_the_config_change_where_a_config_key_explains_the_finding(
    tmp_path: Path,
) -> None:
    report = _plan(tmp_path, "prod", {"platform:database": {"protect": False}})
    rows = _table_rows(render_markdown(report), "| level | policy |")
    protect = [row for row in rows if "aws-rds-instance-require-protect" in row[1]]
    assert protect, rows
    for row in protect:
        assert row[4] in ("Set platform:database.protect: true in Pulumi.prod.yaml.", "same as above"), row
    text = "\n".join(" | ".join(row) for row in rows)
    assert "ResourceOptions" not in text  # the policy's Python advice, for a value that config sets


def test_prod_passes_but_says_its_mandatory_budget_check_could_not_decide() -> None:
    # In prod the budget policy is mandatory (policies/config/prod.json); while an hourly charge has no price it
    # reports through the SDK's "can't run policy" note, which the engine reports as advisory: exit 0, but the
    # verdict must not read as a plain pass.
    prod = run_plan(PlanOptions(stack="prod"))
    assert prod.exit_code == 0
    verdict = ("1 mandatory check could not decide: stack-require-budget-above-estimate (2 charges billed every "
               "hour have no price)")
    assert f"**Passed, but {verdict}**: 0 mandatory, 1 advisory" in render_markdown(prod)
    assert render_text(prod).rstrip().endswith(f"; passed, but {verdict}")
    assert json.loads(json.dumps(build_json(prod)))["summary"]["undecidedMandatory"] == [
        {"policy": UNDECIDED, "reason": "2 charges billed every hour have no price"}]
    # In preview the same note is advisory by configuration: nothing undecided that was mandatory.
    assert "could not decide" not in render_text(_plan(Path("/nonexistent"), "preview"))
