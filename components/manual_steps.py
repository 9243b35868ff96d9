"""Every manual step of a stack, in the order a person does them: by phase (`components/steps.py`: before the
first `pulumi up`, the first up, after it, before the vault lock's date), then by concern, in `CONCERNS`' order.

Each concern contributes its steps from the validated config alone (`components/<concern>/steps.py`), so the list
is complete at `pulumi preview` and in the offline plan. `__main__.py` exports it as the one `manual_steps`
output; docs/going-live.md is the same list as a runbook (tests/components/test_manual_steps.py compares them).
The two stack-wide steps (the placeholders and the first `pulumi up`) are declared here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from components.alerting.steps import alerting_steps
from components.backup.steps import backup_steps
from components.edge.steps import edge_steps
from components.github.steps import github_steps
from components.postgres.steps import database_steps
from components.state_backend.steps import bootstrap_steps
from components.steps import PHASES, ManualStep, numbered
from ops.stacks import policy_config_for

#: the policy pack `pulumi up --policy-pack policies` runs (deploy.yml)
POLICY_PACK = Path(__file__).resolve().parents[1] / "policies"

if TYPE_CHECKING:
    from components.stack import StackConfig


def stack_steps(config: StackConfig, pack: Path = POLICY_PACK) -> list[ManualStep]:
    """The stack file's placeholders, and the first `pulumi up` itself (which starts the later phases)."""
    stack = config.stack
    # The file deploy.yml and `ops plan` use: the stack's own policy config when it has one (ops/stacks.py).
    policy_config = policy_config_for(pack, stack, config.environment)
    policy_config_name = policy_config.name if policy_config is not None else f"{config.environment}.json"
    return [
        ManualStep(
            id="stack.placeholders",
            phase="before-first-up",
            title=f"Replace every PLACEHOLDER in Pulumi.{stack}.yaml",
            instruction=(
                f"`python -m ops plan --stack {stack} --refuse-placeholders` lists every value still marked "
                "`# PLACEHOLDER` and every sample value left unmarked (docs/going-live.md lists the marked ones); set "
                "each value, delete its PLACEHOLDER comment, and check the AZs and CIDRs the file sets; done when that "
                "command exits 0 (the deploy workflow runs it before every `pulumi up`)"
            ),
        ),
        ManualStep(
            id="stack.first-up",
            phase="first-up",
            title=f"Run the first `pulumi up` of {stack}",
            instruction=(
                f"`pulumi stack select {stack} && pulumi up --policy-pack policies --policy-pack-config "
                f"policies/config/{policy_config_name}` as the administrator (or Actions > deploy > Run "
                "workflow, on main); done when the update succeeds and `pulumi stack output manual_steps` "
                "lists the steps that follow"
            ),
        ),
    ]


def app_steps(config: StackConfig) -> list[ManualStep]:
    """Connecting the app: nothing in the stack can change the app's own compute, code or deploy settings."""
    stack = config.stack
    jobs = (
        "; its job endpoints verify the `job_auth_header` header against `pulumi stack output --show-secrets "
        "job_auth_secret` in constant time and answer 202 within 5 seconds (docs/cron-jobs.md): the jobs call "
        f"{config.jobs.base_url} from now on, and a refused call dead-letters and alarms"
        if config.jobs.base_url is not None else ""
    )
    return [ManualStep(
        id="app.connect",
        phase="after-first-up",
        title=f"Connect the app to {stack}",
        instruction=(
            "run its compute in `pulumi stack output app_subnet_ids` with the security group `app_security_group_id`; "
            "attach `database_app_connect_policy_arn` to its role and connect to `database_proxy_endpoint` as "
            "`database_app_username` with an IAM token (docs/database.md); give it `cache_url` (a secret); let its "
            "backup job assume `backup_writer_role_arn` and upload as docs/backups.md says" + jobs + "; done when "
            "the app serves through the proxy and the cache, its health check is green, and the first scheduled "
            "job leaves its dead-letter queue empty"
        ),
    )]


#: The concerns in the order their steps appear within a phase.
CONCERNS: tuple[tuple[str, Callable[[StackConfig], list[ManualStep]]], ...] = (
    ("bootstrap", bootstrap_steps),
    ("github", github_steps),
    ("stack", stack_steps),
    ("database", database_steps),
    ("app", app_steps),
    ("edge", edge_steps),
    ("alerts", alerting_steps),
    ("backup", backup_steps),
)


def manual_steps(config: StackConfig) -> list[ManualStep]:
    """The stack's manual steps, ordered by phase, then concern (a concern's own order within it)."""
    contributed: list[tuple[int, int, ManualStep]] = []
    for rank, (concern, contribute) in enumerate(CONCERNS):
        for step in contribute(config):
            if step.id.partition(".")[0] != concern:
                raise ValueError(f"{contribute.__name__} contributed {step.id}: its steps' ids start '{concern}.'")
            contributed.append((PHASES.index(step.phase), rank, step))
    # sorted() is stable: a concern's steps keep their order within a phase.
    steps = [step for _, _, step in sorted(contributed, key=lambda item: item[:2])]
    keys = [step.key for step in steps]
    if len(set(keys)) != len(keys):
        raise ValueError(f"manual steps repeat a key: {sorted(k for k in keys if keys.count(k) > 1)}")
    return steps


def manual_step_lines(config: StackConfig) -> list[str]:
    """The `manual_steps` stack output: one line per step, `<n>. [<phase>] <title>: <instruction> (<key>)`."""
    return numbered(manual_steps(config))
