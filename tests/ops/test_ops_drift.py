"""`ops drift`: refresh previews through the Automation API, against a fake `pulumi` that answers what the SDK sends.

The fake (tests/support/fake_pulumi.py) is reached through the SDK's own seam, `PulumiCommand(root=...)` passed
as `LocalWorkspaceOptions(pulumi_command=...)`, or as `pulumi` on PATH for the CLI runs: the SDK's real code
builds the command lines, runs the process, reads the engine events (gRPC for a CLI newer than 3.205, the
event-log file for an older one) and raises its own errors.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ops.commands.drift import outcome_of, run_drift
from ops.drift.model import DriftReport
from ops.drift.runner import LockRetry
from ops.errors import OpsError
from ops.reports.drift_text import drift_document, render_drift_markdown, render_drift_text
from tests.support.drift import (
    BUCKET,
    LOCKED,
    QUEUE,
    SAMPLE_PLAINTEXT,
    FakePulumi,
    Refreshed,
    blinded,
    diagnostic,
    install_fake_pulumi,
    metadata,
    preview,
    refresh_events,
    run_drift_cli,
    sample_scenario,
    shown_secret,
    summary,
    urn,
)
from tests.support.stacks import ROOT as REPO

DRIFT_PAGE = REPO / "docs" / "planner.md"
FAST = LockRetry(retries=3, backoff=0.01, max_delay=0.05)


def _run(fake: FakePulumi, *stacks: str, retry: LockRetry = FAST) -> DriftReport:
    return run_drift(list(stacks), command=fake.command(), retry=retry)


def _everything(report: DriftReport) -> str:
    """Every output a user or a workflow sees: the text, the JSON document and the markdown."""
    return render_drift_text(report) + json.dumps(drift_document(report)) + render_drift_markdown(report)


def _bucket_drift(stack: str = "prod") -> Refreshed:
    return Refreshed(
        stack,
        BUCKET,
        "assets",
        {"tags": {"owner": "web", "env": "prod"}, "acl": "private", "rules": [{"days": 30}]},
        {"tags": {"owner": "someone", "env": "prod"}, "acl": "public-read", "rules": [{"days": 30}, {"days": 1}]},
    )


# ---- what the SDK sends, and the two event transports


@pytest.mark.parametrize("version", ["3.272.0", "3.200.0"], ids=["grpc-events", "file-events"])
def test_update_drift_names_each_property_path_with_old_and_new(tmp_path: Path, version: str) -> None:
    fake = install_fake_pulumi(tmp_path, {"prod": {"previews": [preview([_bucket_drift()])]}}, version=version)
    report = _run(fake, "prod")

    (stack,) = report.stacks
    assert (stack.status, report.exit_code) == ("drift", 1)
    (resource,) = stack.resources
    assert (resource.kind, resource.type, resource.name) == ("update", BUCKET, "assets")
    assert [(p.path, p.old, p.new) for p in resource.properties] == [
        ("acl", "private", "public-read"),
        ("rules[1]", "(not set)", {"days": 1}),
        ("tags.owner", "web", "someone"),
    ]
    # A refresh preview, selected by name in the repository, never an update, a plain preview or a refresh.
    select, refresh = fake.calls()[1:]
    assert select == ["--non-interactive", "stack", "select", "--stack", "prod"]
    assert refresh[:3] == ["--non-interactive", "refresh", "--preview-only"]
    assert refresh[-2:] == ["--stack", "prod"]
    assert refresh[refresh.index("--event-log") + 1].startswith("tcp://" if version == "3.272.0" else "/")
    assert not any(c[1] in ("up", "preview", "destroy") for c in fake.calls()[1:])
    assert {c["cwd"] for c in fake.logged()[1:]} == {str(REPO)}


def test_delete_drift_is_the_whole_resource(tmp_path: Path) -> None:
    gone = Refreshed("prod", QUEUE, "jobs", {"name": "platform-prod-jobs"}, None)
    same = Refreshed("prod", BUCKET, "logs", {"acl": "private"}, {"acl": "private"})
    fake = install_fake_pulumi(tmp_path, {"prod": {"previews": [preview([gone, same])]}})
    report = _run(fake, "prod")

    (stack,) = report.stacks
    assert [(r.kind, r.name, r.properties) for r in stack.resources] == [("delete", "jobs", [])]
    assert stack.unchanged == 1
    doc = drift_document(report)["stacks"][0]
    assert doc["resources"][0]["kind"] == "delete"
    assert "deleted out of band" in render_drift_text(report)


def test_clean_stack_exits_0(tmp_path: Path) -> None:
    same = Refreshed("prod", BUCKET, "logs", {"acl": "private"}, {"acl": "private"})
    fake = install_fake_pulumi(tmp_path, {"prod": {"previews": [preview([same])]}})
    report = _run(fake, "prod")
    assert (report.stacks[0].status, report.exit_code, report.stacks[0].unchanged) == ("clean", 0, 1)
    assert "No drift in platform/prod" in render_drift_markdown(report)


# ---- secrets


def _secret_resources() -> list[Refreshed]:
    return [
        Refreshed(
            "prod",
            "aws:secretsmanager/secretVersion:SecretVersion",
            "db",
            {
                "secretString": shown_secret("old-plaintext-value-1"),
                "nested": {"token": shown_secret({"key": "nested-plaintext-2"})},
                "blinded": blinded(),
                "filtered": "[secret]",
                "copy": "no secret here",
            },
            {
                "secretString": shown_secret(SAMPLE_PLAINTEXT),
                "nested": {"token": "nested-plaintext-3-now-plain"},
                "blinded": blinded(),
                "filtered": "filtered-plaintext-4",
                # The provider copied the secret into a plain output: scrubbed as a known plaintext.
                "copy": f"postgres://app:{SAMPLE_PLAINTEXT}@db",
            },
            # Both sides blinded compare equal; the engine's diff still names the path.
            detailed_diff={"blinded": "update"},
        )
    ]


SECRET_PLAINTEXTS = (
    "old-plaintext-value-1",
    "nested-plaintext-2",
    "nested-plaintext-3-now-plain",
    "filtered-plaintext-4",
    SAMPLE_PLAINTEXT,
)


def test_secret_values_are_masked_in_every_output(tmp_path: Path) -> None:
    fake = install_fake_pulumi(tmp_path, {"prod": {"previews": [preview(_secret_resources())]}})
    run = run_drift_cli(tmp_path, [fake.bin], "--stack", "prod")

    assert run.code == 1, run.stderr
    seen = run.stdout + run.stderr + run.json_path.read_text() + run.report
    for plaintext in SECRET_PLAINTEXTS:
        assert plaintext not in seen
    props = {p["path"]: (p["old"], p["new"]) for p in run.doc["stacks"][0]["resources"][0]["properties"]}
    assert props == {
        "blinded": ("[secret]", "[secret]"),
        "copy": ("no secret here", "postgres://app:[secret]@db"),
        "filtered": ("[secret]", "[secret]"),
        "nested.token": ("[secret]", "[secret]"),
        "secretString": ("[secret]", "[secret]"),
    }


def test_a_failed_step_quotes_the_engines_error_redacted(tmp_path: Path) -> None:
    secret = Refreshed("prod", BUCKET, "assets", {"token": shown_secret(SAMPLE_PLAINTEXT)}, None)
    failed_urn = urn("prod", BUCKET, "logs")
    events = refresh_events(
        [secret],
        extra=[
            diagnostic(
                f"<{{%fg 1%}}>reading S3 Bucket (logs): operation error S3: HeadBucket, StatusCode: 500, api error "
                f"InternalError (token {SAMPLE_PLAINTEXT}, key AKIAABCDEFGHIJKLMNOP)<{{%reset%}}>",
                u=failed_urn,
            ),
            {
                "resOpFailedEvent": {
                    "metadata": metadata("refresh", failed_urn, BUCKET, {}, None),
                    "status": 1,
                    "steps": 0,
                }
            },
        ],
    )
    step = {"events": events, "exit": 255, "stderr": "error: preview failed\n"}
    fake = install_fake_pulumi(tmp_path, {"prod": {"previews": [step]}})
    run = run_drift_cli(tmp_path, [fake.bin], "--stack", "prod")

    assert run.code == 2
    error = run.doc["stacks"][0]["error"]
    assert error["kind"] == "provider"
    assert "a provider failed to read a resource (failed: logs)" in error["message"]
    assert error["diagnostics"] == [
        "reading S3 Bucket (logs): operation error S3: HeadBucket, StatusCode: 500, api error InternalError "
        "(token [secret], key [secret])"
    ]
    seen = run.stdout + run.stderr + run.json_path.read_text() + run.report
    assert SAMPLE_PLAINTEXT not in seen
    assert "AKIAABCDEFGHIJKLMNOP" not in seen
    assert "Drift check failed for platform/prod (provider)" in run.report


# ---- failures: exit 2, and a message that says what to do


def test_missing_cli_exits_2_with_the_install_hint(tmp_path: Path) -> None:
    run = run_drift_cli(tmp_path, [], "--stack", "prod")
    assert run.code == 2
    assert "the Pulumi CLI was not found (`pulumi` on PATH)" in run.stderr
    assert "download-install" in run.stderr
    assert "Traceback" not in run.stderr
    # Nothing was checked: no document a workflow could mistake for "clean".
    assert not run.json_path.exists()
    assert not run.report_path.exists()


def test_missing_cli_in_a_given_root(tmp_path: Path) -> None:
    # The SDK's `pulumi version` check raises FileNotFoundError from subprocess; it becomes the message.
    from ops.drift.runner import make_command

    with pytest.raises(OpsError, match=r"not found \(.*/bin/pulumi\)"):
        make_command(root=str(tmp_path / "nowhere"))


def test_stack_not_found_exits_2(tmp_path: Path) -> None:
    fake = install_fake_pulumi(tmp_path, {"prod": {"previews": [preview([])]}})
    run = run_drift_cli(tmp_path, [fake.bin], "--stack", "staging")

    assert run.code == 2
    (stack,) = run.doc["stacks"]
    assert (stack["status"], stack["error"]["kind"]) == ("error", "stack-not-found")
    assert "stack staging does not exist" in stack["error"]["message"]
    assert "pulumi stack init staging" in run.stdout
    assert fake.previews("staging") == []


@pytest.mark.parametrize(
    ("stderr", "kind", "hint"),
    [
        (
            "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions\n",
            "login",
            "pulumi login",
        ),
        (
            'error: constructing secrets manager of type "passphrase": unable to find either '
            "`PULUMI_CONFIG_PASSPHRASE` or `PULUMI_CONFIG_PASSPHRASE_FILE`\n",
            "login",
            "PULUMI_CONFIG_PASSPHRASE",
        ),
    ],
    ids=["not-logged-in", "no-passphrase"],
)
def test_login_failures_say_how_to_log_in(tmp_path: Path, stderr: str, kind: str, hint: str) -> None:
    fake = install_fake_pulumi(tmp_path, {"prod": {"select": {"exit": 255, "stderr": stderr}, "previews": [{}]}})
    report = _run(fake, "prod")
    (stack,) = report.stacks
    assert (report.exit_code, stack.error_kind) == (2, kind)
    assert hint in (stack.error or "")
    assert stack.diagnostics == [stderr.strip()]


def test_cloud_credentials_failure(tmp_path: Path) -> None:
    message = "reading S3 Bucket (assets): NoCredentialProviders: no valid providers in chain"
    step = {"events": refresh_events([], extra=[diagnostic(message)]), "exit": 255, "stderr": "error: preview failed"}
    fake = install_fake_pulumi(tmp_path, {"prod": {"previews": [step]}})
    (stack,) = _run(fake, "prod").stacks
    assert stack.error_kind == "credentials"
    assert "aws sso login" in (stack.error or "")
    assert stack.diagnostics == [message]


def test_locked_stack_is_retried_with_backoff_then_succeeds(tmp_path: Path) -> None:
    fake = install_fake_pulumi(tmp_path, {"prod": {"previews": [LOCKED, LOCKED, preview([_bucket_drift()])]}})
    waits: list[float] = []
    from ops.drift.runner import check_stacks

    report = check_stacks(
        ["prod"],
        project="platform",
        work_dir=REPO,
        command=fake.command(),
        retry=LockRetry(retries=3, backoff=5, max_delay=60),
        sleep=waits.append,
    )
    (stack,) = report.stacks
    assert (stack.status, stack.attempts) == ("drift", 3)
    assert waits == [5, 10]
    assert len(fake.previews("prod")) == 3
    assert "after 3 tries (the stack was locked)" in render_drift_text(report)


def test_locked_stack_exhausting_retries_exits_2(tmp_path: Path) -> None:
    fake = install_fake_pulumi(tmp_path, {"prod": {"previews": [LOCKED]}})
    run = run_drift_cli(tmp_path, [fake.bin], "--stack", "prod", "--lock-retries", "2", "--lock-backoff", "0.01")

    assert run.code == 2
    (stack,) = run.doc["stacks"]
    assert (stack["error"]["kind"], stack["attempts"]) == ("locked", 3)
    assert "stayed locked by another update through 3 tries" in stack["error"]["message"]
    assert "pulumi cancel --stack prod" in stack["error"]["message"]
    assert any("currently locked by 1 lock(s)" in line for line in stack["error"]["diagnostics"])
    assert any("created by ci@runner-7 (pid 4242)" in line for line in stack["error"]["diagnostics"])
    assert len(fake.previews("prod")) == 3


# ---- several stacks


def test_two_stacks_are_checked_concurrently_and_the_worst_exit_wins(tmp_path: Path) -> None:
    both = ["prod", "preview"]
    same = Refreshed("preview", BUCKET, "assets", {"acl": "private"}, {"acl": "private"})
    fake = install_fake_pulumi(
        tmp_path,
        {
            # Each refresh answers only once the other has started: run one after the other, both fail.
            "prod": {"previews": [preview([_bucket_drift()], **{"await": both})]},
            "preview": {"previews": [preview([same], **{"await": both})]},
        },
    )
    run = run_drift_cli(tmp_path, [fake.bin], "--stack", "prod", "--stack", "preview")

    assert run.code == 1, run.stdout
    assert [(s["stack"], s["status"]) for s in run.doc["stacks"]] == [("prod", "drift"), ("preview", "clean")]
    assert "<!-- ops-drift-report: platform/prod -->" in run.report
    assert "<!-- ops-drift-report: platform/preview -->" in run.report
    assert "## Drift in platform/prod: 1 resource changed outside Pulumi" in run.report
    assert "## No drift in platform/preview" in run.report
    assert "2 stacks: 1 drifted, 1 clean, 0 failed" in run.stdout


def test_a_failed_stack_outranks_a_drifted_one(tmp_path: Path) -> None:
    fake = install_fake_pulumi(tmp_path, {"prod": {"previews": [preview([_bucket_drift()])]}})
    report = _run(fake, "prod", "ghost")
    assert [s.status for s in report.stacks] == ["drift", "error"]
    assert report.exit_code == 2
    assert outcome_of(report).exit_code == 2


def test_interrupted_run_exits_130_and_cancels_the_refresh(tmp_path: Path) -> None:
    fake = install_fake_pulumi(tmp_path, {"prod": {"previews": [{"hang": True}]}})
    json_path = tmp_path / "drift.json"
    env = {**os.environ, "PATH": str(fake.bin)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ops", "drift", "--stack", "prod", "--json", str(json_path)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = fake.root / "counters" / "prod.hang"
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert started.exists(), proc.communicate(timeout=5)
    proc.send_signal(signal.SIGINT)  # to ops alone, as a CI runner cancelling a job does
    _, stderr = proc.communicate(timeout=30)

    assert proc.returncode == 130
    assert "interrupted" in stderr
    assert not json_path.exists()
    deadline = time.monotonic() + 10
    while not started.with_suffix(".sigint").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.with_suffix(".sigint").exists(), "the pulumi process was not asked to cancel"


# ---- events: what is drift, and what the engine's diff adds


def test_summary_counting_undescribed_drift_is_never_clean(tmp_path: Path) -> None:
    events = [{"preludeEvent": {"config": {}}}, summary({"update": 2, "same": 3})]
    fake = install_fake_pulumi(tmp_path, {"prod": {"previews": [{"events": events}]}})
    (stack,) = _run(fake, "prod").stacks
    assert stack.status == "drift"
    assert stack.warnings == ["the engine's summary counts 2 drifted resources but described 0"]


def test_property_paths_quote_keys_that_are_not_identifiers() -> None:
    from ops.drift.events import diff_values, lookup, parse_path

    old = {"tags": {"kubernetes.io/role": "a", "x": [1, 2]}}
    new = {"tags": {"kubernetes.io/role": "b", "x": [1, 3]}}
    paths = [p for p, _, _ in diff_values(old, new)]
    assert paths == ['tags["kubernetes.io/role"]', "tags.x[1]"]
    assert [parse_path(p) for p in paths] == [["tags", "kubernetes.io/role"], ["tags", "x", 1]]
    assert lookup(new, paths[0]) == "b"
    assert parse_path("tags..x") is None


def test_a_path_secret_on_one_side_is_masked_on_both() -> None:
    from ops.drift.events import DriftCollector

    collector = DriftCollector()
    from pulumi.automation.events import EngineEvent

    md = metadata(
        "update",
        urn("prod", BUCKET, "b"),
        BUCKET,
        {"password": shown_secret("was-secret-plaintext")},
        {"password": "was-secret-plaintext", "other": "mentions was-secret-plaintext"},
    )
    collector.on_event(EngineEvent.from_json({"resOutputsEvent": {"metadata": md, "planning": True}}))
    (resource,) = collector.drifted()
    assert [(p.path, p.old, p.new) for p in resource.properties] == [
        ("other", "(not set)", "mentions [secret]"),
        ("password", "[secret]", "[secret]"),
    ]


def test_the_collector_never_raises_into_the_sdks_event_thread() -> None:
    from ops.drift.events import DriftCollector

    collector = DriftCollector()
    collector.on_event(object())  # no event fields at all: ignored
    collector.on_event(type("Broken", (), {"res_outputs_event": 42})())
    assert collector.callback_failures == 1
    assert collector.drifted() == []


# ---- the CLI and the planner's page


def test_cli_import_does_not_load_the_pulumi_sdk() -> None:
    code = "import sys, ops.cli; print(sorted(m for m in sys.modules if m == 'pulumi' or m.startswith('pulumi.')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_no_stack_is_bad_input(tmp_path: Path) -> None:
    run = run_drift_cli(tmp_path, [], "--stack", "")
    assert run.code == 2
    # Refused before looking for the CLI (PATH is empty here).
    assert "name each stack to check: --stack NAME" in run.stderr
    assert "Pulumi CLI" not in run.stderr


def _sample(tmp_path: Path) -> DriftReport:
    fake = install_fake_pulumi(tmp_path, sample_scenario())
    return _run(fake, "prod", "preview")


def test_the_planner_page_shows_the_current_sample_report(tmp_path: Path) -> None:
    report = _sample(tmp_path)
    page = DRIFT_PAGE.read_text()
    assert "```text\n$ python -m ops drift --stack prod --stack preview\n" + render_drift_text(report) + "```" in page
    assert "````markdown\n" + render_drift_markdown(report) + "````" in page
    assert SAMPLE_PLAINTEXT not in _everything(report)


if __name__ == "__main__":  # python -m tests.ops.test_ops_drift: print docs/planner.md's sample
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        sample = _sample(Path(tmp))
        print("```text\n$ python -m ops drift --stack prod --stack preview\n" + render_drift_text(sample) + "```\n")
        print("````markdown\n" + render_drift_markdown(sample) + "````")
