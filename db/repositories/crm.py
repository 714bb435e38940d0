"""CRM sync records: the per-lead claim that makes writing a lead to the CRM happen once.

``claim`` inserts the record (or takes over a failed or abandoned one) so that exactly one
run at a time holds the right to write; ``mark_synced`` stores the CRM id on the record and
on the lead in the same unit of work. The caller commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from db.models import CrmSyncRecord, CrmSyncStatus, Lead


@dataclass(frozen=True)
class Claim:
    kind: Literal["claimed", "synced", "busy"]
    crm_id: str | None = None
    attempts: int = 1


def claim(
    session: Session, lead_id: uuid.UUID, provider: str, token: str, stale_after: timedelta
) -> Claim:
    """Take the right to write ``lead_id`` to ``provider``; see :class:`Claim` kinds.

    "busy" means another run holds a fresh claim; "synced" that the CRM already has it.
    """
    inserted = session.execute(
        insert(CrmSyncRecord)
        .values(
            lead_id=lead_id,
            provider=provider,
            status=CrmSyncStatus.claimed,
            claim_token=token,
            attempts=1,
        )
        .on_conflict_do_nothing(index_elements=[CrmSyncRecord.lead_id, CrmSyncRecord.provider])
        .returning(CrmSyncRecord.id)
    ).first()
    if inserted is not None:
        return Claim("claimed")
    record = session.execute(
        select(CrmSyncRecord)
        .where(CrmSyncRecord.lead_id == lead_id, CrmSyncRecord.provider == provider)
        .with_for_update()
    ).scalar_one()
    if record.status == CrmSyncStatus.synced:
        return Claim("synced", record.crm_id, record.attempts)
    abandoned = record.updated_at < datetime.now(UTC) - stale_after
    if record.status == CrmSyncStatus.failed or abandoned:
        record.status = CrmSyncStatus.claimed
        record.claim_token = token
        record.attempts += 1
        record.error = None
        record.updated_at = datetime.now(UTC)
        return Claim("claimed", attempts=record.attempts)
    return Claim("busy", attempts=record.attempts)


def mark_synced(
    session: Session, lead_id: uuid.UUID, provider: str, token: str, crm_id: str, action: str
) -> bool:
    """Record the CRM id (on the record and the lead) if this run still holds the claim."""
    result = session.execute(
        update(CrmSyncRecord)
        .where(
            CrmSyncRecord.lead_id == lead_id,
            CrmSyncRecord.provider == provider,
            CrmSyncRecord.claim_token == token,
        )
        .values(
            status=CrmSyncStatus.synced, crm_id=crm_id, action=action, updated_at=datetime.now(UTC)
        )
    )
    session.execute(update(Lead).where(Lead.id == lead_id).values(crm_id=crm_id))
    return bool(getattr(result, "rowcount", 0))


def mark_failed(
    session: Session, lead_id: uuid.UUID, provider: str, token: str, error: str
) -> None:
    """Release the claim as failed, so the next run may try again."""
    session.execute(
        update(CrmSyncRecord)
        .where(
            CrmSyncRecord.lead_id == lead_id,
            CrmSyncRecord.provider == provider,
            CrmSyncRecord.claim_token == token,
        )
        .values(status=CrmSyncStatus.failed, error=error[:2000], updated_at=datetime.now(UTC))
    )


def record_of(session: Session, lead_id: uuid.UUID, provider: str) -> CrmSyncRecord | None:
    return session.execute(
        select(CrmSyncRecord).where(
            CrmSyncRecord.lead_id == lead_id, CrmSyncRecord.provider == provider
        )
    ).scalar_one_or_none()
