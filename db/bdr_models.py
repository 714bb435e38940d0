"""BDR approval records: the decision on a draft, the booked meeting, its follow-ups.

Each table is keyed so that its side effect happens once per lead however often the resume
task runs: one decision per lead (a second is refused), one meeting per lead, one follow-up
per lead and kind. Imported by :mod:`db.models`, so Alembic sees the tables.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class DecisionAction(enum.StrEnum):
    approve = "approve"  # send and book as drafted
    edit = "edit"  # send and book with a person's changes (text or time)
    reject = "reject"  # nothing is sent or booked; the lead ends


class DecisionStatus(enum.StrEnum):
    recorded = "recorded"  # stored; the resume task is on its way
    applied = "applied"  # the graph resumed and its results are recorded
    failed = "failed"  # the resume could not run (e.g. the checkpoint expired); see error


class MeetingStatus(enum.StrEnum):
    pending = "pending"  # recorded; not yet on the calendar provider
    booked = "booked"  # the provider holds it (external_id)


class FollowUpStatus(enum.StrEnum):
    scheduled = "scheduled"  # waiting for its due time
    delivered = "delivered"  # handed to the outbox at or after due_at, exactly once
    cancelled = "cancelled"


def _check_in(column: str, values: type[enum.StrEnum]) -> str:
    quoted = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({quoted})"


class BdrDecision(Base):
    """A person's decision on a lead's BDR draft: at most one per lead."""

    __tablename__ = "bdr_decisions"
    __table_args__ = (
        CheckConstraint(_check_in("action", DecisionAction), name="action"),
        CheckConstraint(_check_in("status", DecisionStatus), name="status"),
        UniqueConstraint("lead_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    decision: Mapped[dict[str, Any]] = mapped_column(
        JSONB, doc="the resume value: action, draft edits, slot, by, reason, decided_at"
    )
    decided_by: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=DecisionStatus.recorded)
    job_id: Mapped[str] = mapped_column(String(64), doc="the bdr.resume task id")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Meeting(Base):
    """The meeting booked after approval, with its ICS invitation: at most one per lead."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(_check_in("status", MeetingStatus), name="status"),
        UniqueConstraint("lead_id"),
        UniqueConstraint("uid"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(255), doc="iCalendar UID, stable per lead")
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(64), doc="the lead's IANA zone")
    label: Mapped[str] = mapped_column(String(64), doc="the time as the lead reads it")
    summary: Mapped[str] = mapped_column(String(512))
    ics: Mapped[str] = mapped_column(Text, doc="the RFC 5545 invitation")
    provider: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.pending)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    booked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FollowUp(Base):
    """A touch after the booking, due at a time: at most one per lead and kind."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint(_check_in("status", FollowUpStatus), name="status"),
        UniqueConstraint("lead_id", "kind"),
        Index("ix_follow_ups_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32), doc="reminder, recap or check_in")
    channel: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=FollowUpStatus.scheduled)
    enqueued_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), doc="when its first bdr.follow_up message was sent"
    )
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
