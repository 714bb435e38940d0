"""`sales-agent score FILE`: qualification only, in-process, for a first look at a new file.

No servers and no queues: the file is read by the same intake code as an upload and every
lead is scored by the rules engine directly, so 10,000 rows take seconds. When the export
carries its owner's ICP score, ours is compared with it (rank correlation and band
agreement), so a sales-ops person sees at once how far the two agree.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.csv_safety import safe_row
from api.intake import parse_leads
from orchestration.config.rules import load_rules
from orchestration.config.tiers import TIERS, tier_meanings
from orchestration.engines.rules.qualification import qualify
from settings import get_settings

# Columns of `--out`, before one column per factor.
SCORED_COLUMNS = (
    "row", "company_name", "city", "state", "score", "tier", "band", "profile", "fit",
    "upstream_score", "upstream_band", "agreement", "reasoning",
)


@dataclass
class ScoredFile:
    """Every accepted lead of a file with its qualification, plus the rows left out."""

    leads: list[dict[str, Any]]
    rejected: list[dict[str, Any]]

    def tiers(self) -> dict[str, dict[str, Any]]:
        """Per tier: lead count, band, score range and path."""
        settings = get_settings()
        counts = Counter(lead["tier"] for lead in self.leads)
        meanings = tier_meanings(settings.tier_a_min, settings.tier_b_min, settings.tier_c_min)
        return {tier: {"leads": counts.get(tier, 0), **meanings[tier]} for tier in TIERS}

    def top(self, limit: int = 10) -> list[dict[str, Any]]:
        """The best-scoring leads, best first (file order breaks ties)."""
        return sorted(self.leads, key=lambda lead: (-lead["score"], lead["row"]))[:limit]

    def agreement(self) -> dict[str, Any] | None:
        """How our scores relate to the export's own ICP scores, when it has them."""
        pairs = [(lead["score"], lead["upstream"]["score"])
                 for lead in self.leads if lead["upstream"]]
        if len(pairs) < 2:
            return None
        ours, theirs = zip(*pairs, strict=True)
        upper = [lead for lead in self.leads
                 if lead["upstream"] and lead["upstream"]["band"] in ("PLATINUM", "GOLD")]
        same = sum(1 for lead in self.leads
                   if lead["upstream"] and lead["upstream"]["agreement"] == "agrees")
        return {
            "leads": len(pairs),
            "spearman": round(spearman(ours, theirs), 3),
            "same_tier": round(same / len(pairs), 3),
            "gold_or_better": len(upper),
            "gold_or_better_in_a_or_b": sum(1 for lead in upper if lead["tier"] in ("A", "B")),
        }


def score_file(path: Path, profile: str | None = None) -> ScoredFile:
    """Read ``path`` as intake does and qualify every accepted row."""
    settings = get_settings()
    rules = load_rules()
    if profile is not None:
        rules.qualification.profile(profile)  # an unknown name fails before any work
    parsed = parse_leads(path.read_bytes(), source=path.name)
    thresholds = (settings.tier_a_min, settings.tier_b_min, settings.tier_c_min)
    leads = []
    for draft in parsed.leads:
        result = qualify(draft, rules, profile=profile,
                         default_profile=settings.qualification_profile, thresholds=thresholds)
        leads.append({
            "row": draft["csv_index"],
            "company_name": draft["company_name"],
            "city": draft.get("city"),
            "state": draft.get("state"),
            "upstream_score": result["upstream"]["score"] if result["upstream"] else None,
            **result,
        })
    return ScoredFile(leads=leads, rejected=[r.to_dict() for r in parsed.rejections])


def scored_csv(scored: ScoredFile) -> str:
    """Every lead as a CSV row: the columns above, then each factor's points."""
    factor_keys = list(dict.fromkeys(
        f["key"] for lead in scored.leads for f in lead["factors"]
    ))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row([*SCORED_COLUMNS, *factor_keys]))
    for lead in scored.leads:
        upstream = lead["upstream"] or {}
        points = {f["key"]: f["points"] for f in lead["factors"]}
        writer.writerow(safe_row([
            lead["row"], lead["company_name"], lead["city"], lead["state"], lead["score"],
            lead["tier"], lead["band"], lead["profile"], lead["fit"], upstream.get("score"),
            upstream.get("band"), upstream.get("agreement"), lead["reasoning"],
            *(points.get(key, "") for key in factor_keys),
        ]))
    return buffer.getvalue()


def scored_json(scored: ScoredFile) -> dict[str, Any]:
    """The `--json` document: ``{"leads": [...], "tiers": {...}, "rejected", "agreement"}``."""
    leads = [
        {
            "row": lead["row"], "company_name": lead["company_name"], "score": lead["score"],
            "tier": lead["tier"], "band": lead["band"], "profile": lead["profile"],
            "fit": lead["fit"], "upstream_score": lead["upstream_score"],
            "upstream": lead["upstream"], "factors": lead["factors"],
            "reasoning": lead["reasoning"],
        }
        for lead in scored.leads
    ]
    return {"leads": leads, "tiers": scored.tiers(), "rejected": scored.rejected,
            "agreement": scored.agreement()}


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation, ties given their average rank (0.0 when one side is flat)."""
    rx, ry = _ranks(xs), _ranks(ys)
    n = len(rx)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / (vx * vy) ** 0.5 if vx and vy else 0.0


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        average = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = average
        i = j + 1
    return ranks
