"""Explainable scores: a score is the sum of named factors, each with its reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict


class Factor(TypedDict):
    """One contribution to a score, readable on its own."""

    key: str  # stable identifier, e.g. "oem_certifications"
    name: str  # label for people, e.g. "OEM certifications"
    points: float  # points earned (0..max_points, one decimal)
    max_points: float  # the most this factor can give
    reason: str  # why these points, naming the lead's data


def factor(
    key: str, name: str, points: float, max_points: float, reason: str, digits: int = 1
) -> Factor:
    """A factor with its points capped to ``0..max_points`` and rounded to ``digits`` decimals."""
    capped = min(max(points, 0.0), max_points)
    return Factor(key=key, name=name, points=round(capped, digits), max_points=max_points,
                  reason=reason)


def total_score(factors: Sequence[Factor]) -> int:
    """The 0-100 score the factors add up to."""
    return min(100, max(0, round(sum(f["points"] for f in factors))))


def share(f: Factor) -> float:
    """How much of its maximum a factor earned (0-1)."""
    return f["points"] / f["max_points"] if f["max_points"] else 0.0


def strongest(factors: Sequence[Factor], limit: int = 2, at_least: float = 0.7) -> list[Factor]:
    """The factors that earned most of their maximum, best first."""
    ranked = sorted(factors, key=lambda f: (-share(f), -f["max_points"]))
    return [f for f in ranked if share(f) >= at_least][:limit]


def weakest(factors: Sequence[Factor], limit: int = 2, below: float = 0.5) -> list[Factor]:
    """The factors that lost the most points, worst first."""
    ranked = sorted(factors, key=lambda f: -(f["max_points"] - f["points"]))
    return [f for f in ranked if share(f) < below][:limit]
