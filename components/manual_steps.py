"""Every manual step of a stack, in the order a person does them: by phase (`components/steps.py`: before the
first `pulumi up`, the first up, after it, before the vault lock's date), then by concern, in `CONCERNS`' order.

Each concern contributes its steps from the validated config alone (`components/<concern>/steps.py`), so the list
is complete at `pulumi preview` and in the offline plan. `__main__.py` exports it as the one `manual_steps`
output; docs/going-live.md is the same list as a runbook (tests/components/test_manual_steps.py compares them).
The two stack-wide steps (the placeholders and the first `pulumi up`) are declared here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from components.alerting.steps import alerting_steps
from components.backup.steps import backup_steps
from components.edge.steps import edge_steps
from components.github.steps import github_steps
from components.postgres.steps import database_steps
from components.state_backend.steps import bootstrap_steps
from components.steps import PHASES, ManualStep, numbered

if TYPE_CHECKING:
    from components.stack import StackConfig


def stack_steps(config: StackConfig) -> list[ManualStep]:
    """The stack file's placeholders, and the first `pulumi up` itself (which starts the later phases)."""
    stack = config.stack
    return [
        ManualStep(
            id="stack.placeholders",
            phase="before-first-up",
            title=f"Replace every PLACEHOLDER in Pulumi.{stack}.yaml",
            instruction=(
                f"`grep -n '# PLACEHOLDER' Pulumi.{stack}.yaml` lists them (docs/going-live.md lists every one); set "
                "each value, delete its PLACEHOLDER comment, and check the AZs and CIDRs the file sets; done when "
                f"that grep prints nothing and `python -m ops plan --stack {stack}` exits 0"
            ),
        ),
        ManualStep(
            id="stack.first-up",
            phase="first-up",
            title=f"Run the first `pulumi up` of {stack}",
            instruction=(
                f"`pulumi stack select {stack} && pulumi up --policy-pack policies --policy-pack-config "
                f"policies/config/{config.environment}.json` as the administrator (or Actions > deploy > Run "
                "workflow, on main); done when the update succeeds and `pulumi stack output manual_steps` "
                "lists the steps that follow"
            ),
        ),
    ]


#: The concerns in the order their steps appear within a phase.
CONCERNS: tuple[tuple[str, Callable[[StackConfig], list[ManualStep]]], ...] = (
    ("bootstrap", bootstrap_steps),
    ("github", github_steps),
    ("stack", stack_steps),
    ("database", database_steps),
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
