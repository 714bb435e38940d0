"""What the OEM columns of a dealer export mean: program tiers and the product lines of OEMs.

Scraped tier cells mix a dealer program tier with award and marketing words ("Award
Winner, Google, Carrier Authorized"), the OEM's own name ("Cummins"), a locator's default
entry ("Standard") or plain junk ("1 Years in Business"). Only a label the program table
knows is a tier worth a title; every other non-empty cell still shows program membership.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from orchestration.config.rules import ProgramTiers, normalise_tier_name

# Ranks of [qualification.program_tiers]: what a sentence calls them.
RANK_NAMES: dict[int, str] = {0: "none", 1: "member", 2: "upper tier", 3: "top tier"}
_SEPARATORS = re.compile(r"[,;|/]+")
_JUNK = re.compile(r"\d|\byears?\b|\bmiles?\b|\breviews?\b|\bstars?\b")


@dataclass(frozen=True)
class ProgramTier:
    """The dealer program tier read from a tier cell.

    label: the tier as it may be shown ("Elite Plus"), only when the table knows it.
    rank: 0 no tier given, 1 membership (an unknown or plain label), 2 upper, 3 top.
    awards: award and marketing labels found beside the tier, as written.
    """

    label: str | None
    rank: int
    awards: tuple[str, ...] = field(default_factory=tuple)


NO_TIER = ProgramTier(label=None, rank=0)


def read_program_tier(
    cell: str | None, oem_names: tuple[str, ...], table: ProgramTiers
) -> ProgramTier:
    """Classify a scraped tier cell for a dealer certified by ``oem_names``."""
    if not cell or not cell.strip():
        return NO_TIER
    oems = tuple(normalise_tier_name(name) for name in oem_names if name)
    own_tables = [ranks for oem, ranks in table.by_oem.items()
                  if any(_has_words(name, oem) for name in oems)]
    best: tuple[int, str | None] = (1, None)
    awards: list[str] = []
    for part in _SEPARATORS.split(cell):
        text = normalise_tier_name(part)
        if not text:
            continue
        if _is_award(text, table):
            awards.append(" ".join(part.split()))
            continue
        text = _without_oem_names(text, oems)
        if not text or text in table.plain_labels or _JUNK.search(text):
            continue
        found = _rank_of(text, own_tables, table.general)
        if found is not None and (found[0] > best[0] or best[1] is None):
            best = found
    rank, key = best
    return ProgramTier(label=_display(key) if key else None, rank=rank, awards=tuple(awards))


def oem_product_lines(
    oem_names: tuple[str, ...], lines: dict[str, list[str]]
) -> dict[str, str]:
    """The product lines the OEMs imply, each with the first OEM implying it:
    ``("Generac", "Carrier")`` -> ``{"generator": "Generac", "hvac": "Carrier"}``."""
    found: dict[str, str] = {}
    for name in oem_names:
        text = normalise_tier_name(name)
        matches = [key for key in lines if _has_words(text, key)]
        if matches:
            for line in lines[max(matches, key=len)]:
                found.setdefault(line, name)
    return found


def _is_award(text: str, table: ProgramTiers) -> bool:
    return any(_has_words(text, label) for label in table.award_labels)


def _without_oem_names(text: str, oems: tuple[str, ...]) -> str:
    for oem in oems:
        for word in (oem, oem.split()[0]):
            text = _word_pattern(word).sub(" ", text)
    return " ".join(text.split())


def _rank_of(
    text: str, own_tables: list[dict[str, int]], general: dict[str, int]
) -> tuple[int, str] | None:
    for ranks in (*own_tables, general):
        if text in ranks:
            return ranks[text], text
    for ranks in (*own_tables, general):
        matches = [key for key in ranks if _has_words(text, key)]
        if matches:
            key = max(matches, key=len)
            return ranks[key], key
    return None


def _display(key: str) -> str:
    """``"elite plus"`` -> ``"Elite Plus"``; ``"elite iq"`` -> ``"Elite IQ"``."""
    return " ".join(word.upper() if word in {"iq", "vrf"} else word.capitalize()
                    for word in key.split())


def _has_words(text: str, words: str) -> bool:
    return _word_pattern(words).search(text) is not None


@lru_cache(maxsize=1024)
def _word_pattern(words: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(words)}(?![\w-])", re.IGNORECASE)
