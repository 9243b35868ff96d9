"""`ops drift` test support: a fake `pulumi` on disk (see fake_pulumi.py) and engine events to feed it.

The events are in the engine's JSON form (`sdk/go/common/apitype/events.go`, read back by
`pulumi.automation.events.EngineEvent.from_json`): a refresh preview sends, per resource, a `resourcePreEvent`
with op `refresh` and a `resOutputsEvent` whose op is the result (`same`, `update`, `delete`), then a summary.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.stacks import ROOT as REPO

FAKE = Path(__file__).with_name("fake_pulumi.py")
SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
PROJECT = "platform"


def urn(stack: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{type_}::{name}"


def blinded() -> dict[str, Any]:
    """A secret as the engine's blinding crypter writes it into an event (secrets not shown)."""
    return {SIG: SECRET_SIG, "ciphertext": "[secret]"}


def shown_secret(value: Any) -> dict[str, Any]:
    """A secret as an event carries it when secrets are shown: the plaintext is JSON text."""
    return {SIG: SECRET_SIG, "plaintext": json.dumps(value)}


def _state(u: str, type_: str, outputs: dict[str, Any]) -> dict[str, Any]:
    name = u.rsplit("::", 1)[-1]
    return {"type": type_, "urn": u, "id": f"{name}-id", "custom": True, "inputs": {}, "outputs": outputs}


def metadata(  # noqa: PLR0917 - the step's fields, in the engine's order
    op: str,
    u: str,
    type_: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    detailed_diff: dict[str, str] | None = None,
) -> dict[str, Any]:
    md: dict[str, Any] = {"op": op, "urn": u, "type": type_, "provider": ""}
    if old is not None:
        md["old"] = _state(u, type_, old)
    if new is not None:
        md["new"] = _state(u, type_, new)
    if detailed_diff:
        md["detailedDiff"] = {k: {"diffKind": v, "inputDiff": False} for k, v in detailed_diff.items()}
        md["diffs"] = sorted({k.split(".")[0].split("[")[0] for k in detailed_diff})
    return md


@dataclass
class Refreshed:
    """One resource as the refresh preview found it."""

    stack: str
    type: str
    name: str
    old: dict[str, Any]
    new: dict[str, Any] | None  # None: deleted out of band
    detailed_diff: dict[str, str] | None = None

    @property
    def urn(self) -> str:
        return urn(self.stack, self.type, self.name)

    @property
    def op(self) -> str:
        if self.new is None:
            return "delete"
        return "same" if self.new == self.old else "update"

    def events(self) -> list[dict[str, Any]]:
        pre = metadata("refresh", self.urn, self.type, self.old, self.old)
        out = metadata(self.op, self.urn, self.type, self.old, self.new, self.detailed_diff)
        return [
            {"resourcePreEvent": {"metadata": pre, "planning": True}},
            {"resOutputsEvent": {"metadata": out, "planning": True}},
        ]


def diagnostic(message: str, severity: str = "error", u: str = "") -> dict[str, Any]:
    event = {"urn": u, "prefix": f"{severity}: ", "message": message, "color": "raw", "severity": severity}
    return {"diagnosticEvent": event}


def summary(changes: dict[str, int]) -> dict[str, Any]:
    event = {"maybeCorrupt": False, "durationSeconds": 0, "resourceChanges": changes, "PolicyPacks": {}}
    return {"summaryEvent": event}


