"""Column mapping: which header feeds which lead field, decided once per file.

Headers match case-, space-, underscore- and punctuation-insensitively ("Company Name",
"company_name" and "COMPANY-NAME" are one key). Each field lists its accepted header
names best first; when a file has two candidates (``website`` and ``url``) the better
one wins and the other is kept in ``raw`` like any unknown column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as derived
from operator import itemgetter
from typing import Final, NamedTuple

from api.intake.errors import IntakeError
from api.intake.normalize import NULL_CELLS

CAPABILITIES: Final = (
    "hvac", "solar", "inverters", "generator", "battery", "electrical", "plumbing",
    "roofing", "commercial", "residential", "gc",
)
COMPONENT_SCORES: Final = ("resimercial", "multi_oem", "mepr", "om")


class RowCells(NamedTuple):
    """One row's cells by lead field: stripped, "" when empty, null-like or not a column.

    A tuple rather than a dict because it is built for every row: one C-level gather,
    and attribute reads as cheap as locals. FIELD_ALIASES lists the same names in the
    same order.
    """

    company_name: str
    website: str
    domain: str
    email: str
    phone: str
    contact_name: str
    contact_first_name: str
    contact_last_name: str
    contact_title: str
    industry: str
    company_size: str
    employee_count: str
    street: str
    city: str
    state: str
    zip: str
    address_full: str
    rating: str
    review_count: str
    dealer_tier: str
    oem_source: str
    oems: str
    oem_count: str
    certifications: str
    icp_score: str
    icp_tier: str
    estimated_revenue: str
    linkedin_url: str
    cap_hvac: str
    cap_solar: str
    cap_inverters: str
    cap_generator: str
    cap_battery: str
    cap_electrical: str
    cap_plumbing: str
    cap_roofing: str
    cap_commercial: str
    cap_residential: str
    cap_gc: str
    score_resimercial: str
    score_multi_oem: str
    score_mepr: str
    score_om: str
    evidence_resimercial: str
    evidence_multi_oem: str
    evidence_mepr: str
    evidence_om: str


CAPABILITY_CELLS: Final = slice(
    RowCells._fields.index("cap_hvac"), RowCells._fields.index("cap_gc") + 1
)

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

if tuple(FIELD_ALIASES) != RowCells._fields:
    raise RuntimeError("FIELD_ALIASES must name the RowCells fields, in their order")

# Columns only the dealer-scraper export has; one of them is enough to tell the format.
_DEALER_MARKERS: Final = frozenset(
    {"oemscertified", "oemsource", "oemcount", "icpscore", "icptier"}
)

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(name: str) -> str:
    """The matching key of a header: lowercase letters and digits only."""
    return _NOT_ALNUM.sub("", name.lower())


@dataclass(frozen=True, eq=False)  # hashed by identity: per-plan caches key on it
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
    _field_cells: Callable[[Sequence[str]], tuple[str, ...]] = derived(init=False, repr=False)
    _raw_names: tuple[str, ...] = derived(init=False, repr=False)
    _raw_cells: Callable[[Sequence[str]], tuple[str, ...]] = derived(init=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: derived attributes are set once, here
        # A field the file lacks reads the extra empty cell appended at index `width`.
        slots = tuple(self.fields.get(name, self.width) for name in RowCells._fields)
        set_(self, "_field_cells", itemgetter(*slots))
        set_(self, "_raw_names", tuple(name for name, _ in self.raw_columns))
        set_(self, "_raw_cells", _cells_getter(tuple(index for _, index in self.raw_columns)))

    def split_row(self, row: list[str]) -> tuple[RowCells, dict[str, str]]:
        """(cells by lead field, unknown header -> cell) of one row of ``width`` cells.

        Cells are stripped and empty ones dropped from raw; lead fields also blank out
        null tokens ("N/A", "null", ...), while raw keeps them as written. This runs for
        every row, so it stays in C-implemented builtins (map, filter, itemgetter).
        Appends one empty cell to ``row``.
        """
        row.append("")
        cells = RowCells._make(map(str.strip, self._field_cells(row)))
        if not NULL_CELLS.isdisjoint(cells):
            cells = RowCells._make("" if cell in NULL_CELLS else cell for cell in cells)
        raw_cells = map(str.strip, self._raw_cells(row))
        return cells, dict(filter(_HAS_TEXT, zip(self._raw_names, raw_cells, strict=True)))


_HAS_TEXT = itemgetter(1)


def _cells_getter(indexes: tuple[int, ...]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """A function returning the cells at ``indexes`` as a tuple (itemgetter, made uniform)."""
    if not indexes:
        return lambda row: ()
    if len(indexes) == 1:
        only = indexes[0]
        return lambda row: (row[only],)
    return itemgetter(*indexes)


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
        raise IntakeError(
            "no company name column: the header needs one of company_name, company, "
            f"business name, account or name (found: {', '.join(n for n in names if n)[:300]})"
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
