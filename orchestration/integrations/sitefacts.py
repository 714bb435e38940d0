"""Facts read from a lead's home page: social profiles, technologies, services, phones.

One page, fetched through the :class:`SafeFetcher` (public addresses only, size and time
capped); the answer is cached like a provider's (it costs time, and sites change slowly).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bs4 import BeautifulSoup

from orchestration.integrations.cache import EnrichmentCache, Fetched
from orchestration.integrations.calls import ProviderCall
from orchestration.integrations.errors import ProviderError
from orchestration.integrations.providers.base import Lookup, cached_lookup
from orchestration.integrations.web.fetch import FetchError, SafeFetcher

PROVIDER = "website"
OPERATION = "home_page"
_MAX_TEXT_CHARS = 200_000
_ZERO = Decimal(0)

SOCIAL_HOSTS: dict[str, tuple[str, ...]] = {
    "linkedin": ("linkedin.com/company/", "linkedin.com/in/"),
    "facebook": ("facebook.com/", "fb.com/"),
    "instagram": ("instagram.com/",),
    "x": ("twitter.com/", "x.com/"),
    "youtube": ("youtube.com/",),
    "yelp": ("yelp.com/biz/",),
    "google": ("g.page/", "maps.google.", "google.com/maps"),
    "nextdoor": ("nextdoor.com/",),
}
_SHARE_LINK = re.compile(r"/(sharer|share|intent|plugins)[/.?]", re.IGNORECASE)
# Substrings of the page source that give a technology away.
TECHNOLOGY_SIGNATURES: dict[str, tuple[str, ...]] = {
    "WordPress": ("wp-content/", "wp-includes/"),
    "Wix": ("static.wixstatic.com", "wix.com"),
    "Squarespace": ("squarespace.com", "static1.squarespace"),
    "Shopify": ("cdn.shopify.com",),
    "GoDaddy Website Builder": ("img1.wsimg.com",),
    "Duda": ("dudaone", "irp.cdn-website.com"),
    "Weebly": ("weebly.com",),
    "Google Tag Manager": ("googletagmanager.com",),
    "Google Analytics": ("google-analytics.com", "gtag('config'", 'gtag("config"'),
    "Meta Pixel": ("connect.facebook.net",),
    "HubSpot": ("js.hs-scripts.com", "hs-analytics", "hubspot"),
    "HighLevel": ("leadconnectorhq", "msgsndr.com"),
    "ServiceTitan": ("servicetitan",),
    "Housecall Pro": ("housecallpro",),
    "Jobber": ("getjobber.com",),
    "Podium": ("podium.com",),
    "Birdeye": ("birdeye.com",),
    "Calendly": ("calendly.com",),
    "CallRail": ("callrail.com",),
}
# Words on the page that name a line of work, brand or credential, with the keyword kept.
SERVICE_PATTERNS: dict[str, str] = {
    "solar installation": r"\bsolar\b",
    "battery storage": r"\bbattery (?:storage|backup)\b|\bpowerwall\b",
    "standby generators": r"\b(?:standby |home |backup )?generators?\b",
    "HVAC": r"\bhvac\b|\bheating and (?:air|cooling)\b|\bair condition",
    "electrical contracting": r"\belectrical (?:contractor|services?)\b|\belectricians?\b",
    "plumbing": r"\bplumb(?:ing|ers?)\b",
    "roofing": r"\broof(?:ing|ers?)\b",
    "EV chargers": r"\bev charg(?:er|ers|ing)\b|\belectric vehicle charg",
    "inverters": r"\binverters?\b",
    "commercial": r"\bcommercial\b",
    "residential": r"\bresidential\b",
    "maintenance plans": r"\bmaintenance (?:plans?|agreements?)\b",
    "financing": r"\bfinancing\b",
    "24/7 emergency service": r"\b24/7\b|\bemergency service\b",
    "Generac": r"\bgenerac\b",
    "Kohler": r"\bkohler\b",
    "Briggs & Stratton": r"\bbriggs\s*(?:&|and)\s*stratton\b",
    "Cummins": r"\bcummins\b",
    "Tesla": r"\btesla\b",
    "Enphase": r"\benphase\b",
    "SolarEdge": r"\bsolaredge\b",
    "Carrier": r"\bcarrier\b",
    "Trane": r"\btrane\b",
    "Lennox": r"\blennox\b",
    "NABCEP certified": r"\bnabcep\b",
    "licensed and insured": r"\blicensed (?:&|and) insured\b",
}
_COMPILED = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in SERVICE_PATTERNS.items()}


def read_page(html: str, final_url: str) -> dict[str, Any]:
    """Everything this module knows how to read from one page's HTML."""
    soup = BeautifulSoup(html[: _MAX_TEXT_CHARS * 2], "html.parser")
    social: dict[str, str] = {}
    phones: list[str] = []
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"]).strip()
        lowered = href.lower()
        if lowered.startswith("tel:"):
            number = re.sub(r"[^\d+]", "", href[4:])
            if len(number.lstrip("+")) >= 10 and number not in phones:
                phones.append(number)
            continue
        if not lowered.startswith(("http://", "https://", "//")) or _SHARE_LINK.search(lowered):
            continue
        for network, hosts in SOCIAL_HOSTS.items():
            if network not in social and any(host in lowered for host in hosts):
                social[network] = href if not href.startswith("//") else "https:" + href
    source = html.lower()
    technologies = [
        name
        for name, marks in TECHNOLOGY_SIGNATURES.items()
        if any(mark in source for mark in marks)
    ]
    generator = soup.find("meta", attrs={"name": "generator"})
    if generator is not None and generator.get("content"):
        product = str(generator["content"]).split(" ")[0]
        if product and not any(product.lower() in t.lower() for t in technologies):
            technologies.append(product)
    for hidden in soup(["script", "style", "noscript"]):
        hidden.decompose()
    text = " ".join(soup.get_text(" ").split())[:_MAX_TEXT_CHARS]
    services = [name for name, pattern in _COMPILED.items() if pattern.search(text)]
    title = soup.title.get_text(" ").strip() if soup.title else None
    description = soup.find("meta", attrs={"name": "description"})
    return {
        "final_url": final_url,
        "title": title[:300] if title else None,
        "description": str(description["content"])[:500]
        if description is not None and description.get("content")
        else None,
        "social": social,
        "technologies": technologies,
        "service_keywords": services,
        "phones": phones[:5],
    }


async def home_page_facts(
    fetcher: SafeFetcher, cache: EnrichmentCache, website: str, domain: str | None
) -> Lookup:
    """The home page's facts, cached by domain; an unreachable site is recorded, not raised."""

    async def fetch() -> Fetched:
        try:
            page = await fetcher.fetch(website)
        except FetchError as exc:
            raise ProviderError(PROVIDER, exc.reason) from exc
        if not page.ok or not page.is_html:
            return Fetched({"found": False, "http_status": page.status}, cost_usd=_ZERO)
        facts = read_page(page.text(), page.url)
        facts["found"] = True
        return Fetched(facts, cost_usd=_ZERO)

    key = (domain or website).lower()
    lookup = await cached_lookup(cache, PROVIDER, OPERATION, key, fetch)
    if lookup.call["status"] == "error":
        # Not a provider outage: the site is the lead's own. Say so in the record.
        return Lookup(ProviderCall(**{**lookup.call, "status": "unreachable"}), None)
    return lookup
