"""Ranking found addresses: a person first, then sales/owner inboxes, then shared ones."""

from __future__ import annotations

import pytest

from orchestration.integrations.web.ranking import (
    AddressKind,
    address_kind,
    is_junk,
    rank_addresses,
)


@pytest.mark.parametrize(("address", "kind"), [
    ("dave.miller@acme.com", AddressKind.PERSONAL),
    ("jdoe@acme.com", AddressKind.PERSONAL),
    ("mike@mikesplumbing.com", AddressKind.PERSONAL),
    ("sales@acme.com", AddressKind.SALES_OR_OWNER),
    ("owner@acme.com", AddressKind.SALES_OR_OWNER),
    ("estimates.austin@acme.com", AddressKind.SALES_OR_OWNER),
    ("info@acme.com", AddressKind.GENERIC),
    ("hello@acme.com", AddressKind.GENERIC),
    ("office2@acme.com", AddressKind.GENERIC),
    ("mikesplumbing@gmail.com", AddressKind.GENERIC),
    ("plumbing@mikesplumbing.com", AddressKind.GENERIC),
])
def test_addresses_are_told_apart_by_who_they_reach(address: str, kind: AddressKind) -> None:
    assert address_kind(address, "mikesplumbing.com" if "mike" in address else "acme.com") == kind


@pytest.mark.parametrize("address", [
    "noreply@acme.com", "no-reply@acme.com", "do-not-reply@acme.com", "mailer-daemon@acme.com",
    "you@example.com", "name@domain.com", "someone@acme.example",
    "logo@2x.png", "hero-image@3x.webp", "bundle@1.2.js",
    "8f3c2a1b9d4e5f60718293a4b5c6d7e8@o12345.ingest.sentry.io", "abc@sentry.wixpress.com",
])
def test_junk_is_recognised(address: str) -> None:
    assert is_junk(address)


@pytest.mark.parametrize("address", ["info@acme.com", "jo@gmail.com", "noreplies.team@acme.io"])
def test_real_addresses_are_not_junk(address: str) -> None:
    assert not is_junk(address)


def test_people_come_before_sales_inboxes_before_shared_inboxes() -> None:
    found = ["info@acme.com", "sales@acme.com", "hello@acme.com", "james.wright@acme.com"]

    assert rank_addresses(found, ["acme.com"]) == [
        "james.wright@acme.com", "sales@acme.com", "info@acme.com", "hello@acme.com",
    ]


def test_other_domains_are_dropped_when_the_site_has_its_own() -> None:
    # Given a site showing its office address and its web designer's credit
    found = ["sam.kowalski@pixelforge.design", "office@acme.com"]

    # Then the designer (a person, but not the company) is left out
    assert rank_addresses(found, ["www.acme.com"]) == ["office@acme.com"]


def test_other_domains_are_kept_when_nothing_else_exists() -> None:
    found = ["hello@pixelforge.design", "sam@pixelforge.design"]

    assert rank_addresses(found, ["acme.com"]) == ["sam@pixelforge.design",
                                                   "hello@pixelforge.design"]


def test_free_mail_counts_as_the_company_own_after_its_domain() -> None:
    found = ["acmeroofing@gmail.com", "hello@pixelforge.design", "info@acme.com"]

    assert rank_addresses(found, ["acme.com"]) == ["info@acme.com", "acmeroofing@gmail.com"]


@pytest.mark.parametrize("address", ["jo@mail.acme.com", "jo@acme-roofing.net"])
def test_subdomains_and_siblings_of_the_site_are_its_own(address: str) -> None:
    assert rank_addresses(["studio@pixelforge.design", address], ["acmeroofing.com", "acme.com"])[
        0
    ] == address


def test_junk_never_comes_back_even_alone() -> None:
    assert rank_addresses(["noreply@acme.com", "logo@2x.png"], ["acme.com"]) == []
