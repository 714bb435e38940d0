"""The generated dealer export looks like the real one of 8,277 dealers, mess included.

Qualification, duplicate and text-quality tests are built on this generator, so what it
must reproduce is pinned here: OEM and tier shares, unknown flags, missing reviews and
websites, shared booking hosts, shouting, the export owner's ICP distribution, and true
duplicates that really are the same dealer spelt another way.
"""

from __future__ import annotations

import csv
import re
import statistics
from collections import Counter
from collections.abc import Callable
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from examples.generate_dealers import (
    COLUMNS,
    ICP_COLUMNS,
    STATE_NAMES,
    GeneratedExport,
    generate,
    main,
    strip_icp,
    upstream_icp,
    write_csv,
)

REAL_EXPORT_ROWS = 8277
FLAGS = (
    "has_hvac", "has_solar", "has_inverters", "has_generator", "has_battery", "has_electrical",
    "has_plumbing", "has_roofing", "is_commercial", "is_residential", "is_gc",
)
LEGAL = re.compile(
    r",?\s+(llc\.?|l\.l\.c\.|inc\.?|co\.|corp\.?|company|corporation|ltd|pllc)$", re.IGNORECASE
)


@pytest.fixture(scope="module")
def export() -> GeneratedExport:
    return generate(REAL_EXPORT_ROWS)


@pytest.fixture(scope="module")
def rows(export: GeneratedExport) -> list[dict[str, str]]:
    return export.rows


def share(rows: list[dict[str, str]], predicate: Callable[[dict[str, str]], object]) -> float:
    return sum(1 for row in rows if predicate(row)) / len(rows)


def phone_digits(cell: str) -> str:
    return re.sub(r"\D", "", cell.split(" x")[0])[-10:]


def site_of(row: dict[str, str]) -> str:
    """Host and path, as a browser would reach them: scheme, www., query and slash dropped."""
    text = (row["website"] or row["domain"]).lower()
    text = re.sub(r"^https?://", "", text).split("?")[0].rstrip("/")
    return re.sub(r"^www\.", "", text).removesuffix("/home")


def host_of(row: dict[str, str]) -> str:
    return site_of(row).split("/")[0]


def state_code(row: dict[str, str]) -> str:
    """The two-letter state, whether the cell spells it out or lower-cases it."""
    cell = row["state"]
    by_name = {name.lower(): code for code, name in STATE_NAMES.items()}
    return by_name.get(cell.lower(), cell.upper())


def name_key(name: str) -> str:
    base = LEGAL.sub("", name.strip()).lower().replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", base))


# --- OEMs and tiers -----------------------------------------------------------------------


def test_almost_every_dealer_is_listed_by_one_oem(rows: list[dict[str, str]]) -> None:
    # Given the export of 8,277 dealers
    # When its OEM counts are tallied
    counts = Counter(row["OEM_Count"] for row in rows)

    # Then 97% name one OEM, about 2% two, and three is a rarity
    assert 0.96 <= counts["1"] / len(rows) <= 0.985
    assert 0.01 <= counts["2"] / len(rows) <= 0.035
    assert counts["3"] / len(rows) < 0.002
    assert set(counts) <= {"1", "2", "3"}
    # and the count always agrees with the OEM list
    assert all(int(row["OEM_Count"]) == len(row["OEMs_Certified"].split(", ")) for row in rows)


def test_the_oem_locators_contribute_as_in_the_real_export(rows: list[dict[str, str]]) -> None:
    sources = Counter(row["oem_source"] for row in rows)

    expected = {
        "Generac": (1500, 2000), "Mitsubishi Electric": (1550, 2000), "Carrier": (1100, 1500),
        "Briggs & Stratton": (650, 1000), "Cummins": (550, 900), "York": (550, 850),
        "Kohler": (200, 420), "Trane": (120, 420), "Lennox": (100, 350), "Rheem": (80, 300),
        "Tesla": (30, 120), "Enphase": (10, 70), "SolarEdge": (10, 70), "SMA": (5, 60),
    }
    assert set(sources) == set(expected)
    for oem, (low, high) in expected.items():
        assert low <= sources[oem] <= high, (oem, sources[oem])


