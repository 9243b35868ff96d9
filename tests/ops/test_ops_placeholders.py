"""Placeholders cannot reach prod (issue 20, item 2): `ops plan` lists every sample value a stack file still
holds as a warning, counted in the summary line, and `--refuse-placeholders` refuses them with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgen.placeholders import stack_placeholders as runbook_rows
from ops.placeholders import stack_placeholders
from tests.support.cli import REPO, TINY_PROGRAM, run_plan, write_stack_file

SAMPLE_FILE = """\
secretsprovider: awskms://alias/x
encryptedkey: abc
config:
  tiny:mode: ok
  app:owner: web-platform-team            # PLACEHOLDER: your team
  app:site: app.example.com
  app:edge:
    account_id: 0123456789abcdef0123456789abcdef
    records:
      - {name: www, content: origin.example.net}
  app:repository: example-org/web-app
  app:admin: arn:aws:iam::123456789012:role/Admin
  app:teams: [1234567]
  app:mail: [ops@corp.example]
  app:token:
    secure: AAABAQexample.com
  app:kept: [examples.com, myexample.com, example.company.io, "12345678901234", 12345678]
"""


def test_marked_values_and_unmarked_samples_are_found_with_their_key_and_line(tmp_path: Path) -> None:
    path = write_stack_file(tmp_path, SAMPLE_FILE)
    found = {p.key: p for p in stack_placeholders(path)}
    assert set(found) == {
        "app:owner", "app:site", "app:edge.account_id", "app:edge.records[0].content", "app:repository",
        "app:admin", "app:teams[0]", "app:mail[0]",
    }
    assert (found["app:owner"].line, found["app:owner"].marked) == (5, "your team")
    assert found["app:owner"].sample is None  # marked, but not one of the repository's samples
    assert (found["app:site"].line, found["app:site"].sample) == (6, "a domain reserved for documentation (RFC 2606)")
    assert found["app:edge.records[0].content"].line == 10
    assert found["app:admin"].sample == "the sample AWS account id"
    assert found["app:teams[0]"].value == 1234567
    # A secret's ciphertext is never read as a sample, and look-alikes are not samples.
    assert not any(key.startswith(("app:token", "app:kept")) for key in found)


def test_a_marked_list_holding_a_sample_is_one_placeholder(tmp_path: Path) -> None:
    path = write_stack_file(tmp_path, "config:\n  app:emails: [a@example.com, b@example.com]  # PLACEHOLDER: who\n")
    (found,) = stack_placeholders(path)
    assert (found.key, found.value, found.marked) == ("app:emails", ["a@example.com", "b@example.com"], "who")
    assert found.sample == "a domain reserved for documentation (RFC 2606)"


@pytest.mark.parametrize("stack", ["preview", "prod"])
def test_the_repository_stack_files_hold_exactly_the_runbooks_placeholders(stack: str) -> None:
    path = REPO / f"Pulumi.{stack}.yaml"
    found = stack_placeholders(path)
    assert [p.key for p in found] == [row.key for row in runbook_rows(path)]
    assert len(found) >= 12
    assert all(p.marked for p in found)  # every sample value the repository ships is marked


def _tiny(tmp_path: Path, text: str, *extra: str):
    path = write_stack_file(tmp_path, text)
    return run_plan(tmp_path, "--program", str(TINY_PROGRAM), "--config", str(path), "--no-policy", *extra), path


def test_the_plan_warns_about_each_placeholder_and_counts_them_in_the_summary(tmp_path: Path) -> None:
    run, path = _tiny(tmp_path, "secretsprovider: awskms://alias/x\nencryptedkey: k\nconfig:\n"
                                "  tiny:mode: ok  # PLACEHOLDER: the mode\n  app:site: app.example.com\n")
    assert run.code == 0, run.stderr
    assert f"warning: placeholder at {path}:4: tiny:mode = ok (marked PLACEHOLDER: the mode)" in run.stdout
    assert (f"warning: placeholder at {path}:5: app:site = app.example.com (a domain reserved for documentation "
            "(RFC 2606))") in run.stdout
    summary = run.stdout.strip().splitlines()[-1]
    assert summary.endswith("; 2 warnings (2 placeholders); OK"), summary
    assert run.doc["summary"]["placeholders"] == 2
    assert run.doc["summary"]["warnings"] == 2
    assert len([w for w in run.doc["warnings"] if w.startswith("placeholder at ")]) == 2


def test_refuse_placeholders_exits_2_listing_each_before_planning(tmp_path: Path) -> None:
    run, path = _tiny(tmp_path, "config:\n  tiny:mode: ok\n  app:repo: example-org/web-app  # PLACEHOLDER: yours\n"
                                "  app:team: 1234567\n", "--refuse-placeholders")
    assert run.code == 2, run.stdout + run.stderr
    assert run.stderr.splitlines() == [
        f"--refuse-placeholders: {path} still holds 2 sample values; replace each (docs/going-live.md, step 4), "
        "then plan again:",
        f"  - placeholder at {path}:3: app:repo = example-org/web-app (marked PLACEHOLDER: yours; the sample GitHub "
        "owner)",
        f"  - placeholder at {path}:4: app:team = 1234567 (the sample GitHub team id)",
    ]
    assert run.stdout == ""
    assert not run.json_path.exists()


def test_a_stack_file_without_samples_passes_the_gate(tmp_path: Path) -> None:
    run, _ = _tiny(tmp_path, "secretsprovider: awskms://alias/x\nencryptedkey: k\nconfig:\n  tiny:mode: ok\n"
                             "  app:site: app.acme.io\n", "--refuse-placeholders")
    assert run.code == 0, run.stderr
    assert "placeholder" not in run.stdout
    assert run.stdout.strip().splitlines()[-1].endswith("policy: not evaluated (--no-policy); OK")
    assert json.loads(run.json_path.read_text())["summary"]["placeholders"] == 0
