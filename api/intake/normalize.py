"""Value normalisers: one messy cell in, one clean value (or None) out.

Every function here runs once per cell of files with thousands of rows, so the common
cases take a hand-written fast path and the slow, general tools (``phonenumbers``,
``unicodedata``) are reached only for the rare inputs that need them.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from typing import Final

# Re-exported: drafts ask this module which hosts may become a lead's `domain`.
from api.intake.shared_hosts import SHARED_HOSTS as SHARED_HOSTS
from api.intake.shared_hosts import is_shared_host as is_shared_host

# Cells that mean "nothing here" in exported spreadsheets and pandas dumps.
NULL_TOKENS: Final = frozenset({"n/a", "na", "none", "null", "nil", "nan", "-", "--", "?"})
# The same, in the spellings that occur, for a hot-path lookup without lower().
NULL_CELLS: Final = NULL_TOKENS | {
    "N/A", "NA", "None", "NONE", "Null", "NULL", "Nil", "NIL", "NaN", "NAN", "Nan",
}


def clean_text(value: str | None) -> str | None:
    """Stripped text, or None for empty cells and null tokens like 'N/A'."""
    if value is None:
        return None
    value = value.strip()
    if not value or (len(value) <= 4 and value.lower() in NULL_TOKENS):
        return None
    return value


def collapse_spaces(value: str) -> str:
    """One space between words; quoted newlines and tabs inside a cell become spaces."""
    return " ".join(value.split())


# --- domains and websites -------------------------------------------------------------

_HOSTNAME = re.compile(
    r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"
)
_URL_END = re.compile(r"[/?#\\]")


def split_url(value: str | None) -> tuple[str, str] | None:
    """(host, path) of a URL or bare domain, host lowercased without ``www.``; else None.

    Query strings and fragments are dropped on purpose: locator exports append tracking
    parameters (``?utm_source=gmb``) and the pipeline only needs the page itself.
    """
    text = clean_text(value)
    if text is None:
        return None
    scheme_end = text.find("://", 0, 12)
    if scheme_end >= 0:
        if text[:scheme_end].lower() not in ("http", "https"):
            return None
        rest = text[scheme_end + 3 :]
    elif text.startswith("//"):
        rest = text[2:]
    else:
        rest = text
    match = _URL_END.search(rest)
    authority, path = (rest[: match.start()], rest[match.start() :]) if match else (rest, "")
    if "@" in authority:
        if scheme_end < 0:
            return None  # an email address, not a site
        authority = authority.rsplit("@", 1)[1]
    host = authority.split(":", 1)[0].lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if not _HOSTNAME.fullmatch(host):
        return None
    if path:
        for mark in "?#":
            cut = path.find(mark)
            if cut >= 0:
                path = path[:cut]
        if "\\" in path or " " in path:
            path = path.replace("\\", "/").replace(" ", "%20")
    return host, path or "/"


def normalise_domain(value: str | None) -> str | None:
    """The lowercase host of a URL or bare domain, without ``www.``, scheme, port or path."""
    parts = split_url(value)
    return parts[0] if parts else None


def normalise_website(value: str | None) -> str | None:
    """``https://host/path`` for a URL or bare domain; None when it is not a website."""
    parts = split_url(value)
    if parts is None:
        return None
    return f"https://{parts[0]}{parts[1]}"


def page_key(value: str | None) -> str | None:
    """The page a URL names, as a matching key: ``host/path``, lowercase, no trailing slash.

    Scheme, ``www.``, port, query and fragment do not count, so ``http://www.x.com/Book/``
    and ``https://x.com/book?utm_source=gmb`` give the same key, ``x.com/book``. Stored
    leads hold normalised websites (``https://host/path``), whose key is
    ``lower(rtrim(substr(website, 9), '/'))`` in SQL (see db/repositories/duplicates.py).
    """
    parts = split_url(value)
    if parts is None:
        return None
    return (parts[0] + parts[1]).lower().rstrip("/")


# --- email ------------------------------------------------------------------------------

_EMAIL_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_EMAIL_SPLIT = re.compile(r"[,;\s]+")
_FORMULA_START = frozenset("=+-@")


def normalise_email(value: str | None) -> str | None:
    """A lowercase address when the cell holds a well-formed one (the first of a list)."""
    text = clean_text(value)
    if text is None:
        return None
    text = text.lower()
    if text.startswith("mailto:"):
        text = text[7:]
    candidate = _EMAIL_SPLIT.split(text.strip(), maxsplit=1)[0]
    local, at, host = candidate.rpartition("@")
    if not at or len(candidate) > 254 or len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local):
        return None
    # RFC 5322 allows "=cmd@x.example", but no mailbox anyone sends sales mail to starts
    # so, and the address would reach exports and CRM sheets as a spreadsheet formula.
    if candidate[0] in _FORMULA_START:
        return None
    if not _HOSTNAME.fullmatch(host):
        return None
    return candidate


# --- phone ------------------------------------------------------------------------------

