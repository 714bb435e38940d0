"""Small phrasing helpers so generated sentences read like a person wrote them."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Unfilled template slots in any common style: {name}, [Company], <First Name>, TBD, XXX.
_PLACEHOLDER = re.compile(
    r"\{[^{}]*\}|\[[A-Za-z][A-Za-z _-]*\]|<[A-Za-z][A-Za-z _-]*>|\bTBD\b|\bXXX\b|\bNone\b"
)
# Characters a lead's own data must not smuggle into a message (they read as template slots).
_SLOT_CHARACTERS = str.maketrans("", "", "{}[]<>")
# Upper-case words that are acronyms, kept in capitals wherever they appear.
KNOWN_ACRONYMS: frozenset[str] = frozenset({
    "AC", "HVAC", "HVACR", "USA", "II", "III", "IV", "NATE", "NABCEP", "OSHA", "LEED", "NECA",
    "IBEW", "ACCA", "ASHRAE", "SMACNA", "NFPA", "RESNET", "BPI", "BBB", "EPA", "OEM", "OEMS",
    "ICP", "AKST", "AKDT", "HST", "NYC", "DBA", "LLC", "PLLC", "NAPCO", "CSLB",
})
# Short words a shouted (ALL CAPS) name spells out: "AIR" is a word, "ABC" is initials.
_SHORT_WORDS: frozenset[str] = frozenset({
    "A", "AIR", "ALL", "AND", "ANY", "ARC", "AT", "BAY", "BIG", "BOX", "BY", "CAR", "DAY",
    "DRY", "ELK", "FAN", "FIX", "FOR", "FOX", "GAS", "HER", "HIS", "HOT", "ICE", "IN", "KEY",
    "LOG", "MAN", "MEN", "MY", "NEW", "NOW", "OAK", "OF", "OLD", "ON", "ONE", "OUR", "OUT",
    "PRO", "RAY", "RED", "SKY", "SON", "SUN", "TEN", "THE", "TO", "TOP", "TWO", "WAY", "WET",
    "YOU", "ST", "MT", "FT",
})
# Joining words written in lower case inside a name ("Heating and Air", "Bank of Texas").
_LOWER_INSIDE: frozenset[str] = frozenset({"and", "of", "the", "at", "by", "for", "in", "on",
                                           "to"})
# Legal-form words at the end of a company name; prose leaves them out ("Smith Electric").
LEGAL_SUFFIXES: frozenset[str] = frozenset({
    "llc", "llp", "lllp", "pllc", "lp", "inc", "incorporated", "corp", "corporation", "co",
    "ltd", "limited", "pc", "plc", "gmbh",
})
_SUFFIX_TAIL = re.compile(r"[\s,]*\b([A-Za-z][A-Za-z.]*)\.?\s*$")
# Words that cannot be a city on their own: scraped address pieces, not places.
_NOT_A_CITY: frozenset[str] = frozenset({
    "a", "an", "and", "at", "by", "for", "from", "in", "near", "of", "off", "on", "or", "the",
    "to", "with", "suite", "ste", "unit", "apt", "bldg", "floor", "fl", "po", "box", "na",
    "n/a", "none", "null", "unknown", "tbd", "usa", "us", "united states", "street", "st",
    "road", "rd", "avenue", "ave", "highway", "hwy", "route", "mi", "miles", "stars", "star",
})
_CITY = re.compile(r"[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+)*\.?")
# Direction and unit words a street line keeps in capitals ("120 NE 5th Ave, PO Box 9").
_STREET_CAPITALS: frozenset[str] = frozenset({"N", "S", "E", "W", "NE", "NW", "SE", "SW", "PO"})
# The 50 states, DC and the inhabited territories.
US_STATE_CODES: frozenset[str] = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR", "VI", "GU", "AS", "MP",
})
# Scraped junk that lands in address fields: distances, ratings, star counts.
_ADDRESS_JUNK = re.compile(r"out of \d|\bstars?\b|★|\d\.\d\(|\(\d|\bmi\d|\d\s*mi\b|https?:|@",
                           re.IGNORECASE)


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """``["a"]`` -> ``"a"``; ``["a", "b", "c"]`` -> ``"a, b and c"``."""
    words = [item for item in items if item]
    if len(words) <= 1:
        return words[0] if words else ""
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def sentence(text: str) -> str:
    """``text`` ending in one full stop, even when it ends with ``"Co."`` or ``"Inc."``."""
    return text if text.endswith((".", "!", "?")) else text + "."


def count_of(count: int, singular: str, plural: str | None = None) -> str:
    """``count_of(1, "OEM")`` -> ``"1 OEM"``; ``count_of(3, "OEM")`` -> ``"3 OEMs"``."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def clean_value(value: str) -> str:
    """A lead's value made safe to show inside a message: no template brackets, one spacing."""
    return " ".join(value.translate(_SLOT_CHARACTERS).split())


