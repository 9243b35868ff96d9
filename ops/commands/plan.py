"""`ops plan`: an offline `pulumi preview --policy-pack policies`.

`run_plan` orders the work for speed: read the YAML, start the policy pack (a separate Python
process that needs ~0.4 s to boot), and only then import the Pulumi SDK and run the program,
so the pack boots on the other core while the program runs.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import OpsError, PlannerConfigError
from ..model import Plan, PlanReport, PolicyConfigEntry, StackFile
from ..policy.config import read_policy_config
from ..policy.pack import PolicyPackProcess, close_all, load_policy_pack
from ..policy.schema_check import SchemaChecker
from ..progress import Progress
from ..project import Project, default_stack_file, load_project, read_stack_file
from ..stacks import policy_config_for, stack_environment
from ..values import Redactor
from .common import Outcome, on_interrupt, run_command

REPO_ROOT = Path(__file__).resolve().parents[2]
_ANALYZE_SWITCH_INTERVAL = 0.0005  # seconds; Python's default is 0.005

HELP = (
    "Preview the program offline (no Pulumi CLI, plugins or credentials) and evaluate the policy pack, like "
    "`pulumi preview --policy-pack policies --policy-pack-config <file>`, where <file> is "
    "policies/config/<stack>.json, or the stack's environment's policies/config/<environment>.json when the stack "
    "has no file of its own (as `ops stacks` and deploy.yml resolve it); the plan says which it used. Every sample "
    "value the stack file still holds (marked # PLACEHOLDER, or one of the repository's samples) is a warning; "
    "--refuse-placeholders refuses them.\n\n"
    "Exit codes: 0 no mandatory policy violation; 1 a mandatory policy violation; 2 could not run (bad config or "
    "options, a placeholder with --refuse-placeholders, a program or policy pack failure); 130 interrupted. Unlike "
    "`pulumi preview`, which exits 1 for a policy violation, a program error and bad config alike."
)


@dataclass(frozen=True)
class PlanOptions:
    stack: str
    program: Path | None = None
    config: Path | None = None
    policy_pack: Path | None = None
    policy_config: Path | None = None
    no_policy: bool = False
    organization: str = "organization"
    refuse_placeholders: bool = False


@dataclass(frozen=True)
class ResolvedPaths:
    program: Path
    config: Path
    policy_pack: Path | None
    policy_config: Path | None
    skipped_reason: str | None = None
    policy_config_note: str | None = None  # how the policy config was chosen, printed beside it


@dataclass
class Timings:
    marks: dict[str, float] = field(default_factory=dict)
    _start: float = field(default_factory=time.perf_counter)

    def mark(self, name: str) -> None:
        self.marks[name] = round(time.perf_counter() - self._start, 3)


def resolve_paths(opts: PlanOptions) -> ResolvedPaths:
    """Apply the CLI's defaults: repo root, Pulumi.<stack>.yaml, policies/, config/<stack>.json."""
    program = (opts.program or REPO_ROOT).resolve()
    if not program.is_dir():
        raise PlannerConfigError(f"program directory not found: {program}")
    config = (opts.config or default_stack_file(program, opts.stack)).resolve()
    if opts.no_policy:
        return ResolvedPaths(program, config, None, None, "--no-policy")
    if opts.policy_pack is not None:
        pack = opts.policy_pack.resolve()
        if not (pack / "PulumiPolicy.yaml").is_file():
            raise PlannerConfigError(f"no PulumiPolicy.yaml in policy pack directory {pack}")
    else:
        pack = REPO_ROOT / "policies"
        if not (pack / "PulumiPolicy.yaml").is_file():
            return ResolvedPaths(program, config, None, None, f"no PulumiPolicy.yaml in {pack}")
    if opts.policy_config is not None:
        return ResolvedPaths(program, config, pack, opts.policy_config.resolve(), policy_config_note="--policy-config")
    # The default needs the stack file's environment: `default_policy_config`, once the stack file is read.
    return ResolvedPaths(program, config, pack, None)


def default_policy_config(paths: ResolvedPaths, stack: str, declared_environment: object) -> ResolvedPaths:
    """The default policy config, resolved as `ops stacks` and the workflows resolve it (ops/stacks.py): the stack's
    own `<pack>/config/<stack>.json`, else its environment's `<pack>/config/<environment>.json`. It is used exactly
    as if it were passed as `--policy-pack-config`. A stack whose environment cannot be told (a test program's
    `dev`) only gets its own file."""
    if paths.policy_pack is None:
        return paths
    environment, _ = stack_environment(stack, declared_environment)
    chosen = policy_config_for(paths.policy_pack, stack, environment)
    if chosen is None:
        return paths
    if chosen.stem == stack:
        note = f"stack {stack}'s own"
    else:
        note = f"the {environment} environment's: there is no config/{stack}.json"
    return replace(paths, policy_config=chosen, policy_config_note=note)