def test_program_tiers_are_mostly_standard_and_strong_tiers_are_rare(
    rows: list[dict[str, str]],
) -> None:
    tiers = Counter(row["tier"] for row in rows)
    n = len(rows)

    assert 0.43 <= tiers["Standard"] / n <= 0.51
    assert 0.19 <= tiers["Diamond Commercial"] / n <= 0.24
    assert 0.06 <= tiers["Dealer"] / n <= 0.10
    # Diamond Commercial is Mitsubishi's, and nearly every Mitsubishi row carries it
    mitsubishi = [row for row in rows if row["oem_source"] == "Mitsubishi Electric"]
    assert {row["oem_source"] for row in rows if row["tier"] == "Diamond Commercial"} == {
        "Mitsubishi Electric"
    }
    assert share(mitsubishi, lambda row: row["tier"] == "Diamond Commercial") >= 0.98
    # Carrier's labels come mixed with award and marketing words
    assert tiers["Award Winner, Google, Carrier Authorized"] > 50
    assert any(tier.startswith("York Certified") for tier in tiers)
    # the strong tiers exist but are rare, and some cells are empty or junk
    for strong in ("Elite", "Elite Plus", "Premier", "ELITE IQ INSTALLER", "Platinum"):
        assert 0 < tiers[strong] / n < 0.01, strong
    elite_iq = {row["oem_source"] for row in rows if row["tier"] == "ELITE IQ INSTALLER"}
    assert elite_iq == {"Briggs & Stratton"}
    assert tiers[""] > 0
    assert tiers["1 Years in Business"] + tiers["Cummins"] > 0


# --- capability flags ---------------------------------------------------------------------


def test_capability_flags_are_unknown_for_thirty_percent(rows: list[dict[str, str]]) -> None:
    all_empty = share(rows, lambda row: all(row[flag] == "" for flag in FLAGS))
    with_flags = [row for row in rows if any(row[flag] for flag in FLAGS)]

    assert 0.27 <= all_empty <= 0.33
    # has_generator is never true, not even for Generac dealers; has_solar almost never
    assert {row["has_generator"] for row in rows} == {"", "False"}
    assert 0.002 <= share(rows, lambda row: row["has_solar"] == "True") <= 0.01
    # among rows with flags: most serve homes, a minority businesses, a few both
    assert share(with_flags, lambda row: row["is_residential"] == "True") > 0.5
    assert 0.15 <= share(with_flags, lambda row: row["is_commercial"] == "True") <= 0.25
    both = share(with_flags, lambda row: row["is_residential"] == row["is_commercial"] == "True")
    assert 0.01 <= both <= 0.05
    assert share(with_flags, lambda row: row["has_hvac"] == "True") < 0.15


# --- reviews, websites, emails --------------------------------------------------------------


def test_four_in_five_dealers_have_no_reviews(rows: list[dict[str, str]]) -> None:
    unrated = share(rows, lambda row: float(row["rating"]) == 0)
    rated = [row for row in rows if float(row["rating"]) > 0]

    assert 0.77 <= unrated <= 0.83
    assert all(row["review_count"] == "0" for row in rows if float(row["rating"]) == 0)
    assert 0.77 <= share(rows, lambda row: float(row["google_rating"]) == 0) <= 0.83
    # rated rows are mostly 3.0-5.0 stars; a few percent come from a 0-10 scale
    ten_scale = [row for row in rated if float(row["rating"]) > 5]
    assert 0.01 <= len(ten_scale) / len(rated) <= 0.08
    assert all(6.0 <= float(row["rating"]) <= 9.9 for row in ten_scale)
    assert all(3.0 <= float(row["rating"]) <= 5.0 for row in rated if row not in ten_scale)
    counts = [int(row["review_count"]) for row in rated]
    assert min(counts) >= 1
    assert max(counts) <= 600
    assert statistics.median(counts) < statistics.mean(counts)  # skewed: a few have many


