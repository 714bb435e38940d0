"""The text checks: each defect a rep would have to fix is caught, and good text passes.

Every example of a defect is one measured on a real export of 8,277 dealers.
"""

from __future__ import annotations

from typing import Any

import pytest

from orchestration.engines.rules.text import (
    display_city,
    display_company,
    display_place,
    display_street,
    proper_case,
)
from orchestration.engines.rules.text_checks import (
    find_contradictions,
    find_draft_defects,
    find_text_defects,
)

GOOD_TEXTS = [
    "Hi Maria,\n\nI came across Sunrise Power Solutions, an Elite Generac dealer in Austin, TX "
    "certified with Generac, Kohler and Cummins.",
    "Running solar, battery and generator work for both commercial and residential customers "
    "takes a lot of coordination, and 4.8★ from 212 reviews says your crews handle it well.",
    "Would one of these times work for a 20-minute call?\n- Thu 12 Jun, 10:00 AM CDT\n"
    "- Fri 13 Jun, 2:00 PM CDT",
    "Generac dealer in Austin, TX; offers generator work; no reviews yet; website and phone "
    "but no direct email. Scores 45/100, tier C (SILVER band: nurture): weakest on multi-OEM.",
    "Reputation 0/10: no rating found",
    "open field (crowding 0.00): of 15 other stored companies in the Boise, ID metro, none "
    "offer HVAC work",
    "counted among 12 other stored leads in the Austin, TX metro, blended with the usual "
    "crowding of these lines (40% weight on the counts)",
    "A & A Genpro, an HVAC dealer in St. Louis, MO, holds NABCEP and NATE credentials.",
    "More billable hours for ABC Solar's HVAC/R crews in Coeur d'Alene",
    "Hi, this is Jordan with the partnerships team, calling for Joe's A/C & Heat about your "
    "HVAC work. I'll try you again later this week.",
    "1 OEM program (Generac); 1 offers battery work",
    "Email j***@sunrisepower.com reaches a named person.",
    "Barnes HVAC Company, a Carrier dealer in Raleigh, NC.",
    "Calling for LP HVAC about your HVAC work.",
    "Hi P.C. Electric team, I came across P.C. Electric, a Generac dealer.",
    "Tier B: Good fit (65/100). Growth potential 59/100: growing market in ID.",
]


@pytest.mark.parametrize("text", GOOD_TEXTS)
def test_good_text_passes(text: str) -> None:
    assert find_text_defects(text) == []


@pytest.mark.parametrize(
    ("text", "defect"),
    [
        # a rating off the 0-5 scale, or from nothing
        ("9.0★ from 111 reviews says your crews handle it well", "rating off the 0-5 scale"),
        ("rated 7.5 stars by customers", "rating off the 0-5 scale"),
        ("0.0★ from 0 reviews", "rating of nothing"),
        ("4.5★ from 0 reviews", "rating from 0 reviews"),
        # counts of nothing, and a plural after one
        ("Only 0 reviews: check recent activity before investing time.", "count of nothing"),
        ("of 3 other stored companies, 0 offer generator work", "count of nothing"),
        ("counted among 0 other stored leads in the area", "count of nothing"),
        ("1 Years in Business York dealer", "plural after 1"),
        ("5.0★ from 1 reviews", "plural after 1"),
        # a program label used as a title
        ("Cummins Power, a Dealer Cummins dealer in Austin, TX", "program label as a title"),
        ("a 1 Years in Business York dealer in York, PA", "program label as a title"),
        ("an Award Winner, Google, Carrier Authorized Carrier dealer", "program label as a title"),
        # address fragments
        ("Smith Electric, a Generac dealer in on, TX.", "address fragment"),
        ("Smith Electric, a Generac dealer in , TX.", "address fragment"),
        ("a Generac dealer in , doing generator work", "address fragment"),
        ("Smith Electric\n54 mi0.0(0)0.0 out of 5 stars\nMinneapolis, MN", "address fragment"),
        ("a Generac dealer in 8 mi, TX", "address fragment"),
        # shouted words
        ("I came across JOHNSON HEATING, a Carrier dealer.", "shouted word"),
        ("a Carrier dealer in PHILADELPHIA, PA", "shouted word"),
        ("calling for Reynolds HTG & AIR about your HVAC work", "shouted word"),
        # legal suffixes in prose
        ("A question about Johnson HTG & Air, LLC's HVAC work", "legal suffix in prose"),
        ("A question about Johnson HTG & Air, LLC's HVAC work", "possessive on a legal suffix"),
        ("I came across Pinnacle Standby Power, Inc., a Generac dealer", "legal suffix in prose"),
        ("Taylor Electric Co. is a Generac dealer", "legal suffix in prose"),
        ("Smith Heating & Air L.L.C. installs heat pumps", "legal suffix in prose"),
        ("Kim Plumbing PLLC", "legal suffix in prose"),
        ("Kim Plumbing, P.C. installs", "legal suffix in prose"),
        ("More billable hours for Hill Energy Storage Corp's crews", "legal suffix in prose"),
        # unfilled template slots
        ("Hi {first_name}, I came across your company.", "unfilled slot"),
        ("Hi [Company] team,", "unfilled slot"),
        # sentences that cannot both be true
        ("No reviews found. 4.8★ from 212 reviews says your crews handle it well.",
         "contradiction"),
        ("no reviews found; Only 3 reviews: check recent activity", "contradiction"),
        ("No email on file: open by phone. Email j***@acme.com reaches a named person.",
         "contradiction"),
    ],
)
def test_each_defect_is_caught(text: str, defect: str) -> None:
    found = find_text_defects(text)

    assert any(f.startswith(defect) for f in found), found