def _stack_tags(project_name: str, runtime: str, description: str | None) -> dict[str, str]:
    # The tags the CLI computes itself for a stack (no service, no VCS lookup offline).
    tags = {"pulumi:project": project_name, "pulumi:runtime": runtime}
    if description:
        tags["pulumi:description"] = description
    return tags


@contextlib.contextmanager
def _switch_interval(seconds: float | None) -> Iterator[None]:
    """The analyzer thread waits on the pack's answers while the program holds the GIL; with the default 5 ms
    switch interval every Analyze answer waited that long to be read (95 resources: ~0.45 s, mostly after the
    program had ended). Shortened for the program's run only, then restored."""
    if seconds is None:
        yield
        return
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """The program's objects all live until the plan is reported, so the cyclic collector finds next to nothing,
    but each full collection walks every object of the ~500 SDK modules the program imports: 4 of them cost
    ~0.3 s of a prod plan. Reference counting still frees everything acyclic; collection resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _record_costs(timings: Timings, program_seconds: float, process: PolicyPackProcess | None) -> None:
    """The end, and for bench/plan_benchmark.py: the program's own run and what the policy evaluation cost."""
    timings.mark("done")
    timings.marks["program_s"] = round(program_seconds, 3)
    if process is not None and process.cpu_seconds is not None:
        timings.marks["policy_pack_cpu_s"] = round(process.cpu_seconds, 3)
    if process is not None and process.boot_seconds is not None:
        timings.marks["policy_pack_boot_s"] = round(process.boot_seconds, 3)


def _read_inputs(opts: PlanOptions) -> tuple[ResolvedPaths, Project, StackFile, list[str]]:
    """The paths, Pulumi.yaml and the stack file and its placeholders; then the default policy config, which needs
    the stack's environment."""
    paths = resolve_paths(opts)
    project = load_project(paths.program)
    config = read_stack_file(project, opts.stack, paths.config)
    placeholders = placeholder_warnings(config.path, refuse=opts.refuse_placeholders)
    if paths.policy_config_note is None:
        paths = default_policy_config(paths, opts.stack, config.values.get(f"{project.name}:environment"))
    return paths, project, config, placeholders


def placeholder_warnings(path: Path, *, refuse: bool) -> list[str]:
    """One warning per sample value the stack file still holds; with `refuse`, a PlannerConfigError (exit 2)
    listing them, before anything runs (the deploy workflow's gate before `pulumi up`)."""
    from ..placeholders import stack_placeholders  # noqa: PLC0415 - composes the YAML once more, only here

    shown = path.name if path.parent.resolve() == Path.cwd().resolve() else str(path)
    found = [placeholder.message(shown) for placeholder in stack_placeholders(path)]
    if refuse and found:
        lines = "\n".join(f"  - {line}" for line in found)
        raise PlannerConfigError(
            f"--refuse-placeholders: {shown} still holds {len(found)} sample value{'s' if len(found) > 1 else ''}; "
            f"replace each (docs/going-live.md, step 4), then plan again:\n{lines}"
        )
    return found


def run_plan(opts: PlanOptions, timings: Timings | None = None, progress: Progress | None = None) -> PlanReport:
    """Plan the program and evaluate the policy pack. Raises OpsError subclasses (exit 2). `progress` shows the
    phases to a person at a terminal (the CLI's); it is erased before this returns or raises."""
    progress = progress or Progress.silent()
    try:
        return _plan(opts, timings or Timings(), progress)
    finally:
        progress.done()


