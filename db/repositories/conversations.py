"""Conversation sessions and turns, and the lead record a turn is answered from.

The API opens sessions and queues turns; the ``conversation.reply`` task reads a turn with
its lead and writes the outcome. Nothing here commits: callers own the unit of work.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session, aliased

from db.models import (
    Conversation,
    ConversationStatus,
    ConversationTurn,
    Job,
    JobState,
    Lead,
)
from db.repositories.stages import LEAD_RECORD_COLUMNS

REPLY_TASK = "conversation.reply"


class LeadNotFoundError(LookupError):
    """No lead with that id."""


class DoNotContactError(RuntimeError):
    """The lead unsubscribed: nothing may be sent to it any more."""


class ConversationNotFoundError(LookupError):
    """No conversation with that id."""


def lead_record(lead: Lead) -> dict[str, Any]:
    """The LeadRecord agents read (JSON-safe: ids as text)."""
    record = {column: getattr(lead, column) for column in LEAD_RECORD_COLUMNS}
    record["id"] = str(lead.id)
    record["batch_id"] = str(lead.batch_id) if lead.batch_id else None
    record["duplicate_of"] = str(lead.duplicate_of) if lead.duplicate_of else None
    record["stage_outputs"] = dict(lead.stage_outputs or {})
    return record


def open_conversation(session: Session, lead_id: uuid.UUID) -> Conversation:
    """A new session for the lead; refused for a lead that unsubscribed."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LeadNotFoundError(f"no lead {lead_id}")
    if lead.do_not_contact:
        raise DoNotContactError(f"lead {lead_id} unsubscribed; it may not be contacted")
    conversation = Conversation(
        id=uuid.uuid4(), lead_id=lead_id, status=ConversationStatus.open, turn_count=0
    )
    session.add(conversation)
    session.flush()
    return conversation


def add_turn(
    session: Session, conversation_id: uuid.UUID, text: str, input_mode: str = "text"
) -> ConversationTurn:
    """Queue the prospect's next message: the turn row and its job row, numbered in order.

    The session row is locked so two messages sent at once get consecutive numbers.
    """
    row = session.execute(
        select(Conversation, Lead.do_not_contact)
        .join(Lead, Lead.id == Conversation.lead_id)
        .where(Conversation.id == conversation_id)
        .with_for_update(of=Conversation)
    ).one_or_none()
    if row is None:
        raise ConversationNotFoundError(f"no conversation {conversation_id}")
    conversation, do_not_contact = row
    if do_not_contact or conversation.status == ConversationStatus.unsubscribed:
        raise DoNotContactError(
            f"conversation {conversation_id} is closed: the prospect unsubscribed"
        )
    conversation.turn_count += 1
    turn = ConversationTurn(
        id=str(uuid.uuid4()),
        conversation_id=conversation_id,
        seq=conversation.turn_count,
        state=JobState.queued,
        input_mode=input_mode,
        prospect_text=text,
        output={},
    )
    session.add(turn)
    session.add(
        Job(id=turn.id, kind=REPLY_TASK, lead_id=conversation.lead_id, state=JobState.queued)
    )
    session.flush()
    return turn


def get_conversation(session: Session, conversation_id: uuid.UUID) -> Conversation | None:
    return session.get(Conversation, conversation_id)


def list_turns(session: Session, conversation_id: uuid.UUID) -> list[ConversationTurn]:
    return list(
        session.scalars(
            select(ConversationTurn)
            .where(ConversationTurn.conversation_id == conversation_id)
            .order_by(ConversationTurn.seq)
        )
    )


def get_turn(session: Session, conversation_id: uuid.UUID, turn_id: str) -> ConversationTurn | None:
    turn = session.get(ConversationTurn, turn_id)
    return turn if turn is not None and turn.conversation_id == conversation_id else None


