"""The price table (`prices.json`): each price with the stored public page it was read from, that page's date, its
region and unit; the billing rules the estimate applies; the resource types that cost nothing of their own, each
with why. Standard library only: the policy pack loads it too.

A price is looked up by id and region. A region the entry does not list has no price here (`None`): the estimate
reports that charge as unknown, never as zero. `*` is a price the page states once for every region.
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
    source: Source
    note: str = ""


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

    def age_days(self, today: dt.date) -> int:
        return (today - self.read_on).days

    def staleness(self, today: dt.date) -> str | None:
        """A warning when the table was read from its pages longer ago than `max_age_days`, else None."""
        age = self.age_days(today)
        if age <= self.max_age_days:
            return None
        return (
            f"the price table ({self.path.name}) was read from its pages on {self.read_on.isoformat()}, {age} days "
            f"ago (more than {self.max_age_days}): prices may have changed; re-read each source, update the prices "
            "and their page dates, and set read_on (docs/cost.md)"
        )


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


def _check(raw: Mapping[str, Any]) -> list[str]:
    """Every price names a page, its date (or none), a region and a unit; every free type a reason."""
    problems: list[str] = []
    for price_id, entry in raw.get("prices", {}).items():
        problems += _price_problems(price_id, entry)
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
    return PriceTable(
        currency=raw["currency"],
        read_on=dt.date.fromisoformat(raw["read_on"]),
        max_age_days=int(raw["max_age_days"]),
        hours_per_month=float(hours["value"]),
        hours_source=_source(hours["source"]),
        entries=raw["prices"],
        rules={
            key: Rule(id=key, what=value["what"], source=_source(value["source"]), note=value.get("note", ""))
            for key, value in raw.get("rules", {}).items()
        },
        free={
            type_: Free(type=type_, reason=value["reason"],
                        source=free_sources[value["source"]] if value.get("source") else None)
            for type_, value in raw.get("free", {}).items()
        },
        path=path,
    )


@cache
def load_table(path: Path = PRICES_FILE) -> PriceTable:
    return parse_table(json.loads(path.read_text(encoding="utf-8")), path)
