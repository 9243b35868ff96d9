"""Wall time of the offline plan against its import floor, the policy evaluation against the program, and the
test suite.

The import floor is a bare Python process that imports exactly the Pulumi SDK modules the plan ends up
importing (read from `-X importtime` of a real plan run). The ratio says how much the planner, the program
and the policy evaluation cost on top of what any Pulumi program on these SDKs pays at start-up.

The policy/program ratio is the policy pack's own CPU time (its boot and every Analyzer call it answers, read
from /proc when the planner stops it) over the program's run time (running `__main__.py`, its imports
included), both from the plan's `--json` timings.

    python bench/plan_benchmark.py [--stack prod] [--runs 5] [--skip-tests]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The SDK packages whose modules make up the import floor, as a plan imports them. The edge brings
#: pulumi_cloudflare (about 2.4 s, eager) and pulumi_tls (the origin certificate's key and CSR).
SDK_PACKAGES = frozenset({"pulumi", "pulumi_aws", "pulumi_random", "pulumi_tls", "pulumi_cloudflare",
                          "pulumi_github", "pulumi_azure_native", "pulumi_policy"})


def wall_time(command: list[str], *, expect: set[int]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in expect:
        sys.exit(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return elapsed


def sdk_modules(plan: list[str]) -> list[str]:
    """The pulumi* modules a plan imports, from the import-time log of one run."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *plan], cwd=ROOT, capture_output=True, text=True, check=False
    )
    modules = set()
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        name = line.rsplit("|", 1)[1].strip()
        if name.split(".")[0] in SDK_PACKAGES:
            modules.add(name)
    if not modules:
        sys.exit("could not read the plan's imports")
    return sorted(modules)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-tests", action="store_true")
    options = parser.parse_args()

    timings_file = Path(tempfile.mkdtemp()) / "plan.json"
    plan = ["-m", "ops", "plan", "--stack", options.stack, "--json", str(timings_file)]
    modules = sdk_modules(plan)
    floor = [sys.executable, "-c", "import " + ", ".join(modules)]

    # One warm-up each so .pyc files exist, then alternate runs so drift hits both sides alike.
    wall_time([sys.executable, *plan], expect={0})
    wall_time(floor, expect={0})
    plan_times, floor_times, policy_ratios = [], [], []
    for _ in range(options.runs):
        plan_times.append(wall_time([sys.executable, *plan], expect={0}))
        floor_times.append(wall_time(floor, expect={0}))
        timings = json.loads(timings_file.read_text())["timings"]
        if "policy_pack_cpu_s" in timings:
            policy_ratios.append(timings["policy_pack_cpu_s"] / timings["program_s"])

    plan_median, floor_median = statistics.median(plan_times), statistics.median(floor_times)
    print(f"stack: {options.stack}; runs: {options.runs}; SDK modules in the floor: {len(modules)}")
    print(f"plan wall time (median): {plan_median:.3f} s  [{', '.join(f'{t:.2f}' for t in plan_times)}]")
    print(f"import floor (median):   {floor_median:.3f} s  [{', '.join(f'{t:.2f}' for t in floor_times)}]")
    print(f"plan/import-floor ratio: {plan_median / floor_median:.2f}")
    if policy_ratios:
        shown = ", ".join(f"{r:.2f}" for r in policy_ratios)
        print(f"policy/program ratio (median): {statistics.median(policy_ratios):.2f}  [{shown}]")
    else:
        print("policy/program ratio: not measured (no /proc here)")

    if not options.skip_tests:
        suite = wall_time([sys.executable, "-m", "pytest", "-q"], expect={0})
        print(f"test suite wall time: {suite:.1f} s")


if __name__ == "__main__":
    main()
