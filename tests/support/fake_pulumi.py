"""A fake `pulumi` executable for `ops drift` tests: answers exactly the command lines the Automation API sends.

Run as a script (the `bin/pulumi` wrapper that `install_fake_pulumi` writes execs it with this interpreter); it
reads its scenario from the JSON file named by `FAKE_PULUMI_SCENARIO`:

    {"version": "3.272.0", "log": "<argv log, one JSON line per call>", "counters": "<dir>",
     "stacks": {"prod": {"select": {"exit": 255, "stderr": "..."},            # optional: selecting fails
                         "previews": [{"events": [...], "exit": 0, "stdout": "", "stderr": "",
                                       "hang": false, "await": []}, ...]}}}   # one per attempt; last repeats
("hang": wait for SIGINT; "await": stacks whose refresh must have started before this one answers.)

What the SDK sends (pulumi/automation/_cmd.py, _local_workspace.py, _stack.py, SDK 3.272):
- `pulumi version` (PulumiCommand's check), answered with `v<version>`;
- `--non-interactive stack select --stack NAME`; an unknown stack fails with the CLI's
  `error: no stack named 'NAME' found` (the text the SDK maps to StackNotFoundError);
- `--non-interactive refresh --preview-only --color never --suppress-progress --exec-kind auto.local
  --event-log <log> --stack NAME`: the engine events go to `<log>`, a file (one JSON event per line, ending
  with a cancelEvent) for a CLI up to 3.205, or a gRPC `pulumirpc.Events/StreamEvents` endpoint
  (`tcp://127.0.0.1:PORT`) for a newer one, as the SDK's `_setup_event_log` decides from the version.
Anything else fails loudly, so a change in what the SDK sends shows up as a test failure.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any


def _arg(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else None


def _attempt(counters: Path, stack: str) -> int:
    path = counters / f"{stack.replace('/', '_')}.count"
    n = int(path.read_text()) if path.exists() else 0
    path.write_text(str(n + 1))
    return n


def _send_events(target: str, events: list[dict[str, Any]]) -> None:
    lines = [json.dumps({"sequence": i, "timestamp": 1_700_000_000 + i, **e}) for i, e in enumerate(events)]
    if target.startswith("tcp://"):
        import grpc  # only the gRPC path needs it
        from pulumi.runtime.proto import events_pb2, events_pb2_grpc

        with grpc.insecure_channel(target[len("tcp://") :]) as channel:
            stub = events_pb2_grpc.EventsStub(channel)
            stub.StreamEvents(iter([events_pb2.EventRequest(event=line) for line in lines]))
        return
    with open(target, "a", encoding="utf-8") as fp:
        for line in lines:
            fp.write(line + "\n")
        # The CLI ends its event log with a cancel event; the SDK's file watcher stops on it.
        fp.write(json.dumps({"sequence": len(lines), "timestamp": 0, "cancelEvent": {}}) + "\n")


def _await_others(counters: Path, stack: str, stacks: list[str], timeout: float = 30.0) -> None:
    """Wait until every stack in `stacks` has started its refresh: passes only if they run concurrently."""
    if not stacks:
        return
    (counters / f"{stack}.started").write_text("started")
    deadline = time.monotonic() + timeout
    while not all((counters / f"{s}.started").exists() for s in stacks):
        if time.monotonic() > deadline:
            sys.stderr.write(f"error: fake pulumi: {stack} ran alone, the others never started\n")
            sys.exit(255)
        time.sleep(0.05)


def _hang(marker: Path) -> None:
    def on_sigint(signum: int, frame: object) -> None:
        # The real CLI cancels the operation on SIGINT; record that we were asked.
        marker.with_suffix(".sigint").write_text("cancelled")
        sys.exit(255)

    signal.signal(signal.SIGINT, on_sigint)
    marker.write_text("started")
    time.sleep(60)
    sys.exit(3)


def main() -> None:
    scenario = json.loads(Path(os.environ["FAKE_PULUMI_SCENARIO"]).read_text())
    argv = sys.argv[1:]
    with open(scenario["log"], "a", encoding="utf-8") as fp:
        fp.write(json.dumps({"argv": argv, "cwd": os.getcwd()}) + "\n")
    if argv == ["version"]:
        print("v" + scenario.get("version", "3.272.0"))
        return
    if argv[:1] != ["--non-interactive"]:
        sys.exit(f"fake pulumi: expected --non-interactive first, got {argv}")
    args = argv[1:]
    stack = _arg(args, "--stack") or ""
    stacks = scenario["stacks"]
    if args[:2] == ["stack", "select"]:
        if stack not in stacks:
            sys.stderr.write(f"error: no stack named '{stack}' found\n")
            sys.exit(255)
        failure = stacks[stack].get("select")
        if failure:
            sys.stderr.write(failure.get("stderr", ""))
            sys.exit(failure.get("exit", 255))
        return
    if args[:2] == ["refresh", "--preview-only"]:
        previews = stacks[stack]["previews"]
        step = previews[min(_attempt(Path(scenario["counters"]), stack), len(previews) - 1)]
        _await_others(Path(scenario["counters"]), stack, step.get("await", []))
        if step.get("hang"):
            _hang(Path(scenario["counters"]) / f"{stack}.hang")
        target = _arg(args, "--event-log")
        if target is None:
            sys.exit("fake pulumi: no --event-log")
        _send_events(target, step.get("events", []))
        sys.stdout.write(step.get("stdout", ""))
        sys.stderr.write(step.get("stderr", ""))
        sys.exit(step.get("exit", 0))
    sys.exit(f"fake pulumi: unexpected command line {argv}")


if __name__ == "__main__":
    main()
