"""The status counters kept by the writes agree with the rows they count."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select

from api.intake import parse_leads
from api.progress import build_batch_status
from api.submit import submit_batch
from db.models import AgentExecution, Batch, Lead
from db.repositories.batches import BatchOptions
from db.repositories.stages import StageWrite, write_stage
from db.session import autocommit_driver, read_only
from tests.integration.helpers import leads_by_status, wait_for_batch


def submit_file(path: Path) -> uuid.UUID:
    parsed = parse_leads(path.read_bytes(), source=path.name)
    return submit_batch(parsed, name=path.stem, source=path.name, options=BatchOptions()).batch_id


def stage_counts_from_rows(batch_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    with read_only() as session:
        rows = session.execute(
            select(
                AgentExecution.stage,
                func.count().filter(AgentExecution.success),
                func.count().filter(~AgentExecution.success),
                func.coalesce(func.sum(AgentExecution.cost_usd), 0),
            )
            .where(AgentExecution.batch_id == batch_id)
            .group_by(AgentExecution.stage)
        ).all()
    return {
        stage: {"succeeded": ok, "failed": bad, "cost_usd": round(float(cost), 6)}
        for stage, ok, bad, cost in rows
    }


def upstream_from_rows(batch_id: uuid.UUID) -> tuple[int, int, int, int]:
    upstream = Lead.profile["icp_score"].as_float()
    their_tier = case(
        (upstream >= 80, "A"), (upstream >= 60, "B"), (upstream >= 40, "C"), else_="D"
    )
    with read_only() as session:
        row = session.execute(
            select(
                func.count(),
                func.count().filter(their_tier == Lead.tier),
                func.count().filter(upstream >= 60),
                func.count().filter(upstream >= 60, Lead.tier.in_(("A", "B"))),
            ).where(Lead.batch_id == batch_id, Lead.tier.is_not(None), upstream.is_not(None))
        ).one()
    return (row[0], row[1], row[2], row[3])


def test_a_finished_batch_status_equals_the_aggregates_over_its_rows(servers, worker, examples_dir):
    # Given the dealer export run to the end by a real worker
    batch_id = submit_file(examples_dir / "dealers.csv")
    wait_for_batch(batch_id)

    # When its status is read (one row: the batch with its counters)
    with read_only() as session:
        status = build_batch_status(session, batch_id)
        tiers_from_rows = dict(
            session.execute(
                select(Lead.tier, func.count())
                .where(Lead.batch_id == batch_id, Lead.tier.is_not(None))
                .group_by(Lead.tier)
            ).all()
        )
    assert status is not None

    # Then every count is what an aggregate over the leads and executions gives
    assert status.by_outcome == leads_by_status(batch_id)
    assert {k: v.model_dump() for k, v in status.by_stage.items()} == stage_counts_from_rows(
        batch_id
    )
    assert {t: c.leads for t, c in status.tiers.items() if c.leads} == tiers_from_rows
    leads, same, gold, gold_ab = upstream_from_rows(batch_id)
    assert status.upstream is not None
    assert status.upstream.leads == leads > 0
    assert status.upstream.same_tier == round(same / leads, 3)
    assert (status.upstream.gold_or_better, status.upstream.gold_or_better_in_a_or_b) == (
        gold, gold_ab,
    )
    assert status.done == status.accepted == sum(status.by_outcome.values())
    assert status.leads_per_second is not None
    assert status.leads_per_second > 0


def test_a_stage_written_again_counts_nothing_twice(servers, worker, examples_dir):
    # Given a finished batch and one of its leads
    batch_id = submit_file(examples_dir / "generic.csv")
    wait_for_batch(batch_id)
    with read_only() as session:
        lead = session.scalars(
            select(Lead).where(Lead.batch_id == batch_id, Lead.tier.is_not(None))
        ).first()
        assert lead is not None
        before = session.get(Batch, batch_id)
    assert before is not None

    # When its qualification is written again, as a redelivered task would
    again = StageWrite(
        stage="qualification", task_id="redelivered", engine="rules", input={}, output={},
        success=True, error=None, attempts=2, latency_ms=1.0, cost_usd=0.5,
        status="in_progress", lead_values={"tier": lead.tier}, terminal=True,
    )
    with autocommit_driver() as conn:
        written = write_stage(conn, lead.id, batch_id, again)

    # Then nothing is written and no counter moves
    assert not written.inserted
    with read_only() as session:
        after = session.get(Batch, batch_id)
    assert after is not None
    counters = ("done_count", "lead_counts", "stage_counts", "tier_counts", "upstream_leads",
                "upstream_same_tier", "upstream_gold", "upstream_gold_in_ab")
    assert {c: getattr(after, c) for c in counters} == {c: getattr(before, c) for c in counters}
