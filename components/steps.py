"""What a person must do for a stack to go live, and when: the model of one manual step.

Each concern contributes its steps from its validated config (`components/<concern>/steps.py`); the collector
(`components/manual_steps.py`) orders them and `__main__.py` exports them as the `manual_steps` output; the
runbook (`docs/going-live.md`) lists the same steps by id, in the same order (tests/components/test_manual_steps.py).

No SDK import: steps are computed from config alone, so they are known at `pulumi preview` and in the offline
plan, and a test builds them in milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

#: When a step is done, in the order they happen. `first-up` is the first `pulumi up` of the stack itself;
#: `before-lock-date` is the vault lock's grace period, after which its settings cannot be changed.
Phase = Literal["before-first-up", "first-up", "after-first-up", "before-lock-date"]
PHASES: tuple[Phase, ...] = get_args(Phase)

# "<concern>.<what>": lower-case words joined by '-', e.g. 'edge.name-servers'.
_ID = re.compile(r"[a-z]+\.[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True, kw_only=True)
class ManualStep:
    """One thing only a person can do, with the exact command to do it and how to tell it is done."""

    #: Stable id, '<concern>.<what>'; the runbook's step carries the same id.
    id: str
    phase: Phase
    #: One short line: what the step achieves.
    title: str
    #: The exact instruction on one line: the command(s) to run and what "done" looks like.
    instruction: str
    #: Which instance of a repeated step this is (an address and its topic, ...); None for a one-off step.
    subject: str | None = None

    def __post_init__(self) -> None:
        if not _ID.fullmatch(self.id):
            raise ValueError(f"manual step id {self.id!r} is not '<concern>.<what>' (lower case, '-' between words)")
        if self.phase not in PHASES:
            raise ValueError(f"manual step {self.id}: phase {self.phase!r} is not one of {', '.join(PHASES)}")
        for what, text in (("title", self.title), ("instruction", self.instruction), ("subject", self.subject)):
            if text is not None and (not text.strip() or "\n" in text):
                raise ValueError(f"manual step {self.id}: {what} must be one non-empty line")

    @property
    def key(self) -> str:
        """Unique within a stack's steps: the id, and the subject of a repeated step."""
        return self.id if self.subject is None else f"{self.id}[{self.subject}]"

    def line(self, number: int) -> str:
        """How the stack output shows the step: `<n>. [<phase>] <title>: <instruction> (<key>)`."""
        return f"{number}. [{self.phase}] {self.title}: {self.instruction} ({self.key})"


def numbered(steps: list[ManualStep]) -> list[str]:
    """The steps as the `manual_steps` output lists them, numbered from 1."""
    return [step.line(number) for number, step in enumerate(steps, start=1)]
