"""The estimate as text, markdown and JSON, and what a change does to it (`ops diff`).

Every rendering says what the figure is: the known part of the monthly estimate, in USD, with the charges of
unknown price listed (never counted as zero), the usage assumptions it rests on, and the price table's date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..changes import Attention, ChangeSet
from .estimate import HOURLY_UNITS, Charge, Estimate, ResourceCost, label, vendor_of

VENDOR_NAMES = {"aws": "AWS", "cloudflare": "Cloudflare", "azure": "Azure", "github": "GitHub", "local": "local"}
#: What the estimate assumes besides the usage config, printed with it.
ASSUMPTIONS = (
    "on-demand list prices, before tax, credits, free tiers and discounts; a month is {hours:g} hours",
    "KMS keys in their first year (each yearly rotation adds $1/month from its year)",
    "a log group holds its retention's worth of ingestion (an upper bound: CloudWatch archives logs compressed); "
    "an alarm is billed per metric it reads",
    "Multi-AZ: AWS's own Multi-AZ rate where the table lists one, else the standby instance and storage at the "
    "Single-AZ rate (rules.rds.multi_az)",
    "GitHub: environments, their secrets and variables come with the owner's plan (platform:github.plan); its "
    "per-seat price is not this stack's",
    "data transferred out to the internet is not estimated",
)


def usd(value: float) -> str:
    return f"{value:,.2f}"


def signed_usd(value: float) -> str:
    return f"{'+' if value >= 0 else '-'}{abs(value):,.2f}"


def vendor_summary(estimate: Estimate) -> str:
    parts = [f"{VENDOR_NAMES.get(v, v)} {usd(x)}" for v, x in estimate.by_vendor.items() if v != "local"]
    return ", ".join(parts)


def headline(estimate: Estimate) -> str:
    unknown = estimate.unknown_count
    known = f"{usd(estimate.monthly_usd)} USD/month known ({vendor_summary(estimate)})"
    if not unknown:
        return f"{known}; every charge priced"
    plural = "charge" if unknown == 1 else "charges"
    return f"{known}; {unknown} {plural} of unknown price not counted: a lower bound"


def _charge_text(charge: Charge) -> str:
    if charge.monthly_usd is not None and charge.price is not None and charge.quantity:
        return (f"{charge.what}: {charge.quantity:,.6g} {charge.unit} x {charge.price.usd:g} = "
                f"{usd(charge.monthly_usd)}")
    if charge.monthly_usd == 0:
        return f"{charge.what}: 0 {charge.unit}"
    return f"{charge.what}: unknown ({charge.unknown})"


def _budget_lines(estimate: Estimate) -> list[str]:
    aws = estimate.vendor_usd("aws")
    if not estimate.budgets:
        if estimate.usage is None:
            return []  # not a program of this platform (no cost_usage): it has no budget setting to point at
        return [f"Budget: none (platform:budget.monthly_usd is not set); the AWS estimate is {usd(aws)} USD/month"]
    hourly = [group for group in estimate.unknown_hourly if group.type.startswith("aws:")]
    undecided = (f"; {len(hourly)} AWS {'charge' if len(hourly) == 1 else 'charges'} billed every hour "
                 f"{'has' if len(hourly) == 1 else 'have'} no price, so whether the budget covers the stack cannot "
                 "be decided") if hourly else ""
    lines = []
    for budget in estimate.budgets:
        amount = "known at deploy" if budget.monthly_usd is None else f"{usd(budget.monthly_usd)} USD/month"
        lines.append(f"Budget {budget.name}: {amount} for the AWS account; the AWS estimate is {usd(aws)} USD/month"
                     f"{' (a lower bound)' if estimate.unknown_count else ''}{undecided}")
    return lines


def usage_text(estimate: Estimate) -> str:
    if estimate.usage is None:
        return "none: the program exports no `cost_usage` (usage-priced charges are unknown)"
    return ", ".join(f"{key}={value}" for key, value in sorted(estimate.usage.items()))


def text_lines(estimate: Estimate, today: dt.date) -> list[str]:
    """The `Cost` section of `ops plan`'s text report."""
    table = estimate.table
    out = [f"Cost (offline estimate, USD per month; prices: ops/cost/{table.path.name}, read "
           f"{table.read_on.isoformat()}):", f"  {headline(estimate)}"]
    if estimate.flags:
        out.append("  Purchases and charges that run every hour:")
        for flag in estimate.flags:
            amount = f" ({usd(flag.monthly_usd)})" if flag.monthly_usd is not None else " (price unknown)"
            out.append(f"    ! [{flag.kind}] {flag.text}{amount}")
    out.append("  By component:")
    for name, (amount, unknown) in estimate.by_component.items():
        note = f"  (+{unknown} unknown)" if unknown else ""
        out.append(f"    {usd(amount):>10}  {name}{note}")
    out.append("  Per resource (known amounts; every charge of every resource is in --json and --report):")
    for line in estimate.priced_lines:
        if line.monthly_usd <= 0:
            continue
        out.append(f"    {usd(line.monthly_usd):>10}  {line.item.type}  {line.item.name}")
        out += [f"{'':16}{_charge_text(c)}" for c in line.charges if c.monthly_usd]
    if estimate.unknown:
        out.append("  Unknown prices (not counted):")
        for group in estimate.unknown:
            out.append(f"    {group.count} x {group.type}: {group.what} [{group.region}]: {group.reason}")
    out.append(f"  Usage assumptions (platform:cost): {usage_text(estimate)}")
    out.append("  Assumptions: " + "; ".join(a.format(hours=table.hours_per_month) for a in ASSUMPTIONS))
    out += [f"  {line}" for line in _budget_lines(estimate)]
    stale = table.staleness(today)
    if stale:
        out.append(f"  warning: {stale}")
    undated = table.undated_note()
    if undated:
        out.append(f"  note: {undated}")
    return out


