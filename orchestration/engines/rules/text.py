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
# Words kept as written when a shouted (ALL CAPS) company name is tidied.
_KEEP_UPPER = {"LLC", "LLP", "PLLC", "LP", "HVAC", "USA", "US", "AC", "II", "III", "IV"}
_TITLE_EXCEPTIONS = {"INC": "Inc", "CO": "Co", "CORP": "Corp", "LTD": "Ltd", "AND": "and",
                     "OF": "of", "THE": "The"}


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
    """The name as a person writes it: ``"A & A GENPRO INC."`` -> ``"A & A Genpro Inc."``.

    Names already in mixed case are kept; only all-caps exports are tidied, and short
    words (initials such as ``ABC``) stay upper case.
    """
    cleaned = clean_value(name)
    letters = [c for c in cleaned if c.isalpha()]
    if not letters or not all(c.isupper() for c in letters):
        return cleaned
    words = []
    for word in cleaned.split(" "):
        core = word.strip(".,&'-")
        if core in _TITLE_EXCEPTIONS:
            words.append(word.replace(core, _TITLE_EXCEPTIONS[core]))
        elif core in _KEEP_UPPER or len(core) <= 3:
            words.append(word)
        else:
            words.append(word.capitalize() if word.isalpha() else _capitalise_parts(word))
    return " ".join(words)


def _capitalise_parts(word: str) -> str:
    # "SMITH-JONES" -> "Smith-Jones", "O'NEIL" -> "O'Neil"
    return re.sub(r"[A-Z]+", lambda m: m.group(0).capitalize(), word)


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
