"""Counting competitors: the same company counts once, only inside the lead's area."""

from __future__ import annotations

from typing import Any

from orchestration.agents.growth.market import (
    CompetitorIndex,
    InMemoryMarketData,
    MarketArea,
    stored_company,
)
from tests.support.leads import dealer_lead, generic_lead

AUSTIN = MarketArea(
    state="TX",
    label="Austin, TX metro",
    zip3s=frozenset({"786", "787"}),
    cities=frozenset({"austin", "round rock"}),
)


def stored(name: str, **fields: Any) -> dict[str, Any]:
    return dealer_lead(company_name=name, name_key=name.lower(), **fields)


def test_a_company_found_by_zip_and_by_city_counts_once() -> None:
    # Given one dealer stored twice (two OEM locators), once with a ZIP and once without,
    # the second listing adding a service line
    index = CompetitorIndex(
        [
            stored_company("volt bros", "78701", "Austin", None, {"generator": True}),
            stored_company("volt bros", None, "AUSTIN ", None, {"solar": True}),
        ]
    )

    counts = index.count(AUSTIN, ["generator", "solar", "battery"])

    # Then it is one competitor offering both lines
    assert counts.area_leads == 1
    assert counts.by_service == {"generator": 1, "solar": 1, "battery": 0}


def test_only_companies_inside_the_area_count() -> None:
    data = InMemoryMarketData(
        [
            stored("Inside By Zip", city="Manor", zip="78653"),
            stored("Inside By City", city="Round Rock", zip=None),
            stored("Other Metro", city="Dallas", zip="75201"),
            stored("Other State", city="Austin", state="MN", zip="55912"),
        ]
    )

    counts = data.count_competitors(AUSTIN, ["generator"])

    assert counts.area_leads == 2
    assert counts.by_service == {"generator": 2}


def test_the_lead_itself_is_left_out_by_its_name_key() -> None:
    lead = stored("Sunrise Power Solutions", zip="78701")
    data = InMemoryMarketData([lead, stored("Rival Power", zip="78702")])

    counts = data.count_competitors(
        AUSTIN, ["generator"], exclude_name_key="sunrise power solutions"
    )

    assert counts.area_leads == 1


def test_generic_leads_offer_the_lines_their_industry_names() -> None:
    company = stored_company(
        "brightwave solar", "85004", "Phoenix", "Solar & Battery Storage", None
    )

    assert company.services == frozenset({"solar", "battery"})
    assert company.zip3 == "850"
    assert company.city == "phoenix"


def test_a_state_with_no_stored_leads_counts_zero() -> None:
    data = InMemoryMarketData([generic_lead()])  # one lead, in Arizona

    counts = data.count_competitors(AUSTIN, ["generator", "solar"])

    assert counts.area_leads == 0
    assert counts.by_service == {"generator": 0, "solar": 0}


def test_odd_zip_codes_do_not_match_by_prefix() -> None:
    assert stored_company("x", "7A701", "Austin", None, {}).zip3 is None
    assert stored_company("x", "78", "Austin", None, {}).zip3 is None
    assert stored_company("x", " 78701-1234", None, None, {}).zip3 == "787"
