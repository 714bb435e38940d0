"""Duplicates inside one batch: the same dealer listed by several OEM locators."""

from __future__ import annotations

import random
import time
from typing import Any

from api.intake import mark_in_batch_duplicates, parse_leads


def lead(row: int, name_key: str, state: str | None = "TX", **keys: str) -> dict[str, Any]:
    return {
        "csv_index": row,
        "name_key": name_key,
        "state": state,
        "email": keys.get("email"),
        "domain": keys.get("domain"),
        "phone": keys.get("phone"),
    }


def flags(leads: list[dict[str, Any]]) -> list[tuple[int, int | None, str | None]]:
    return [(x["csv_index"], x["duplicate_of_row"], x["duplicate_reason"]) for x in leads]


def test_relisted_dealers_are_flagged_against_their_first_row() -> None:
    # Given one dealer as three locators list it, plus an unrelated dealer
    leads = parse_leads(
        "name,website,phone,state,oem_source\n"
        '"Smith Electric, Inc.",http://www.smithelectric.com,(512) 555-0100,TX,Generac\n'
        "Lone Star Solar,lonestarsolar.com,512-555-0142,TX,Enphase\n"
        "Smith Electric LLC,smithelectric.com/home,,TX,Kohler\n"
        "SMITH ELECTRIC,,+1 512 555 0100,Texas,Cummins\n"
    ).leads

    # When duplicates are marked
    flagged = mark_in_batch_duplicates(leads)

    # Then the later listings point at row 1 and say why
    assert flagged == 2
    assert flags(leads) == [
        (1, None, None),
        (2, None, None),
        (3, 1, "same domain as row 1"),
        (4, 1, "same phone as row 1"),
    ]


def test_the_strongest_shared_key_is_the_reason() -> None:
    leads = [
        lead(1, "acme solar", email="ann@acme.com", domain="acme.com", phone="+15125550100"),
        lead(2, "acme solar", email="ann@acme.com", domain="acme.com", phone="+15125550100"),
        lead(3, "acme solar", domain="acme.com", phone="+15125550100"),
        lead(4, "acme solar", phone="+15125550100"),
        lead(5, "acme solar"),
    ]

    mark_in_batch_duplicates(leads)

    assert [x["duplicate_reason"] for x in leads] == [
        None,
        "same email as row 1",
        "same domain as row 1",
        "same phone as row 1",
        "same name as row 1",
    ]


def test_a_key_first_seen_on_a_duplicate_still_leads_to_the_first_row() -> None:
    # Row 2 repeats row 1 by domain and brings a phone row 1 lacked; row 3 has that phone
    leads = [
        lead(1, "acme solar", domain="acme.com"),
        lead(2, "acme solar llc", domain="acme.com", phone="+15125550100"),
        lead(3, "acme power", phone="+15125550100"),
    ]

    mark_in_batch_duplicates(leads)

    assert flags(leads)[2] == (3, 1, "same phone as row 2, itself a duplicate of row 1")


def test_similar_names_in_the_same_state_are_duplicates() -> None:
    leads = [
        lead(1, "henderson electrical services"),
        lead(2, "henderson electrcal services"),  # a locator's typo
        lead(3, "henderson services electrical"),  # token-sort: word order does not matter
        lead(4, "henderson mechanical"),
    ]

    mark_in_batch_duplicates(leads)

    reason = leads[1]["duplicate_reason"]
    assert leads[1]["duplicate_of_row"] == 1
    assert reason.startswith("similar name to row 1 (")
    assert reason.endswith("% alike, same state)")  # the second signal a name match needs
    assert flags(leads)[2][:2] == (3, 1)
    assert flags(leads)[3] == (4, None, None)


def test_names_only_match_within_one_state() -> None:
    # Franchises share a name across states; they are different companies
    leads = [
        lead(1, "mr electric", "TX"),
        lead(2, "mr electric", "CA"),
        lead(3, "mr electrc", "CA"),
    ]

    mark_in_batch_duplicates(leads)

    assert flags(leads) == [(1, None, None), (2, None, None), (3, 2, flags(leads)[2][2])]


def test_rows_without_any_shared_key_are_left_alone() -> None:
    leads = [lead(1, "alpha solar", domain="alpha.com"), lead(2, "beta power", domain="beta.com")]

    assert mark_in_batch_duplicates(leads) == 0
    assert flags(leads) == [(1, None, None), (2, None, None)]


def test_eight_thousand_rows_in_one_state_take_well_under_a_second() -> None:
    # Given 8,000 distinct dealers, all in one state and starting with the same letter:
    # the worst case for blocking by state and first letter
    rng = random.Random(7)
    words = ["solar", "power", "electric", "energy", "systems", "generator", "air", "home"]
    leads = [
        lead(row, "s" + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=7)) + " "
             + " ".join(rng.sample(words, 2)))
        for row in range(1, 8001)
    ]

    started = time.perf_counter()
    mark_in_batch_duplicates(leads)
    elapsed = time.perf_counter() - started

    # Then the pass stays near-linear (all pairs would take tens of seconds)
    assert elapsed < 1.0
