"""Summaries for people: tier mix and the slowest stages of a batch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
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