_NON_DIGITS = re.compile(r"\D+")
_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*\d{1,6}\s*$", re.IGNORECASE)
_SEVERAL_NUMBERS = re.compile(r"\s*(?:/|,|;|\bor\b)\s*", re.IGNORECASE)


def area_code(phone: str | None) -> str | None:
    """The area code of a normalised North American number (``+15125550100`` -> ``512``)."""
    if phone is None or not phone.startswith("+1") or len(phone) != 12:
        return None
    return phone[2:5]


def normalise_phone(value: str | None) -> str | None:
    """E.164 (``+15125550100``) for a valid number, else None; extensions are dropped.

    US/NANP numbers (nearly every row of a US dealer export) take a hand-written path:
    10 digits, or 11 starting with 1, with area code and exchange starting 2-9.
    ``phonenumbers`` is consulted only for ``+`` numbers outside country code 1.
    """
    text = clean_text(value)
    if text is None:
        return None
    if text.endswith(".0"):
        text = text[:-2]  # a number that went through a spreadsheet as a float
    if "x" in text or "X" in text or "#" in text:
        text = _EXTENSION.sub("", text)
        if not text:
            return None
    digits = _NON_DIGITS.sub("", text)
    if text[0] == "+" and not digits.startswith("1"):
        return _international_phone(text)
    if len(digits) > 11:
        first = _SEVERAL_NUMBERS.split(text, maxsplit=1)[0]
        if first != text:
            return normalise_phone(first)
        return None
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return None
    return "+1" + digits


def _international_phone(text: str) -> str | None:
    import phonenumbers  # slow to import, and needed only for non-NANP numbers

    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- company names ----------------------------------------------------------------------

LEGAL_SUFFIXES: Final = frozenset(
    {
        "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co",
        "company", "lp", "llp", "lllp", "pllc", "pc", "pa", "gmbh", "plc", "ltda", "srl",
    }
)
_NAME_WORDS = re.compile(r"[^\W_]+")


def name_key(name: str) -> str:
    """The company name as a matching key: lowercase, no legal suffix, no punctuation.

    "Smith Electric Co., Inc." and "SMITH ELECTRIC" both give "smith electric";
    "Café & Sons, L.L.C." gives "cafe and sons".
    """
    # Dots and apostrophes join ("L.L.C." -> "llc", "Bob's" -> "bobs"); other
    # punctuation separates words.
    text = name.lower().replace(".", "").replace("'", "").replace("&", " and ")
    if not text.isascii():
        text = "".join(
            ch for ch in unicodedata.normalize("NFKD", text.replace("’", ""))
            if not unicodedata.combining(ch)
        )
    tokens = _NAME_WORDS.findall(text)
    stripped = False
    while len(tokens) > 1 and tokens[-1] in LEGAL_SUFFIXES:
        tokens.pop()
        stripped = True
    if stripped and len(tokens) > 1 and tokens[-1] == "and":
        tokens.pop()  # "Smith & Co." -> "smith"
    if len(tokens) > 1 and tokens[0] == "the":
        tokens.pop(0)
    return " ".join(tokens)


_DIGIT_RUNS = re.compile(r"\d+")


def name_numbers(key: str) -> str:
    """The numbers in a name key, sorted: names that differ in one are different companies.

    "dealer 1 power" and "dealer 0 power" (or "a1 electric" and "a2 electric") look almost
    alike to a fuzzy matcher, yet name two dealers.
    """
    runs = _DIGIT_RUNS.findall(key)
    if not runs:
        return ""
    return " ".join(sorted(str(int(run)) for run in runs))


# --- places -----------------------------------------------------------------------------

US_STATES: Final[dict[str, str]] = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA",
    "kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD",
    "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
    "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC",
    "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI",
    "wyoming": "WY", "district of columbia": "DC", "washington dc": "DC",
    "washington d c": "DC", "puerto rico": "PR", "guam": "GU", "us virgin islands": "VI",
    "virgin islands": "VI", "american samoa": "AS", "northern mariana islands": "MP",
}
US_STATE_CODES: Final = frozenset(US_STATES.values())


def normalise_state(value: str | None) -> str | None:
    """Two-letter uppercase code for a US state name or code; other values as given."""
    text = clean_text(value)
    if text is None:
        return None
    if len(text) == 2:
        code = text.upper()
        return code if code in US_STATE_CODES else text
    key = " ".join(text.lower().replace(".", " ").split())
    return US_STATES.get(key, text)


_PLACE_WORDS = re.compile(r"[^\W_]+")
_PLACE_ABBREVIATIONS: Final = {"saint": "st", "mount": "mt", "fort": "ft"}


def city_key(city: str | None) -> str | None:
    """A city as a matching key: casefolded words, "Saint"/"St." alike ("st louis")."""
    if not city:
        return None
    words = _PLACE_WORDS.findall(city.casefold().replace(".", ""))
    return " ".join(_PLACE_ABBREVIATIONS.get(word, word) for word in words) or None


