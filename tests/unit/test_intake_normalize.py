"""Cell normalisers: what a messy spreadsheet value becomes on the lead."""

from __future__ import annotations

import pytest

from api.intake.normalize import (
    name_key,
    normalise_domain,
    normalise_email,
    normalise_phone,
    normalise_state,
    normalise_website,
    normalise_zip,
    parse_bool,
    parse_float,
    parse_int,
    split_list,
    split_us_address,
)


@pytest.mark.parametrize(
    ("cell", "domain"),
    [
        ("http://www.SmithElectric.com/?utm_source=gmb", "smithelectric.com"),
        ("https://smithelectric.com:8443/contact", "smithelectric.com"),
        ("www.smith-electric.net", "smith-electric.net"),
        ("smithelectric.com/home", "smithelectric.com"),
        ("//cdn.smithelectric.co.uk/", "cdn.smithelectric.co.uk"),
        ("SMITHELECTRIC.COM.", "smithelectric.com"),
        ("https://user@smithelectric.com/", "smithelectric.com"),
        ("https://münchen-solar.de", "xn--mnchen-solar-dlb.de"),
    ],
)
def test_domain_is_the_bare_lowercase_host(cell: str, domain: str) -> None:
    assert normalise_domain(cell) == domain


@pytest.mark.parametrize(
    "cell",
    ["", "N/A", "none", "smith electric", "localhost", "192.168.1.10", "ftp://smith.com",
     "info@smith.com", "http://", "-"],
)
def test_things_that_are_not_hostnames_give_no_domain(cell: str) -> None:
    assert normalise_domain(cell) is None


def test_website_becomes_https_on_the_bare_host_and_keeps_its_page() -> None:
    assert normalise_website("http://www.smithelectric.com") == "https://smithelectric.com/"
    assert (
        normalise_website("www.smithelectric.com/Contact Us?ref=x#top")
        == "https://smithelectric.com/Contact%20Us"
    )


@pytest.mark.parametrize(
    ("cell", "e164"),
    [
        ("(512) 555-0100", "+15125550100"),
        ("512.555.0100", "+15125550100"),
        ("+1 512 555 0100", "+15125550100"),
        ("1-512-555-0100", "+15125550100"),
        ("5125550100", "+15125550100"),
        ("(512) 555-0100 x123", "+15125550100"),
        ("512-555-0100 ext. 45", "+15125550100"),
        ("5125550100.0", "+15125550100"),
        ("512-555-0100 / 512-555-0199", "+15125550100"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_becomes_e164(cell: str, e164: str) -> None:
    assert normalise_phone(cell) == e164


@pytest.mark.parametrize(
    "cell",
    ["555-0100", "012-555-0100", "512-055-0100", "25125550100", "call the office", "x12",
     "+44 12", ""],
)
def test_invalid_phones_give_none(cell: str) -> None:
    assert normalise_phone(cell) is None


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Smith Electric, Inc.", "smith electric"),
        ("SMITH ELECTRIC LLC", "smith electric"),
        ("Smith Electric Co., L.L.C.", "smith electric"),
        ("Smith & Sons Heating and Air Corp", "smith and sons heating and air"),
        ("Smith & Co.", "smith"),
        ("Bob's  Generator   Service PLLC", "bobs generator service"),
        ("The Solar Company", "solar"),
        ("Café Solar GmbH", "cafe solar"),
        ("Company", "company"),
    ],
)
def test_name_key_drops_legal_suffixes_and_punctuation(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("cell", "state"),
    [("TX", "TX"), ("tx", "TX"), ("Texas", "TX"), (" new  york ", "NY"),
     ("District of Columbia", "DC"), ("Ontario", "Ontario"), ("ZZ", "ZZ"), ("", None)],
)
def test_state_becomes_a_two_letter_code_when_recognisable(cell: str, state: str | None) -> None:
    assert normalise_state(cell) == state


@pytest.mark.parametrize(
    ("cell", "zip_code"),
    [("78701", "78701"), ("78701-1234", "78701"), ("787011234", "78701"),
     ("2134", "02134"), ("501", "00501"), ("02134.0", "02134"),
     ("TBD", None), ("213-4567", None), ("M5V 2T6", None), ("", None)],
)
def test_zip_is_five_digits_with_lost_leading_zeros_restored(
    cell: str, zip_code: str | None
) -> None:
    assert normalise_zip(cell) == zip_code


def test_email_is_lowercased_and_malformed_ones_are_dropped() -> None:
    assert normalise_email(" Info@SmithElectric.com ") == "info@smithelectric.com"
    assert normalise_email("mailto:sales@smith.com") == "sales@smith.com"
    assert normalise_email("a@smith.com; b@smith.com") == "a@smith.com"
    for bad in ("bob@", "sales at smith.com", "office@@smith.com", "bob@smith", ".bob@smith.com"):
        assert normalise_email(bad) is None, bad


@pytest.mark.parametrize(
    ("cell", "truth"),
    [("True", True), ("FALSE", False), ("1", True), ("0", False), ("yes", True), ("N", False),
     ("y", True), ("", None), ("maybe", None), (None, None)],
)
def test_booleans_with_empty_meaning_unknown(cell: str | None, truth: bool | None) -> None:
    assert parse_bool(cell) is truth


def test_numbers_are_read_tolerantly() -> None:
    assert parse_float("4.8") == 4.8
    assert parse_float("1,234.5") == 1234.5
    assert parse_float("$1,200") == 1200.0
    assert parse_float("") is None
    assert parse_float("n/a") is None
    assert parse_float("inf") is None
    assert parse_int("1,234") == 1234
    assert parse_int("12.0") == 12
    assert parse_int("12.5") is None
    assert parse_int("11-50") is None


def test_lists_are_split_trimmed_and_deduplicated_ignoring_case() -> None:
    assert split_list("Generac, Kohler,generac ; Tesla Powerwall") == [
        "Generac",
        "Kohler",
        "Tesla Powerwall",
    ]
    assert split_list("Briggs & Stratton") == ["Briggs & Stratton"]
    assert split_list("") == []


def test_one_line_us_address_splits_into_its_parts() -> None:
    assert split_us_address("2858 Park Ave, Suite B, Houston, TX 77021, USA") == (
        "2858 Park Ave, Suite B",
        "Houston",
        "TX",
        "77021",
    )
    assert split_us_address("12 Main St, Austin, Texas 78701-1234") == (
        "12 Main St",
        "Austin",
        "TX",
        "78701",
    )
    assert split_us_address("Somewhere in Texas") is None
