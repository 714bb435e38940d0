"""Finding work the broker lost: leads of an idle batch that never got their outcome.

Celery's Redis transport moves a message from its queue to the ``unacked`` hash in two
steps (BRPOP, then a MULTI); a worker killed between them loses that message for good
(celery/celery#7950), and no visibility timeout brings it back. Postgres knows better: a
lead that is neither finished nor moving, in a batch where nothing has moved for a while,
has no message left anywhere. The batch-wide idle test keeps leads that merely wait behind a
long backlog from being sent twice (their batch keeps moving).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from db.models import TERMINAL_LEAD_STATUSES, Batch, BatchStatus, Lead


@dataclass(frozen=True)
class StalledLead:
    lead_id: uuid.UUID
    batch_id: uuid.UUID
    last_stage: str | None  # the last stage that finished (None: not even qualification)


def idle_running_batches(
    session: Session, idle_since: ColumnElement[Any]
) -> list[uuid.UUID]:
    """Running batches with unfinished leads, none of whose leads changed after ``idle_since``."""
    last_change = (
        select(Lead.batch_id, func.max(Lead.updated_at).label("changed"))
        .join(Batch, Batch.id == Lead.batch_id)
        .where(Batch.status == BatchStatus.running, Batch.done_count < Batch.accepted_count)
        .group_by(Lead.batch_id)
        .subquery()
    )
    return list(session.scalars(
        select(last_change.c.batch_id).where(last_change.c.changed < idle_since)
    ))


def claim_stalled_leads(
    session: Session, batch_id: uuid.UUID, idle_since: ColumnElement[Any], limit: int
) -> list[StalledLead]:
    """The batch's unfinished leads untouched since ``idle_since``, marked as touched now, so
    a second sweep (or a concurrent one) does not send them again before they can move."""
    terminal = [status.value for status in TERMINAL_LEAD_STATUSES]
    stalled = (
        select(Lead.id)
        .where(
            Lead.batch_id == batch_id,
            Lead.dispatched,
            Lead.status.not_in(terminal),
            Lead.updated_at < idle_since,
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    rows = session.execute(
        update(Lead)
        .where(Lead.id.in_(stalled))
        .values(updated_at=func.now())
        .returning(Lead.id, Lead.current_stage)
    ).all()
    return [StalledLead(lead_id, batch_id, stage) for lead_id, stage in rows]


def finished_but_running(session: Session) -> list[uuid.UUID]:
    """Running batches whose every lead has an outcome: their finalize message was lost."""
    return list(session.scalars(
        select(Batch.id).where(
            Batch.status == BatchStatus.running, Batch.done_count >= Batch.accepted_count
        )
    ))
