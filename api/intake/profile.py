"""The lead's ``profile``: typed source attributes (OEMs, dealer tier, capabilities, scores).

The dealer-scraper export fills most of it; a generic file fills whatever of these
columns it happens to have. A key appears only when its column exists in the file, so
"column absent" and "column empty" (None) stay distinguishable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.intake.columns import CAPABILITIES, COMPONENT_SCORES
from api.intake.normalize import (
    clean_text,
    collapse_spaces,
    parse_bool,
    parse_float,
    parse_int,
    split_list,
)

_CAPABILITY_FIELDS = tuple((name, f"cap_{name}") for name in CAPABILITIES)
_SCORE_FIELDS = tuple((name, f"score_{name}") for name in COMPONENT_SCORES)
_EVIDENCE_FIELDS = tuple((name, f"evidence_{name}") for name in COMPONENT_SCORES)


def build_profile(
    values: dict[str, str], source_format: str, unparsed: dict[str, str]
) -> dict[str, Any]:
    """Profile dict from the mapped cells of one row.

    Numbers that do not parse are left out of the profile and reported in ``unparsed``
    (field -> cell) so the caller can keep the original text.
    """
    profile: dict[str, Any] = {"source_format": source_format}
    if "oem_source" in values:
        profile["oem_source"] = clean_text(values["oem_source"])
    if "oems" in values or "oem_count" in values:
        oems = split_list(values.get("oems"))
        profile["oems"] = oems
        count = _number(values, "oem_count", parse_int, unparsed)
        profile["oem_count"] = count if count is not None else len(oems)
    if "dealer_tier" in values:
        profile["dealer_tier"] = clean_text(values["dealer_tier"])
    if "certifications" in values:
        profile["certifications"] = split_list(values["certifications"])
    if "cap_hvac" in values or "cap_generator" in values or "cap_solar" in values:
        profile["capabilities"] = {name: parse_bool(values.get(field)) for name, field in
                                   _CAPABILITY_FIELDS}
    if "rating" in values:
        profile["rating"] = _number(values, "rating", parse_float, unparsed)
    if "review_count" in values:
        profile["review_count"] = _number(values, "review_count", parse_int, unparsed)
    if "icp_score" in values:
        profile["icp_score"] = _number(values, "icp_score", parse_float, unparsed)
    if "icp_tier" in values:
        profile["icp_tier"] = clean_text(values["icp_tier"])
    if "score_om" in values or "score_resimercial" in values:
        scores = {}
        for name, field in _SCORE_FIELDS:
            score = _number(values, field, parse_float, unparsed)
            if score is not None:
                scores[name] = score
        profile["component_scores"] = scores
        evidence = {}
        for name, field in _EVIDENCE_FIELDS:
            text = clean_text(values.get(field))
            if text is not None:
                evidence[name] = collapse_spaces(text)
        profile["evidence"] = evidence
    if "estimated_revenue" in values:
        profile["estimated_revenue"] = clean_text(values["estimated_revenue"])
    if "linkedin_url" in values:
        profile["linkedin_url"] = clean_text(values["linkedin_url"])
    if "address_full" in values:
        address = clean_text(values["address_full"])
        profile["address_full"] = collapse_spaces(address) if address else None
    return profile


def _number(
    values: dict[str, str],
    field: str,
    parse: Callable[[str | None], float | int | None],
    unparsed: dict[str, str],
) -> Any:
    cell = values.get(field)
    if not cell:
        return None
    number = parse(cell)
    if number is None and clean_text(cell) is not None:
        unparsed[field] = cell.strip()
    return number
