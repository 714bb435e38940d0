"""One mapped row to one LeadDraft: normalise every field, apply the acceptance rules.

Values that are present but cannot be normalised (a phone "call office", a ZIP "TBD")
do not become fields; their original text is kept in ``raw`` under the column's own
header, so nothing the file said is lost.
"""

from __future__ import annotations

from typing import NamedTuple

from api.intake.columns import ColumnPlan, RowCells
from api.intake.normalize import (
    US_STATE_CODES,
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
_MAX_TEXT = 255
_MAX_WEBSITE = 1024
_MAX_EMPLOYEES = 5_000_000  # above any real employer; also keeps it a 32-bit integer
# Unknown columns are kept, but bounded: one lead's ``raw`` is stored in every copy of the
# lead and handed to agents, and a scraped notes cell or a JSON field can be megabytes.
# A longer value is cut (ending in RAW_CUT_MARKER with its length) rather than the row
# refused: the lead itself is fine, only the extra text is not worth keeping whole.
MAX_RAW_VALUE = 2_000  # characters of one raw value, the marker included
MAX_RAW_KEY = 200  # characters of one raw column name
MAX_RAW_TOTAL = 16 * 1024  # characters of names and values of one lead's raw together
RAW_CUT_MARKER = "… [cut from {length} characters]"
RAW_DROPPED_KEY = "_raw_cut"


def build_draft(
    cells: RowCells, raw: dict[str, str], csv_index: int, plan: ColumnPlan
) -> LeadDraft:
    """The LeadDraft of one row; raises RowRejected with the reason when it is not a lead.

    cells: the row by lead field, cleaned (see ``ColumnPlan.split_row``). raw: unknown
    columns; it becomes the draft's ``raw`` and may gain entries. This runs for every
    row of files with thousands, hence the inline fast paths before each normaliser.
    """
    company_name, key = require_company_name(cells.company_name)

    website_given = cells.website
    domain_given = cells.domain
    website, domain, website_cell_used = resolve_site(website_given, domain_given)
    email_given = cells.email
    email = normalise_email(email_given) if email_given else None
    phone_given = cells.phone
    phone = normalise_phone(phone_given) if phone_given else None
    if not (website or phone or email):
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

    company_size = cells.company_size[:64] or None
    employees_cell = cells.employee_count
    employee_count = parse_int(employees_cell) if employees_cell else None
    if employees_cell and employee_count is None:
        if company_size is None:
            company_size = employees_cell[:64]  # "11-50" given under an employees header
        else:
            unparsed["employee_count"] = employees_cell
    if employee_count is None and company_size and company_size.isdecimal():
        employee_count = int(company_size)
    if employee_count is not None and not 0 <= employee_count <= _MAX_EMPLOYEES:
        unparsed["employee_count"] = employees_cell or company_size or ""
        employee_count = None

    street = cells.street[:512] or None
    city = cells.city[:_MAX_TEXT] or None
    state: str | None = cells.state
    if state not in US_STATE_CODES:
        state = (normalise_state(state) or "")[:64] or None
    zip_code: str | None = cells.zip
    if zip_code and not (len(zip_code) == 5 and zip_code.isascii() and zip_code.isdigit()):
        zip_code = normalise_zip(zip_code)
        if zip_code is None:
            unparsed["zip"] = cells.zip
    zip_code = zip_code or None
    if street and "\n" in street:
        street = collapse_spaces(street)
    if city is None or state is None or zip_code is None or street is None:
        # Messy exports often fill only the one-line address (or put it all in "street").
        parts = split_us_address(cells.address_full) or (
            split_us_address(street) if city is None else None
        )
        if parts is not None:
            if city is None and street is not None:
                street = None  # it held the whole address
            street = street or parts[0][:512]
            city = city or parts[1][:_MAX_TEXT]
            state = state or parts[2]
            zip_code = zip_code or parts[3]

    profile = build_profile(cells, plan, unparsed)
    if unparsed:
        for field, cell in unparsed.items():
            raw[plan.headers.get(field, field)] = cell

    contact_name = cells.contact_name
    if not contact_name and (cells.contact_first_name or cells.contact_last_name):
        contact_name = f"{cells.contact_first_name} {cells.contact_last_name}".strip()
    if "  " in contact_name or "\n" in contact_name:
        contact_name = collapse_spaces(contact_name)
    return {
        "csv_index": csv_index,
        "company_name": company_name[:512],
        "name_key": key[:512],
        "website": website,
        "domain": domain,
        "email": email,
        "phone": phone,
        "contact_name": contact_name[:_MAX_TEXT] or None,
        "contact_title": cells.contact_title[:_MAX_TEXT] or None,
        "industry": cells.industry[:_MAX_TEXT] or None,
        "company_size": company_size,
        "employee_count": employee_count,
        "street": street,
        "city": city,
        "state": state,
        "zip": zip_code,
        "profile": profile,
        "raw": cap_raw(raw),
    }


def cap_raw(raw: dict[str, str]) -> dict[str, str]:
    """``raw`` within MAX_RAW_VALUE per value and MAX_RAW_TOTAL in all (see above).

    Values over the cap are cut and marked; once the total is reached, further columns
    are left out and RAW_DROPPED_KEY says how many. The common row is returned as is.
    """
    if sum(map(len, raw.values())) + sum(map(len, raw)) <= MAX_RAW_VALUE:
        return raw
    capped: dict[str, str] = {}
    used = 0
    dropped = 0
    for key, value in raw.items():
        name = key[:MAX_RAW_KEY]
        if len(value) > MAX_RAW_VALUE:
            marker = RAW_CUT_MARKER.format(length=len(value))
            value = value[: MAX_RAW_VALUE - len(marker)] + marker
        size = len(name) + len(value)
        if used + size > MAX_RAW_TOTAL:
            dropped += 1
            continue
        capped[name] = value
        used += size
    if dropped:
        capped[RAW_DROPPED_KEY] = (
            f"{dropped} more column(s) left out: raw is capped at {MAX_RAW_TOTAL} characters"
        )
    return capped


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