def test_a_rating_the_data_does_not_support_is_caught() -> None:
    # Given data whose rating is bad (0-10 scale) or has no reviews behind it
    bad_scale = {"rating": None, "review_count": 111, "rating_scale_invalid": True}
    unreviewed = {"rating": 4.0, "review_count": 0}
    sound = {"rating": 4.8, "review_count": 212}
    text = "and 4.8★ from 212 reviews says your crews handle it well"

    # Then printing a rating is a defect for the first two only
    assert find_text_defects(text, bad_scale) == ["rating printed that the data does not support"]
    assert find_text_defects(text, unreviewed) == ["rating printed for a lead with 0 reviews"]
    assert find_text_defects(text, sound) == []


def test_a_lead_record_works_as_the_data_too() -> None:
    lead = {"company_name": "Unit 0 Air LLC", "profile": {"rating": 9.0, "review_count": 40}}

    # The company's own name is no count of nothing; the 0-10 rating is still caught
    assert find_text_defects("Unit 0 Air has growth potential 55/100.", lead) == []
    assert find_text_defects("Unit 0 Air: 4.5★ from 40 reviews", lead) == [
        "rating printed that the data does not support"
    ]


def test_contradictions_across_a_leads_texts() -> None:
    reasoning = "Generac dealer in Austin, TX; no reviews found; phone on file."
    recommendation = "Only 4 reviews: check recent activity before investing time."

    assert find_text_defects(reasoning) == []
    assert find_text_defects(recommendation) == []
    assert find_contradictions(f"{reasoning}\n\n{recommendation}")


# --- drafts ---------------------------------------------------------------------------------

PHONE_ONLY: dict[str, Any] = {"email": None, "phone": "+15125550100", "website": None}
WITH_EMAIL: dict[str, Any] = {"email": "maria@sunrise.com", "phone": "+15125550100"}


def email_draft(**fields: Any) -> dict[str, Any]:
    return {"kind": "email", "channel": "email", "to": "m***@sunrise.com",
            "subject": "20 minutes on Sunrise Power's solar work?",
            "body": "Hi Maria,\n\nI've been looking at Sunrise Power.", "script": None,
            "voicemail": None} | fields


def call_draft(**fields: Any) -> dict[str, Any]:
    return {"kind": "call", "channel": "phone", "to": "+1******0100", "subject": None,
            "body": None, "script": "Hi, this is Jordan. I'm calling Sunrise Power because ...",
            "voicemail": "Hi, this is Jordan, calling for Sunrise Power."} | fields


