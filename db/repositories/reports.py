"""Summaries for people: tier mix and the slowest stages of a batch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import AgentExecution, Batch


@dataclass(frozen=True)
class StageTiming:
    stage: str
    runs: int
    mean_ms: float
    p95_ms: float
    max_ms: float
    cost_usd: float


def tier_counts(batch: Batch) -> dict[str, int]:
    """Leads per tier so far, from the counters the qualification write keeps."""
    return {tier: int(n) for tier, n in batch.tier_counts.items()}


@dataclass(frozen=True)
class UpstreamAgreement:
    """How the batch's tiers compare with the ICP score its file carried, where it did."""

    leads: int  # scored leads whose row had its own ICP score
    same_tier: int  # of those, leads whose upstream score falls in our tier's range
    gold_or_better: int  # leads the file bands GOLD or PLATINUM (upstream score >= 60)
    gold_or_better_in_a_or_b: int  # of those, leads we put in tier A or B


def upstream_agreement(batch: Batch) -> UpstreamAgreement | None:
    """From the batch's counters; None when no scored row carried an ICP score.

    "Same tier" is judged with the tier thresholds in force when each lead was qualified.
    """
    if not batch.upstream_leads:
        return None
    return UpstreamAgreement(
        batch.upstream_leads, batch.upstream_same_tier, batch.upstream_gold,
        batch.upstream_gold_in_ab,
    )


def stage_timings(session: Session, batch_id: uuid.UUID) -> list[StageTiming]:
    """Per-stage latency, slowest (by p95) first."""
    p95 = func.percentile_cont(0.95).within_group(AgentExecution.latency_ms)
    rows = session.execute(
        select(
            AgentExecution.stage,
            func.count(),
            func.avg(AgentExecution.latency_ms),
            p95,
            func.max(AgentExecution.latency_ms),
            func.sum(AgentExecution.cost_usd),
        )
        .where(AgentExecution.batch_id == batch_id)
        .group_by(AgentExecution.stage)
    ).all()
    timings = [
        StageTiming(stage, runs, float(mean), float(p), float(mx), float(cost or 0))
        for stage, runs, mean, p, mx, cost in rows
    ]
    return sorted(timings, key=lambda t: t.p95_ms, reverse=True)