# --------------------------------------------------------------------------------------------------------------
# Markdown


def _cell(text: str) -> str:
    import html  # noqa: PLC0415

    return html.escape(text.strip(), quote=False).replace("|", "\\|").replace("\n", "<br>")


def markdown_head(estimate: Estimate, today: dt.date) -> list[str]:
    """The first screen of the review: the figure, the purchases and per-hour charges, the budget."""
    out = ["#### What it costs (offline estimate)", "", f"**{_cell(headline(estimate))}**", ""]
    if estimate.flags:
        out += ["Purchases and charges that run every hour:", ""]
        for flag in estimate.flags:
            amount = f" — {usd(flag.monthly_usd)} USD/month" if flag.monthly_usd is not None else " — price unknown"
            out.append(f"- **{flag.kind}**: {_cell(flag.text)}{amount}")
        out.append("")
    out += [f"{_cell(line)}" for line in _budget_lines(estimate)]
    stale = estimate.table.staleness(today)
    if stale:
        out += ["", f"> **Warning**: {_cell(stale)}"]
    undated = estimate.table.undated_note()
    if undated:
        out += ["", f"Price table: {_cell(undated)}."]
    return [*out, ""]


def markdown_details(estimate: Estimate) -> list[str]:
    """Collapsed: per component, per resource, the unknown prices, the assumptions and the price sources."""
    out = ["<details><summary>Cost per component and per resource</summary>", "",
           "| component | USD/month (known) | unknown charges |", "|---|---:|---:|"]
    out += [f"| `{name}` | {usd(amount)} | {unknown} |" for name, (amount, unknown) in estimate.by_component.items()]
    out += ["", "| resource | type | USD/month (known) | charges |", "|---|---|---:|---|"]
    for line in estimate.priced_lines:
        charges = "<br>".join(_cell(_charge_text(c)) for c in line.charges) or "no price rule for this type"
        out.append(f"| `{line.item.name}` | `{line.item.type}` | {usd(line.monthly_usd)} | {charges} |")
    out += ["", "</details>", ""]
    if estimate.unknown:
        out += [f"<details><summary>Unknown prices, not counted ({estimate.unknown_count})</summary>", "",
                "| count | type | charge | region | why |", "|---:|---|---|---|---|"]
        out += [f"| {g.count} | `{g.type}` | {_cell(g.what)} | {g.region} | {_cell(g.reason)} |"
                for g in estimate.unknown]
        out += ["", "</details>", ""]
    table = estimate.table
    out += ["<details><summary>Usage assumptions and price sources</summary>", "",
            f"Usage assumptions (`platform:cost`): {_cell(usage_text(estimate))}", "",
            "Assumptions: " + "; ".join(_cell(a.format(hours=table.hours_per_month)) for a in ASSUMPTIONS), "",
            "| price | region | USD | unit | page (date) |", "|---|---|---:|---|---|"]
    used: dict[tuple[str, str], Any] = {}
    for line in estimate.lines:
        for charge in line.charges:
            if charge.price is not None:
                used[(charge.price.id, charge.price.region)] = charge.price
    for (price_id, region), price in sorted(used.items()):
        pages = "<br>".join(f"{s.url} ({s.page_date or 'undated'})" for s in price.sources)
        out.append(f"| `{price_id}` | {region} | {price.usd:g} | {price.unit} | {pages} |")
    return [*out, "", "</details>", ""]


