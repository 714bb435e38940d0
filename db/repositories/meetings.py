"""What an approved BDR decision leaves behind: the lead's outcome, its meeting, its follow-ups.

Every write here is keyed or conditional, so the resume task may run any number of times
(a redelivery, a duplicate message) and each effect still happens once: one meeting per lead
(``ON CONFLICT DO NOTHING``), one follow-up per lead and kind, one transition of the lead
out of ``awaiting_approval``, one ``pending -> booked`` and one ``scheduled -> delivered``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.orm import Session

from db.bdr_models import (
    BdrDecision,
    DecisionStatus,
    FollowUp,
    FollowUpStatus,
    Meeting,
    MeetingStatus,
)
from db.models import Lead, LeadStatus


@dataclass(frozen=True)
class DecisionApplied:
    """The rows a decision produced; ``lead_changed`` False: an earlier run already did it."""

    lead_id: uuid.UUID
    status: str
    outcome_reason: str
    bdr_patch: dict[str, Any]  # keys merged into the lead's BDR stage output
    meeting: dict[str, Any] | None  # Meeting columns (without lead_id)
    follow_ups: list[dict[str, Any]]  # FollowUp columns (without lead_id)


def apply_decision(session: Session, applied: DecisionApplied) -> bool:
    """Record the meeting, the follow-ups and the lead's outcome; True if the lead changed."""
    if applied.meeting is not None:
        session.execute(
            insert(Meeting)
            .values(lead_id=applied.lead_id, status=MeetingStatus.pending, **applied.meeting)
            .on_conflict_do_nothing(index_elements=["lead_id"])
        )
    if applied.follow_ups:
        session.execute(
            insert(FollowUp)
            .values(
                [
                    {"lead_id": applied.lead_id, "status": FollowUpStatus.scheduled, **row}
                    for row in applied.follow_ups
                ]
            )
            .on_conflict_do_nothing(index_elements=["lead_id", "kind"])
        )
    bdr_output = func.coalesce(Lead.stage_outputs["bdr"], literal({}, JSONB))
    changed = session.execute(
        update(Lead)
        .where(Lead.id == applied.lead_id, Lead.status == LeadStatus.awaiting_approval)
        .values(
            status=applied.status,
            outcome_reason=applied.outcome_reason,
            stage_outputs=Lead.stage_outputs.op("||")(
                func.jsonb_build_object(
                    "bdr",
                    bdr_output.op("||")(literal(applied.bdr_patch, JSONB)),
                )
            ),
            updated_at=func.now(),
            finished_at=func.now(),
        )
        .returning(Lead.id)
    ).scalar_one_or_none()
    session.execute(
        update(BdrDecision)
        .where(
            BdrDecision.lead_id == applied.lead_id,
            BdrDecision.status == DecisionStatus.recorded,
        )
        .values(status=DecisionStatus.applied, applied_at=func.now())
    )
    return changed is not None


def meeting_of(session: Session, lead_id: uuid.UUID) -> Meeting | None:
    return session.scalars(select(Meeting).where(Meeting.lead_id == lead_id)).one_or_none()


def mark_booked(session: Session, lead_id: uuid.UUID, external_id: str) -> bool:
    """``pending -> booked`` once; False when another run booked it first."""
    return (
        session.execute(
            update(Meeting)
            .where(Meeting.lead_id == lead_id, Meeting.status == MeetingStatus.pending)
            .values(status=MeetingStatus.booked, external_id=external_id, booked_at=func.now())
            .returning(Meeting.id)
        ).scalar_one_or_none()
        is not None
    )


def follow_ups_of(session: Session, lead_id: uuid.UUID) -> list[FollowUp]:
    return list(
        session.scalars(
            select(FollowUp).where(FollowUp.lead_id == lead_id).order_by(FollowUp.due_at)
        )
    )


def unsent_follow_ups(session: Session, lead_id: uuid.UUID) -> list[tuple[int, float]]:
    """Scheduled follow-ups whose first message has not been sent: (id, seconds until due)."""
    rows = session.execute(
        select(FollowUp.id, _seconds_until_due()).where(
            FollowUp.lead_id == lead_id,
            FollowUp.status == FollowUpStatus.scheduled,
            FollowUp.enqueued_at.is_(None),
        )
    ).all()
    return [(row[0], float(row[1])) for row in rows]


def _seconds_until_due() -> Any:
    # Postgres' clock, the same one deliver() compares with: no skew between workers.
    return func.extract("epoch", FollowUp.due_at - func.now())


def mark_enqueued(session: Session, follow_up_ids: list[int]) -> None:
    session.execute(
        update(FollowUp)
        .where(FollowUp.id.in_(follow_up_ids), FollowUp.enqueued_at.is_(None))
        .values(enqueued_at=func.now())
    )


def follow_up_wait(session: Session, follow_up_id: int) -> tuple[str, float] | None:
    """(status, seconds until due) of one follow-up, or None when it is gone."""
    row = session.execute(
        select(FollowUp.status, _seconds_until_due()).where(FollowUp.id == follow_up_id)
    ).one_or_none()
    return None if row is None else (row[0], float(row[1]))


def deliver(session: Session, follow_up_id: int) -> FollowUp | None:
    """``scheduled -> delivered`` once it is due; None when not due or already delivered."""
    return session.scalars(
        update(FollowUp)
        .where(
            FollowUp.id == follow_up_id,
            FollowUp.status == FollowUpStatus.scheduled,
            FollowUp.due_at <= func.now(),
        )
        .values(status=FollowUpStatus.delivered, delivered_at=func.now())
        .returning(FollowUp)
    ).one_or_none()


def stalled_follow_ups(session: Session, older_than: datetime, limit: int) -> list[int]:
    """Scheduled follow-ups past due (or never sent) since before ``older_than``: their
    message chain was lost (a purged queue, a worker lost past the visibility timeout)."""
    rows = session.scalars(
        select(FollowUp.id)
        .where(
            FollowUp.status == FollowUpStatus.scheduled,
            (FollowUp.due_at < older_than)
            | (FollowUp.enqueued_at.is_(None) & (FollowUp.created_at < older_than)),
        )
        .order_by(FollowUp.due_at)
        .limit(limit)
    )
    return list(rows)