def display_company(name: str) -> str:
    """The name as prose uses it: ``"A & A GENPRO, INC."`` -> ``"A & A Genpro"``.

    The legal form (LLC, Inc., Co., ...) is left out, since a sentence never needs it and a
    possessive built on it reads badly ("Genpro, Inc.'s"). Shouted words are written in
    proper case; acronyms (HVAC) and initials (ABC, A1) stay as they are.
    """
    cleaned = without_legal_suffix(clean_value(name))
    return proper_case(cleaned) if cleaned else cleaned


def without_legal_suffix(name: str) -> str:
    """``"Smith Electric Co., Inc."`` -> ``"Smith Electric"``; a bare suffix stays."""
    text = name.strip()
    while True:
        match = _SUFFIX_TAIL.search(text)
        if match is None or match.start() == 0:
            break
        word = match.group(1).replace(".", "").lower()
        if word not in LEGAL_SUFFIXES:
            break
        text = text[: match.start()]
    # "Smith & Co." loses "Co." and then its dangling "&".
    return re.sub(r"[\s,&-]+$|\s+and$", "", text).strip() or name.strip()


def proper_case(text: str, *, initials: bool = True, keep: frozenset[str] = frozenset()) -> str:
    """Shouted words in proper case: ``"MCDONALD HEATING & AIR"`` -> ``"McDonald Heating & Air"``.

    Text in mixed case keeps its writer's capitals, except whole words in capitals that
    are words rather than acronyms ("Smith PLUMBING" -> "Smith Plumbing"). Text all in
    capitals (or all in lower case) is cased word by word. ``initials``: short capital
    words that are not words ("ABC", "A1") stay, as in company names; places pass False
    ("LA CROSSE" -> "La Crosse"). ``keep``: further words to keep in capitals.
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return text
    shouted = all(c.isupper() for c in letters) or all(c.islower() for c in letters)
    cased: list[str] = []
    for index, word in enumerate(text.split(" ")):
        core = "".join(c for c in word if c.isalpha())
        upper = core.upper()
        loud_word = core.isupper() and (len(core) > 3 or (len(core) == 3 and upper in _SHORT_WORDS))
        if not core or (not shouted and not loud_word):
            cased.append(word)  # the writer's own capitals
        elif upper in KNOWN_ACRONYMS or upper in keep:
            cased.append(word.upper())
        elif index > 0 and core.lower() in _LOWER_INSIDE and word.isalpha():
            cased.append(word.lower())
        elif initials and word.isupper() and len(core) <= 3 and upper not in _SHORT_WORDS and (
            not re.search(r"\d(ST|ND|RD|TH)$", word)
        ):
            cased.append(word)  # initials ("ABC", "A1", "J&R") are not words
        else:
            cased.append(_cased_word(word))
    return " ".join(cased)


def _cased_word(word: str) -> str:
    """One word in proper case: "O'BRIEN" -> "O'Brien", "JOE'S" -> "Joe's", "1ST" -> "1st"."""
    def part(match: re.Match[str]) -> str:
        piece = match.group(0)
        start = match.start()
        if start > 0 and word[start - 1] == "'" and piece.upper() == "S" and (
            match.end() == len(word) or not word[match.end()].isalpha()
        ):
            return "s"  # possessive
        if start > 0 and word[start - 1].isdigit():
            return piece.lower()  # ordinals: 1st, 22nd
        if len(piece) > 2 and piece.upper().startswith("MC"):
            return "Mc" + piece[2:].capitalize()
        return piece.capitalize()

    return re.sub(r"[A-Za-z]+", part, word)


def display_city(city: str | None) -> str | None:
    """A city fit to print, or None when the field holds no city.

    Scraped address fields carry fragments ("on", "Suite 200", "8 mi0.0(0)"): a city is
    letters (with spaces, dots, hyphens or apostrophes) that are not a lone preposition
    or street word. Shouted names are cased: ``"SAN ANTONIO"`` -> ``"San Antonio"``.
    """
    text = clean_value(city or "").strip(" ,.")
    if not text or _ADDRESS_JUNK.search(text) or not _CITY.fullmatch(text):
        return None
    if text.lower() in _NOT_A_CITY or sum(c.isalpha() for c in text) < 3:
        return None
    return proper_case(text, initials=False)


def display_state(state: str | None) -> str | None:
    """A 2-letter US state code, or None for anything else."""
    code = (state or "").strip().upper()
    return code if code in US_STATE_CODES else None


def display_place(city: str | None, state: str | None) -> str | None:
    """``"Austin, TX"``, ``"Austin"``, ``"TX"`` or None: only the parts that parse."""
    return ", ".join(p for p in (display_city(city), display_state(state)) if p) or None


def display_street(street: str | None) -> str | None:
    """A street line fit for an envelope (a number and a name), or None for scraped junk."""
    text = clean_value(street or "").strip(" ,")
    if not text or _ADDRESS_JUNK.search(text):
        return None
    if not re.search(r"\d", text) or not re.search(r"[A-Za-z]{2,}", text):
        return None  # "Suite B" alone, or a bare number, is no street to mail to
    return proper_case(text, initials=False, keep=_STREET_CAPITALS)


def industry_phrase(industry: str) -> str:
    """An industry as it reads mid-sentence: ``"Solar Energy"`` -> ``"solar energy"``.

    Acronyms such as ``HVAC`` keep their capitals.
    """
    words = clean_value(industry).split()
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)


def first_name(full_name: str | None) -> str | None:
    """The first word of a person's name, if it looks like a name."""
    if not full_name:
        return None
    parts = clean_value(full_name).split()
    if not parts:
        return None
    first = parts[0].rstrip(".,")
    # "Dr. Ana Ruiz" -> "Ana"; "J. Smith" has no usable first name.
    if first.lower() in {"mr", "mrs", "ms", "dr", "mx"} and len(parts) > 1:
        first = parts[1].rstrip(".,")
    if len(first) < 2 or not first[0].isalpha():
        return None
    return first.capitalize() if first.isupper() or first.islower() else first


def find_placeholders(text: str) -> list[str]:
    """Every piece of ``text`` that looks like an unfilled template slot."""
    return [match.group(0) for match in _PLACEHOLDER.finditer(text)]


def masked_email(email: str) -> str:
    """``"jane.doe@acme.com"`` -> ``"j***@acme.com"``, safe to log or show in lists."""
    local, at, domain = email.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def masked_phone(phone: str) -> str:
    """``"+15125550100"`` -> ``"+1******0100"``, safe to log or show in lists."""
    digits = phone.strip()
    if len(digits) <= 6:
        return "***"
    return digits[:2] + "*" * (len(digits) - 6) + digits[-4:]
