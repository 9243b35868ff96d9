"""The stack join of a Cloudflare zone (`cloudflare:index/zone:Zone`) with its `ZoneSetting`s and `Ruleset`s.

A setting or ruleset belongs to a zone when its `zoneId` was computed from the zone (a property dependency: the
zone id is unknown at preview) or is a literal equal to the zone's known `id`. A literal zone id that matches no
`Zone` of the stack is an adopted zone: it is judged too, from the settings and rulesets the stack declares for
it, and reported on the first of them. A `zoneId` that is unknown without a dependency on a zone is not
attributed to any zone. Nothing here raises: every read goes through the total readers of `common`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy import PolicyResource, StackValidationArgs

from ..common import MISSING, UNKNOWN, StackIndex, as_list, as_str, get, is_unknown

ZONE: Final = "cloudflare:index/zone:Zone"
ZONE_SETTING: Final = "cloudflare:index/zoneSetting:ZoneSetting"
RULESET: Final = "cloudflare:index/ruleset:Ruleset"
#: Retired or replaced APIs (Cloudflare API deprecations: Firewall Rules, Filters and legacy Rate Limiting ended
#: June 2025; Page Rules are replaced by Rules).
LEGACY_TYPES: Final = (
    "cloudflare:index/firewallRule:FirewallRule",
    "cloudflare:index/filter:Filter",
    "cloudflare:index/rateLimit:RateLimit",
    "cloudflare:index/pageRule:PageRule",
)


@dataclass
class ZoneView:
    """One zone and what the stack declares for it."""

    name: str
    urn: str
    settings: dict[str, list[Any]] = field(default_factory=dict)
    rulesets: dict[str, list[PolicyResource]] = field(default_factory=dict)
    # A setting or ruleset joined to the zone whose id or phase is not known yet (preview): a "none declared"
    # finding would be a guess, so those checks wait for the next preview.
    unknown_setting_ids: bool = False
    unknown_phases: bool = False

    def setting(self, setting_id: str) -> list[Any]:
        """The values declared for `setting_id` (`UNKNOWN` for a value not known yet); empty when none is."""
        return self.settings.get(setting_id, [])

    def phase(self, phase: str) -> list[PolicyResource]:
        return self.rulesets.get(phase, [])


def zones(args: StackValidationArgs) -> list[ZoneView]:
    index = StackIndex(args.resources)
    declared = index.of_type(ZONE)
    views: dict[str, ZoneView] = {z.urn: ZoneView(z.name, z.urn) for z in declared}
    adopted: dict[str, ZoneView] = {}
    for resource in index.of_type(ZONE_SETTING, RULESET):
        view = _zone_of(index, resource, declared, views, adopted)
        if view is None:
            continue
        if resource.resource_type == ZONE_SETTING:
            setting_id = as_str(get(resource.props, "settingId"))
            if isinstance(setting_id, str):
                view.settings.setdefault(setting_id, []).append(get(resource.props, "value"))
            else:
                view.unknown_setting_ids = True
        else:
            phase = as_str(get(resource.props, "phase"))
            if isinstance(phase, str):
                view.rulesets.setdefault(phase, []).append(resource)
            else:
                view.unknown_phases = True
    return [*views.values(), *adopted.values()]


def _zone_of(
    index: StackIndex,
    resource: PolicyResource,
    declared: list[PolicyResource],
    views: dict[str, ZoneView],
    adopted: dict[str, ZoneView],
) -> ZoneView | None:
    deps = index.property_deps(resource, "zoneId", ZONE)
    if deps:
        return views.get(deps[0].urn)
    zone_id = get(resource.props, "zoneId")
    if not isinstance(zone_id, str) or is_unknown(zone_id) or not zone_id:
        return None
    for zone in declared:
        if get(zone.props, "id") == zone_id:
            return views[zone.urn]
    return adopted.setdefault(zone_id, ZoneView(f"zone {zone_id}", resource.urn))


def rules_of(ruleset: PolicyResource) -> list[Any] | Any:
    """A ruleset's rules (each a mapping, or `UNKNOWN`), `UNKNOWN` when the whole list is not known, or []."""
    rules = as_list(get(ruleset.props, "rules"))
    if rules is UNKNOWN:
        return UNKNOWN
    return rules if isinstance(rules, list) else []


def enabled(rule: Any) -> bool:
    value = get(rule, "enabled")
    return value is MISSING or value is UNKNOWN or value is True


def expression(rule: Any) -> str:
    value = as_str(get(rule, "expression"))
    return value if isinstance(value, str) else ""


def iter_rules(view: ZoneView, phase: str) -> Iterator[Any]:
    """The enabled, known rules of a phase's rulesets."""
    for ruleset in view.phase(phase):
        rules = rules_of(ruleset)
        if rules is UNKNOWN:
            continue
        for rule in rules:
            if rule is not UNKNOWN and enabled(rule):
                yield rule


def phase_unknown(view: ZoneView, phase: str) -> bool:
    """Whether some ruleset of the phase has rules not known yet, or a ruleset's phase is (judged at the next
    preview)."""
    return view.unknown_phases or any(rules_of(r) is UNKNOWN for r in view.phase(phase))