def latest_turn(session: Session, conversation_id: uuid.UUID) -> ConversationTurn | None:
    return session.scalars(
        select(ConversationTurn)
        .where(ConversationTurn.conversation_id == conversation_id)
        .order_by(ConversationTurn.seq.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class TurnInput:
    """What the reply task needs, read in one query."""

    conversation_id: uuid.UUID
    lead_id: uuid.UUID
    lead: dict[str, Any]
    do_not_contact: bool
    text: str
    seq: int
    state: str
    output: dict[str, Any]  # the stored outcome when the turn already succeeded
    earlier_pending: bool  # an earlier turn of the session is not answered yet


def _earlier_pending(conversation_id: Any, seq: Any) -> Any:
    earlier = aliased(ConversationTurn)
    return exists().where(
        earlier.conversation_id == conversation_id,
        earlier.seq < seq,
        earlier.state.in_([JobState.queued, JobState.started]),
    )


def load_turn_input(session: Session, turn_id: str) -> TurnInput | None:
    row = session.execute(
        select(
            ConversationTurn,
            Lead,
            _earlier_pending(ConversationTurn.conversation_id, ConversationTurn.seq),
        )
        .join(Conversation, Conversation.id == ConversationTurn.conversation_id)
        .join(Lead, Lead.id == Conversation.lead_id)
        .where(ConversationTurn.id == turn_id)
    ).one_or_none()
    if row is None:
        return None
    turn, lead, earlier_pending = row
    return TurnInput(
        conversation_id=turn.conversation_id,
        lead_id=lead.id,
        lead=lead_record(lead),
        do_not_contact=lead.do_not_contact,
        text=turn.prospect_text,
        seq=turn.seq,
        state=turn.state,
        output=dict(turn.output or {}),
        earlier_pending=bool(earlier_pending),
    )


def earlier_turns_pending(session: Session, conversation_id: uuid.UUID, seq: int) -> bool:
    """Whether a turn sent before turn ``seq`` is still waiting for its reply."""
    return bool(session.scalar(select(_earlier_pending(conversation_id, seq))))


@dataclass(frozen=True)
class TurnOutcome:
    turn_id: str
    conversation_id: uuid.UUID
    lead_id: uuid.UUID
    reply: str
    intent: str | None
    output: dict[str, Any]
    engine: str
    latency_ms: float
    do_not_contact: bool
    handoff: bool


def finish_turn(session: Session, outcome: TurnOutcome) -> None:
    """Store the reply; an unsubscribe marks the lead do-not-contact and closes the session."""
    session.execute(
        update(ConversationTurn)
        .where(ConversationTurn.id == outcome.turn_id)
        .values(
            state=JobState.succeeded,
            reply_text=outcome.reply,
            intent=outcome.intent,
            output=outcome.output,
            engine=outcome.engine,
            latency_ms=outcome.latency_ms,
            error=None,
            finished_at=func.now(),
        )
    )
    _finish_job(session, outcome.turn_id, JobState.succeeded, None)
    if outcome.do_not_contact:
        session.execute(
            update(Lead)
            .where(Lead.id == outcome.lead_id)
            .values(do_not_contact=True, updated_at=func.now())
        )
        status = ConversationStatus.unsubscribed
    elif outcome.handoff:
        status = ConversationStatus.handed_off
    else:
        return
    session.execute(
        update(Conversation)
        .where(Conversation.id == outcome.conversation_id)
        .values(status=status, updated_at=func.now())
    )


def fail_turn(session: Session, turn_id: str, error: str) -> None:
    session.execute(
        update(ConversationTurn)
        .where(ConversationTurn.id == turn_id)
        .values(state=JobState.failed, error=error, finished_at=func.now())
    )
    _finish_job(session, turn_id, JobState.failed, error)


def _finish_job(session: Session, job_id: str, state: JobState, error: str | None) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            state=state,
            error=error,
            finished_at=func.now(),
            started_at=func.coalesce(Job.started_at, func.now()),
        )
    )


def load_lead(session: Session, lead_id: uuid.UUID) -> tuple[dict[str, Any], bool] | None:
    """A lead's record and its do-not-contact flag (for one-off agent invocations)."""
    lead = session.get(Lead, lead_id)
    return None if lead is None else (lead_record(lead), lead.do_not_contact)
