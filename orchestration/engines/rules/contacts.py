"""Checks on a lead's email address and phone number, without contacting anyone.

The results say what a sales person needs before outreach: is this a person or a shared
inbox, a company address or a private one, a phone that can be dialled. Values are only
ever shown masked.
"""

from __future__ import annotations

import re
from typing import Literal, TypedDict

import phonenumbers

from orchestration.engines.rules.text import masked_email, masked_phone

# Shared inboxes: reach a company, but not a decision maker.
ROLE_LOCAL_PARTS = frozenset({
    "info", "sales", "office", "contact", "contactus", "admin", "support", "service",
    "services", "hello", "team", "billing", "accounts", "accounting", "marketing", "help",
    "inquiries", "inquiry", "enquiries", "estimates", "estimating", "quotes", "quote", "jobs",
    "careers", "hr", "noreply", "no-reply", "customerservice", "webmaster", "frontdesk",
    "reception", "scheduling", "schedule", "dispatch", "mail", "general", "orders", "warranty",
})
# Free-mail providers: a real person's box, but not a company address.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "hotmail.com", "outlook.com",
    "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "protonmail.com",
    "proton.me", "gmx.com", "mail.com", "zoho.com", "comcast.net", "att.net", "sbcglobal.net",
    "bellsouth.net", "verizon.net", "cox.net", "charter.net", "earthlink.net",
    "windstream.net", "frontier.com", "centurylink.net", "optonline.net", "roadrunner.com",
})
_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)
_NANP_REGIONS = frozenset({"US", "CA", "PR", "VI", "GU", "AS", "MP"})

EmailKind = Literal["personal", "role", "free_mail", "invalid"]


class EmailCheck(TypedDict):
    """What an email address is good for."""

    masked: str  # the address with its local part hidden
    valid_syntax: bool  # looks deliverable (syntax only; nothing is sent)
    kind: EmailKind  # personal (named, company domain), role inbox, free-mail, invalid
    is_role: bool  # shared inbox such as info@ or sales@
    is_free_mail: bool  # gmail.com and the like: personal but not corporate
    matches_company_domain: bool | None  # same domain as the website (None: no website)


class PhoneCheck(TypedDict):
    """Whether a phone number can be dialled."""

    masked: str  # the number with its middle digits hidden
    e164: bool  # written in E.164 form (+ and digits)
    valid: bool  # a number that exists in its country's numbering plan
    region: str | None  # ISO country of the number, e.g. "US"
    us_area_code: str | None  # 3-digit area code for North-American numbers
    toll_free: bool  # 800/888/... numbers reach a call centre more often than a person


def check_email(email: str, company_domain: str | None) -> EmailCheck:
    """Classify ``email`` and compare it with the company's own domain."""
    address = email.strip().lower()
    valid = bool(_EMAIL.match(address))
    local, _, domain = address.rpartition("@")
    is_role = valid and _is_role(local)
    is_free = valid and domain in FREE_MAIL_DOMAINS
    kind: EmailKind
    if not valid:
        kind = "invalid"
    elif is_role:
        kind = "role"
    elif is_free:
        kind = "free_mail"
    else:
        kind = "personal"
    return EmailCheck(
        masked=masked_email(address),
        valid_syntax=valid,
        kind=kind,
        is_role=is_role,
        is_free_mail=is_free,
        matches_company_domain=_same_domain(domain, company_domain) if valid else False,
    )


def check_phone(phone: str) -> PhoneCheck:
    """Parse ``phone`` (E.164 expected; US assumed when it has no country code)."""
    text = phone.strip()
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return PhoneCheck(masked=masked_phone(text), e164=False, valid=False, region=None,
                          us_area_code=None, toll_free=False)
    region = phonenumbers.region_code_for_number(number)
    valid = phonenumbers.is_valid_number(number)
    national = str(number.national_number)
    area_code = national[:3] if number.country_code == 1 and len(national) == 10 else None
    return PhoneCheck(
        masked=masked_phone(text),
        e164=text == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        valid=valid,
        region=region,
        us_area_code=area_code if valid and region in _NANP_REGIONS else None,
        toll_free=phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.TOLL_FREE,
    )


def is_role_email(email: str) -> bool:
    """True for shared inboxes such as ``info@`` or ``sales@``."""
    return _is_role(email.strip().lower().partition("@")[0])


def _is_role(local: str) -> bool:
    # "info.austin", "sales-team", "office1" are role inboxes too.
    head = re.split(r"[.\-_+0-9]", local, maxsplit=1)[0]
    return local in ROLE_LOCAL_PARTS or head in ROLE_LOCAL_PARTS


def _same_domain(email_domain: str, company_domain: str | None) -> bool | None:
    if not company_domain:
        return None
    company = company_domain.lower().removeprefix("www.")
    # mail.acme.com belongs to acme.com, and so does acme.com to www.acme.com
    return email_domain == company or email_domain.endswith("." + company) or (
        company.endswith("." + email_domain)
    )
