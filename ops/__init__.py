"""Offline operations for the Pulumi program in this repository.

`python -m ops plan` runs the program under the SDK's mock runtime with preview semantics and
evaluates the policy pack over the real Analyzer gRPC protocol, like `pulumi preview --policy-pack`,
without the Pulumi CLI, provider plugins or cloud credentials.

Layout (imports only point down this list; nothing above `program`/`policy.analyzer` loads the SDK):
  - `ops.cli`: the typer app and `main()`
  - `ops.commands.plan`: `ops plan` (`run_plan(PlanOptions(...)) -> PlanReport`)
  - `ops.commands.common`: the run/exit/JSON logic every command shares (`run_command`, `Outcome`)
  - `ops.commands.stacks` and `ops.stacks`: `ops stacks`, the stacks from the stack files (SDK-free)
  - `ops.reports`: `plan_text` (`render`), `plan_rich`, `plan_json` (`build_json`), `common`
  - `ops.cost`: the monthly estimate from a cited price table (SDK-free; the pack's budget policy uses it too)
  - `ops.program`: `plan_program(project, stack_file, ...) -> Plan` (imports the Pulumi SDK)
  - `ops.policy`: `pack` (`PolicyPackProcess`), `config` (`read_policy_config`, `reconcile_policy_config`),
    `schema_check` (validation in a helper process), `analyzer` (`AnalyzerSession`, the protocol) and `stream`
    (`AnalyzerStream`, analysis while the program runs); these two import grpc and the SDK's protos
  - `ops.project`: `load_project(dir)`, `read_stack_file(project, stack, path) -> StackFile`
  - `ops.model`: the SDK-free data model (ResourceRecord, Plan, PlanReport, URNs, policies, diagnostics)
  - `ops.values`, `ops.yamlfile`, `ops.errors` (the exit-code table)
  - `ops.interrupt`: Ctrl-C (standard library only; `ops/__main__.py` loads it first)

Keep this module free of imports: the CLI's start-up time is part of the plan's budget.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
