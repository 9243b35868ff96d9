"""What a person at a terminal reads of a plan: short, with the full manual steps in the JSON and --report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ops.model import Plan, PlanReport, ResourceRecord, StackFile
from ops.reports.plan_json import build_json
from ops.reports.plan_markdown import render_markdown
from ops.reports.plan_rich import render_rich
from ops.reports.plan_text import manual_step_headline, render_text

_INSTRUCTION = "run `aws backup describe-backup-vault` and read LockDate; " + "every word of the command " * 40
STEPS = [
    f"1. [before-first-up] Bootstrap the AWS account as the administrator (once per account): {_INSTRUCTION} "
    "(bootstrap.account)",
    f"2. [before-lock-date] Check the backup vault lock (governance mode: removable, no deadline): {_INSTRUCTION} "
    "(backup.vault-lock)",
    f"3. [after-first-up] oncall@example.com confirms the subscription to t (eu-west-1), authenticated: "
    f"{_INSTRUCTION} (alerting.confirm-subscription[oncall@example.com])",
]


def _report() -> PlanReport:
    stack = ResourceRecord(urn="urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", type="pulumi:pulumi:Stack", name="p-s",
                           custom=False, parent=None, provider=None, inputs={})
    config = StackFile(stack="s", path=Path("Pulumi.s.yaml"), values={}, wire={})
    plan = Plan(project="p", stack="s", organization="o", resources=[stack], outputs={"manual_steps": STEPS},
                logs=[], config=config)
    return PlanReport(plan=plan, policy=None)


def test_a_manual_step_shows_as_its_number_phase_title_and_id() -> None:
    assert [manual_step_headline(line) for line in STEPS] == [
        "1. [before-first-up] Bootstrap the AWS account as the administrator (once per account) "
        "(bootstrap.account)",
        "2. [before-lock-date] Check the backup vault lock (governance mode: removable, no deadline) "
        "(backup.vault-lock)",
        "3. [after-first-up] oncall@example.com confirms the subscription to t (eu-west-1), authenticated "
        "(alerting.confirm-subscription[oncall@example.com])",
    ]
    assert manual_step_headline("not a step") == "not a step"


def test_the_terminal_text_lists_each_step_on_one_short_line_and_says_where_the_rest_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # rich wraps table cells at the console width
    report = _report()
    for text in (render_text(report), _rich(report)):
        assert "every word of the command" not in text
        assert "full instructions: --report FILE, --json FILE or docs/going-live.md" in " ".join(text.split())
        assert "Bootstrap the AWS account as the administrator (once per account)" in text
    # The JSON and the review keep each step in full.
    assert build_json(report, lambda text: text)["outputs"]["manual_steps"] == STEPS
    assert STEPS[1] in render_markdown(report)


def _rich(report: PlanReport) -> str:
    out = io.StringIO()
    render_rich(report, out)
    return out.getvalue()
