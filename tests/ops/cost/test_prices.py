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


def test_the_table_warns_when_it_was_read_longer_ago_than_it_allows() -> None:
    table = parse_table(RAW)
    read_on = dt.date.fromisoformat(RAW["read_on"])
    last_fresh_day = read_on + dt.timedelta(days=table.max_age_days)
    assert table.staleness(read_on) is None
    assert table.staleness(last_fresh_day) is None
    warning = table.staleness(last_fresh_day + dt.timedelta(days=1))
    assert warning is not None
    assert f"{table.max_age_days + 1} days ago (more than {table.max_age_days})" in warning
    assert "re-read each source" in warning


def test_the_stated_age_is_a_few_months() -> None:
    # Cloud list prices change a few times a year; a table older than this must be re-read.
    assert 30 <= load_table().max_age_days <= 180