def _plan(opts: PlanOptions, timings: Timings, progress: Progress) -> PlanReport:
    progress.phase(f"reading {opts.config or f'Pulumi.{opts.stack}.yaml'}")
    paths, project, config, placeholders = _read_inputs(opts)

    process: PolicyPackProcess | None = None
    checker: SchemaChecker | None = None
    user_config: dict[str, PolicyConfigEntry] = {}
    if paths.policy_pack is not None:
        spec = load_policy_pack(paths.policy_pack)
        if paths.policy_config is not None:
            user_config = read_policy_config(paths.policy_config)
        process = PolicyPackProcess(
            spec, project=project.name, stack=opts.stack, organization=opts.organization, config=config.wire
        )
        on_interrupt(close_all)
        progress.phase("starting the policy pack")
        process.start()
        # Validates the policy config on the pack's core while the program runs (see ops.policy.schema_check).
        checker = SchemaChecker()
        on_interrupt(checker.close)
    timings.mark("pack_started")
    stream = None
    try:
        # Imported only now, with the pack already booting: these pull in the Pulumi SDK.
        progress.phase("running the program")
        from ..policy.analyzer import StackIdentity  # noqa: PLC0415
        from ..policy.stream import AnalyzerStream  # noqa: PLC0415
        from ..program import plan_program  # noqa: PLC0415

        if process is not None:
            # Analyze runs while the program registers resources, as in the engine.
            stream = AnalyzerStream(
                process,
                StackIdentity(project.name, opts.stack, opts.organization),
                config,
                user_config,
                user_config_source=str(paths.policy_config) if paths.policy_config else None,
                tags=_stack_tags(project.name, project.runtime, project.description),
                checker=checker,
            ).start()
            on_interrupt(stream.abort)
        with _without_cyclic_gc():
            with _switch_interval(_ANALYZE_SWITCH_INTERVAL if stream else None):
                plan = plan_program(
                    project, config, organization=opts.organization, listener=stream.submit if stream else None
                )
            timings.mark("program_done")
            policy = None
            if stream is not None:
                progress.phase(f"finishing the policy evaluation of {len(plan.resources)} resources")
                policy = stream.finish(plan)
                stream = None
                timings.mark("policy_done")
    except Exception as exc:
        # A program's or a pack's error text (or an internal error's) may quote a secret config value.
        redact = Redactor(config.secret_values())
        if isinstance(exc, OpsError):
            exc.message = redact(exc.message)
        exc.args = tuple(redact(a) if isinstance(a, str) else a for a in exc.args)
        raise
    finally:
        if stream is not None:
            stream.abort()
        if process is not None:
            process.close()
        if checker is not None:
            checker.close()
    _record_costs(timings, plan.elapsed, process)
    return PlanReport(
        plan=plan,
        policy=policy,
        policy_skipped_reason=paths.skipped_reason,
        policy_config_note=paths.policy_config_note if policy is not None else None,
        timings=dict(timings.marks),
        cost=_estimate(plan),
        placeholders=placeholders,
    )


def _estimate(plan: Plan) -> Any:
    """The monthly cost estimate of the plan (ops/cost: the price table and the program's usage assumptions)."""
    from ..cost import estimate, items_from_records  # noqa: PLC0415 - only once there is a plan

    return estimate(*items_from_records(plan.resources, plan.outputs))


def plan(
    *,
    stack: Annotated[
        str, typer.Option("--stack", "-s", metavar="NAME", help="The stack to plan, e.g. preview or prod.")
    ],
    json_file: Annotated[
        Path | None,
        typer.Option("--json", "-j", metavar="FILE",
                     help="Also write the plan as JSON to FILE (only if the plan completes); - for stdout, the report "
                     "then goes to stderr."),
    ] = None,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", "-r", metavar="FILE",
                     help="Also write a markdown review (a pull-request comment, $GITHUB_STEP_SUMMARY) to FILE (only "
                     "if the plan completes); - for stdout."),
    ] = None,
    refuse_placeholders: Annotated[
        bool,
        typer.Option("--refuse-placeholders",
                     help="Refuse (exit 2, before planning) a stack file that still holds a sample value; deploy.yml "
                     "runs this before pulumi up."),
    ] = False,
    no_policy: Annotated[bool, typer.Option("--no-policy", help="Skip policy evaluation.")] = False,
    program: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Program directory (holds Pulumi.yaml). Default: the repository root."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Stack config file. Default: <program>/Pulumi.<stack>.yaml.")
    ] = None,
    policy_pack: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Policy pack directory. Default: <repository>/policies if it is a pack."),
    ] = None,
    policy_config: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Policy config JSON, read as pulumi's --policy-pack-config. Default: <policy "
            "pack>/config/<stack>.json, else <policy pack>/config/<environment>.json (the stack's environment, as "
            "`ops stacks` resolves it).",
        ),
    ] = None,
    organization: Annotated[
        str, typer.Option(metavar="NAME", help="Organization name the program sees.", show_default=True)
    ] = "organization",
) -> None:
    opts = PlanOptions(
        stack=stack,
        program=program,
        config=config,
        policy_pack=policy_pack,
        policy_config=policy_config,
        no_policy=no_policy,
        organization=organization,
        refuse_placeholders=refuse_placeholders,
    )

    def body() -> Outcome:
        # Imported here: the reports need nothing until there is a report.
        from ..reports.common import plan_redactor  # noqa: PLC0415
        from ..reports.plan_json import build_json  # noqa: PLC0415
        from ..reports.plan_markdown import render_markdown  # noqa: PLC0415
        from ..reports.plan_text import render  # noqa: PLC0415

        report = run_plan(opts, progress=Progress())
        redact = plan_redactor(report.plan)
        return Outcome(
            exit_code=report.exit_code,
            render=lambda stream: render(report, stream),
            json_document=lambda: build_json(report, redact),
            report_document=lambda: render_markdown(report, redact),
        )

    raise typer.Exit(run_command(json_file, body, report_path=report_file))
