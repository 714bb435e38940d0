"""Checks that a generated text is one a sales rep would send or read without fixing it.

Each check names a defect measured on real dealer exports: ratings off the 0-5 scale or
from no reviews, counts of nothing ("0 reviews", "1 Years"), a dealer-program label used
as a title, scraped address fragments, shouted (ALL CAPS) words, legal suffixes in prose,
unfilled template slots, sentences that contradict each other, and an email drafted for a
lead with no email address. The rules engine's own tests run every text through
:func:`find_text_defects`; the same function can audit any engine's output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from orchestration.engines.rules.text import KNOWN_ACRONYMS, display_company, find_placeholders

# "4.8★", "9.0 stars", "4.8-star"
_STARS = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d+)?)\s*(?:★|-?stars?\b)")
_STAR_FROM = re.compile(r"(\d{1,2}(?:\.\d+)?)\s*★\s*from\s+(?:only\s+)?(\d[\d,]*)\s+reviews?")
# A count of nothing, where prose says "no reviews" or leaves the clause out.
_ZERO_COUNT = re.compile(r"(?<![\d.,/$:-])\b0\s+[A-Za-z]+(?:\s+[a-z]+){0,2}")
_ONLY_ZERO = re.compile(r"\bonly\s+0\b", re.IGNORECASE)
# One of a plural noun: "1 Years", "1 reviews", "1 other stored leads".
_ONE_PLURAL = re.compile(
    r"(?<![\d.,])\b1\s+(?:[a-z]+\s+){0,2}?(?:reviews|years|employees|OEMs|certifications|"
    r"programs|leads|companies|locations|lines|stars|days|minutes|crews|trucks)\b",
    re.IGNORECASE,
)
# Dealer-program labels that are not titles: "Dealer Cummins dealer", "1 Years in Business".
_PROGRAM_AS_TITLE = (
    re.compile(r"\bDealer\s+[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*)?\s+dealer\b"),
    re.compile(r"\bYears?\s+in\s+Business\b", re.IGNORECASE),
    re.compile(r"\b(?:Award\s+Winner|Google|Top\s+Rated)\b[^.;:]{0,60}\bdealer\b"),
    re.compile(r"\b([A-Z][a-z]+)\s+(?:[A-Z][\w-]*\s+){1,2}\1\s+dealer\b"),  # "Carrier X Carrier"
    re.compile(r"\bdealer\s+dealer\b", re.IGNORECASE),
)
# A place whose city is missing or is not a city: "in on, TX", "in , TX", "in ,".
_WORDS_NOT_CITIES = (
    "on|at|of|off|the|and|or|in|near|by|to|from|for|a|an|with|suite|ste|unit|apt|po|box|n/a|"
    "na|null|none|unknown|street|st|road|rd|ave|avenue|hwy|highway|route"
)
_BAD_PLACE = (
    re.compile(r"\b(?:in|near|from|for)\s*,"),
    re.compile(rf"\b(?:in|near|from)\s+(?:{_WORDS_NOT_CITIES})\s*,\s*[A-Z]{{2}}\b", re.IGNORECASE),
    re.compile(r"\b(?:in|near|from)\s+[^\s,.;:]*\d[^\s,;:]*(?:\s+[^\s,;:]+){0,3},\s*[A-Z]{2}\b"),
    re.compile(r"out of \d+ stars|\d\.\d\(\d+\)|\bmi\d", re.IGNORECASE),
    re.compile(r",\s*,"),
)
# A word in capitals with more than three letters ("HEATING"), or a 3-letter word ("AIR").
_LOUD = re.compile(r"(?<![\w@.*/-])[A-Z][A-Z'’]*[A-Z](?![\w@*])")
_LOUD_SHORT_WORDS = frozenset({"AIR", "AND", "THE", "SUN", "OAK", "ONE", "NEW", "FOR", "ALL"})
# The ICP bands are written in capitals on purpose, as the customer's own labels.
_BAND_NAMES = frozenset({"PLATINUM", "GOLD", "SILVER", "BRONZE"})
# Legal forms of a company: nothing a sentence needs. "LP", "L.P." and "P.C." before a
# capitalised word are initials ("P.C. Electric"), not a legal form.
_LEGAL_SUFFIX = re.compile(
    r"(?:\b(?:LLC|LLLP|LLP|PLLC|Inc|Incorporated|Corp|Corporation|Ltd|GmbH|PLC)\b\.?"
    r"|\bL\.L\.C\.?|\b(?:L\.P|P\.C)\.(?!\s+[A-Z])|(?<=[a-z] )LP\b(?!\s+[A-Z])"
    r"|(?<=[A-Za-z] )Co\.(?=[\s,'’]|$)"
    r"|,\s*Co\b)"
)
_SUFFIX_POSSESSIVE = re.compile(r"\b(?:LLC|Inc|Corp|Co|Ltd|LP|PLLC)\.?['’]s?\b")
# Sentences that cannot both be true.
_NO_REVIEWS = re.compile(r"\bno (?:reviews?|ratings?)\b|\bnot (?:yet )?rated\b", re.IGNORECASE)
_HAS_REVIEWS = re.compile(
    r"★|\b[1-9]\d*(?:,\d{3})*\s+reviews?\b|\brated\s+\d|\bonly\s+\d+\s+reviews?\b", re.IGNORECASE
)
_NO_EMAIL = re.compile(r"\bno email\b", re.IGNORECASE)
_EMAIL_SHOWN = re.compile(r"\b[\w.+-]+(?:\*{3})?@[\w-]+(?:\.[\w-]+)+\b")


def find_text_defects(text: str, facts: Mapping[str, Any] | None = None) -> list[str]:
    """What in ``text`` a rep would have to fix before sending it; [] when nothing.

    ``facts``: what the lead's data says (``CompanyFacts`` or a lead record); with it the
    checks also catch a rating the data does not support (a rating with no reviews behind
    it, or a rating the data rules out).
    """
    found: list[str] = []
    found += _rating_defects(text, facts)
    # The company's own name may hold a number ("Unit 0 Air"): it is no count.
    counted = text
    for name in _names_of(facts):
        counted = counted.replace(name, "Company")
    found += [f"count of nothing: '{m.group(0)}'" for m in _ZERO_COUNT.finditer(counted)]
    found += [f"count of nothing: '{m.group(0)}'" for m in _ONLY_ZERO.finditer(counted)]
    found += [f"plural after 1: '{m.group(0)}'" for m in _ONE_PLURAL.finditer(counted)]
    for pattern in _PROGRAM_AS_TITLE:
        found += [f"program label as a title: '{m.group(0)}'" for m in pattern.finditer(text)]
    for pattern in _BAD_PLACE:
        found += [f"address fragment: '{m.group(0)}'" for m in pattern.finditer(text)]
    found += [f"shouted word: '{word}'" for word in shouted_words(text)]
    found += [f"legal suffix in prose: '{m.group(0)}'" for m in _LEGAL_SUFFIX.finditer(text)]
    found += [
        f"possessive on a legal suffix: '{m.group(0)}'" for m in _SUFFIX_POSSESSIVE.finditer(text)
    ]
    found += [f"unfilled slot: '{slot}'" for slot in find_placeholders(text)]
    found += find_contradictions(text)
    return list(dict.fromkeys(found))


def find_draft_defects(draft: Mapping[str, Any], facts: Mapping[str, Any]) -> list[str]:
    """Defects of a BDR draft: its texts' (see :func:`find_text_defects`) and its kind.

    An email needs an email address on file (a message for a contact form, a website) and a
    call a phone number; a draft of either kind must carry its own texts (subject and body,
    or script and voicemail).
    """
    kind = draft.get("kind") or "email"  # drafts stored before calls existed were emails
    channel = draft.get("channel")
    found: list[str] = []
    if kind == "email" and channel != "contact_form" and not facts.get("email"):
        found.append("email draft for a lead with no email address")
    if kind == "email" and channel == "contact_form" and not facts.get("website"):
        found.append("contact-form message for a lead with no website")
    if kind == "call" and not facts.get("phone"):
        found.append("call script for a lead with no phone number")
    needed = {"email": ("subject", "body"), "call": ("script", "voicemail")}.get(str(kind))
    if needed is None:
        found.append(f"draft of unknown kind {kind!r}")
    else:
        found += [f"{kind} draft without its {field}" for field in needed if not draft.get(field)]
    for field in ("subject", "body", "script", "voicemail"):
        value = draft.get(field)
        if value:
            found += [f"{field}: {defect}" for defect in find_text_defects(str(value), facts)]
    return found


def _names_of(facts: Mapping[str, Any] | None) -> list[str]:
    if facts is None:
        return []
    names = [facts.get("company"), facts.get("raw_name"), facts.get("company_name")]
    shown = [display_company(n) for n in names if isinstance(n, str) and n.strip()]
    return sorted({n for n in shown if n}, key=len, reverse=True)


def shouted_words(text: str) -> list[str]:
    """Words in capitals that are not acronyms: "HEATING", "AIR" (but not "HVAC", "ABC")."""
    words = []
    for match in _LOUD.finditer(text):
        word = match.group(0)
        letters = "".join(c for c in word if c.isalpha())
        if letters in KNOWN_ACRONYMS or letters in _BAND_NAMES or _is_legal_suffix(letters):
            continue
        if len(letters) > 3 or letters in _LOUD_SHORT_WORDS:
            words.append(word)
    return words


def _is_legal_suffix(word: str) -> bool:
    # Reported as a legal suffix, not a second time as a shouted word.
    return word in {"LLC", "LLLP", "LLP", "PLLC", "INC", "CORP", "LTD"}


def _rating_defects(text: str, facts: Mapping[str, Any] | None) -> list[str]:
    found: list[str] = []
    for match in _STARS.finditer(text):
        value = float(match.group(1))
        if value > 5:
            found.append(f"rating off the 0-5 scale: '{match.group(0)}'")
        elif value == 0:
            found.append(f"rating of nothing: '{match.group(0)}'")
    for match in _STAR_FROM.finditer(text):
        if int(match.group(2).replace(",", "")) == 0:
            found.append(f"rating from 0 reviews: '{match.group(0)}'")
    known = _rating_of(facts) if facts is not None and "★" in text else None
    if known is not None:
        rating, reviews = known
        if rating is None or not 0 < rating <= 5:
            found.append("rating printed that the data does not support")
        elif reviews == 0:
            found.append("rating printed for a lead with 0 reviews")
    return found


def _rating_of(facts: Mapping[str, Any]) -> tuple[float | None, int | None] | None:
    """(rating, review count) from CompanyFacts or a lead record; None when not given."""
    profile = facts.get("profile")
    source = profile if isinstance(profile, Mapping) and "rating" in profile else facts
    if "rating" not in source:
        return None
    rating, reviews = source.get("rating"), source.get("review_count")
    try:
        return (
            float(rating) if rating not in (None, "") else None,
            int(float(reviews)) if reviews not in (None, "") else None,
        )
    except (TypeError, ValueError):
        return None, None


def find_contradictions(text: str) -> list[str]:
    """Statements in ``text`` that cannot both be true ("no reviews found" beside "4.8★").

    Run it over all of one lead's texts joined, too: a recommendation may contradict the
    reasoning beside it.
    """
    found: list[str] = []
    no_reviews, has_reviews = _NO_REVIEWS.search(text), _HAS_REVIEWS.search(text)
    if no_reviews and has_reviews:
        found.append(
            f"contradiction: '{no_reviews.group(0)}' beside '{has_reviews.group(0)}'"
        )
    no_email, email = _NO_EMAIL.search(text), _EMAIL_SHOWN.search(text)
    if no_email and email:
        found.append(f"contradiction: '{no_email.group(0)}' beside '{email.group(0)}'")
    return found
