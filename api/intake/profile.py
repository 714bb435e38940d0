"""The lead's ``profile``: typed source attributes (OEMs, dealer tier, capabilities, scores).

The dealer-scraper export fills most of it; a generic file fills whatever of these
columns it happens to have. A key appears only when a column feeding it exists in the
file, so "column absent" and "column empty" (None) stay distinguishable.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Final

from api.intake.columns import CAPABILITIES, CAPABILITY_CELLS, ColumnPlan, RowCells
from api.intake.normalize import (
    BOOLEAN_CELLS,
    collapse_spaces,
    parse_float,
    parse_int,
    split_list,
)

_MAX_TEXT = 255  # a name-like value (program tier, revenue band)
_MAX_ADDRESS = 1024  # an address or a URL
_MAX_LIST = 2_000  # a comma list before it is split (OEMs, certifications)
_MAX_EVIDENCE = 2_000  # one component's evidence text

# profile key -> the lead fields (columns) that feed it
PROFILE_SOURCES: Final[dict[str, tuple[str, ...]]] = {
    "oem_source": ("oem_source",),
    "oems": ("oems", "oem_count"),
    "oem_count": ("oems", "oem_count"),
    "dealer_tier": ("dealer_tier",),
    "certifications": ("certifications",),
    "capabilities": tuple(f"cap_{name}" for name in CAPABILITIES),
    "rating": ("rating",),
    "review_count": ("review_count",),
    "icp_score": ("icp_score",),
    "icp_tier": ("icp_tier",),
    "component_scores": ("score_resimercial", "score_multi_oem", "score_mepr", "score_om"),
    "evidence": ("evidence_resimercial", "evidence_multi_oem", "evidence_mepr", "evidence_om"),
    "estimated_revenue": ("estimated_revenue",),
    "linkedin_url": ("linkedin_url",),
    "address_full": ("address_full",),
}


def build_profile(cells: RowCells, plan: ColumnPlan, unparsed: dict[str, str]) -> dict[str, Any]:
    """Profile dict from the cleaned cells of one row (see ``ColumnPlan.split_row``).

    Numbers that do not parse are left out and reported in ``unparsed`` (field -> cell)
    so the caller can keep the original text.
    """
    # Built as one literal and pruned afterwards: the dealer export has every column, and
    # this shape is markedly faster per row than a branch per key.
    # Free-text cells are bounded like the lead's own columns (see drafts.py): a profile
    # travels with the lead through every stage.
    oems = split_list(cells.oems[:_MAX_LIST])
    oem_count = _int(cells.oem_count, "oem_count", unparsed)
    rating, icp_score, resimercial, multi_oem, mepr, om = _floats(cells, unparsed)
    scores = {"resimercial": resimercial, "multi_oem": multi_oem, "mepr": mepr, "om": om}
    evidence = {
        "resimercial": cells.evidence_resimercial[:_MAX_EVIDENCE],
        "multi_oem": cells.evidence_multi_oem[:_MAX_EVIDENCE],
        "mepr": cells.evidence_mepr[:_MAX_EVIDENCE],
        "om": cells.evidence_om[:_MAX_EVIDENCE],
    }
    address = cells.address_full[:_MAX_ADDRESS]
    if "  " in address or "\n" in address:
        address = collapse_spaces(address)
    profile = {
        "source_format": plan.format,
        "oem_source": cells.oem_source[:_MAX_TEXT] or None,
        "oems": oems,
        "oem_count": len(oems) if oem_count is None else oem_count,
        "dealer_tier": cells.dealer_tier[:_MAX_TEXT] or None,
        "certifications": split_list(cells.certifications[:_MAX_LIST]),
        # Cells are stripped already, so one lookup covers every spelling parse_bool takes.
        "capabilities": dict(
            zip(CAPABILITIES, map(BOOLEAN_CELLS.get, cells[CAPABILITY_CELLS]), strict=True)
        ),
        "rating": rating,
        "review_count": _int(cells.review_count, "review_count", unparsed),
        "icp_score": icp_score,
        "icp_tier": cells.icp_tier[:_MAX_TEXT] or None,
        "component_scores": {key: score for key, score in scores.items() if score is not None},
        "evidence": {key: text for key, text in evidence.items() if text},
        "estimated_revenue": cells.estimated_revenue[:_MAX_TEXT] or None,
        "linkedin_url": cells.linkedin_url[:_MAX_ADDRESS] or None,
        "address_full": address or None,
    }
    for key in _absent_keys(plan):
        del profile[key]
    return profile


@lru_cache(maxsize=32)  # bounded: a plan per uploaded file, and few files at once
def _absent_keys(plan: ColumnPlan) -> tuple[str, ...]:
    """Profile keys no column of this file feeds (computed once per plan)."""
    return tuple(
        key
        for key, sources in PROFILE_SOURCES.items()
        if not any(source in plan.fields for source in sources)
    )


_FLOAT_FIELDS: Final = (
    "rating", "icp_score", "score_resimercial", "score_multi_oem", "score_mepr", "score_om",
)
_FloatCells = tuple[float | None, float | None, float | None, float | None, float | None,
                    float | None]


def _floats(cells: RowCells, unparsed: dict[str, str]) -> _FloatCells:
    """rating, icp_score and the four component scores, as floats or None.

    Plain numbers, nearly every cell of an export, are converted inline in one go; the
    careful per-cell path runs only when something in the row is not one.
    """
    try:
        numbers = (
            float(cells.rating) if cells.rating else None,
            float(cells.icp_score) if cells.icp_score else None,
            float(cells.score_resimercial) if cells.score_resimercial else None,
            float(cells.score_multi_oem) if cells.score_multi_oem else None,
            float(cells.score_mepr) if cells.score_mepr else None,
            float(cells.score_om) if cells.score_om else None,
        )
        # "inf"/"nan" parse too; their sum is not finite (nor, harmlessly, a huge one's).
        if math.isfinite(sum(filter(None, numbers))):
            return numbers
    except ValueError:
        pass
    a, b, c, d, e, f = (_float(getattr(cells, name), name, unparsed) for name in _FLOAT_FIELDS)
    return a, b, c, d, e, f


def _float(cell: str, field: str, unparsed: dict[str, str]) -> float | None:
    if not cell:
        return None
    number = parse_float(cell)
    if number is None:
        unparsed[field] = cell
    return number


def _int(cell: str, field: str, unparsed: dict[str, str]) -> int | None:
    if not cell:
        return None
    number = parse_int(cell)
    if number is None:
        unparsed[field] = cell
    return number
