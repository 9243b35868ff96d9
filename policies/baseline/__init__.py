"""The platform-security-baseline policy pack: policies for the controls of security-baseline.md.

Layout (as pulumi/compliance-policies): one module per resource type under `aws/<service>/`, each with a
`POLICIES` list holding that type's resource policies and the stack joins that report on it. `common.py` has the
total readers and the guarded builders, `factories.py` the one-line checks, `refs.py` the control references,
`thresholds.py` every minimum's bounds (the values are in `config/<stack>.json`), `pack.py` the pack itself.

The pack's names are loaded on first use, so `import baseline.thresholds` costs no Pulumi import.
"""

from __future__ import annotations

from typing import Any

_PACK_NAMES = frozenset({"MODULES", "PACK_DESCRIPTION", "PACK_NAME", "all_policies", "pack_arguments"})


def __getattr__(name: str) -> Any:
    if name in _PACK_NAMES:
        from . import pack  # noqa: PLC0415 - deferred so that thresholds.py stays SDK-free

        return getattr(pack, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
