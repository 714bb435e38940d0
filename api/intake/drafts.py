"""One mapped row to one LeadDraft: normalise every field, apply the acceptance rules.

Values that are present but cannot be normalised (a phone "call office", a ZIP "TBD")
do not become fields; their original text is kept in ``raw`` under the column's own
header, so nothing the file said is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, NamedTuple

from api.intake.columns import ColumnPlan
from api.intake.normalize import (
    clean_text,
    collapse_spaces,
    is_shared_host,
    normalise_email,
    normalise_phone,
    normalise_state,
    normalise_zip,
    parse_int,
    split_url,
    split_us_address,
)
from api.intake.profile import build_profile
from api.intake.result import LeadDraft
from api.intake.validate import require_company_name, require_contact_route

# Column sizes of db.models.Lead: a longer value would fail the whole batch insert.
_MAX_LENGTH: Final = {
    "company_name": 512, "contact_name": 255, "contact_title": 255, "industry": 255,
    "company_size": 64, "street": 512, "city": 255, "state": 64,
}
_MAX_WEBSITE = 1024


def build_draft(
    values: dict[str, str], raw: dict[str, str], csv_index: int, plan: ColumnPlan
) -> LeadDraft:
    """The LeadDraft of one row; raises RowRejected with the reason when it is not a lead.

    values: lead field -> cell (only fields the file has). raw: unknown columns, already
    stripped and without empties; it becomes the draft's ``raw`` and may gain entries.
    """
    get = values.get
    company_name, key = require_company_name(get("company_name"))

    website_given = clean_text(get("website"))
    domain_given = clean_text(get("domain"))
    website, domain, website_cell_used = resolve_site(website_given, domain_given)
    email_given = clean_text(get("email"))
    email = normalise_email(email_given) if email_given else None
    phone_given = clean_text(get("phone"))
    phone = normalise_phone(phone_given) if phone_given else None
    require_contact_route(
        website=website,
        phone=phone,
        email=email,
        email_given=email_given,
        phone_given=phone_given,
        website_given=website_given or domain_given,
    )

    unparsed: dict[str, str] = {}
    if email_given and not email:
        unparsed["email"] = email_given
    if phone_given and not phone:
        unparsed["phone"] = phone_given
    if website_given and not website_cell_used:
        unparsed["website"] = website_given  # unusable, or a social page we replaced
    if domain_given and domain is None:
        unparsed["domain"] = domain_given

    company_size = clean_text(get("company_size"))
    employees_cell = clean_text(get("employee_count"))
    employee_count = parse_int(employees_cell) if employees_cell else None
    if employees_cell and employee_count is None:
        if company_size is None:
            company_size = employees_cell  # "11-50" given under an employees header
        else:
            unparsed["employee_count"] = employees_cell
    if employee_count is None and company_size and company_size.isdigit():
        employee_count = int(company_size)

    street = clean_text(get("street"))
    city = clean_text(get("city"))
    state = normalise_state(get("state"))
    zip_cell = clean_text(get("zip"))
    zip_code = normalise_zip(zip_cell) if zip_cell else None
    if zip_cell and zip_code is None:
        unparsed["zip"] = zip_cell
    if street and "\n" in street:
        street = collapse_spaces(street)
    if city is None or state is None or zip_code is None or street is None:
        # Messy exports often fill only the one-line address (or put it all in "street").
        parts = split_us_address(get("address_full")) or (
            split_us_address(street) if city is None else None
        )
        if parts is not None:
            if city is None and street is not None:
                street = None  # it held the whole address
            street = street or parts[0]
            city = city or parts[1]
            state = state or parts[2]
            zip_code = zip_code or parts[3]

    profile = build_profile(values, plan.format, unparsed)
    for field, cell in unparsed.items():
        raw[plan.headers.get(field, field)] = cell

    draft: LeadDraft = {
        "csv_index": csv_index,
        "company_name": company_name[:512],
        "name_key": key[:512],
        "website": website,
        "domain": domain,
        "email": email,
        "phone": phone,
        "contact_name": _contact_name(get),
        "contact_title": clean_text(get("contact_title")),
        "industry": clean_text(get("industry")),
        "company_size": company_size,
        "employee_count": employee_count,
        "street": street,
        "city": city,
        "state": state,
        "zip": zip_code,
        "profile": profile,
        "raw": raw,
    }
    for field, limit in _MAX_LENGTH.items():
        text = draft[field]
        if text is not None and len(text) > limit:
            draft[field] = text[:limit]
    return draft


class Site(NamedTuple):
    website: str | None
    domain: str | None
    website_cell_used: bool  # False when the website cell was unusable or replaced


def resolve_site(website_cell: str | None, domain_cell: str | None) -> Site:
    """Website and domain from the website and domain cells, either of which may be empty.

    The company's own site wins over a social or listing page (``facebook.com/...``),
    which never yields a ``domain``: that host is shared by thousands of businesses.
    """
    site = split_url(website_cell) if website_cell else None
    if site is not None and not is_shared_host(site[0]):
        website = f"https://{site[0]}{site[1]}"
        if len(website) > _MAX_WEBSITE:
            website = f"https://{site[0]}/"
        return Site(website, site[0], True)
    own = split_url(domain_cell) if domain_cell else None
    if own is not None and not is_shared_host(own[0]):
        return Site(f"https://{own[0]}/", own[0], False)
    if site is not None:
        return Site(f"https://{site[0]}{site[1]}"[:_MAX_WEBSITE], None, True)
    return Site(None, None, False)


def _contact_name(get: Callable[[str], str | None]) -> str | None:
    full = clean_text(get("contact_name"))
    if full is not None:
        return collapse_spaces(full)[:255]
    first, last = clean_text(get("contact_first_name")), clean_text(get("contact_last_name"))
    joined = " ".join(part for part in (first, last) if part)
    return joined[:255] or None