# --------------------------------------------------------------------------------------------------------------
# JSON


def _charge_json(charge: Charge) -> dict[str, Any]:
    price = charge.price
    return {
        "what": charge.what,
        "quantity": charge.quantity,
        "unit": charge.unit,
        "price_id": charge.price_id,
        "unit_price_usd": price.usd if price else None,
        "price_region": price.region if price else None,
        "monthly_cost_usd": charge.monthly_usd,
        "basis": charge.basis or None,
        "unknown_reason": charge.unknown or None,
        "sources": [{"url": s.url, "page_date": s.page_date} for s in price.sources] if price else [],
    }


def _resource_json(line: ResourceCost) -> dict[str, Any]:
    return {
        "urn": line.item.urn,
        "type": line.item.type,
        "name": line.item.name,
        "component": line.item.component,
        "region": line.item.region,
        "vendor": vendor_of(line.item.type),
        "monthly_cost_usd": round(line.monthly_usd, 4),
        "unknown_charge_count": len(line.unknown_charges) + (1 if line.unpriced_type else 0),
        "free_reason": line.free or None,
        "free_source": line.free_source or None,
        "charges": [_charge_json(c) for c in line.charges],
    }


def estimate_json(estimate: Estimate, today: dt.date) -> dict[str, Any]:
    table = estimate.table
    oldest = table.oldest_page
    return {
        "currency": table.currency,
        "monthly_cost_usd": estimate.monthly_usd,
        "monthly_cost_usd_is_lower_bound": estimate.unknown_count > 0,
        "monthly_cost_usd_by_vendor": estimate.by_vendor,
        "unknown_charge_count": estimate.unknown_count,
        "components": [
            {"component": name, "monthly_cost_usd": amount, "unknown_charge_count": unknown}
            for name, (amount, unknown) in estimate.by_component.items()
        ],
        "flags": [
            {"kind": f.kind, "text": f.text, "urns": list(f.urns), "monthly_cost_usd": f.monthly_usd}
            for f in estimate.flags
        ],
        "unknown": [
            {"type": g.type, "what": g.what, "region": g.region, "count": g.count, "reason": g.reason,
             "names": list(g.names)}
            for g in estimate.unknown
        ],
        "budgets": [{"urn": b.urn, "name": b.name, "monthly_budget_usd": b.monthly_usd} for b in estimate.budgets],
        "usage_assumptions": dict(estimate.usage) if estimate.usage is not None else None,
        "assumptions": [a.format(hours=table.hours_per_month) for a in ASSUMPTIONS],
        "price_table": {
            "file": f"ops/cost/{table.path.name}",
            "read_on": table.read_on.isoformat(),
            "max_age_days": table.max_age_days,
            "oldest_page": {"where": oldest.where, "url": oldest.source.url, "page_date": oldest.source.page_date}
            if oldest is not None else None,
            "age_days": table.age_days(today),
            "stale_warning": table.staleness(today),
            "undated_sources": [{"where": page.where, "url": page.source.url} for page in table.undated_sources],
        },
        "resources": [_resource_json(line) for line in estimate.lines],
    }


# --------------------------------------------------------------------------------------------------------------
# What a change costs (ops diff)


