"""Contact email discovery on a lead's own website.

The home page, ``/contact``, ``/contact-us`` and ``/about`` are fetched in parallel, then
up to four pages the home page links to as contact, team or about pages. Every address
found (see :mod:`.patterns`) is ranked (see :mod:`.ranking`). Nothing here fails a lead:
an unreachable, slow or hostile site yields what could be read, often nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag
from yarl import URL

from orchestration.engines.rules.text import masked_email
from orchestration.integrations.web.fetch import (
    FetchError,
    FetchFailed,
    FetchPolicy,
    FetchResult,
    FetchTimeout,
    SafeFetcher,
)
from orchestration.integrations.web.patterns import addresses_in_html, parse_html
from orchestration.integrations.web.ranking import rank_addresses

log = logging.getLogger(__name__)

CONTACT_PATHS: tuple[str, ...] = ("/contact", "/contact-us", "/about")
MAX_LINKED_PAGES = 4
# Words that mark a link as leading to people or contact details, most useful first.
_LINK_HINTS: tuple[tuple[str, ...], ...] = (
    ("contact", "get-in-touch", "get in touch", "reach-us", "reach us", "email-us", "email us"),
    ("team", "staff", "people", "leadership", "meet", "management", "our-company", "owners"),
    ("about", "who-we-are", "who we are", "company"),
)
_SKIPPED_LINK_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".zip", ".doc",
                          ".docx", ".mp4")
_TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", ""})


@dataclass
class PageReading:
    """What one page gave: its addresses, and for the home page, links worth following."""

    requested: str
    final_url: str | None = None
    addresses: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    failure: FetchError | None = None


class EmailExtractor:
    """Finds the email addresses a company shows on its website, best first.

    Give it the process's :class:`SafeFetcher` to share one session across leads; without
    one it opens a session per call with ``policy`` (or the default policy).
    """

    def __init__(
        self,
        fetcher: SafeFetcher | None = None,
        *,
        policy: FetchPolicy | None = None,
        max_linked_pages: int = MAX_LINKED_PAGES,
    ) -> None:
        if fetcher is not None and policy is not None:
            raise ValueError("give a fetcher or a policy, not both: the fetcher has its policy")
        self._fetcher = fetcher
        self._policy = policy
        self._max_linked_pages = max_linked_pages

    async def extract_emails(self, website_url: str) -> list[str]:
        """Addresses found on ``website_url``'s site, best first; ``[]`` when none or on failure.

        Never raises for anything the site does (only cancellation propagates), so a lead
        without a readable website simply goes on without an email.
        """
        if not isinstance(website_url, str):
            return []
        try:
            if self._fetcher is not None:
                return await self._discover(self._fetcher, website_url)
            async with SafeFetcher(self._policy) as fetcher:
                return await self._discover(fetcher, website_url)
        except Exception:
            # Discovery is a bonus: a parser or library bug must not fail the lead's stage.
            log.warning("email discovery failed for %s", _host_of(website_url), exc_info=True)
            return []

    async def _discover(self, fetcher: SafeFetcher, website_url: str) -> list[str]:
        home = site_home(website_url)
        if home is None:
            # The value itself stays out of the log: a mistyped column may hold an address.
            log.info("email discovery skipped: the website is not an http(s) address")
            return []
        readings = await _read_first_pages(fetcher, home)
        if _unreachable(readings) and home.scheme == "https":
            # Intake writes every site as https; many small businesses still serve http only.
            home = home.with_scheme("http")
            readings = await _read_first_pages(fetcher, home)
        seen = {reading.requested.rstrip("/") for reading in readings}
        seen.update(r.final_url.rstrip("/") for r in readings if r.final_url)
        linked = [link for link in readings[0].links if link.rstrip("/") not in seen]
        linked = linked[: self._max_linked_pages]
        readings += await asyncio.gather(
            *(_read_page(fetcher, url, with_links=False) for url in linked)
        )

        site_domains = [home.raw_host or ""]
        if readings[0].final_url:
            site_domains.append(URL(readings[0].final_url).raw_host or "")
        found = [address for reading in readings for address in reading.addresses]
        ranked = rank_addresses(found, site_domains)
        log.info(
            "email discovery on %s: %d page(s) answered, %d address(es) kept, first %s",
            home.raw_host, sum(1 for r in readings if r.final_url), len(ranked),
            masked_email(ranked[0]) if ranked else "none",
        )
        return ranked


async def _read_first_pages(fetcher: SafeFetcher, home: URL) -> list[PageReading]:
    """The home page (with its links) and the usual contact pages, read in parallel."""
    jobs = [_read_page(fetcher, str(home), with_links=True)]
    jobs += [_read_page(fetcher, str(home.with_path(path)), with_links=False)
             for path in CONTACT_PATHS]
    return list(await asyncio.gather(*jobs))


async def _read_page(fetcher: SafeFetcher, url: str, *, with_links: bool) -> PageReading:
    reading = PageReading(requested=url)
    try:
        answer = await fetcher.fetch(url)
    except FetchError as exc:
        log.debug("skipped %s: %s", url, exc.reason)
        reading.failure = exc
        return reading
    reading.final_url = answer.url
    if not answer.ok or answer.content_type not in _TEXT_TYPES:
        return reading
    try:
        # Parsing a large page takes long enough to starve the other fetches on this loop.
        reading.addresses, reading.links = await asyncio.to_thread(
            _read_answer, answer, with_links
        )
    except Exception:
        # One page the parser chokes on costs that page, not the site's other pages.
        log.warning("could not read %s", answer.url, exc_info=True)
    return reading


def _read_answer(answer: FetchResult, with_links: bool) -> tuple[list[str], list[str]]:
    page = parse_html(answer.body, answer.charset)
    # More than will be read: some turn out to be pages already read.
    links = contact_links(page, answer.url, limit=4 * MAX_LINKED_PAGES) if with_links else []
    return addresses_in_html(page), links


def contact_links(page: BeautifulSoup, page_url: str, limit: int = MAX_LINKED_PAGES) -> list[str]:
    """Links on ``page`` to the same site that look like contact, team or about pages."""
    base = URL(page_url)
    site = _bare_host(base.raw_host)
    ranked: list[tuple[int, int, str]] = []
    for position, anchor in enumerate(page.find_all("a", href=True)):
        if not isinstance(anchor, Tag):
            continue
        href = anchor.get("href")
        if not isinstance(href, str):
            continue
        target = _same_site_page(base, href, site)
        if target is None:
            continue
        words = f"{target.path} {anchor.get_text(' ', strip=True)}".lower()
        priority = next(
            (rank for rank, hints in enumerate(_LINK_HINTS) if any(h in words for h in hints)),
            None,
        )
        if priority is not None:
            ranked.append((priority, position, str(target)))
    links = [url for _, _, url in sorted(ranked)]
    return list(dict.fromkeys(links))[:limit]


def site_home(website_url: str) -> URL | None:
    """The page to start from: ``"acme.com"`` -> ``https://acme.com/``; None if not a site."""
    text = website_url.strip()
    if not text:
        return None
    if "://" not in text:
        text = f"https://{text.lstrip('/')}"
    try:
        url = URL(text)
    except ValueError:
        return None
    if url.scheme not in ("http", "https") or not url.raw_host:
        return None
    return url.with_path("/").with_query(None).with_fragment(None).with_user(None)


def _same_site_page(base: URL, href: str, site: str) -> URL | None:
    text = href.strip()
    if not text or text.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    try:
        target = base.join(URL(text)).with_fragment(None)
    except ValueError:
        return None
    if target.scheme not in ("http", "https") or _bare_host(target.raw_host) != site:
        return None
    if target.path.lower().endswith(_SKIPPED_LINK_SUFFIXES) or target.path in ("", "/"):
        return None
    return target


def _unreachable(readings: Sequence[PageReading]) -> bool:
    """True when no page answered because the connection itself failed (not a slow site)."""
    return all(
        isinstance(r.failure, FetchFailed) and not isinstance(r.failure, FetchTimeout)
        for r in readings
    )


def _bare_host(host: str | None) -> str:
    return (host or "").lower().removeprefix("www.")


def _host_of(website_url: str) -> str:
    home = site_home(website_url)
    return (home.raw_host or "?") if home is not None else "?"
