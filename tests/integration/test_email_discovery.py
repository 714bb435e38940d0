"""Email discovery on fixture websites served by a real local HTTP server.

Each site under tests/fixtures/sites shows one way companies publish (or hide, or lack)
an address. Needs no database or broker: only the in-process server on 127.0.0.1, which
the fetch policy allows here and nowhere else.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from orchestration.integrations.web import EmailExtractor, FetchPolicy, SafeFetcher, patterns
from tests.fixtures.sites.server import FixtureSites, StaticResolver, serve_fixture_sites

TEST_POLICY = FetchPolicy(allow_private_networks=["127.0.0.1"], timeout_s=1.0,
                          max_bytes=256 * 1024)


@pytest.fixture(scope="module")
def sites() -> Iterator[FixtureSites]:
    with serve_fixture_sites() as running:
        yield running


def discover(website: str, policy: FetchPolicy = TEST_POLICY) -> list[str]:
    """What a worker would get for one lead's website."""

    async def run() -> list[str]:
        async with SafeFetcher(policy, resolver=StaticResolver()) as fetcher:
            return await EmailExtractor(fetcher).extract_emails(website)

    return asyncio.run(run())


@pytest.mark.parametrize(("site", "expected"), [
    pytest.param("mailto", ["dave.miller@mailto.test", "office@mailto.test"],
                 id="mailto links"),
    pytest.param("plain", ["karen.lee@plain.test"], id="plain text"),
    pytest.param("bracket-at", ["tom.baker@bracket-at.test", "office@bracket-at.test"],
                 id="[at] [dot] on /contact-us"),
    pytest.param("paren-at", ["sales@paren-at.test", "info@paren-at.test"],
                 id="(at) (dot) on /about"),
    pytest.param("entities", ["linda@entities.test", "office@entities.test"],
                 id="HTML entities"),
    pytest.param("split", ["sales@split.test"], id="split across elements"),
    pytest.param("cloudflare", ["rosa.martinez@cloudflare.test", "owner@cloudflare.test"],
                 id="Cloudflare data-cfemail"),
    pytest.param("linked", ["beth.carter@linked.test", "info@linked.test"],
                 id="team page linked from home"),
])
def test_every_publishing_pattern_yields_the_right_first_address(
    sites: FixtureSites, site: str, expected: list[str]
) -> None:
    assert discover(sites.url(f"{site}.test")) == expected


def test_people_rank_before_sales_and_owner_inboxes_before_shared_ones(
    sites: FixtureSites,
) -> None:
    # Given a site with info@/hello@ on the home page, sales inboxes on /contact and the
    # founder's own address on /about
    found = discover(sites.url("ranking.test"))

    # Then the founder comes first, shared inboxes last, each address once
    assert found == [
        "james@ranking.test",
        "sales@ranking.test", "estimates@ranking.test", "owner@ranking.test",
        "info@ranking.test", "hello@ranking.test",
    ]


def test_noreply_placeholders_image_names_and_tracker_keys_are_dropped(
    sites: FixtureSites,
) -> None:
    assert discover(sites.url("junk.test")) == ["mike.russo@junk.test"]


def test_the_web_designer_credit_is_dropped_when_the_company_has_an_address(
    sites: FixtureSites,
) -> None:
    assert discover(sites.url("designer.test")) == ["office@designer.test"]


def test_the_web_designer_credit_is_returned_when_nothing_else_exists(
    sites: FixtureSites,
) -> None:
    assert discover(sites.url("designer-only.test")) == ["hello@pixelforge.design"]


def test_a_contractor_on_free_mail_keeps_that_address(sites: FixtureSites) -> None:
    assert discover(sites.url("freemail.test")) == ["joesroofing@gmail.com"]


def test_a_site_that_moved_to_a_new_domain_keeps_its_new_addresses(sites: FixtureSites) -> None:
    # Given a site whose home redirects to its new domain, which credits its designer first
    # Then the new domain counts as the company's own
    assert discover(sites.url("moved.test")) == ["ana.silva@new-name.test"]


@pytest.mark.parametrize("site", ["none", "missing", "to-private"])
def test_sites_without_a_readable_address_report_none(sites: FixtureSites, site: str) -> None:
    # none: a contact form only; missing: every page 404s (its 404 page names a
    # webmaster, which does not count); to-private: every page redirects inwards
    assert discover(sites.url(f"{site}.test")) == []