@dataclass(frozen=True)
class DeltaLine:
    type: str
    base_count: int
    head_count: int
    base_usd: float
    head_usd: float
    base_unknown: int
    head_unknown: int

    @property
    def delta_usd(self) -> float:
        return round(self.head_usd - self.base_usd, 2)

    @property
    def describe(self) -> str:
        change = self.head_count - self.base_count
        if change > 0:
            return f"{change} {label(self.type, change)} added"
        if change < 0:
            return f"{-change} {label(self.type, -change)} removed"
        return f"{self.head_count} {label(self.type, self.head_count)} changed"


@dataclass(frozen=True)
class Purchase:
    """A purchase or per-hour charge a change starts: bought (an added resource) or bought again (a replaced one:
    Pulumi creates the new one before deleting the old, so both are billed meanwhile, and the monthly estimate
    stays: the delta alone shows nothing)."""

    kind: str  # the estimate's flag: purchase, per-hour, doubled, minimum
    text: str  # the flag's text ("Cloudflare subscription edge-zone: Pro, renews until cancelled")
    how: str  # "added", "replaced", or "added or replaced"
    urns: tuple[str, ...]
    monthly_usd: float | None  # what the added or replaced resources cost a month; None: of unknown price

    @property
    def verb(self) -> str:
        return {"added": "bought", "replaced": "bought again (replaced)"}.get(self.how, "bought or bought again")

    @property
    def amount(self) -> str:
        known = f"{usd(self.monthly_usd)} USD/month" if self.monthly_usd is not None else "price unknown"
        if self.how == "replaced":
            return f"monthly estimate unchanged: {known}; billed twice while both exist"
        return f"+{known}" if self.monthly_usd is not None else "+? USD/month, unknown price"


@dataclass(frozen=True)
class PriceChange:
    """A charge priced on one side of a change only (a class or plan the table has no price for, or the other way
    round): its change is unknown, never the difference of a price and nothing."""

    urn: str
    type: str
    name: str
    before_what: str
    after_what: str
    before_usd: float | None  # None: unknown before
    after_usd: float | None  # None: unknown after
    hourly: bool  # billed every hour, whatever the traffic

    @property
    def what(self) -> str:
        """"db.m7g.large -> db.m7g.xlarge instance-hours (...)": what differs, then what they share."""
        before, after = self.before_what.split(" "), self.after_what.split(" ")
        if before == after:
            return self.after_what
        shared = 0
        while shared < min(len(before), len(after)) - 1 and before[-1 - shared] == after[-1 - shared]:
            shared += 1
        if not shared:
            return f"{self.before_what} -> {self.after_what}"
        tail = " ".join(after[len(after) - shared:])
        return f"{' '.join(before[:len(before) - shared])} -> {' '.join(after[:len(after) - shared])} {tail}"

    @property
    def text(self) -> str:
        if self.after_usd is None:
            return (f"+? USD/month: {self.name} {self.what} (was {usd(self.before_usd or 0)} USD/month, new price "
                    "unknown)")
        return f"±? USD/month: {self.name} {self.what} (price unknown before, now {usd(self.after_usd)} USD/month)"


@dataclass(frozen=True)
class CostDelta:
    base: Estimate
    head: Estimate
    lines: tuple[DeltaLine, ...]
    purchases: tuple[Purchase, ...] = ()
    price_changes: tuple[PriceChange, ...] = ()
    # Charges of unknown price the change adds (after, not before) and removes (before, not after).
    unknown_added: int = 0
    unknown_removed: int = 0
    # The charges priced (or absent) on both sides, summed before and after: the only ones the delta compares.
    base_compared_usd: float = 0.0
    head_compared_usd: float = 0.0
    hourly: tuple[Attention, ...] = ()  # changes of charges billed every hour, for "Needs attention"

    @property
    def delta_usd(self) -> float:
        """The change of the charges priced on both sides (absent counts as priced at zero)."""
        return round(self.head_compared_usd - self.base_compared_usd, 2)


_WHOLE = "(the whole resource)"


def _charges(line: ResourceCost) -> dict[str, Charge | None]:
    """A resource's charges by their key; None for a type with no price rule (the whole resource is unknown)."""
    if line.unpriced_type:
        return {_WHOLE: None}
    if not line.has_cost:
        return {}
    return {charge.key: charge for charge in line.charges}


