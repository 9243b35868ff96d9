"""The policy pack's own modules (`policies/baseline`), imported as the pack imports them: pulumi_policy, no
provider SDK."""

from __future__ import annotations

import sys
from types import ModuleType

from .sources import REPO

PACK_DIR = REPO / "policies"


def baseline(module: str) -> ModuleType:
    """`baseline.<module>` from policies/ (the pack's own package root)."""
    if str(PACK_DIR) not in sys.path:
        sys.path.insert(0, str(PACK_DIR))
    __import__(f"baseline.{module}")
    return sys.modules[f"baseline.{module}"]
