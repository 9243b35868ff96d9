"""`ops plan --report FILE.md`: a markdown review fit for a pull-request comment and `$GITHUB_STEP_SUMMARY`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ops.model import Diagnostic, Plan, PlanReport, PolicyInfo, PolicyResult, ResourceRecord, StackFile
from ops.reports.plan_markdown import cell, marker, render_markdown
from tests.support.cli import FIXTURES, REPO, run_plan

INSECURE_PROGRAM = FIXTURES / "insecure_program"
FIXTURE_SECRET = "fixture-password-must-never-print"


def _table_rows(text: str, header_start: str) -> list[list[str]]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def test_a_failing_plan_writes_a_review_with_every_violation_and_its_remediation(tmp_path: Path) -> None:
    report = tmp_path / "review.md"
    run = run_plan(tmp_path, "--program", str(INSECURE_PROGRAM), "--report", str(report), stack="prod")
    assert run.code == 1, run.stderr
    text = report.read_text()
    doc = run.doc
    assert text.splitlines()[0] == marker("platform", "prod")
    mandatory = [d for d in doc["policy"]["diagnostics"] if d["enforcementLevel"] == "mandatory"]
    assert f"**Failed**: {len(mandatory)} mandatory violations, {doc['summary']['advisory']} advisory" in text

    rows = _table_rows(text, "| level | policy |")
    assert len(rows) == len(doc["policy"]["diagnostics"])
    assert [r[0] for r in rows].count("mandatory") == len(mandatory)
    public = next(r for r in rows if "aws-rds-instance-disallow-public-access" in r[1])
    assert "`public-database`" in public[2]
    assert "publiclyAccessible is true" in public[3]
    assert "publicly_accessible" in public[4]  # the policy's remediation_steps, from GetAnalyzerInfo
    assert "(https://docs.aws.amazon.com/" in public[1]  # linked to the control's public description
    assert "<details><summary>Each violation in full" in text
    assert "<details><summary>What this stack creates</summary>" in text
    assert FIXTURE_SECRET not in text
    assert str(REPO) not in text  # repository-relative paths only


def test_a_clean_stack_says_what_it_creates_per_component(tmp_path: Path) -> None:
    report = tmp_path / "review.md"
    run = run_plan(tmp_path, "--report", str(report), stack="prod")
    assert run.code == 0, run.stderr
    text = report.read_text()
    # Prod's one advisory is the budget policy saying it cannot decide while an hourly charge has no price
    # (docs/cost.md): not a violation, but a mandatory check that did not decide, said in the verdict.
    assert ("**Passed, but 1 mandatory check could not decide: stack-require-budget-above-estimate (2 charges "
            "billed every hour have no price)**: 0 mandatory, 1 advisory") in text
    violations = text[text.index("#### Policy violations"):]
    (row,) = [line for line in violations.splitlines() if line.startswith("| advisory")]
    assert "`stack-require-budget-above-estimate`" in row
    assert "cannot decide whether cost-monthly" in row
    assert "| policy config | `policies/config/prod.json` (stack prod's own) |" in text
    components = {r[0]: r for r in _table_rows(text, "| component | type |")}
    assert {"`network`", "`postgres`", "`cache`"} <= set(components)
    database = next(r for r in run.doc["resources"] if r["type"] == "platform:data:PostgresDatabase")
    inside = [
        r for r in run.doc["resources"] if r["custom"] and _under(r, database["urn"], run.doc["resources"])
    ]
    assert components["`postgres`"][2] == str(len(inside))
    assert components["`postgres`"][3] == str(sum(1 for r in inside if r["protect"]))


def _under(rec: dict, ancestor: str, resources: list[dict]) -> bool:
    by_urn = {r["urn"]: r for r in resources}
    parent = rec.get("parent")
    while parent:
        if parent == ancestor:
            return True
        parent = by_urn.get(parent, {}).get("parent")
    return False


def test_no_report_is_left_after_a_run_that_could_not_complete(tmp_path: Path) -> None:
    report = tmp_path / "review.md"
    report.write_text("a review from an earlier run")
    bad = tmp_path / "Pulumi.prod.yaml"
    bad.write_text("config:\n  platform:database: {instanse_class: db.t4g.micro}\n")
    run = run_plan(tmp_path, "--config", str(bad), "--report", str(report), stack="prod")
    assert run.code == 2
    assert not report.exists()


def test_an_unwritable_report_path_is_refused_before_any_work(tmp_path: Path) -> None:
    run = run_plan(tmp_path, "--report", str(tmp_path / "missing" / "review.md"), stack="prod")
    assert run.code == 2
    assert "--report" in run.stderr
    assert "does not exist" in run.stderr
    assert not run.json_path.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a | b", "a \\| b"),
        ("line one\nline two", "line one<br>line two"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("x" * 400, "x" * 299 + "…"),
    ],
)
def test_table_cells_cannot_break_the_table_or_inject_html(text: str, expected: str) -> None:
    assert cell(text, 300) == expected


def _report(diagnostics: int, resources: int) -> PlanReport:
    stack = ResourceRecord(urn="urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", type="pulumi:pulumi:Stack", name="p-s",
                           custom=False, parent=None, provider=None, inputs={})
    recs = [stack] + [
        ResourceRecord(urn=f"urn:pulumi:s::p::aws:s3/bucket:Bucket::b{i}", type="aws:s3/bucket:Bucket", name=f"b{i}",
                       custom=True, parent=stack.urn, provider=None, inputs={})
        for i in range(resources)
    ]
    config = StackFile(stack="s", path=Path("Pulumi.s.yaml"), values={}, wire={})
    plan = Plan(project="p", stack="s", organization="o", resources=recs, outputs={}, logs=[], config=config)
    policy = PolicyResult(
        packs=[{"name": "pack", "version": "1"}],
        policies=[PolicyInfo(name="rule", description="d", level="mandatory", severity="high", kind="resource",
                             remediation="Fix it.")],
        config={},
        diagnostics=[
            Diagnostic(policy="rule", pack="pack", pack_version="1", level="mandatory", severity="high",
                       urn=recs[1 + i % resources].urn, message=f"violation {i} " + "m" * 200, description="d")
            for i in range(diagnostics)
        ],
    )
    return PlanReport(plan=plan, policy=policy)


def test_a_long_review_drops_the_least_useful_sections_first_to_fit_a_comment() -> None:
    report = _report(diagnostics=40, resources=400)
    full = render_markdown(report, limit=10**7)
    assert "<details><summary>Resource tree</summary>" in full
    limit = len(full) - 100
    fitted = render_markdown(report, limit=limit)
    assert len(fitted) <= limit
    assert "<details><summary>Resource tree</summary>" not in fitted
    assert "<details><summary>Each violation in full" in fitted  # what matters most is kept
    assert "see the uploaded plan report" in fitted
    tiny = render_markdown(report, limit=3_000)
    assert len(tiny) <= 3_000
    assert tiny.startswith(marker("p", "s"))
    assert "**Failed**: 40 mandatory violations" in tiny
