"""Web hosts and mailboxes that many unrelated businesses share, so they name no company.

A dealer whose `website` is a page on a booking platform, a website builder, a social
network, a directory or an OEM's dealer locator shares that host with hundreds of other
dealers: the host is not the company, the page is. Such a host never becomes a lead's
`domain`, and duplicate detection compares the whole page (host and path) instead.

This list holds the platforms known up front; duplicate detection also recognises, inside
a batch and among stored leads, any other host that many different companies carry
(see api/intake/dedupe.py and db/repositories/duplicates.py).
"""

from __future__ import annotations

from typing import Final

# Any other host (or page) is shared once this many different names, with as many
# different phones, carry it.
SHARED_AFTER: Final = 3

SHARED_HOSTS: Final = frozenset(
    {
        # social networks and link pages
        "facebook.com", "m.facebook.com", "business.facebook.com", "fb.com", "fb.me",
        "instagram.com", "linkedin.com", "twitter.com", "x.com", "youtube.com",
        "tiktok.com", "pinterest.com", "linktr.ee", "nextdoor.com",
        # Google's business pages and short links
        "google.com", "maps.google.com", "sites.google.com", "goo.gl", "g.page",
        "business.site", "g.co",
        # website builders: the business is a subdomain or a path of theirs
        "wixsite.com", "wix.com", "squarespace.com", "godaddysites.com", "weebly.com",
        "wordpress.com", "site123.me", "webflow.io", "jimdosite.com", "carrd.co",
        "mystrikingly.com", "yolasite.com",
        # booking, field-service and review platforms
        "housecallpro.com", "book.housecallpro.com", "servicetitan.com", "jobber.com",
        "getjobber.com", "clienthub.getjobber.com", "schedulingengine.com",
        "angi.com", "angieslist.com", "homeadvisor.com", "thumbtack.com", "porch.com",
        "houzz.com", "yelp.com", "m.yelp.com", "bbb.org", "yellowpages.com",
        "manta.com", "mapquest.com", "superpages.com", "buildzoom.com", "networx.com",
        "energysage.com", "solarreviews.com",
        # OEM dealer-locator pages
        "generac.com", "kohler.com", "kohlerhomeenergy.rehlko.com", "rehlko.com",
        "cummins.com", "briggsandstratton.com", "tesla.com", "enphase.com",
        "solaredge.com", "lg.com", "carrier.com", "bryant.com", "trane.com",
        "lennox.com", "rheem.com", "ruud.com", "goodmanmfg.com", "daikincomfort.com",
        "daikin.com", "mitsubishicomfort.com", "mehvac.com", "americanstandardair.com",
        "york.com", "amana-hac.com", "heil-hvac.com", "fujitsugeneral.com",
    }
)
# Under these, every subdomain is one business's page (smith.wixsite.com, a.business.site).
_SHARED_PARENTS: Final = tuple(
    "." + host
    for host in (
        "facebook.com", "google.com", "business.site", "wixsite.com", "squarespace.com",
        "godaddysites.com", "weebly.com", "wordpress.com", "webflow.io", "jimdosite.com",
        "mystrikingly.com", "yolasite.com", "housecallpro.com", "servicetitan.com",
        "getjobber.com", "yelp.com",
    )
)

# Mailboxes that name a job, not a person: at a free-mail provider they are anybody's.
ROLE_MAILBOXES: Final = frozenset(
    {
        "info", "sales", "office", "service", "services", "contact", "contactus", "admin",
        "support", "hello", "help", "team", "mail", "email", "inquiries", "inquiry",
        "enquiries", "customerservice", "billing", "accounts", "scheduling", "dispatch",
        "booking", "bookings", "estimates", "quotes", "webmaster", "noreply", "no-reply",
        "marketing", "jobs", "careers", "hr", "frontdesk", "reception",
    }
)
FREE_MAIL_DOMAINS: Final = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "hotmail.com", "outlook.com",
        "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "mail.com",
        "gmx.com", "protonmail.com", "proton.me", "zoho.com", "comcast.net", "att.net",
        "sbcglobal.net", "bellsouth.net", "verizon.net", "cox.net", "charter.net",
        "earthlink.net", "frontier.com", "optonline.net", "windstream.net", "centurylink.net",
        "q.com", "roadrunner.com", "rr.com",
    }
)


def is_shared_host(host: str) -> bool:
    """True for platforms where a business is only a page (or a subdomain) among many."""
    return host in SHARED_HOSTS or host.endswith(_SHARED_PARENTS)


def is_company_email(email: str) -> bool:
    """Whether an address can tell two leads are one company.

    A personal address (anywhere) or any address at the company's own domain can; a role
    mailbox at a free-mail provider (info@gmail.com) is used by unrelated small businesses
    alike, and an address at a shared platform (bookings@housecallpro.com) is the
    platform's, so neither can.
    """
    local, _, host = email.rpartition("@")
    if is_shared_host(host):
        return False
    return not (host in FREE_MAIL_DOMAINS and local in ROLE_MAILBOXES)
