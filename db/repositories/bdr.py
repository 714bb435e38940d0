"""BDR decisions: record one per lead atomically, list the leads still waiting for one.

A decision is accepted only while its lead is ``awaiting_approval`` and has no decision yet;
both conditions are checked by the one INSERT that records it (the unique ``lead_id`` refuses
a concurrent second decision), so two reviewers clicking at once cannot both win.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from db.bdr_models import BdrDecision, DecisionStatus
from db.models import Job, JobState, Lead, LeadStatus

RESUME_TASK = "bdr.resume"


@dataclass(frozen=True)
class PendingLead:
    """A lead whose BDR draft waits for a person."""

    lead_id: uuid.UUID
    batch_id: uuid.UUID | None
    company_name: str
    bdr: dict[str, Any]  # the BDR stage output: draft, slots, timezone, talking points
    since: datetime | None


@dataclass(frozen=True)
class RecordedDecision:
    decision_id: int
    job_id: str


@dataclass(frozen=True)
class RefusedDecision:
    """Why a decision was not recorded; ``lead_found`` False means there is no such lead."""

    lead_found: bool
    message: str


def pending_leads(
    session: Session, *, batch_id: uuid.UUID | None = None, limit: int = 100, offset: int = 0
) -> list[PendingLead]:
    """Leads awaiting approval with no decision recorded, the longest-waiting first."""
    undecided = ~exists().where(BdrDecision.lead_id == Lead.id)
    query = (
        select(
            Lead.id,
            Lead.batch_id,
            Lead.company_name,
            Lead.stage_outputs["bdr"],
            Lead.finished_at,
        )
        .where(Lead.status == LeadStatus.awaiting_approval, undecided)
        .order_by(Lead.finished_at, Lead.id)
        .limit(limit)
        .offset(offset)
    )
    if batch_id is not None:
        query = query.where(Lead.batch_id == batch_id)
    return [
        PendingLead(lead_id, batch, name, bdr or {}, since)
        for lead_id, batch, name, bdr, since in session.execute(query).all()
    ]


def lead_for_decision(session: Session, lead_id: uuid.UUID) -> tuple[str, dict[str, Any]] | None:
    """The lead's status and BDR output (to check a decision against), or None."""
    row = session.execute(
        select(Lead.status, Lead.stage_outputs["bdr"]).where(Lead.id == lead_id)
    ).one_or_none()
    return None if row is None else (row[0], row[1] or {})


def record_decision(
    session: Session, lead_id: uuid.UUID, decision: dict[str, Any], job_id: str
) -> RecordedDecision | RefusedDecision:
    """Store the decision and its resume job, or say why not; the caller commits, then sends."""
    waiting = exists().where(and_(Lead.id == lead_id, Lead.status == LeadStatus.awaiting_approval))
    source = select(
        literal(lead_id),
        literal(decision["action"]),
        literal(decision, BdrDecision.decision.type),
        literal(decision.get("by")),
        literal(DecisionStatus.recorded.value),
        literal(job_id),
    ).where(waiting)
    inserted = session.execute(
        insert(BdrDecision)
        .from_select(["lead_id", "action", "decision", "decided_by", "status", "job_id"], source)
        .on_conflict_do_nothing(index_elements=["lead_id"])
        .returning(BdrDecision.id)
    ).scalar_one_or_none()
    if inserted is not None:
        session.add(Job(id=job_id, kind=RESUME_TASK, lead_id=lead_id, state=JobState.queued))
        return RecordedDecision(inserted, job_id)
    return _refusal(session, lead_id)


def _refusal(session: Session, lead_id: uuid.UUID) -> RefusedDecision:
    existing = session.scalars(
        select(BdrDecision).where(BdrDecision.lead_id == lead_id)
    ).one_or_none()
    if existing is not None:
        who = f" by {existing.decided_by}" if existing.decided_by else ""
        return RefusedDecision(
            True,
            f"lead {lead_id} already has a decision: {existing.action}{who} at "
            f"{existing.created_at.isoformat()} ({existing.status}); a second one is refused",
        )
    status = session.scalar(select(Lead.status).where(Lead.id == lead_id))
    if status is None:
        return RefusedDecision(False, f"no lead {lead_id}")
    return RefusedDecision(
        True, f"lead {lead_id} is {status}, not awaiting approval: there is no draft to decide on"
    )


def withdraw_decision(session: Session, lead_id: uuid.UUID, job_id: str) -> None:
    """Forget a decision whose resume message could not be sent, so it can be made again."""
    session.execute(
        delete(BdrDecision).where(
            BdrDecision.lead_id == lead_id,
            BdrDecision.job_id == job_id,
            BdrDecision.status == DecisionStatus.recorded,
        )
    )
    session.execute(delete(Job).where(Job.id == job_id))


def get_decision(session: Session, lead_id: uuid.UUID) -> BdrDecision | None:
    return session.scalars(select(BdrDecision).where(BdrDecision.lead_id == lead_id)).one_or_none()


def mark_decision_failed(session: Session, lead_id: uuid.UUID, error: str) -> bool:
    """The resume cannot run (e.g. the checkpoint expired): the lead fails at BDR with why."""
    changed = session.execute(
        update(BdrDecision)
        .where(BdrDecision.lead_id == lead_id, BdrDecision.status == DecisionStatus.recorded)
        .values(status=DecisionStatus.failed, error=error)
        .returning(BdrDecision.id)
    ).scalar_one_or_none()
    if changed is None:
        return False
    session.execute(
        update(Lead)
        .where(Lead.id == lead_id, Lead.status == LeadStatus.awaiting_approval)
        .values(
            status=LeadStatus.failed,
            error_stage="bdr",
            error_message=error,
            outcome_reason="failed at bdr: the approval could not be resumed",
        )
    )
    return True