def test_a_slow_contact_page_does_not_hold_up_the_rest(sites: FixtureSites) -> None:
    started = time.monotonic()

    found = discover(sites.url("slow.test"))

    assert found == ["info@slow.test"]
    assert time.monotonic() - started < 3  # the page timeout (1 s), not the page's 30 s


def test_a_huge_page_gives_what_its_first_bytes_hold(sites: FixtureSites) -> None:
    started = time.monotonic()

    found = discover(sites.url("huge.test"))

    assert found == ["dana.price@huge.test", "info@huge.test"]  # not late.entry@, past the cap
    assert time.monotonic() - started < 5


def test_an_endless_redirect_on_home_leaves_the_other_pages(sites: FixtureSites) -> None:
    assert discover(sites.url("loop.test")) == ["lena.fox@loop.test"]


def test_robots_txt_keeps_discovery_out_of_disallowed_pages_when_configured(
    sites: FixtureSites,
) -> None:
    polite = FetchPolicy(allow_private_networks=["127.0.0.1"], respect_robots=True)

    assert discover(sites.url("robots.test")) == ["jo.park@robots.test", "info@robots.test"]
    assert discover(sites.url("robots.test"), polite) == ["info@robots.test"]


@pytest.mark.parametrize("website", [
    "plain.test:{port}",  # as some CSVs write it
    "https://plain.test:{port}/",  # intake's form; this server speaks http only
    "http://plain.test:{port}/some/deep/page?utm_source=csv#top",
])
def test_website_values_as_leads_carry_them_reach_the_site(
    sites: FixtureSites, website: str
) -> None:
    assert discover(website.format(port=sites.port)) == ["karen.lee@plain.test"]


@pytest.mark.parametrize("website", ["", "   ", "mailto:jo@acme.com", "ftp://plain.test/",
                                     "http://", "nowhere.invalid", "http://[::1]/"])
def test_unusable_websites_give_no_addresses_and_no_error(website: str) -> None:
    assert discover(website) == []


def test_the_seed_interface_works_without_a_fetcher_and_refuses_loopback(
    sites: FixtureSites,
) -> None:
    # Given the extractor built as the seed built it, with the default (public-only) policy
    website = f"http://127.0.0.1:{sites.port}/"

    # Then the loopback site is refused, quietly; with the address allowed it is read
    assert asyncio.run(EmailExtractor().extract_emails(website)) == []
    allowed = EmailExtractor(policy=FetchPolicy(allow_private_networks=["127.0.0.1"]))
    assert asyncio.run(allowed.extract_emails(website)) == ["karen.lee@plain.test"]


def test_one_fetcher_serves_many_leads_at_once(sites: FixtureSites) -> None:
    # Given one process-wide fetcher, as a worker holds it, and a slice of leads
    leads = {"mailto": "dave.miller@mailto.test", "plain": "karen.lee@plain.test",
             "split": "sales@split.test", "none": None, "junk": "mike.russo@junk.test"}

    async def run() -> list[list[str]]:
        async with SafeFetcher(TEST_POLICY, resolver=StaticResolver()) as fetcher:
            extractor = EmailExtractor(fetcher)
            return await asyncio.gather(
                *(extractor.extract_emails(sites.url(f"{site}.test")) for site in leads)
            )

    firsts = [found[0] if found else None for found in asyncio.run(run())]

    assert firsts == list(leads.values())


def test_a_page_that_breaks_the_parser_costs_only_that_page(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, sites: FixtureSites
) -> None:
    # Given a parser that breaks on the contact page of the mailto site
    real_parse = patterns.parse_html

    def parse_except_contact(markup: bytes, charset: str | None = None) -> Any:
        if b"<h1>Contact</h1>" in markup:
            raise RuntimeError("parser bug")
        return real_parse(markup, charset)

    monkeypatch.setattr("orchestration.integrations.web.emails.parse_html", parse_except_contact)

    # Then the other pages still count, and the failure is in the log
    assert discover(sites.url("mailto.test")) == ["office@mailto.test"]
    assert "could not read http://mailto.test" in caplog.text


def test_an_unexpected_failure_gives_no_addresses_instead_of_an_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, sites: FixtureSites
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("ranking bug")

    monkeypatch.setattr("orchestration.integrations.web.emails.rank_addresses", broken)

    assert discover(sites.url("plain.test")) == []
    assert "email discovery failed for plain.test" in caplog.text