_STREET_WORDS: Final = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd",
    "boulevard": "blvd", "drive": "dr", "lane": "ln", "parkway": "pkwy", "pky": "pkwy",
    "highway": "hwy", "court": "ct", "place": "pl", "circle": "cir", "terrace": "ter",
    "trail": "trl", "square": "sq", "freeway": "fwy", "expressway": "expy", "way": "way",
    "north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne",
    "northwest": "nw", "southeast": "se", "southwest": "sw", "route": "rte",
}
_UNIT_WORDS: Final = frozenset(
    {"suite", "ste", "unit", "apt", "apartment", "bldg", "building", "fl", "floor", "rm",
     "room", "dept", "po"}
)


def street_key(street: str | None) -> str | None:
    """A street address as a matching key: house number and street, the unit left out.

    "12 Main Street, Suite 200" and "12 MAIN ST #4" both give "12 main st". A street with
    no house number names no one place, so it gives None.
    """
    if not street:
        return None
    head = street.casefold().split(",", 1)[0].split("#", 1)[0].replace(".", "")
    words: list[str] = []
    for word in _PLACE_WORDS.findall(head):
        if word in _UNIT_WORDS:
            break
        words.append(_STREET_WORDS.get(word, word))
    if len(words) < 2 or not words[0][0].isdigit():
        return None
    return " ".join(words)


_ZIP = re.compile(r"(\d{3,5})(?:[- ]?\d{4})?")


def normalise_zip(value: str | None) -> str | None:
    """Five-digit ZIP; ZIP+4 is cut, and leading zeros a spreadsheet lost come back.

    "2134" -> "02134": 3- and 4-digit values are only ever ZIPs stored as numbers.
    """
    text = clean_text(value)
    if text is None:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    match = _ZIP.fullmatch(text)
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) < 5 and len(text) != len(digits):
        return None  # "213-4567" is not a ZIP that lost zeros
    return digits.zfill(5)


_US_ADDRESS = re.compile(
    r"^(?P<street>.+?),\s*(?P<city>[^,]+?),\s*(?P<state>[A-Za-z]{2}|[A-Za-z][A-Za-z .]+?)"
    r"\s+(?P<zip>\d{5}(?:-\d{4})?)(?:,\s*(?:USA|US|United States))?$"
)


def split_us_address(value: str | None) -> tuple[str, str, str, str] | None:
    """(street, city, state, zip) from "12 Main St, Austin, TX 78701[, USA]", else None."""
    text = clean_text(value)
    if text is None:
        return None
    match = _US_ADDRESS.match(collapse_spaces(text))
    if match is None:
        return None
    state = normalise_state(match["state"])
    if state is None or state not in US_STATE_CODES:
        return None
    return match["street"], match["city"], state, match["zip"][:5]


# --- scalars ----------------------------------------------------------------------------

_BOOLEANS: Final[dict[str, bool]] = {
    "true": True, "t": True, "yes": True, "y": True, "1": True, "1.0": True,
    "false": False, "f": False, "no": False, "n": False, "0": False, "0.0": False,
}
# Every upper/lower-case spelling of the keys above, so a stripped cell is one lookup.
BOOLEAN_CELLS: Final = {
    "".join(chars): truth
    for word, truth in _BOOLEANS.items()
    for chars in itertools.product(*({ch.lower(), ch.upper()} for ch in word))
}


def parse_bool(value: str | None) -> bool | None:
    """True/False from the usual spellings; empty or anything else is None (unknown)."""
    if not value:
        return None
    truth = BOOLEAN_CELLS.get(value)
    if truth is None:
        truth = _BOOLEANS.get(value.strip().lower())
    return truth


def parse_float(value: str | None) -> float | None:
    """A finite float from "4.8", "1,234.5" or "$1,200"; None when empty or not a number."""
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        text = clean_text(value)
        if text is None or not ("," in text or "$" in text):
            return None
        try:
            number = float(text.replace(",", "").replace("$", ""))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def parse_int(value: str | None) -> int | None:
    """An int from "12", "1,234" or "12.0"; None for empty, fractional or non-numbers."""
    if value is None:
        return None
    if value.isdecimal():
        return int(value)
    number = parse_float(value)
    if number is None or not number.is_integer():
        return None
    return int(number)


_LIST_SEPARATORS = re.compile(r"[,;|]")


def split_list(value: str | None) -> list[str]:
    """Items of a comma/semicolon/pipe list, stripped, deduplicated ignoring case, in order."""
    if not value:
        return []
    if ";" in value or "|" in value:
        parts = _LIST_SEPARATORS.split(value)
    elif "," in value:
        parts = value.split(",")
    else:
        text = value.strip()
        return [text] if text and text not in NULL_CELLS else []
    items = [item for part in parts if (item := part.strip())]
    folded = [item.casefold() for item in items]
    if len(set(folded)) == len(items):
        return items
    seen: set[str] = set()
    unique = []
    for item, key in zip(items, folded, strict=True):
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique
