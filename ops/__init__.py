"""Offline operations for the Pulumi program in this repository.

`python -m ops plan` runs the program under the SDK's mock runtime with preview semantics and
evaluates the policy pack over the real Analyzer gRPC protocol, like `pulumi preview --policy-pack`,
without the Pulumi CLI, provider plugins or cloud credentials.

Library API (the CLI in `ops.cli` is a thin layer over it):
  - `ops.project`: `load_project(dir)`, `load_stack_config(project, stack, path)`
  - `ops.engine`: `plan_program(project, config, ...) -> Plan` (imports the Pulumi SDK)
  - `ops.policypack`: `load_policy_pack(dir)`, `PolicyPackProcess`, `load_policy_config(path)`,
    `reconcile_policy_config(...)`
  - `ops.analyzer`: `evaluate(plan, process, user_config) -> PolicyResult`, `AnalyzerStream`
  - `ops.report`: `PlanReport`, `render(report, file)`, `build_json(report)`
  - `ops.commands`: `run_plan(PlanOptions(...)) -> PlanReport`

Keep this module free of imports: the CLI's start-up time is part of the plan's budget.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
