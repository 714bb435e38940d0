"""Intake bounds what one lead may carry: unknown columns (`raw`) and free-text fields."""

from __future__ import annotations

from api.intake import parse_records
from api.intake.drafts import (
    MAX_RAW_TOTAL,
    MAX_RAW_VALUE,
    RAW_DROPPED_KEY,
    cap_raw,
)


def raw_size(raw: dict[str, str]) -> int:
    return sum(len(key) + len(value) for key, value in raw.items())


def test_a_usual_raw_is_kept_as_it_is():
    raw = {"rating_source": "google", "notes": "call after 5"}
    assert cap_raw(raw) is raw


def test_a_long_value_is_cut_to_the_cap_and_says_how_long_it_was():
    capped = cap_raw({"notes": "n" * 20_000_000, "source": "fair"})
    assert len(capped["notes"]) == MAX_RAW_VALUE
    assert capped["notes"].startswith("nnn")
    assert capped["notes"].endswith("[cut from 20000000 characters]")
    assert capped["source"] == "fair"


def test_many_columns_stop_at_the_total_cap_and_say_how_many_were_left_out():
    raw = {f"column_{i}": "v" * 1_000 for i in range(40)}
    capped = cap_raw(raw)
    assert raw_size(capped) <= MAX_RAW_TOTAL + 200
    kept = [key for key in capped if key != RAW_DROPPED_KEY]
    assert kept == [f"column_{i}" for i in range(len(kept))]  # in the file's order
    assert capped[RAW_DROPPED_KEY].startswith(f"{40 - len(kept)} more column(s) left out")


def test_a_json_lead_with_a_20_mb_field_is_accepted_with_its_raw_capped():
    notes = "x" * (20 * 1024 * 1024)
    result = parse_records([{"company_name": "Big Notes Co", "website": "big.example",
                             "notes": notes, "Evidence_MEPR": "e" * 50_000}])
    (lead,) = result.leads
    assert len(lead["raw"]["notes"]) == MAX_RAW_VALUE
    assert raw_size(lead["raw"]) <= MAX_RAW_TOTAL


def test_free_text_profile_fields_are_bounded():
    result = parse_records([{
        "name": "Evidence Co", "website": "ev.example", "MEPR_Evidence": "e" * 50_000,
        "address_full": "1 Main St " * 10_000, "tier": "T" * 10_000,
    }])
    (lead,) = result.leads
    profile = lead["profile"]
    assert all(len(text) <= 2_000 for text in profile.get("evidence", {}).values())
    assert len(profile.get("address_full") or "") <= 1024
    assert len(profile.get("dealer_tier") or "") <= 255
