"""Column mapping: which header feeds which lead field, decided once per file.

Headers match case-, space-, underscore- and punctuation-insensitively ("Company Name",
"company_name" and "COMPANY-NAME" are one key). Each field lists its accepted header
names best first; when a file has two candidates (``website`` and ``url``) the better
one wins and the other is kept in ``raw`` like any unknown column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from api.intake.errors import IntakeError

CAPABILITIES: Final = (
    "hvac", "solar", "inverters", "generator", "battery", "electrical", "plumbing",
    "roofing", "commercial", "residential", "gc",
)
COMPONENT_SCORES: Final = ("resimercial", "multi_oem", "mepr", "om")

# field -> accepted header keys (see header_key), best first.
FIELD_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    # generic lead fields
    "company_name": (
        "companyname", "company", "businessname", "business", "accountname", "account",
        "organization", "organisation", "organizationname", "dealername", "dealer", "name",
    ),
    "website": (
        "website", "websiteurl", "companywebsite", "url", "homepage", "web", "webaddress",
        "site",
    ),
    "domain": ("domain", "companydomain", "websitedomain", "domainname"),
    "email": ("email", "contactemail", "emailaddress", "email1", "workemail", "mail"),
    "phone": (
        "phone", "phonenumber", "telephone", "tel", "mainphone", "contactphone",
        "businessphone", "officephone", "phone1", "mobile",
    ),
    "contact_name": ("contactname", "contact", "fullname", "contactperson", "person"),
    "contact_first_name": ("firstname", "contactfirstname", "first"),
    "contact_last_name": ("lastname", "contactlastname", "last", "surname"),
    "contact_title": ("contacttitle", "title", "jobtitle", "position", "role"),
    "industry": ("industry", "sector", "vertical", "businesstype"),
    "company_size": ("companysize", "size", "employeerange", "sizerange", "headcountrange"),
    "employee_count": (
        "employeecount", "employees", "numberofemployees", "numemployees", "headcount",
        "staffcount",
    ),
    "street": ("street", "streetaddress", "address", "address1", "addressline1"),
    "city": ("city", "town", "locality"),
    "state": ("state", "statecode", "province", "region", "st"),
    "zip": ("zip", "zipcode", "postalcode", "postcode", "zip5"),
    # dealer-scraper attributes (they land in `profile`)
    "address_full": ("addressfull", "fulladdress", "formattedaddress"),
    "rating": ("rating", "averagerating", "avgrating", "starrating"),
    "review_count": ("reviewcount", "reviews", "reviewscount", "numreviews"),
    "dealer_tier": ("tier", "dealertier", "dealerlevel", "programtier"),
    "oem_source": ("oemsource", "sourceoem"),
    "oems": ("oemscertified", "certifiedoems", "oems"),
    "oem_count": ("oemcount", "numoems"),
    "certifications": ("certifications", "certs"),
    "icp_score": ("icpscore",),
    "icp_tier": ("icptier",),
    "estimated_revenue": ("estimatedrevenue", "annualrevenue", "revenue"),
    "linkedin_url": ("linkedinurl", "linkedin", "companylinkedin", "linkedinprofile"),
    "cap_hvac": ("hashvac",),
    "cap_solar": ("hassolar",),
    "cap_inverters": ("hasinverters", "hasinverter"),
    "cap_generator": ("hasgenerator", "hasgenerators"),
    "cap_battery": ("hasbattery", "hasbatteries"),
    "cap_electrical": ("haselectrical",),
    "cap_plumbing": ("hasplumbing",),
    "cap_roofing": ("hasroofing",),
    "cap_commercial": ("iscommercial",),
    "cap_residential": ("isresidential",),
    "cap_gc": ("isgc", "isgeneralcontractor"),
    "score_resimercial": ("resimercialscore",),
    "score_multi_oem": ("multioemscore",),
    "score_mepr": ("meprscore",),
    "score_om": ("omscore",),
    "evidence_resimercial": ("resimercialevidence",),
    "evidence_multi_oem": ("multioemevidence",),
    "evidence_mepr": ("meprevidence",),
    "evidence_om": ("omevidence",),
}

# Columns only the dealer-scraper export has; one of them is enough to tell the format.
_DEALER_MARKERS: Final = frozenset(
    {"oemscertified", "oemsource", "oemcount", "icpscore", "icptier"}
)

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(name: str) -> str:
    """The matching key of a header: lowercase letters and digits only."""
    return _NOT_ALNUM.sub("", name.lower())


@dataclass(frozen=True)
class ColumnPlan:
    """How one file's columns map: built once, applied to every row.

    fields: lead field -> column index.
    raw_columns: (header, column index) of every column no field claimed.
    headers: lead field -> the header it came from, to keep a value that fails to
        normalise under its own name.
    """

    format: str
    width: int
    fields: dict[str, int]
    raw_columns: tuple[tuple[str, int], ...]
    headers: dict[str, str]


def build_plan(header: Sequence[str]) -> ColumnPlan:
    """Map a header row to lead fields; raise IntakeError when no column names the company."""
    names = [cell.strip().strip('"').strip() for cell in header]
    if not any(names):
        raise IntakeError("the header row is empty: the first line must name the columns")
    keys = [header_key(name) for name in names]
    position: dict[str, int] = {}
    for index, key in enumerate(keys):
        position.setdefault(key, index)  # a repeated header: the first one counts

    fields: dict[str, int] = {}
    claimed: set[int] = set()
    for field, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            column = position.get(alias)
            if column is not None and column not in claimed:
                fields[field] = column
                claimed.add(column)
                break
    # In CRM exports "Name" next to "Company" is the person, not the business.
    name_index = position.get("name")
    if name_index is not None and name_index not in claimed and "contact_name" not in fields:
        fields["contact_name"] = name_index
        claimed.add(name_index)

    if "company_name" not in fields:
        expected = ", ".join(FIELD_ALIASES["company_name"][:4] + ("name",))
        raise IntakeError(
            f"no company name column: the header needs one of {expected} "
            f"(found: {', '.join(n for n in names if n)[:300]})"
        )
    raw_columns = tuple(
        (names[index] or f"column_{index + 1}", index)
        for index in range(len(names))
        if index not in claimed
    )
    source_format = "dealer" if _DEALER_MARKERS.intersection(keys) else "generic"
    return ColumnPlan(
        format=source_format,
        width=len(names),
        fields=fields,
        raw_columns=_unique_raw_names(raw_columns),
        headers={field: names[index] for field, index in fields.items()},
    )


def _unique_raw_names(columns: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    """Suffix repeated unknown headers ("notes", "notes_2") so no value overwrites another."""
    seen: dict[str, int] = {}
    unique = []
    for name, index in columns:
        count = seen.get(name, 0) + 1
        seen[name] = count
        unique.append((name if count == 1 else f"{name}_{count}", index))
    return tuple(unique)
