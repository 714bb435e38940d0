"""A batch's progress as users see it (REST and CLI share this view)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from api.schemas import BatchOptionsIn, BatchStatusOut, RowRejection, StageCounts
from db.repositories.batches import batch_progress, get_batch


def build_batch_status(session: Session, batch_id: uuid.UUID) -> BatchStatusOut | None:
    batch = get_batch(session, batch_id)
    if batch is None:
        return None
    progress = batch_progress(session, batch)
    done = batch.done_count
    rate: float | None = None
    eta: float | None = None
    if progress.first_started and progress.last_finished and done:
        elapsed = (progress.last_finished - progress.first_started).total_seconds()
        if elapsed > 0:
            rate = round(done / elapsed, 2)
            eta = round(max(batch.accepted_count - done, 0) / rate, 1)
    return BatchStatusOut(
        batch_id=batch.id,
        name=batch.name,
        source=batch.source,
        status=batch.status,
        engine=batch.engine,
        options=BatchOptionsIn(
            stop_on_duplicate=batch.stop_on_duplicate,
            skip_enrichment=batch.skip_enrichment,
            create_in_crm=batch.create_in_crm,
            dry_run=batch.dry_run,
        ),
        total_rows=batch.total_rows,
        accepted=batch.accepted_count,
        rejected=batch.rejected_count,
        duplicates=batch.duplicate_count,
        done=done,
        by_outcome=progress.by_status,
        by_stage={k: StageCounts(**v) for k, v in progress.by_stage.items()},
        cost_usd=round(sum(v["cost_usd"] for v in progress.by_stage.values()), 6),
        leads_per_second=rate,
        eta_seconds=eta,
        created_at=batch.created_at,
        dispatched_at=batch.dispatched_at,
        finished_at=batch.finished_at,
        rejections=[RowRejection(**r) for r in batch.rejections[:100]],
    )
