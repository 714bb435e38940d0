"""The company's LinkedIn page, found without searching LinkedIn or logging in.

LinkedIn pages are not fetched (they sit behind a login wall, and scraping them is against
LinkedIn's terms). The URL comes from places that name it: a link on the company's own
website, Apollo's and Hunter's company records, the lead's CSV row. When none does, a
*guess* from the company name is offered separately and marked as unverified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from orchestration.integrations.calls import ProviderCall, call_record

PROVIDER = "linkedin"
# Most trustworthy first: the company's own site links to its own page.
SOURCE_ORDER: tuple[str, ...] = ("website", "apollo", "hunter", "csv")
_COMPANY_PATH = re.compile(
    r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(company|school|showcase)/([^/?#\s]+)",
    re.IGNORECASE,
)
_LEGAL_SUFFIX = re.compile(
    r"\b(inc|llc|l\.l\.c|co|corp|corporation|ltd|company|pllc|lp)\b\.?", re.IGNORECASE
)


@dataclass(frozen=True)
class LinkedInPage:
    url: str | None  # canonical company page URL, or None
    source: str | None  # which of SOURCE_ORDER named it
    guess: str | None  # a name-based guess when nothing named it (unverified)
    call: ProviderCall


def company_page_url(value: str | None) -> str | None:
    """``value`` as ``https://www.linkedin.com/company/<slug>/``, or None if it is not one."""
    if not value:
        return None
    match = _COMPANY_PATH.match(value.strip())
    if match is None:
        return None
    kind, slug = match.group(1).lower(), match.group(2)
    return f"https://www.linkedin.com/{kind}/{slug}/"


def guess_from_name(company_name: str | None) -> str | None:
    """The vanity URL a company of this name most often has (to be checked by a person)."""
    if not company_name:
        return None
    name = _LEGAL_SUFFIX.sub(" ", company_name.lower()).replace("&", " and ")
    slug = "-".join(re.findall(r"[a-z0-9]+", name))
    return f"https://www.linkedin.com/company/{slug}/" if slug else None


def resolve(candidates: Iterable[tuple[str, str | None]], company_name: str | None) -> LinkedInPage:
    """Pick the page from ``(source, url)`` candidates by :data:`SOURCE_ORDER`."""
    valid = {}
    for source, value in candidates:
        url = company_page_url(value)
        if url and source not in valid:
            valid[source] = url
    for source in SOURCE_ORDER:
        if source in valid:
            return LinkedInPage(
                valid[source], source, None, call_record(PROVIDER, "company_page", "ok")
            )
    return LinkedInPage(
        None,
        None,
        guess_from_name(company_name),
        call_record(PROVIDER, "company_page", "not_found"),
    )