def _amount(charge: Charge | None) -> float | None:
    return None if charge is None else charge.monthly_usd


def _purchases(head: Estimate, added: set[str], replaced: set[str]) -> tuple[Purchase, ...]:
    by_urn = {line.item.urn: line for line in head.lines}
    out = []
    for flag in head.flags:
        urns = tuple(u for u in flag.urns if u in added or u in replaced)
        if not urns:
            continue
        kinds = {"added" if u in added else "replaced" for u in urns}
        if flag.monthly_usd is not None:
            # The flag's own figure (for NAT gateways, the hours), its share when only some of them change: the
            # resources one flag groups are alike (NAT gateways, Elastic IPs).
            known: float | None = round(flag.monthly_usd * len(urns) / len(flag.urns), 2)
        else:
            lines = [by_urn[u] for u in urns if u in by_urn]
            known = None if any(line.unknown_charges or line.unpriced_type for line in lines) else round(
                sum(line.monthly_usd for line in lines), 2)
        out.append(Purchase(flag.kind, flag.text, kinds.pop() if len(kinds) == 1 else "added or replaced", urns,
                            known))
    return tuple(out)


def _hourly_attention(base: Estimate, head: Estimate, price_changes: Iterable[PriceChange]) -> tuple[Attention, ...]:
    """What changes a charge billed every hour (an instance class, Multi-AZ, the number of NAT gateways), for the
    first screen: the reviewer sees the figure, or that it is unknown. Added ones are purchases already."""
    before = {line.item.urn: line for line in base.lines}
    after = {line.item.urn: line for line in head.lines}
    unknown = {p.urn: p for p in price_changes if p.hourly}
    out: list[Attention] = []
    for urn in sorted(set(before) & set(after)):
        old = [c for c in before[urn].charges if c.unit in HOURLY_UNITS]
        new = [c for c in after[urn].charges if c.unit in HOURLY_UNITS]
        if [(c.key, c.what, c.monthly_usd) for c in old] == [(c.key, c.what, c.monthly_usd) for c in new]:
            continue
        if urn in unknown:
            out.append(Attention("cost", urn, f"billed every hour: {unknown[urn].text}", 0))
            continue
        was = {(c.key, c.what) for c in old}
        now = "; ".join(c.what for c in new if (c.key, c.what) not in was)
        if any(c.monthly_usd is None for c in (*old, *new)):
            amount = "? USD/month (unknown price)"
        else:
            change = sum(c.monthly_usd or 0 for c in new) - sum(c.monthly_usd or 0 for c in old)
            amount = f"{signed_usd(change)} USD/month"
        out.append(Attention("cost", urn, f"billed every hour: {amount}: "
                             f"{after[urn].item.name}{': now ' + now if now else ''}", 0))
    removed: dict[str, list[ResourceCost]] = defaultdict(list)
    for urn in sorted(set(before) - set(after)):
        if any(c.unit in HOURLY_UNITS for c in before[urn].charges):
            removed[before[urn].item.type].append(before[urn])
    for type_, lines in sorted(removed.items()):
        hours = [c.monthly_usd for line in lines for c in line.charges if c.unit in HOURLY_UNITS]
        amount = (f"-{usd(sum(a for a in hours if a is not None))} USD/month" if None not in hours
                  else "-? USD/month (unknown price)")
        out.append(Attention("cost", lines[0].item.urn, f"billed every hour: {amount}: {len(lines)} "
                             f"{label(type_, len(lines))} removed (their hours)", 0))
    return tuple(out)