def test_a_quarter_lack_a_website_and_almost_none_give_an_email(
    rows: list[dict[str, str]],
) -> None:
    assert 0.22 <= share(rows, lambda row: not row["website"]) <= 0.30
    assert share(rows, lambda row: bool(row["email"])) < 0.05
    assert share(rows, lambda row: bool(row["employee_count"])) < 0.1
    assert share(rows, lambda row: bool(row["estimated_revenue"])) < 0.1
    assert share(rows, lambda row: bool(row["linkedin_url"])) < 0.1


def test_hundreds_of_dealers_share_one_booking_platform_host(
    export: GeneratedExport, rows: list[dict[str, str]]
) -> None:
    # Given the first listing of every dealer (a duplicate rightly repeats its page)
    firsts = [
        row for number, row in enumerate(rows, start=1)
        if number not in export.duplicate_of and number not in export.bad_rows
        and row["website"]
    ]
    # When the dealers are grouped by the host of their website
    by_host: dict[str, set[str]] = {}
    for row in firsts:
        by_host.setdefault(host_of(row), set()).add(site_of(row))

    # Then one host carries hundreds of distinct dealer pages
    biggest, pages = max(by_host.items(), key=lambda item: len(item[1]))
    assert len(pages) >= 200, biggest
    # and the shared hosts together carry about 7% of the export
    shared = {host for host, sites in by_host.items() if len(sites) >= 10}
    on_shared = sum(1 for row in rows if row["website"] and host_of(row) in shared)
    assert 0.05 <= on_shared / len(rows) <= 0.09
    # with the shared host in the domain column, as the scraper wrote it
    assert sum(1 for row in rows if row["domain"] == biggest) >= 200


def test_names_and_cities_are_sometimes_shouted_and_addresses_carry_junk(
    rows: list[dict[str, str]],
) -> None:
    def shouted(text: str) -> bool:
        return any(ch.isalpha() for ch in text) and text == text.upper()

    assert 0.12 <= share(rows, lambda row: shouted(row["name"])) <= 0.19
    assert 0.10 <= share(rows, lambda row: shouted(row["city"])) <= 0.19
    names = [row["name"] for row in rows]
    assert any(name.endswith(", LLC") for name in names)
    assert any(name.endswith(" L.L.C.") for name in names)
    assert any("'" in name for name in names)
    assert share(rows, lambda row: "&" in row["name"]) > 0.1
    assert any("out of 5 stars" in row["street"] for row in rows)
    assert any(row["address_full"].startswith(("on, ", ", , ")) for row in rows)
    assert any(row["city"] == "" for row in rows)
    assert any(len(row["zip"]) == 10 for row in rows)  # ZIP+4
    assert any(row["zip"] == "" for row in rows)
    assert any(len(row["state"]) > 2 for row in rows)
    assert any(row["state"].islower() for row in rows)


def test_trade_words_appear_in_names_at_realistic_rates(rows: list[dict[str, str]]) -> None:
    def rate(word: str) -> float:
        return share(rows, lambda row: word.lower() in row["name"].lower())

    assert 0.15 <= rate("Electric") <= 0.30
    assert 0.15 <= rate("Heating") <= 0.35
    assert rate("HVAC") > 0.03
    assert rate("Mechanical") > 0.03
    assert 0.01 <= rate("Service") <= 0.08
    for rare in ("Plumbing", "Roofing", "Solar", "Home Services", "Commercial", "Solutions",
                 "Maintenance", "Repair"):
        assert 0 < rate(rare) < 0.03, rare


# --- the export owner's ICP columns ---------------------------------------------------------


def test_upstream_icp_scores_spread_like_the_real_export(rows: list[dict[str, str]]) -> None:
    scores = [float(row["ICP_Score"]) for row in rows]
    tiers = Counter(row["ICP_Tier"] for row in rows)
    n = len(rows)

    assert 35 <= min(scores) <= 38
    assert 65 <= max(scores) <= 80
    assert 42.5 <= statistics.mean(scores) <= 44.5
    assert 0.004 <= tiers["GOLD"] / n <= 0.01
    assert 0.005 <= tiers["BRONZE"] / n <= 0.015
    assert tiers["PLATINUM"] <= 3
    assert tiers["SILVER"] / n > 0.97


