"""The commands behind the CLI, as plain functions (the CLI only parses options and prints).

`run_plan` orders the work for speed: read the YAML, start the policy pack (a separate Python
process that needs ~0.4 s to boot), and only then import the Pulumi SDK and run the program,
so the pack boots on the other core while the program runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError, OpsError
from .policypack import PolicyConfigEntry, PolicyPackProcess, load_policy_config, load_policy_pack
from .project import default_stack_file, load_project, load_stack_config
from .report import PlanReport
from .values import Redactor

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PlanOptions:
    stack: str
    program: Path | None = None
    config: Path | None = None
    policy_pack: Path | None = None
    policy_config: Path | None = None
    no_policy: bool = False
    organization: str = "organization"


@dataclass(frozen=True)
class ResolvedPaths:
    program: Path
    config: Path
    policy_pack: Path | None
    policy_config: Path | None
    skipped_reason: str | None = None


@dataclass
class Timings:
    marks: dict[str, float] = field(default_factory=dict)
    _start: float = field(default_factory=time.perf_counter)

    def mark(self, name: str) -> None:
        self.marks[name] = round(time.perf_counter() - self._start, 3)


def resolve_paths(opts: PlanOptions) -> ResolvedPaths:
    """Apply the CLI's defaults: repo root, Pulumi.<stack>.yaml, policies/, config/<stack>.json."""
    program = (opts.program or REPO_ROOT).resolve()
    config = (opts.config or default_stack_file(program, opts.stack)).resolve()
    if opts.no_policy:
        return ResolvedPaths(program, config, None, None, "--no-policy")
    if opts.policy_pack is not None:
        pack = opts.policy_pack.resolve()
        if not (pack / "PulumiPolicy.yaml").exists():
            raise ConfigError(f"no PulumiPolicy.yaml in policy pack directory {pack}")
    else:
        pack = REPO_ROOT / "policies"
        if not (pack / "PulumiPolicy.yaml").exists():
            return ResolvedPaths(program, config, None, None, f"no PulumiPolicy.yaml in {pack}")
    policy_config = opts.policy_config.resolve() if opts.policy_config else None
    if policy_config is None:
        candidate = pack / "config" / f"{opts.stack}.json"
        policy_config = candidate if candidate.exists() else None
    return ResolvedPaths(program, config, pack, policy_config)


def _stack_tags(project_name: str, runtime: str, description: str | None) -> dict[str, str]:
    # The tags the CLI computes itself for a stack (no service, no VCS lookup offline).
    tags = {"pulumi:project": project_name, "pulumi:runtime": runtime}
    if description:
        tags["pulumi:description"] = description
    return tags


def run_plan(opts: PlanOptions, timings: Timings | None = None) -> PlanReport:
    """Plan the program and evaluate the policy pack. Raises OpsError subclasses (exit 2)."""
    timings = timings or Timings()
    paths = resolve_paths(opts)
    project = load_project(paths.program)
    config = load_stack_config(project, opts.stack, paths.config)

    process: PolicyPackProcess | None = None
    user_config: dict[str, PolicyConfigEntry] = {}
    if paths.policy_pack is not None:
        spec = load_policy_pack(paths.policy_pack)
        if paths.policy_config is not None:
            user_config = load_policy_config(paths.policy_config)
        process = PolicyPackProcess(
            spec,
            project=project.name,
            stack=opts.stack,
            organization=opts.organization,
            config=config.wire,
        )
        process.start()
    timings.mark("pack_started")
    stream = None
    try:
        # Imported only now, with the pack already booting: these pull in the Pulumi SDK.
        from .analyzer import AnalyzerStream, StackIdentity  # noqa: PLC0415
        from .engine import plan_program  # noqa: PLC0415

        if process is not None:
            # Analyze runs while the program registers resources, as in the engine.
            stream = AnalyzerStream(
                process,
                StackIdentity(project.name, opts.stack, opts.organization),
                config,
                user_config,
                user_config_source=str(paths.policy_config or "policy config"),
                tags=_stack_tags(project.name, project.runtime, project.description),
            ).start()
        plan = plan_program(project, config, organization=opts.organization, listener=stream.submit if stream else None)
        timings.mark("program_done")
        policy = None
        if stream is not None:
            policy = stream.finish(plan)
            stream = None
            timings.mark("policy_done")
    except OpsError as exc:
        # A program's or a pack's error text may quote a secret config value.
        exc.message = Redactor(config.secret_values())(exc.message)
        exc.args = (exc.message,)
        raise
    finally:
        if stream is not None:
            stream.abort()
        if process is not None:
            process.close()
    timings.mark("done")
    return PlanReport(plan=plan, policy=policy, policy_skipped_reason=paths.skipped_reason, timings=dict(timings.marks))
