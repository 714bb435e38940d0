"""What each tier means and which path it takes: one table for scoring, status and exports.

Tiers follow the customer's ICP bands by default (A = PLATINUM, B = GOLD, C = SILVER,
D = BRONZE); the score thresholds are settings (``SALES_AGENT_TIER_*_MIN``).
"""

from __future__ import annotations

from typing import Final

TIERS: Final = ("A", "B", "C", "D")
TIER_BANDS: Final[dict[str, str]] = {"A": "PLATINUM", "B": "GOLD", "C": "SILVER", "D": "BRONZE"}
# What happens to a lead of each tier, as the batch summary says it.
TIER_PATHS: Final[dict[str, str]] = {
    "A": "outreach first: every stage, then a BDR draft waits for a person's approval",
    "B": "ready for outreach: every stage, then a BDR draft waits for a person's approval",
    "C": "nurture: a marketing plan and a scheduled nurture sequence, no approval needed",
    "D": "long-term: stops after qualification",
}
# The customer's own band thresholds, used to read an export's upstream ICP score.
_UPSTREAM_BANDS: Final = ((80.0, "PLATINUM"), (60.0, "GOLD"), (40.0, "SILVER"))


def band_of(score: float) -> str:
    """The ICP band of an upstream score: PLATINUM >= 80, GOLD >= 60, SILVER >= 40, BRONZE."""
    return next((band for floor, band in _UPSTREAM_BANDS if score >= floor), "BRONZE")


def tier_meanings(a_min: int, b_min: int, c_min: int) -> dict[str, dict[str, str]]:
    """Per tier: its band, its score range under the given thresholds, and its path."""
    ranges = {"A": f"{a_min}-100", "B": f"{b_min}-{a_min - 1}", "C": f"{c_min}-{b_min - 1}",
              "D": f"0-{c_min - 1}"}
    return {
        tier: {"band": TIER_BANDS[tier], "scores": ranges[tier], "path": TIER_PATHS[tier]}
        for tier in TIERS
    }