def test_an_email_draft_for_a_lead_with_no_email_is_a_defect() -> None:
    assert find_draft_defects(email_draft(), PHONE_ONLY) == [
        "email draft for a lead with no email address"
    ]
    # Drafts stored before drafts had a kind were emails, whatever channel they named
    legacy = {"channel": "phone", "to": None, "subject": "s", "body": "Hi Sunrise Power team,"}
    assert "email draft for a lead with no email address" in find_draft_defects(
        legacy, PHONE_ONLY
    )


def test_drafts_that_fit_the_contact_data_pass() -> None:
    assert find_draft_defects(email_draft(), WITH_EMAIL) == []
    assert find_draft_defects(call_draft(), PHONE_ONLY) == []
    website_only = {"email": None, "phone": None, "website": "https://sunrise.com/"}
    form = email_draft(channel="contact_form", to="https://sunrise.com/")
    assert find_draft_defects(form, website_only) == []


def test_a_draft_needs_its_own_texts_and_a_route() -> None:
    assert find_draft_defects(call_draft(script=None), PHONE_ONLY) == [
        "call draft without its script"
    ]
    assert find_draft_defects(call_draft(), {"email": None, "phone": None}) == [
        "call script for a lead with no phone number"
    ]
    assert find_draft_defects(call_draft(voicemail="Hi JOHNSON HEATING"), PHONE_ONLY) == [
        "voicemail: shouted word: 'JOHNSON'", "voicemail: shouted word: 'HEATING'"
    ]


# --- the helpers the writers use to avoid the defects ---------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("A & A GENPRO INC.", "A & A Genpro"),
        ("JOHNSON HTG & AIR, LLC", "Johnson HTG & Air"),
        ("MCDONALD'S HEATING AND COOLING", "McDonald's Heating and Cooling"),
        ("O'BRIEN ELECTRIC CO., INC.", "O'Brien Electric"),
        ("1ST CHOICE HVAC", "1st Choice HVAC"),
        ("A1 PLUMBING", "A1 Plumbing"),
        ("ABC SOLAR L.L.C.", "ABC Solar"),
        ("Smith PLUMBING Inc", "Smith Plumbing"),
        ("Barnes HVAC Company", "Barnes HVAC Company"),
        ("Smith & Co.", "Smith"),
        ("Kim Plumbing, P.C.", "Kim Plumbing"),
        ("smith electric llc", "Smith Electric"),
        ("SMITH-JONES ELECTRIC", "Smith-Jones Electric"),
        ("THE SUN GUYS", "The Sun Guys"),
    ],
)
def test_company_names_read_as_a_person_writes_them(name: str, shown: str) -> None:
    assert display_company(name) == shown
    assert find_text_defects(f"I came across {shown}, a Generac dealer.") == []


def test_a_name_that_is_only_a_legal_form_is_kept() -> None:
    assert display_company("Inc") == "Inc"


@pytest.mark.parametrize(
    ("city", "shown"),
    [
        ("SAN ANTONIO", "San Antonio"),
        ("ST. LOUIS", "St. Louis"),
        ("LA CROSSE", "La Crosse"),
        ("LAKE IN THE HILLS", "Lake in the Hills"),
        ("Coeur d'Alene", "Coeur d'Alene"),
        ("WINSTON-SALEM", "Winston-Salem"),
        ("on", None),
        ("", None),
        ("Suite 200", None),
        ("8 mi0.0(0)0.0 out of 5 stars", None),
        ("N/A", None),
        ("TX", None),
    ],
)
def test_only_cities_that_parse_are_shown(city: str, shown: str | None) -> None:
    assert display_city(city) == shown


def test_places_and_streets_keep_only_what_parses() -> None:
    assert display_place("on", "TX") == "TX"
    assert display_place("AUSTIN", "tx") == "Austin, TX"
    assert display_place("Austin", "Texas") == "Austin"
    assert display_place(None, None) is None
    assert display_street("4188 MAIN ST, STE 200") == "4188 Main St, Ste 200"
    assert display_street("120 NE 5TH AVE") == "120 NE 5th Ave"
    assert display_street("54 mi0.0(0)0.0 out of 5 stars") is None
    assert display_street("Suite B") is None


def test_mixed_case_text_keeps_its_own_capitals() -> None:
    assert proper_case("DeLuca SolarEdge Partners") == "DeLuca SolarEdge Partners"
    assert proper_case("HVAC Pros of NYC") == "HVAC Pros of NYC"
