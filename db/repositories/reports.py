"""Summaries for people: tier mix and the slowest stages of a batch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from db.models import AgentExecution, Lead


@dataclass(frozen=True)
class StageTiming:
    stage: str
    runs: int
    mean_ms: float
    p95_ms: float
    max_ms: float
    cost_usd: float


def tier_counts(session: Session, batch_id: uuid.UUID) -> dict[str, int]:
    rows = session.execute(
        select(func.coalesce(Lead.tier, "-"), func.count())
        .where(Lead.batch_id == batch_id)
        .group_by(Lead.tier)
    ).all()
    return dict(rows)


@dataclass(frozen=True)
class UpstreamAgreement:
    """How the batch's tiers compare with the ICP score its file carried, where it did."""

    leads: int  # scored leads whose row had its own ICP score
    same_tier: int  # of those, leads whose upstream score falls in our tier's range
    gold_or_better: int  # leads the file bands GOLD or PLATINUM (upstream score >= 60)
    gold_or_better_in_a_or_b: int  # of those, leads we put in tier A or B


def upstream_agreement(
    session: Session, batch_id: uuid.UUID, thresholds: tuple[int, int, int]
) -> UpstreamAgreement | None:
    """One aggregate over the batch's leads; None when no row carried an ICP score."""
    upstream = Lead.profile["icp_score"].as_float()
    a_min, b_min, c_min = thresholds
    their_tier = case(
        (upstream >= a_min, "A"), (upstream >= b_min, "B"), (upstream >= c_min, "C"), else_="D"
    )
    gold = upstream >= 60  # the customer's GOLD floor, whatever our thresholds are
    row = session.execute(
        select(
            func.count(),
            func.count().filter(their_tier == Lead.tier),
            func.count().filter(gold),
            func.count().filter(gold, Lead.tier.in_(("A", "B"))),
        ).where(Lead.batch_id == batch_id, Lead.tier.is_not(None), upstream.is_not(None))
    ).one()
    if not row[0]:
        return None
    return UpstreamAgreement(*row)


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