def test_upstream_icp_columns_agree_with_their_components(rows: list[dict[str, str]]) -> None:
    for row in rows:
        resimercial, multi_oem, mepr, om = (
            int(row[column])
            for column in ("Resimercial_Score", "MultiOEM_Score", "MEPR_Score", "OM_Score")
        )
        expected = round(0.35 * resimercial + 0.25 * multi_oem + 0.25 * mepr + 0.15 * om, 1)
        assert float(row["ICP_Score"]) == expected
        assert row["MultiOEM_Evidence"].startswith(f"Certified by {row['OEM_Count']} OEM")
        assert all(row[column] for column in ICP_COLUMNS)


def test_upstream_scorer_reads_the_name_tier_oems_and_flags() -> None:
    # Given a Generac Elite dealer named for service, serving homes and businesses
    row = {
        "name": "Smith Electric Service & Repair LLC", "tier": "Elite Plus",
        "OEMs_Certified": "Generac, Carrier", "OEM_Count": "2",
        "is_commercial": "True", "is_residential": "True",
    }

    # When the export owner's scorer reads it
    icp = upstream_icp(row)

    # Then each dimension takes its best rule
    assert (icp["Resimercial_Score"], icp["MultiOEM_Score"]) == ("100", "50")
    assert (icp["MEPR_Score"], icp["OM_Score"]) == ("75", "100")
    assert (icp["ICP_Score"], icp["ICP_Tier"]) == ("81.2", "PLATINUM")
    assert icp["MultiOEM_Evidence"] == "Certified by 2 OEMs: Generac, Carrier"
    assert "Generator OEM implies electrical" in icp["MEPR_Evidence"]
    assert icp["OM_Evidence"] == "O&M indicators in name: service, repair"

    # and a Mitsubishi dealer gets its commercial signal from the tier alone
    plain = upstream_icp({"name": "Reed Mechanical", "tier": "Diamond Commercial",
                          "OEMs_Certified": "Mitsubishi Electric", "OEM_Count": "1"})
    assert plain["Resimercial_Evidence"] == "Commercial indicator in tier"
    assert (plain["ICP_Score"], plain["ICP_Tier"]) == ("47.0", "SILVER")


# --- duplicates, look-alikes and bad rows ---------------------------------------------------


def test_true_duplicates_are_the_same_dealer_spelt_another_way(
    export: GeneratedExport, rows: list[dict[str, str]]
) -> None:
    # Given the rows the generator says repeat an earlier dealer
    duplicates = export.duplicate_of

    # Then they are 3-5% of the export, each pointing at a first listing before it
    assert 0.03 <= len(duplicates) / len(rows) <= 0.05
    for copy_row, first_row in duplicates.items():
        assert first_row < copy_row
        assert first_row not in duplicates
        assert first_row not in export.bad_rows
        first, copy = rows[first_row - 1], rows[copy_row - 1]
        first_phone, copy_phone = phone_digits(first["phone"]), phone_digits(copy["phone"])
        same_phone = bool(first_phone) and first_phone == copy_phone
        same_site = bool(site_of(first)) and site_of(first) == site_of(copy)
        same_name = name_key(first["name"]) == name_key(copy["name"])
        # and each shares a phone, a site or its name (up to casing and legal suffix)
        assert same_phone or same_site or same_name, (first["name"], copy["name"])
        # with another number, it is one in the same area code
        if first_phone and copy_phone:
            assert first_phone[:3] == copy_phone[:3]

    # And the variants a locator produces all occur
    pairs = [(rows[first - 1], rows[copy - 1]) for copy, first in duplicates.items()]
    same_digits = [(a, b) for a, b in pairs if a["phone"] and
                   phone_digits(a["phone"]) == phone_digits(b["phone"])]
    assert all(a["phone"] != b["phone"] for a, b in same_digits)  # another format
    assert sum(a["name"] != b["name"] and name_key(a["name"]) == name_key(b["name"])
               for a, b in pairs) > 50  # casing or legal suffix
    assert sum(a["name"].upper() == b["name"] != a["name"] for a, b in pairs) > 5
    assert sum(site_of(a) == site_of(b) and a["website"] != b["website"] and b["website"] != ""
               for a, b in pairs) > 50  # www., slash, scheme or utm
    assert sum(bool(a["website"]) and not b["website"] for a, b in pairs) > 10
    assert sum(a["oem_source"] != b["oem_source"] for a, b in pairs) > 100
    no_state = [(a, b) for a, b in pairs if a["state"] and not b["state"]]
    assert len(no_state) > 10
    assert sum(phone_digits(a["phone"]) != phone_digits(b["phone"]) for a, b in no_state) > 10