def cost_delta(base: Estimate, head: Estimate, *, added: Iterable[str] = (), replaced: Iterable[str] = ()
               ) -> CostDelta:
    """What a change does to the estimate, a resource's charge compared with the same charge: per type, the
    charges priced on one side only, and the purchases it makes (flagged resources it adds or replaces, by URN).
    Only the charges priced on both sides (or absent on one) make the figure."""
    before = {line.item.urn: line for line in base.lines}
    after = {line.item.urn: line for line in head.lines}
    amounts: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    unknown: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    price_changes: list[PriceChange] = []
    unknown_added = unknown_removed = 0
    for side, lines in enumerate((before, after)):
        for line in lines.values():
            if line.has_cost or line.unpriced_type:
                counts[line.item.type][side] += 1
    for urn in sorted(set(before) | set(after)):
        old = _charges(before[urn]) if urn in before else {}
        new = _charges(after[urn]) if urn in after else {}
        item = (after.get(urn) or before[urn]).item
        for key in sorted(set(old) | set(new)):
            was, now = old.get(key), new.get(key)
            was_unknown = key in old and _amount(was) is None
            now_unknown = key in new and _amount(now) is None
            if was_unknown and now_unknown:
                unknown[item.type][0] += 1
                unknown[item.type][1] += 1
                continue
            if not was_unknown and not now_unknown:
                amounts[item.type][0] += _amount(was) or 0.0
                amounts[item.type][1] += _amount(now) or 0.0
                continue
            unknown_added += now_unknown
            unknown_removed += was_unknown
            if key in old and key in new:  # priced on one side only: a change of unknown size
                charge = now or was
                price_changes.append(PriceChange(
                    urn, item.type, item.name, was.what if was else _WHOLE, now.what if now else _WHOLE,
                    _amount(was), _amount(now), charge is not None and charge.unit in HOURLY_UNITS))
            else:
                unknown[item.type][1 if now_unknown else 0] += 1
    out = []
    for type_ in sorted(set(counts) | set(amounts) | set(unknown)):
        (b_usd, a_usd), (b_unknown, a_unknown) = amounts[type_], unknown[type_]
        line = DeltaLine(type_, counts[type_][0], counts[type_][1], round(b_usd, 2), round(a_usd, 2), b_unknown,
                         a_unknown)
        if line.delta_usd or line.base_unknown != line.head_unknown or line.base_count != line.head_count:
            out.append(line)
    out.sort(key=lambda d: (-abs(d.delta_usd), d.type))
    return CostDelta(
        base, head, tuple(out), _purchases(head, set(added), set(replaced)), tuple(price_changes),
        unknown_added, unknown_removed,
        round(sum(a[0] for a in amounts.values()), 2), round(sum(a[1] for a in amounts.values()), 2),
        _hourly_attention(base, head, price_changes))


def signed_amount(delta_usd: float, added: int, removed: int = 0) -> str:
    """A monthly change that never reads +0.00 when part of it is of unknown price: "+? USD/month (unknown
    price)" ("-?" when only unknown charges go, "±?" when some come and some go), then the part priced on both
    sides if any ("+? USD/month (unknown price); priced before and after: +12.00 USD/month")."""
    if not added and not removed:
        return f"{signed_usd(delta_usd)} USD/month"
    sign = "±" if added and removed else "+" if added else "-"
    unknown = f"{sign}? USD/month (unknown price)"
    return unknown if not delta_usd else f"{unknown}; priced before and after: {signed_usd(delta_usd)} USD/month"


def _delta_line_text(line: DeltaLine) -> str:
    change = line.head_unknown - line.base_unknown
    text = f"{signed_amount(line.delta_usd, max(change, 0), max(-change, 0))}: {line.describe}"
    if line.head_unknown or line.base_unknown:
        text += f" (charges of unknown price: {line.base_unknown} -> {line.head_unknown})"
    return text


def delta_headline(delta: CostDelta) -> str:
    base, head = delta.base, delta.head
    unknown = ""
    if base.unknown_count or head.unknown_count:
        unknown = f"; charges of unknown price {base.unknown_count} -> {head.unknown_count}, not counted"
    compared = "known"
    lost = [p for p in delta.price_changes if p.after_usd is None]
    if delta.price_changes:
        compared = "known on the charges priced before and after"
    if lost:
        was = sum(p.before_usd or 0 for p in lost)
        one = len(lost) == 1
        unknown = (f"; {len(lost)} {'charge' if one else 'charges'} priced before {'has' if one else 'have'} no "
                   f"price now (was {usd(was)} USD/month){unknown}")
    bought = ""
    again = [p for p in delta.purchases if p.how == "replaced"]
    new = len(delta.purchases) - len(again)
    if new:
        bought = f"; {new} purchase{'s' if new > 1 else ''} made, listed below"
    if again:
        bought += (f"; {len(again)} bought again by a replacement (monthly estimate unchanged; billed twice while "
                   "both exist), listed below")
    amount = signed_amount(delta.delta_usd, delta.unknown_added, delta.unknown_removed)
    return (f"{amount} ({usd(delta.base_compared_usd)} -> {usd(delta.head_compared_usd)} {compared}{unknown})"
            f"{bought}")


