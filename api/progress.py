"""A batch's progress as users see it (REST and CLI share this view).

Built from the batch row alone: the writes keep its counters (see db/repositories/stages.py
and migration 0008), so a status poll costs one primary-key read however large the batch.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from sqlalchemy.orm import Session

from api.deps import read_now
from api.schemas import (
    BatchOptionsIn,
    BatchStatusOut,
    RowRejection,
    StageCounts,
    TierCount,
    UpstreamAgreementOut,
)
from db.models import Batch
from db.repositories.batches import batch_progress, get_batch
from db.repositories.reports import tier_counts, upstream_agreement
from orchestration.config.tiers import tier_meanings
from settings import get_settings


def build_batch_status(session: Session, batch_id: uuid.UUID) -> BatchStatusOut | None:
    batch = get_batch(session, batch_id)
    if batch is None:
        return None
    progress = batch_progress(batch)
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
            profile=batch.profile,
        ),
        total_rows=batch.total_rows,
        accepted=batch.accepted_count,
        rejected=batch.rejected_count,
        duplicates=batch.duplicate_count,
        done=done,
        by_outcome=progress.by_status,
        by_stage={k: StageCounts(**v) for k, v in progress.by_stage.items()},
        tiers=tier_summary(batch),
        upstream=upstream_summary(batch),
        cost_usd=round(sum(v["cost_usd"] for v in progress.by_stage.values()), 6),
        leads_per_second=rate,
        eta_seconds=eta,
        created_at=batch.created_at,
        dispatched_at=batch.dispatched_at,
        finished_at=batch.finished_at,
        rejections=[RowRejection(**r) for r in batch.rejections[:100]],
    )


def tier_summary(batch: Batch) -> dict[str, TierCount]:
    """Per tier: how many of the batch's leads have it, its band, score range and path."""
    settings = get_settings()
    counts = tier_counts(batch)
    meanings = tier_meanings(settings.tier_a_min, settings.tier_b_min, settings.tier_c_min)
    return {tier: TierCount(leads=counts.get(tier, 0), **meaning)
            for tier, meaning in meanings.items()}


def upstream_summary(batch: Batch) -> UpstreamAgreementOut | None:
    """How our tiers agree with the ICP score the file carried, or None when it had none."""
    found = upstream_agreement(batch)
    if found is None:
        return None
    return UpstreamAgreementOut(
        leads=found.leads,
        same_tier=round(found.same_tier / found.leads, 3),
        gold_or_better=found.gold_or_better,
        gold_or_better_in_a_or_b=found.gold_or_better_in_a_or_b,
    )


class StatusReads:
    """Batch statuses as JSON, read at most once per batch per ``max_age`` seconds.

    Pollers of one batch share reads: a poll that finds a read of the same batch in flight
    waits for it instead of starting another, and a result younger than ``max_age`` is
    served as it is. So a crowd polling at any rate costs the database a few reads a
    second, and the event loop a dictionary lookup per poll.
    """

    def __init__(self, max_age: float, keep: int = 1024) -> None:
        self.max_age = max_age
        self.keep = keep
        self._fresh: dict[uuid.UUID, tuple[float, bytes | None]] = {}
        self._reading: dict[uuid.UUID, asyncio.Future[bytes | None]] = {}

    async def get(self, batch_id: uuid.UUID) -> bytes | None:
        """The status JSON of the batch, or None when there is no such batch."""
        found = self._fresh.get(batch_id)
        if found is not None and time.monotonic() - found[0] < self.max_age:
            return found[1]
        reading = self._reading.get(batch_id)
        if reading is None or reading.get_loop() is not asyncio.get_running_loop():
            reading = asyncio.ensure_future(self._read(batch_id))
            self._reading[batch_id] = reading
            reading.add_done_callback(lambda _: self._reading.pop(batch_id, None))
        # Shielded: one poller going away must not cancel the read the others wait on.
        return await asyncio.shield(reading)

    async def _read(self, batch_id: uuid.UUID) -> bytes | None:
        started = time.monotonic()
        status = await read_now(lambda session: build_batch_status(session, batch_id))
        body = None if status is None else status.model_dump_json().encode()
        if len(self._fresh) >= self.keep:
            self._fresh = {
                k: v for k, v in self._fresh.items() if started - v[0] < self.max_age
            }
        self._fresh[batch_id] = (started, body)
        return body