def test_look_alike_names_belong_to_distinct_companies(
    export: GeneratedExport, rows: list[dict[str, str]]
) -> None:
    assert len(export.look_alikes) >= 50
    for first_row, second_row in export.look_alikes:
        first, second = rows[first_row - 1], rows[second_row - 1]
        assert first_row not in export.duplicate_of
        assert second_row not in export.duplicate_of
        # a digit or a letter or two apart, in the same state
        assert name_key(first["name"]) != name_key(second["name"])
        assert SequenceMatcher(None, name_key(first["name"]),
                               name_key(second["name"])).ratio() >= 0.7
        assert state_code(first) == state_code(second)
        # with a phone and a site of their own
        assert phone_digits(first["phone"]) != phone_digits(second["phone"]) or not first["phone"]
        assert site_of(first) != site_of(second) or not site_of(first)
    digit_pairs = [
        (rows[a - 1]["name"], rows[b - 1]["name"]) for a, b in export.look_alikes
        if re.sub(r"\d", "#", name_key(rows[a - 1]["name"]))
        == re.sub(r"\d", "#", name_key(rows[b - 1]["name"]))
    ]
    assert len(digit_pairs) >= 10  # "Phase 2 Electric" / "Phase 3 Electric"


def test_distinct_dealers_never_share_a_phone_or_a_site(
    export: GeneratedExport, rows: list[dict[str, str]]
) -> None:
    firsts = [row for number, row in enumerate(rows, start=1)
              if number not in export.duplicate_of and number not in export.bad_rows]
    phones = Counter(phone_digits(row["phone"]) for row in firsts if row["phone"])
    sites = Counter(site_of(row) for row in firsts if site_of(row))

    assert phones.most_common(1)[0][1] == 1
    assert sites.most_common(1)[0][1] == 1


def test_a_few_rows_are_bad_on_purpose(export: GeneratedExport) -> None:
    bad = [export.rows[number - 1] for number in sorted(export.bad_rows)]

    assert abs(len(bad) - round(REAL_EXPORT_ROWS * 5 / 220)) <= 1
    for row in bad:
        reachable = row["phone"] or row["website"] or row["domain"]
        broken_email = bool(row["email"]) and not re.fullmatch(
            r"[^@\s]+@[^@\s]+\.[a-z]+", row["email"]
        )
        assert not row["name"] or (not reachable and (not row["email"] or broken_email))
    kinds = Counter("no name" if not row["name"] else "email" if row["email"] else "none"
                    for row in bad)
    assert set(kinds) == {"no name", "email", "none"}


# --- files ----------------------------------------------------------------------------------


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"

    write_csv(first, generate(1000, seed=7).rows)
    write_csv(second, generate(1000, seed=7).rows)
    write_csv(other, generate(1000, seed=8).rows)

    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_rows_can_be_written_without_the_upstream_icp_columns(tmp_path: Path) -> None:
    # Given rows with the upstream ICP columns stripped
    stripped = strip_icp(generate(50).rows)

    # When they are written, and when the command line is asked for the same
    out = tmp_path / "plain.csv"
    write_csv(out, stripped)
    cli_out = tmp_path / "cli.csv"
    main(["--rows", "50", "--without-icp", "--out", str(cli_out)])

    # Then both files hold the other 59 columns in export order, and nothing else
    expected = [column for column in COLUMNS if column not in ICP_COLUMNS]
    for path in (out, cli_out):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            assert header == expected
            assert all(len(row) == 59 for row in reader)
    assert out.read_bytes() == cli_out.read_bytes()
