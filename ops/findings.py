"""Policy findings named by the stack config key that fixes them.

A diagnostic on a resource whose input (or `protect` option) comes from stack config is traced back to that key
through `components/config_sources.py` (one map of key -> the resource properties it sets; a diagnostic matches a
row when its finding names the row's property). Diagnostics that one key explains are one finding: the key, its
value, where the value comes from (the stack file, or the environment's default) and what to set.

A non-prod stack's advisory findings whose key holds its environment's declared default, where prod's default
differs, are the relaxations that environment is meant to have (single-AZ, no `protect`, ...): they are
"expected for a preview stack" and reports collapse them; every other finding stays in view.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any

from .model import Diagnostic, PlanReport

# Concern key -> its config model (imported when a plan is reported; each imports pydantic only).
_MODELS = {
    "database": "components.postgres.config:DatabaseConfig",
    "cache": "components.cache.config:CacheConfig",
    "backup_storage": "components.backup_storage.config:BackupStorageConfig",
    "backup": "components.backup.config:BackupConfig",
    "network": "components.network.config:NetworkConfig",
    "edge": "components.edge.config:EdgeConfig",
}
_UNSET = object()


@dataclass
class ConfigFinding:
    key: str  # the full key, e.g. "platform:database.protect"
    value: Any
    origin: str  # "Pulumi.prod.yaml" or "the preview default"
    fix: Any  # the value to set (prod's default), or _UNSET when prod's default is the same
    expected: bool  # a relaxation the (non-prod) environment is meant to have
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def policies(self) -> list[str]:
        return sorted({d.policy for d in self.diagnostics})

    @property
    def has_fix(self) -> bool:
        return self.fix is not _UNSET

    def to_json(self) -> dict[str, Any]:
        return {
            "configKey": self.key,
            "value": self.value,
            "valueFrom": self.origin,
            "set": self.fix if self.has_fix else None,
            "expectedForEnvironment": self.expected,
            "policies": [{"policy": d.policy, "urn": d.urn, "enforcementLevel": d.level} for d in self.diagnostics],
        }


@dataclass
class Findings:
    environment: str | None
    by_key: list[ConfigFinding]
    unmapped: list[Diagnostic]

    @property
    def expected(self) -> list[ConfigFinding]:
        return [f for f in self.by_key if f.expected]

    @property
    def actionable(self) -> list[ConfigFinding]:
        return [f for f in self.by_key if not f.expected]

    def expected_count(self) -> int:
        return sum(len(f.diagnostics) for f in self.expected)

    def is_expected(self, d: Diagnostic) -> bool:
        return any(d in f.diagnostics for f in self.expected)


def _finding_text(d: Diagnostic) -> str:
    # pulumi_policy puts the policy's description first and the finding after it.
    lines = [line for line in d.message.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _names(prop: str, text: str) -> bool:
    if prop.startswith("(option) "):
        option = prop.removeprefix("(option) ")
        return re.search(rf"'{option}'|\b{option}(ed)?\b", text) is not None
    return re.search(rf"\b{re.escape(prop)}\b", text) is not None


def _model(concern: str) -> Any:
    module, _, name = _MODELS[concern].partition(":")
    return getattr(importlib.import_module(module), name)


def _effective(report: PlanReport, namespace: str, key: str, environment: str) -> tuple[Any, str, Any, Any]:
    """(value, where it comes from, the environment's default, prod's default) of `concern.field`."""
    concern, _, name = key.partition(".")
    raw = report.plan.config.values.get(f"{namespace}:{concern}")
    model = _model(concern)
    default = model.default_for(name, environment)
    prod_default = model.default_for(name, "prod")
    default, prod_default = _plain(default), _plain(prod_default)
    if isinstance(raw, dict) and name in raw:
        return raw[name], report.plan.config.path.name, default, prod_default
    return default, f"the {environment} default", default, prod_default


def _plain(value: Any) -> Any:
    """A default as the stack file would write it (a sub-model as its mapping)."""
    dump = getattr(value, "model_dump", None)
    return dump(mode="json", exclude_none=True) if callable(dump) else value


def config_findings(report: PlanReport) -> Findings:
    from components.concern import PROJECT  # noqa: PLC0415 - pydantic-only module, loaded with the program
    from components.config_sources import POLICY_KEYS, sources_for  # noqa: PLC0415

    from .stacks import stack_environment  # noqa: PLC0415

    policy, plan = report.policy, report.plan
    diags = [d for d in (policy.diagnostics if policy else []) if d.level in ("mandatory", "advisory")]
    environment, _ = stack_environment(plan.stack, plan.config.values.get(f"{plan.project}:environment"))
    if plan.project != PROJECT or environment is None:
        return Findings(environment, [], diags)
    by_urn = plan.by_urn()
    found: dict[str, ConfigFinding] = {}
    unmapped = []
    for d in diags:
        rec = by_urn.get(d.urn)
        text = _finding_text(d)
        keys = sorted({s.key for s in (sources_for(d.urn, rec.type) if rec else []) if _names(s.prop, text)})
        if not keys and d.policy in POLICY_KEYS:
            keys = [POLICY_KEYS[d.policy]]
        if not keys:
            unmapped.append(d)
            continue
        for key in keys:
            if key not in found:
                value, origin, default, prod_default = _effective(report, plan.project, key, environment)
                fix = prod_default if prod_default != value else _UNSET
                expected = environment != "prod" and fix is not _UNSET and value == default
                found[key] = ConfigFinding(f"{plan.project}:{key}", value, origin, fix, expected)
            found[key].diagnostics.append(d)
    for finding in found.values():
        # A mandatory finding is never "expected", whatever its key's default.
        if any(d.level == "mandatory" for d in finding.diagnostics):
            finding.expected = False
    ordered = sorted(found.values(), key=lambda f: (f.expected, -len(f.diagnostics), f.key))
    return Findings(environment, ordered, unmapped)


def shown_value(value: Any) -> str:
    """A config value as the stack file writes it (YAML flow: `null`, `{mode: compliance}`, `db.t4g.medium`), the
    formatter every config message uses (components/flow.py); long values drop whole items, never part of one."""
    from components.flow import flow  # noqa: PLC0415  (PyYAML only; ops imports no component at start-up)

    return flow(value, 120)


def fix_text(finding: ConfigFinding, stack_file: str) -> str:
    """What to do, in one clause: `set platform:database.protect: true in Pulumi.prod.yaml`."""
    if finding.has_fix:
        return f"set {finding.key}: {shown_value(finding.fix)} in {stack_file}"
    return f"change {finding.key} in {stack_file} so that the policies pass"


def findings_of(report: PlanReport) -> Findings:
    """The report's findings, computed once for every rendering of it."""
    cached = report.__dict__.get("_config_findings")
    if cached is None:
        cached = config_findings(report)
        report.__dict__["_config_findings"] = cached
    return cached


