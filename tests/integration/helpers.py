"""Waiting on and reading back batches, for integration tests."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import func, select

from db.models import AgentExecution, Batch, BatchStatus, Lead
from db.session import read_only


def wait_for_batch(batch_id: uuid.UUID, timeout: float = 180) -> Batch:
    """Poll Postgres until the batch is finished; fail with its progress if it is not."""
    deadline = time.monotonic() + timeout
    batch: Batch | None = None
    while time.monotonic() < deadline:
        with read_only() as session:
            batch = session.get(Batch, batch_id)
        assert batch is not None
        if batch.status == BatchStatus.finished:
            return batch
        time.sleep(0.25)
    raise AssertionError(
        f"batch {batch_id} not finished after {timeout}s: status={batch and batch.status} "
        f"done={batch and batch.done_count}/{batch and batch.accepted_count}"
    )


def wait_for_done_count(batch_id: uuid.UUID, at_least: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with read_only() as session:
            done = session.scalar(select(Batch.done_count).where(Batch.id == batch_id)) or 0
        if done >= at_least:
            return done
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} did not reach {at_least} done leads")


def executions_per_lead(batch_id: uuid.UUID) -> dict[uuid.UUID, list[str]]:
    with read_only() as session:
        rows = session.execute(
            select(AgentExecution.lead_id, AgentExecution.stage)
            .where(AgentExecution.batch_id == batch_id)
            .order_by(AgentExecution.id)
        ).all()
        result: dict[uuid.UUID, list[str]] = {}
        for lead_id, stage in rows:
            result.setdefault(lead_id, []).append(stage)
        return result


def leads_by_status(batch_id: uuid.UUID) -> dict[str, int]:
    with read_only() as session:
        return dict(
            session.execute(
                select(Lead.status, func.count())
                .where(Lead.batch_id == batch_id)
                .group_by(Lead.status)
            ).all()
        )
