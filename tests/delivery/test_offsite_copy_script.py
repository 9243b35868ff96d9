"""The off-site copy's script (.github/workflows/offsite-copy.yml), run with stand-ins for `aws` and `az` that
answer as the CLIs would: the heartbeat step runs only after the copy step succeeds, so the copy step must fail
when a prefix has no fresh dump, and a stray object must neither block the copy nor pass for a dump."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "offsite-copy.yml"
NOW = dt.datetime(2027, 3, 10, 6, 0, tzinfo=dt.UTC)

# `aws s3api list-objects-v2 ... --output text` prints one object per line, key and LastModified tab-separated
# (the query's [Key, LastModified] pairs); `az storage blob exists` prints true/false; uploads print nothing.
AWS = """#!/usr/bin/env bash
case "$1 $2" in
  "s3api list-objects-v2")
    prefix=""; while [ $# -gt 0 ]; do [ "$1" = "--prefix" ] && prefix="$2"; shift; done
    grep -F "$(printf '%s' "$prefix")" "$LISTING" || true ;;
  "s3 cp") echo "S3CP ${@: -2:1}" >> "$CALLS"; : > "${@: -1}" ;;
  *) echo "unexpected aws $*" >&2; exit 2 ;;
esac
"""
AZ = """#!/usr/bin/env bash
case "$1 $2 $3" in
  "storage blob exists") echo false ;;
  "storage blob upload") while [ $# -gt 0 ]; do [ "$1" = "--name" ] && echo "UPLOAD $2" >> "$CALLS"; shift; done ;;
  *) echo "unexpected az $*" >&2; exit 2 ;;
esac
"""


def _script() -> str:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = [j for j in workflow["jobs"].values() if str(j.get("environment", "")).startswith("backup-copy-")]
    (step,) = [s for s in job["steps"] if str(s.get("name", "")).startswith("Copy the newest dumps")]
    return step["run"]


def _stamp(hours_ago: float) -> str:
    return (NOW - dt.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def run_copy(tmp_path: Path, objects: list[tuple[str, float]]) -> tuple[int, list[str], str]:
    """Run the copy step over `objects` (key, hours old); return its exit code, the copies made, its output."""
    if shutil.which("bash") is None or shutil.which("date") is None:
        pytest.skip("needs bash and GNU date")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("aws", AWS), ("az", AZ)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    # `date -u +%s` is the clock the script reads: pinned to NOW, any other use goes to the real date.
    real_date = shutil.which("date")
    (bin_dir / "date").write_text(
        f'#!/usr/bin/env bash\nif [ "$*" = "-u +%s" ]; then echo {int(NOW.timestamp())}; '
        f'else exec {real_date} "$@"; fi\n')
    (bin_dir / "date").chmod(0o755)
    listing, calls, summary = tmp_path / "listing", tmp_path / "calls", tmp_path / "summary"
    listing.write_text("".join(f"{key}\t{_stamp(age)}\n" for key, age in objects))
    calls.write_text("")
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}", "LISTING": str(listing), "CALLS": str(calls),
        "GITHUB_STEP_SUMMARY": str(summary), "BUCKET": "platform-prod-backups-123456789012",
        "PREFIXES": "daily/,weekly/,monthly/", "MAX_AGE_HOURS": "daily/=36,weekly/=180,monthly/=756",
        "CONTAINER_URL": "https://platformprodbk.blob.core.windows.net/backups", "NEWEST": "1",
    }
    result = subprocess.run(["bash", "-c", _script()], check=False, env=env, capture_output=True, text=True, timeout=60)
    uploads = [line.split(" ", 1)[1] for line in calls.read_text().splitlines() if line.startswith("UPLOAD ")]
    return result.returncode, uploads, result.stdout + result.stderr


FRESH = [("daily/2027-03-10T0230Z.sql.gz", 3.5), ("weekly/2027-03-07T0330Z.sql.gz", 74.5),
         ("monthly/2027-03-01T0430Z.sql.gz", 217.5)]


def test_fresh_dumps_are_copied_and_the_step_succeeds(tmp_path: Path) -> None:
    code, uploads, output = run_copy(tmp_path, FRESH)
    assert code == 0, output
    assert uploads == [key for key, _ in FRESH]


def test_an_empty_bucket_fails_the_step_so_no_heartbeat_is_put(tmp_path: Path) -> None:
    code, uploads, output = run_copy(tmp_path, [])
    assert code == 1
    assert uploads == []
    assert "no dump under daily/" in output


def test_a_dump_job_that_stopped_fails_the_step(tmp_path: Path) -> None:
    stale = [("daily/2027-03-08T0230Z.sql.gz", 51.5), *FRESH[1:]]
    code, uploads, output = run_copy(tmp_path, stale)
    assert code == 1
    assert "the newest dump under daily/ is 51 hours old (limit 36)" in output
    # What there is is still copied.
    assert "daily/2027-03-08T0230Z.sql.gz" in uploads


def test_a_stray_newer_object_neither_blocks_the_copy_nor_passes_for_a_dump(tmp_path: Path) -> None:
    # The writer role can put any name under the prefix: a newer object with a space, or a checksum sidecar.
    decoys = [("daily/2030-01-01 x.sql.gz", 0.5), ("daily/2027-03-10T0230Z.sql.gz.sha256", 1.0)]
    code, uploads, output = run_copy(tmp_path, [*decoys, *FRESH])
    assert code == 0, output
    assert uploads == [key for key, _ in FRESH]
    # Without a real daily dump, the decoys do not make the tier look fresh.
    (tmp_path / "again").mkdir()
    code, uploads, _ = run_copy(tmp_path / "again", [*decoys, *FRESH[1:]])
    assert code == 1
    assert not any(key.startswith("daily/") for key in uploads)