def purchase_text(purchase: Purchase) -> str:
    return f"{purchase.verb}: {purchase.text} ({purchase.amount})"


def delta_text_lines(delta: CostDelta) -> list[str]:
    out = [f"Cost: {delta_headline(delta)}"]
    out += [f"  ! [{p.kind}] {purchase_text(p)}" for p in delta.purchases]
    out += [f"  {p.text}" for p in delta.price_changes]
    out += [f"  {_delta_line_text(line)}" for line in delta.lines]
    return out


def delta_markdown_lines(delta: CostDelta) -> list[str]:
    out = [f"**What it costs**: {_cell(delta_headline(delta))}", ""]
    out += [f"- **{p.kind}**: {_cell(purchase_text(p))}" for p in delta.purchases]
    out += [f"- {_cell(p.text)}" for p in delta.price_changes]
    out += [f"- {_cell(_delta_line_text(line))}" for line in delta.lines]
    return [*out, ""] if delta.lines or delta.purchases or delta.price_changes else out


def purchase_attention(delta: CostDelta) -> list[Attention]:
    """For `ops diff`'s "Needs attention": the purchases a change makes (a re-bought subscription is a cost the
    monthly delta cannot show), and the changes of what is billed every hour (level "cost")."""
    return [*(Attention("purchase", p.urns[0], purchase_text(p), 0) for p in delta.purchases), *delta.hourly]


def delta_json(delta: CostDelta) -> dict[str, Any]:
    return {
        "currency": delta.head.table.currency,
        "base_monthly_cost_usd": delta.base.monthly_usd,
        "head_monthly_cost_usd": delta.head.monthly_usd,
        "delta_monthly_cost_usd": delta.delta_usd,
        # The figure compares only the charges priced (or absent) on both sides; these were priced on one side only.
        "base_compared_monthly_cost_usd": delta.base_compared_usd,
        "head_compared_monthly_cost_usd": delta.head_compared_usd,
        "priced_on_one_side": [
            {"urn": c.urn, "type": c.type, "name": c.name, "base_what": c.before_what, "head_what": c.after_what,
             "base_monthly_cost_usd": c.before_usd, "head_monthly_cost_usd": c.after_usd, "hourly": c.hourly}
            for c in delta.price_changes
        ],
        "base_unknown_charge_count": delta.base.unknown_count,
        "head_unknown_charge_count": delta.head.unknown_count,
        "purchases": [
            {"kind": p.kind, "text": p.text, "how": p.how, "urns": list(p.urns), "monthly_cost_usd": p.monthly_usd}
            for p in delta.purchases
        ],
        "lines": [
            {"type": line.type, "describe": line.describe, "delta_monthly_cost_usd": line.delta_usd,
             "base_count": line.base_count, "head_count": line.head_count,
             "base_monthly_cost_usd": line.base_usd, "head_monthly_cost_usd": line.head_usd,
             "base_unknown_charge_count": line.base_unknown, "head_unknown_charge_count": line.head_unknown}
            for line in delta.lines
        ],
    }


def document_delta(base: Mapping[str, Any], head: Mapping[str, Any], changes: ChangeSet | None = None) -> CostDelta:
    """The cost delta of two `ops plan --json` documents, priced with the same (current) table; with `changes`
    (ops/changes.py), the purchases the change makes too."""
    from .estimate import estimate, items_from_document  # noqa: PLC0415

    added = [c.urn for c in changes.of_kind("add")] if changes is not None else []
    replaced = [c.urn for c in changes.of_kind("replace")] if changes is not None else []
    return cost_delta(estimate(*items_from_document(base)), estimate(*items_from_document(head)), added=added,
                      replaced=replaced)
