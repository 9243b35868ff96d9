"""The price table (`prices.json`): each price with the stored public page it was read from, that page's date, its
region and unit; the billing rules the estimate applies; the resource types that cost nothing of their own, each
with why. Standard library only: the policy pack loads it too.

A price is looked up by id and region. A region the entry does not list has no price here (`None`): the estimate
reports that charge as unknown, never as zero. `*` is a price the page states once for every region.

Staleness is the age of the OLDEST dated page the table cites (prices, constants, rules, free types), not the day
the table was last edited: one price read from an old page makes the whole table as old as that page. A page that
shows no date cannot be aged; each is listed (`undated_sources`) so it is re-read by hand, never silently skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PRICES_FILE = Path(__file__).with_name("prices.json")
_DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")
ANY_REGION = "*"


class PriceTableError(ValueError):
    """prices.json does not have the shape the estimate relies on."""


@dataclass(frozen=True)
class Source:
    url: str
    page_date: str | None  # as the page states it: YYYY-MM-DD or YYYY-MM; None when the page shows no date
    quote: str


@dataclass(frozen=True)
class Price:
    id: str
    what: str
    unit: str
    usd: float
    region: str  # the region asked for, or `*`
    sources: tuple[Source, ...]
    note: str = ""

    @property
    def page_date(self) -> str | None:
        """The newest dated page the price was read from."""
        dates = [s.page_date for s in self.sources if s.page_date]
        return max(dates) if dates else None


@dataclass(frozen=True)
class Free:
    type: str
    reason: str
    source: Source | None


@dataclass(frozen=True)
class Rule:
    id: str
    what: str
    sources: tuple[Source, ...]
    note: str = ""
    value: float | None = None  # a number the rule states (rds.proxy.minimum_vcpus: 2)


@dataclass(frozen=True)
class CitedPage:
    """One cited page and where the table cites it (`prices.aws.nat_gateway.hour`, `constants.hours_per_month`)."""

    where: str
    source: Source

    @property
    def date(self) -> dt.date | None:
        """The page's date; a month-only date (`2026-05`) counts as the month's first day (the older reading)."""
        if not self.source.page_date:
            return None
        text = self.source.page_date
        return dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")


@dataclass(frozen=True)
class PriceTable:
    currency: str
    read_on: dt.date
    max_age_days: int
    hours_per_month: float
    hours_source: Source
    entries: Mapping[str, Mapping[str, Any]]
    rules: Mapping[str, Rule]
    free: Mapping[str, Free]
    path: Path
    cited: tuple[CitedPage, ...] = ()

    def price(self, price_id: str, region: str | None) -> Price | None:
        """The price of `price_id` in `region` (or the page's single price for every region), else None."""
        entry = self.entries.get(price_id)
        if entry is None:
            return None
        usd = entry["usd"]
        key = region if region in usd else ANY_REGION if ANY_REGION in usd else None
        if key is None:
            return None
        return Price(
            id=price_id,
            what=entry["what"],
            unit=entry["unit"],
            usd=float(usd[key]),
            region=key,
            sources=tuple(_source(s) for s in entry["sources"]),
            note=entry.get("note", ""),
        )

    def regions(self, price_id: str) -> list[str]:
        entry = self.entries.get(price_id)
        return sorted(entry["usd"]) if entry else []

    def rule_value(self, rule_id: str) -> float | None:
        rule = self.rules.get(rule_id)
        return rule.value if rule is not None else None

    @property
    def oldest_page(self) -> CitedPage | None:
        """The cited page with the oldest date (the table is as old as its oldest reading)."""
        dated = [page for page in self.cited if page.date is not None]
        return min(dated, key=lambda page: (page.date, page.where)) if dated else None

    @property
    def undated_sources(self) -> list[CitedPage]:
        """The cited pages that show no date: their age cannot be checked, so they are listed, never skipped."""
        return [page for page in self.cited if page.date is None]

    def age_days(self, today: dt.date) -> int | None:
        """Days since the oldest dated page the table cites."""
        oldest = self.oldest_page
        return (today - oldest.date).days if oldest is not None and oldest.date is not None else None

    def staleness(self, today: dt.date) -> str | None:
        """A warning when the oldest dated page the table cites is older than `max_age_days`, else None."""
        oldest = self.oldest_page
        age = self.age_days(today)
        if oldest is None or age is None or age <= self.max_age_days:
            return None
        return (
            f"the price table ({self.path.name}) cites a page dated {oldest.source.page_date}, {age} days ago (more "
            f"than {self.max_age_days}): {oldest.where} ({oldest.source.url}); prices may have changed: re-read the "
            "sources, update the prices and their page dates (docs/cost.md)"
        )

    def undated_note(self) -> str | None:
        """Which cited pages show no date (their age is unknown); None when every page is dated."""
        undated = self.undated_sources
        if not undated:
            return None
        where = ", ".join(dict.fromkeys(page.where for page in undated))
        plural = "page shows" if len(undated) == 1 else "pages show"
        return f"{len(undated)} cited {plural} no date, so their age cannot be checked; re-read them by hand: {where}"


def _source(raw: Mapping[str, Any]) -> Source:
    return Source(url=raw["url"], page_date=raw.get("page_date"), quote=raw["quote"])


def _source_problems(where: str, source: Mapping[str, Any]) -> list[str]:
    problems = []
    date = source.get("page_date")
    if not str(source.get("url", "")).startswith(("https://", "http://")):
        problems.append(f"{where}: source without an http(s) URL")
    if date is not None and not _DATE.fullmatch(str(date)):
        problems.append(f"{where}: page_date {date!r} is not YYYY-MM-DD or YYYY-MM")
    if not source.get("quote"):
        problems.append(f"{where}: source {source.get('url')} quotes nothing")
    return problems


def _price_problems(price_id: str, entry: Mapping[str, Any]) -> list[str]:
    where = f"prices.{price_id}"
    problems = [f"{where}: no {key}" for key in ("what", "unit", "usd", "sources") if key not in entry]
    if not entry.get("sources"):
        problems.append(f"{where}: cites no page")
    elif not any(s.get("page_date") for s in entry["sources"]):
        problems.append(f"{where}: none of its pages is dated")
    for source in entry.get("sources", []):
        problems += _source_problems(where, source)
    for region, usd in entry.get("usd", {}).items():
        if not isinstance(usd, int | float) or isinstance(usd, bool) or usd < 0:
            problems.append(f"{where}.usd.{region}: {usd!r} is not a price")
    return problems


def _rule_sources(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A rule or constant cites `source` (one page) or `sources` (several)."""
    sources = entry.get("sources")
    if isinstance(sources, list):
        return sources
    return [entry["source"]] if isinstance(entry.get("source"), Mapping) else []


def _check(raw: Mapping[str, Any]) -> list[str]:
    """Every price names a page, its date (or none), a region and a unit; every rule a page; every free type a
    reason."""
    problems: list[str] = []
    for price_id, entry in raw.get("prices", {}).items():
        problems += _price_problems(price_id, entry)
    for key, entry in [*(("constants." + k, v) for k, v in raw.get("constants", {}).items()),
                       *(("rules." + k, v) for k, v in raw.get("rules", {}).items())]:
        sources = _rule_sources(entry)
        if not sources:
            problems.append(f"{key}: cites no page")
        for source in sources:
            problems += _source_problems(key, source)
    sources = raw.get("free_sources", {})
    for type_, entry in raw.get("free", {}).items():
        if not entry.get("reason"):
            problems.append(f"free.{type_}: no reason")
        if entry.get("source") is not None and entry["source"] not in sources:
            problems.append(f"free.{type_}: unknown source {entry['source']!r}")
    return problems


def parse_table(raw: Mapping[str, Any], path: Path = PRICES_FILE) -> PriceTable:
    problems = _check(raw)
    if problems:
        raise PriceTableError(f"{path}: " + "; ".join(problems))
    hours = raw["constants"]["hours_per_month"]
    free_sources = {key: _source(value) for key, value in raw.get("free_sources", {}).items()}
    cited = [
        *(CitedPage(f"constants.{key}", _source(s)) for key, entry in raw.get("constants", {}).items()
          for s in _rule_sources(entry)),
        *(CitedPage(f"prices.{key}", _source(s)) for key, entry in raw["prices"].items() for s in entry["sources"]),
        *(CitedPage(f"rules.{key}", _source(s)) for key, entry in raw.get("rules", {}).items()
          for s in _rule_sources(entry)),
        *(CitedPage(f"free_sources.{key}", source) for key, source in free_sources.items()),
    ]
    return PriceTable(
        currency=raw["currency"],
        read_on=dt.date.fromisoformat(raw["read_on"]),
        max_age_days=int(raw["max_age_days"]),
        hours_per_month=float(hours["value"]),
        hours_source=_source(_rule_sources(hours)[0]),
        entries=raw["prices"],
        rules={
            key: Rule(id=key, what=value["what"], sources=tuple(_source(s) for s in _rule_sources(value)),
                      note=value.get("note", ""),
                      value=float(value["value"]) if isinstance(value.get("value"), int | float) else None)
            for key, value in raw.get("rules", {}).items()
        },
        free={
            type_: Free(type=type_, reason=value["reason"],
                        source=free_sources[value["source"]] if value.get("source") else None)
            for type_, value in raw.get("free", {}).items()
        },
        path=path,
        cited=tuple(cited),
    )


@cache
def load_table(path: Path = PRICES_FILE) -> PriceTable:
    return parse_table(json.loads(path.read_text(encoding="utf-8")), path)