# The Python policy SDK's note for a policy that raised UnknownValueError (pulumi_policy/policy.py, 1.21.0: "can't
# run policy '<name>' from policy pack '<pack>@v<version>' during preview: <message>"): always reported at the
# advisory level, whatever the policy's configured level.
_CANNOT_RUN = re.compile(r"^can't run policy '(?P<policy>[^']+)' from policy pack '[^']*' during preview: (?P<why>.*)",
                         re.DOTALL)
_HOURLY_UNPRICED = re.compile(r"\d+ charges? billed every hour (?:has|have) no price")


@dataclass(frozen=True)
class Undecided:
    """A mandatory policy that could not decide (the SDK's "can't run policy" note): it did not pass."""

    policy: str
    reason: str

    @property
    def text(self) -> str:
        return f"{self.policy} ({self.reason})" if self.reason else self.policy


def undecided_mandatory(report: PlanReport) -> list[Undecided]:
    """The policies configured mandatory whose only diagnostic is the SDK's advisory "can't run policy" note: the
    plan passes (the engine does not block on an advisory note), but these checks did not decide."""
    if report.policy is None:
        return []
    defaults = {p.name: p.level for p in report.policy.policies}
    out: dict[str, Undecided] = {}
    for d in report.policy.diagnostics:
        match = _CANNOT_RUN.match(d.message)
        if match is None:
            continue
        entry = report.policy.config.get(d.policy)
        level = entry.level if entry is not None and entry.level else defaults.get(d.policy)
        if level != "mandatory":
            continue
        why = match["why"]
        hourly = _HOURLY_UNPRICED.search(why)
        reason = hourly.group(0) if hourly else why.split(":", 1)[0].strip()
        out.setdefault(d.policy, Undecided(d.policy, reason))
    return list(out.values())


def undecided_headline(undecided: list[Undecided]) -> str:
    """ "1 mandatory check could not decide: <policy> (<why>)" """
    count = len(undecided)
    return (f"{count} mandatory {'check' if count == 1 else 'checks'} could not decide: "
            + "; ".join(u.text for u in undecided))
