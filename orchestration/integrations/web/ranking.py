"""Which addresses found on a site are worth an outreach, best first.

A person's address beats a sales or owner inbox, which beats a shared inbox such as info@.
Junk never counts: no-reply senders, placeholders (you@example.com), retina image names
(logo@2x.png), error-tracker keys. Addresses of other domains (the web designer's credit in
the footer, a platform's support box) count only when the site shows nothing else; free-mail
addresses (many small contractors run on gmail.com) count as the company's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import IntEnum

from orchestration.engines.rules.contacts import FREE_MAIL_DOMAINS, ROLE_LOCAL_PARTS


class AddressKind(IntEnum):
    """How directly an address reaches a decision maker (lower is better)."""

    PERSONAL = 0  # jane.doe@, jdoe@, mike@
    SALES_OR_OWNER = 1  # sales@, owner@, estimates@
    GENERIC = 2  # info@, hello@, office@, the company's name@


SALES_OR_OWNER_LOCAL_PARTS = frozenset({
    "sales", "owner", "owners", "president", "ceo", "founder", "cofounder", "principal",
    "partner", "partners", "gm", "generalmanager", "manager", "management", "estimates",
    "estimate", "estimating", "estimator", "quotes", "quote", "bids", "bid", "bidding",
    "newbusiness", "business", "bizdev", "bd", "sale",
})
GENERIC_LOCAL_PARTS = (ROLE_LOCAL_PARTS - SALES_OR_OWNER_LOCAL_PARTS) | {
    "hi", "hey", "enquiry", "email", "web", "website", "online", "questions", "feedback",
    "request", "requests", "appointments", "appointment", "booking", "bookings", "privacy",
    "legal", "press", "media", "pr", "news", "newsletter", "events", "social", "care",
    "customercare", "custserv", "parts", "shop", "store", "main", "home", "connect",
    "service", "repairs", "installs", "install", "projects", "operations", "ops", "crew",
}
# Words of a trade rather than a name: "plumbing@" is a shop's inbox, not a person's.
_TRADE_WORDS = frozenset({
    "plumbing", "roofing", "electric", "electrical", "hvac", "solar", "heating", "cooling",
    "air", "construction", "builders", "contracting", "contractor", "contractors", "power",
    "energy", "generators", "generator", "mechanical", "services", "homes", "remodeling",
})
_UNDELIVERABLE_LOCAL_PARTS = frozenset({
    "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply",
    "mailer-daemon", "postmaster", "bounce", "bounces", "unsubscribe", "abuse", "hostmaster",
})
_PLACEHOLDER_LOCAL_PARTS = frozenset({
    "you", "your", "yourname", "your.name", "your-name", "your_name", "youremail",
    "your.email", "yourmail", "name", "email", "e-mail", "user", "username", "someone",
    "somebody", "firstname", "first.last", "firstname.lastname", "first_last", "john.doe",
    "jane.doe", "johndoe", "janedoe", "test", "sample", "example", "address",
})
_PLACEHOLDER_DOMAINS = frozenset({
    "example.com", "example.org", "example.net", "domain.com", "yourdomain.com",
    "yoursite.com", "yourcompany.com", "company.com", "website.com", "mysite.com",
    "sitename.com", "email.com", "mydomain.com", "test.com",
})
# Addresses a site's software writes into pages: error trackers, builders' internals.
_MACHINE_DOMAINS = frozenset({
    "sentry.io", "wixpress.com", "sentry-next.wixpress.com", "ingest.sentry.io",
    "schema.org", "w3.org",
})
_FILE_SUFFIXES = frozenset({
    "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "bmp", "ico", "tif", "tiff", "heic",
    "css", "js", "mjs", "json", "map", "woff", "woff2", "ttf", "eot", "otf", "mp4", "webm",
    "mov", "mp3", "wav", "pdf", "zip", "php", "html", "htm", "asp", "aspx", "xml", "txt",
})
_NAME_LIKE = re.compile(r"[a-z]+(?:[._-][a-z]+){0,3}[0-9]{0,2}")
_HEX_KEY = re.compile(r"[0-9a-f]{16,}")
_TWO_LEVEL_SUFFIX_LABELS = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "ltd"})


def is_junk(address: str) -> bool:
    """True for addresses no one should write to: no-reply, placeholders, file names, keys."""
    local, _, domain = address.lower().rpartition("@")
    if not local or not domain:
        return True
    head = _head(local)
    return (
        local in _UNDELIVERABLE_LOCAL_PARTS or head in _UNDELIVERABLE_LOCAL_PARTS
        or local.replace("-", "").replace("_", "").startswith(("noreply", "donotreply"))
        or local in _PLACEHOLDER_LOCAL_PARTS
        or domain in _PLACEHOLDER_DOMAINS or domain.endswith(".example")
        or domain.rsplit(".", 1)[-1] in _FILE_SUFFIXES
        or any(domain == machine or domain.endswith("." + machine) for machine in _MACHINE_DOMAINS)
        or bool(_HEX_KEY.fullmatch(local))
    )


def address_kind(address: str, site_domain: str | None = None) -> AddressKind:
    """Whether ``address`` reaches a person, a sales/owner inbox or a shared inbox."""
    local = address.lower().rpartition("@")[0]
    head = _head(local)
    if local in SALES_OR_OWNER_LOCAL_PARTS or head in SALES_OR_OWNER_LOCAL_PARTS:
        return AddressKind.SALES_OR_OWNER
    if local in GENERIC_LOCAL_PARTS or head in GENERIC_LOCAL_PARTS:
        return AddressKind.GENERIC
    if _names_the_company(local, site_domain) or not _NAME_LIKE.fullmatch(local):
        return AddressKind.GENERIC
    return AddressKind.PERSONAL


def is_own_address(address: str, site_domains: Iterable[str]) -> bool:
    """True when ``address`` belongs to the site (same domain or sibling) or is free-mail."""
    domain = address.lower().rpartition("@")[2]
    if domain in FREE_MAIL_DOMAINS:
        return True
    return any(_same_organisation(domain, site) for site in site_domains)


def rank_addresses(addresses: Iterable[str], site_domains: Iterable[str]) -> list[str]:
    """``addresses`` (in the order found) without junk, best first.

    Other domains' addresses are dropped unless nothing else is left. Among equals, the
    company's own domain beats free-mail, and what was found first stays first.
    """
    sites = [_bare(domain) for domain in site_domains if domain]
    found = [address.lower() for address in dict.fromkeys(addresses) if not is_junk(address)]
    own = [address for address in found if is_own_address(address, sites)]
    pool = own or found
    main_site = sites[0] if sites else None

    def order(indexed: tuple[int, str]) -> tuple[int, int, int]:
        position, address = indexed
        free_mail = address.rpartition("@")[2] in FREE_MAIL_DOMAINS
        return (address_kind(address, main_site), int(free_mail), position)

    return [address for _, address in sorted(enumerate(pool), key=order)]


def _head(local: str) -> str:
    # "info.austin", "sales-team", "office1" are the same inboxes as "info", "sales", "office".
    return re.split(r"[.\-_+0-9]", local, maxsplit=1)[0]


def _names_the_company(local: str, site_domain: str | None) -> bool:
    letters = re.sub(r"[^a-z]", "", local)
    if any(word in _TRADE_WORDS for word in re.split(r"[._-]", local)):
        return True
    if not site_domain or not letters:
        return False
    label = re.sub(r"[^a-z]", "", _organisation_label(site_domain))
    # "acmeplumbing@" on acmeplumbing.com is the shop; "mike@" on mikesplumbing.com is Mike.
    return bool(label) and (label in letters or (len(letters) >= 6 and letters in label))


def _same_organisation(email_domain: str, site_domain: str) -> bool:
    email_domain, site_domain = _bare(email_domain), _bare(site_domain)
    if email_domain == site_domain or email_domain.endswith("." + site_domain):
        return True
    if site_domain.endswith("." + email_domain):
        return True
    # acme-plumbing.com's mail on acmeplumbing.net is the same company under another name.
    email_label = _organisation_label(email_domain).replace("-", "")
    return len(email_label) >= 4 and email_label == _organisation_label(site_domain).replace(
        "-", ""
    )


def _organisation_label(domain: str) -> str:
    """``"mail.acme.co.uk"`` -> ``"acme"``: the label an organisation registered."""
    labels = _bare(domain).split(".")
    if len(labels) >= 3 and labels[-2] in _TWO_LEVEL_SUFFIX_LABELS and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def _bare(domain: str) -> str:
    return domain.lower().strip(".").removeprefix("www.")
