"""The price table: every price names the stored page it was read from, that page's date, its region and unit; a
region the table does not list has no price; the table warns when it was read too long ago."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from ops.cost.table import PRICES_FILE, PriceTableError, load_table, parse_table

RAW: dict[str, Any] = json.loads(PRICES_FILE.read_text())


def test_every_price_cites_a_dated_page_a_region_and_a_unit() -> None:
    table = load_table()
    assert table.entries
    for price_id, entry in table.entries.items():
        assert entry["unit"], price_id
        assert entry["what"], price_id
        assert entry["usd"], price_id
        assert any(source["page_date"] for source in entry["sources"]), price_id
        for source in entry["sources"]:
            assert source["url"].startswith(("https://", "http://")), price_id
            assert source["quote"].strip(), price_id
    for free in table.free.values():
        assert free.reason.strip(), free.type


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda raw: raw["prices"]["aws.kms.key.month"].update(sources=[]), "cites no page"),
        (lambda raw: [s.update(page_date=None) for s in raw["prices"]["aws.kms.key.month"]["sources"]],
         "none of its pages is dated"),
        (lambda raw: raw["prices"]["aws.nat_gateway.hour"]["sources"][0].update(page_date="25/09/2026"),
         "is not YYYY-MM-DD or YYYY-MM"),
        (lambda raw: raw["prices"]["aws.nat_gateway.hour"]["usd"].update({"eu-west-1": -1}), "is not a price"),
        (lambda raw: raw["prices"]["aws.nat_gateway.hour"].pop("unit"), "no unit"),
        (lambda raw: raw["free"]["aws:ec2/vpc:Vpc"].update(reason=""), "no reason"),
        (lambda raw: raw["rules"]["rds.proxy.minimum_vcpus"].update(sources=[]), "rules.rds.proxy.minimum_vcpus: cites "
         "no page"),
        (lambda raw: raw["constants"]["hours_per_month"]["source"].update(page_date="730"), "is not YYYY-MM-DD"),
    ],
)
def test_a_price_without_its_page_date_or_unit_is_refused(change: Any, problem: str) -> None:
    raw = copy.deepcopy(RAW)
    change(raw)
    with pytest.raises(PriceTableError, match=problem):
        parse_table(raw)


def test_a_region_the_table_does_not_list_has_no_price() -> None:
    table = load_table()
    assert table.price("aws.nat_gateway.hour", "eu-west-1").usd == 0.048
    assert table.price("aws.nat_gateway.hour", "us-east-1") is None  # never borrowed from another region
    assert table.price("aws.nat_gateway.hour", None) is None
    # A page that states one price for every region: any region gets it.
    assert table.price("aws.kms.key.month", "eu-central-1").usd == 1.0
    assert table.price("aws.kms.key.month", "eu-central-1").region == "*"
    assert table.price("no.such.price", "eu-west-1") is None


def _dated(raw: dict[str, Any], date: str | None) -> dict[str, Any]:
    """A copy of the table with every cited page dated `date`."""
    raw = copy.deepcopy(raw)
    sections = [raw["constants"], raw["prices"], raw["rules"]]
    for section in sections:
        for entry in section.values():
            for source in entry.get("sources") or [entry["source"]]:
                source["page_date"] = date
    for source in raw["free_sources"].values():
        source["page_date"] = date
    return raw


def test_staleness_is_the_age_of_the_oldest_cited_page_not_read_on() -> None:
    raw = _dated(RAW, "2026-09-29")
    raw["read_on"] = "2026-12-07"  # edited today: no help when one of its pages is old
    raw["prices"]["cloudflare.plan.pro.month"]["sources"][0]["page_date"] = "2026-03-01"
    table = parse_table(raw)
    assert table.oldest_page is not None
    assert (table.oldest_page.where, table.oldest_page.source.page_date) == ("prices.cloudflare.plan.pro.month",
                                                                             "2026-03-01")
    last_fresh_day = dt.date(2026, 3, 1) + dt.timedelta(days=table.max_age_days)
    assert table.staleness(last_fresh_day) is None
    warning = table.staleness(last_fresh_day + dt.timedelta(days=1))
    assert warning is not None
    age = table.max_age_days + 1
    assert f"cites a page dated 2026-03-01, {age} days ago (more than {table.max_age_days})" in warning
    assert "prices.cloudflare.plan.pro.month" in warning
    assert "re-read the sources" in warning
    # Without the old page the same day is fresh: the warning came from that page, not from read_on.
    assert parse_table(_dated(RAW, "2026-09-29")).staleness(last_fresh_day + dt.timedelta(days=1)) is None


def test_a_month_only_page_date_counts_from_the_first_of_the_month() -> None:
    raw = _dated(RAW, "2026-09-29")
    raw["free_sources"]["vpc"]["page_date"] = "2026-05"
    table = parse_table(raw)
    assert table.oldest_page is not None
    assert table.oldest_page.where == "free_sources.vpc"
    assert table.age_days(dt.date(2026, 5, 31)) == 30


def test_a_page_without_a_date_is_reported_never_skipped() -> None:
    raw = _dated(RAW, "2026-09-29")
    assert parse_table(raw).undated_note() is None
    raw["rules"]["rds.multi_az"]["sources"][0]["page_date"] = None
    raw["constants"]["hours_per_month"]["source"]["page_date"] = None
    table = parse_table(raw)
    assert [page.where for page in table.undated_sources] == ["constants.hours_per_month", "rules.rds.multi_az"]
    note = table.undated_note()
    assert note is not None
    assert note.startswith("2 cited pages show no date, so their age cannot be checked")
    assert note.endswith("constants.hours_per_month, rules.rds.multi_az")
    # The dated pages still decide the age.
    assert table.oldest_page is not None
    assert table.oldest_page.source.page_date == "2026-09-29"


def test_the_repository_table_lists_its_undated_pages() -> None:
    table = load_table()
    assert table.undated_sources  # e.g. aws.amazon.com pages that show no date
    assert all(page.source.page_date is None for page in table.undated_sources)
    note = table.undated_note()
    assert note is not None
    assert "constants.hours_per_month" in note


def test_the_stated_age_is_a_few_months() -> None:
    # Cloud list prices change a few times a year; a table older than this must be re-read.
    assert 30 <= load_table().max_age_days <= 180
