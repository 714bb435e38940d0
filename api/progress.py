"""A batch's progress as users see it (REST and CLI share this view)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from api.schemas import (
    BatchOptionsIn,
    BatchStatusOut,
    RowRejection,
    StageCounts,
    TierCount,
    UpstreamAgreementOut,
)
from db.repositories.batches import batch_progress, get_batch
from db.repositories.reports import tier_counts, upstream_agreement
from orchestration.config.tiers import tier_meanings
from settings import get_settings


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
            profile=batch.profile,
        ),
        total_rows=batch.total_rows,
        accepted=batch.accepted_count,
        rejected=batch.rejected_count,
        duplicates=batch.duplicate_count,
        done=done,
        by_outcome=progress.by_status,
        by_stage={k: StageCounts(**v) for k, v in progress.by_stage.items()},
        tiers=tier_summary(session, batch_id),
        upstream=upstream_summary(session, batch_id),
        cost_usd=round(sum(v["cost_usd"] for v in progress.by_stage.values()), 6),
        leads_per_second=rate,
        eta_seconds=eta,
        created_at=batch.created_at,
        dispatched_at=batch.dispatched_at,
        finished_at=batch.finished_at,
        rejections=[RowRejection(**r) for r in batch.rejections[:100]],
    )


def tier_summary(session: Session, batch_id: uuid.UUID) -> dict[str, TierCount]:
    """Per tier: how many of the batch's leads have it, its band, score range and path."""
    settings = get_settings()
    counts = tier_counts(session, batch_id)
    meanings = tier_meanings(settings.tier_a_min, settings.tier_b_min, settings.tier_c_min)
    return {tier: TierCount(leads=counts.get(tier, 0), **meaning)
            for tier, meaning in meanings.items()}


def upstream_summary(session: Session, batch_id: uuid.UUID) -> UpstreamAgreementOut | None:
    """How our tiers agree with the ICP score the file carried, or None when it had none."""
    settings = get_settings()
    found = upstream_agreement(
        session, batch_id, (settings.tier_a_min, settings.tier_b_min, settings.tier_c_min)
    )
    if found is None:
        return None
    return UpstreamAgreementOut(
        leads=found.leads,
        same_tier=round(found.same_tier / found.leads, 3),
        gold_or_better=found.gold_or_better,
        gold_or_better_in_a_or_b=found.gold_or_better_in_a_or_b,
    )