def refresh_events(resources: list[Refreshed], extra: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [{"preludeEvent": {"config": {}}}]
    counts: dict[str, int] = {}
    for r in resources:
        events += r.events()
        counts[r.op] = counts.get(r.op, 0) + 1
    return [*events, *(extra or []), summary(counts)]


def preview(resources: list[Refreshed], **step: Any) -> dict[str, Any]:
    """One attempt of `pulumi refresh --preview-only` that succeeds with these resources."""
    return {"events": refresh_events(resources), "exit": 0, **step}


LOCKED = {
    "events": [],
    "exit": 255,
    "stderr": "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or "
    "delete the lock file with `pulumi cancel`.\n  file:///state/.pulumi/locks/organization/platform/prod/"
    "3f2a.json: created by ci@runner-7 (pid 4242) at 2026-12-01T10:00:00Z\n",
}


@dataclass
class FakePulumi:
    root: Path  # the fake CLI is root/bin/pulumi, as PulumiCommand(root=...) expects
    scenario_path: Path
    log: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def command(self) -> Any:
        from pulumi.automation import PulumiCommand

        return PulumiCommand(root=str(self.root))

    def calls(self) -> list[list[str]]:
        return [c["argv"] for c in self.logged()]

    def logged(self) -> list[dict[str, Any]]:
        """Every call: its argv and the directory it ran in."""
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def previews(self, stack: str) -> list[list[str]]:
        return [c for c in self.calls() if "refresh" in c and c[c.index("--stack") + 1] == stack]


def install_fake_pulumi(tmp: Path, stacks: dict[str, dict[str, Any]], version: str = "3.272.0") -> FakePulumi:
    root = tmp / "fake-pulumi"
    (root / "bin").mkdir(parents=True)
    (root / "counters").mkdir()
    scenario = root / "scenario.json"
    log = root / "argv.jsonl"
    scenario.write_text(
        json.dumps({"version": version, "log": str(log), "counters": str(root / "counters"), "stacks": stacks})
    )
    exe = root / "bin" / "pulumi"
    exe.write_text(f'#!/bin/sh\nFAKE_PULUMI_SCENARIO="{scenario}" exec "{sys.executable}" "{FAKE}" "$@"\n')
    exe.chmod(0o755)
    return FakePulumi(root, scenario, log)


@dataclass
class DriftRun:
    code: int
    stdout: str
    stderr: str
    json_path: Path
    report_path: Path

    @property
    def doc(self) -> dict[str, Any]:
        return json.loads(self.json_path.read_text())

    @property
    def report(self) -> str:
        return self.report_path.read_text()


def run_drift_cli(tmp: Path, path_dirs: list[Path], *args: str, timeout: float = 120) -> DriftRun:
    """`python -m ops drift` in the repo root, with PATH holding only `path_dirs` (the fake CLI, or nothing)."""
    json_path, report_path = tmp / "drift.json", tmp / "drift.md"
    env = {**os.environ, "PATH": os.pathsep.join(str(p) for p in path_dirs) or str(tmp / "empty")}
    proc = subprocess.run(
        [sys.executable, "-m", "ops", "drift", *args, "--json", str(json_path), "--report", str(report_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return DriftRun(proc.returncode, proc.stdout, proc.stderr, json_path, report_path)


BUCKET = "aws:s3/bucket:Bucket"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
QUEUE = "aws:sqs/queue:Queue"
SAMPLE_PLAINTEXT = "s3cr3t-rotated-by-hand-7f1c"


def sample_resources(stack: str = "prod") -> list[Refreshed]:
    """docs/planner.md's sample: tags and versioning changed by hand, an ingress rule added in the console, a secret
    rotated outside Pulumi (masked), a queue deleted, and one resource as recorded."""
    return [
        Refreshed(
            stack,
            BUCKET,
            "assets",
            {"bucket": "platform-prod-assets", "tags": {"owner": "web"}, "versioning": {"enabled": True}},
            {
                "bucket": "platform-prod-assets",
                "tags": {"owner": "web", "temp": "debug"},
                "versioning": {"enabled": False},
            },
        ),
        Refreshed(
            stack,
            SECURITY_GROUP,
            "app",
            {"ingress": [{"cidrBlocks": ["10.0.0.0/16"], "fromPort": 443, "toPort": 443, "protocol": "tcp"}]},
            {
                "ingress": [
                    {"cidrBlocks": ["10.0.0.0/16"], "fromPort": 443, "toPort": 443, "protocol": "tcp"},
                    {"cidrBlocks": ["0.0.0.0/0"], "fromPort": 22, "toPort": 22, "protocol": "tcp"},
                ]
            },
        ),
        Refreshed(
            stack,
            SECRET_VERSION,
            "cache-auth",
            {"secretString": shown_secret("generated-at-deploy-0a9b"), "versionStages": ["AWSCURRENT"]},
            {"secretString": shown_secret(SAMPLE_PLAINTEXT), "versionStages": ["AWSCURRENT"]},
        ),
        Refreshed(stack, QUEUE, "jobs", {"name": "platform-prod-jobs"}, None),
        Refreshed(stack, "aws:kms/key:Key", "data", {"enableKeyRotation": True}, {"enableKeyRotation": True}),
    ]


def sample_scenario() -> dict[str, dict[str, Any]]:
    clean = [Refreshed("preview", BUCKET, "assets", {"tags": {"owner": "web"}}, {"tags": {"owner": "web"}})]
    return {"prod": {"previews": [preview(sample_resources())]}, "preview": {"previews": [preview(clean)]}}
