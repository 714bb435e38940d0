"""SQLAlchemy 2 models: the system of record.

Statuses are plain strings checked by constraints (not Postgres enums) so that adding a
state is a one-line migration.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base

# A stored website ("https://host/path", see api/intake/drafts.py) as the page key intake
# matches on (api.intake.normalize.page_key): both must give the same text.
PAGE_KEY_SQL = r"lower(rtrim(regexp_replace(website, '^https?://(www\.)?', ''), '/'))"


class LeadStatus(enum.StrEnum):
    pending = "pending"  # stored, not yet published to the queues
    queued = "queued"  # its chain is on the broker
    in_progress = "in_progress"  # at least one stage done
    awaiting_approval = "awaiting_approval"  # went through BDR; a person decides next
    completed = "completed"  # went through every stage (dry runs end here)
    disqualified = "disqualified"  # ended early: tier D, or duplicate under stop_on_duplicate
    failed = "failed"  # a stage exhausted its retries; see error_stage / error_message


TERMINAL_LEAD_STATUSES = frozenset(
    {
        LeadStatus.awaiting_approval,
        LeadStatus.completed,
        LeadStatus.disqualified,
        LeadStatus.failed,
    }
)


class BatchStatus(enum.StrEnum):
    queued = "queued"  # stored; the dispatch task is on its way
    dispatching = "dispatching"  # chains are being published in slices
    running = "running"  # every chain is published; leads are in flight
    finished = "finished"  # every lead has an outcome
    cancelled = "cancelled"


class JobState(enum.StrEnum):
    queued = "queued"
    started = "started"
    succeeded = "succeeded"
    failed = "failed"


def _check_in(column: str, values: type[enum.StrEnum]) -> str:
    quoted = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({quoted})"


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (CheckConstraint(_check_in("status", BatchStatus), name="status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str | None] = mapped_column(String(512), doc="file name or 'json'")
    status: Mapped[str] = mapped_column(String(20), default=BatchStatus.queued)
    engine: Mapped[str] = mapped_column(String(20), default="rules")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    accepted_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_count: Mapped[int] = mapped_column(Integer, default=0)
    done_count: Mapped[int] = mapped_column(
        Integer, default=0, doc="leads with an outcome; bumped in the same statement as the lead"
    )
    rejections: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    stop_on_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    skip_enrichment: Mapped[bool] = mapped_column(Boolean, default=False)
    create_in_crm: Mapped[bool] = mapped_column(Boolean, default=False)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    profile: Mapped[str | None] = mapped_column(
        String(64), doc="qualification profile the batch asked for; empty: by the row's format"
    )
    dispatch_task_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Progress counters, kept by the writes themselves so that a status poll reads this
    # one row instead of aggregating the batch's leads and executions (migration 0008).
    lead_counts: Mapped[dict[str, int]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb"),
        doc="lead status -> leads; kept by the leads_count_status trigger",
    )
    stage_counts: Mapped[dict[str, dict[str, Any]]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb"),
        doc="stage -> {succeeded, failed, cost_usd}; kept by the stage write",
    )
    tier_counts: Mapped[dict[str, int]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb"),
        doc="tier -> leads; kept by the qualification write",
    )
    upstream_leads: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0"),
        doc="tiered leads whose row carried its own ICP score",
    )
    upstream_same_tier: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0"),
        doc="of those, leads whose upstream score fell in our tier (thresholds at the write)",
    )
    upstream_gold: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0"), doc="of those, upstream score >= 60"
    )
    upstream_gold_in_ab: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0"), doc="of the GOLD ones, tier A or B"
    )
    first_stage_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), doc="when the first stage of the batch was written"
    )
    last_stage_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), doc="when the latest stage of the batch was written"
    )

    leads: Mapped[list[Lead]] = relationship(back_populates="batch", lazy="raise")


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint(_check_in("status", LeadStatus), name="status"),
        UniqueConstraint("batch_id", "csv_index"),
        Index("ix_leads_batch_id_status", "batch_id", "status"),
        # Only leads still waiting for their chain: slices stay cheap as a batch drains.
        Index(
            "ix_leads_undispatched",
            "batch_id",
            "csv_index",
            postgresql_where=text("NOT dispatched"),
        ),
        Index("ix_leads_domain", "domain"),
        Index("ix_leads_phone", "phone"),
        Index("ix_leads_email", "email"),
        Index("ix_leads_name_key", "name_key"),
        # Competitor counts load one state's leads at a time (db/repositories/market.py).
        Index("ix_leads_state", "state"),
        # Stored duplicates on shared hosts are found by page (db/repositories/duplicates.py).
        Index("ix_leads_page_key", "page_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    batch_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE")
    )
    csv_index: Mapped[int | None] = mapped_column(Integer, doc="1-based data row in the source")
    company_name: Mapped[str] = mapped_column(String(512))
    name_key: Mapped[str] = mapped_column(
        String(512), doc="name without legal suffix, for matching"
    )
    website: Mapped[str | None] = mapped_column(String(1024))
    domain: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32), doc="E.164")
    contact_name: Mapped[str | None] = mapped_column(String(255))
    contact_title: Mapped[str | None] = mapped_column(String(255))
    industry: Mapped[str | None] = mapped_column(String(255))
    company_size: Mapped[str | None] = mapped_column(String(64))
    employee_count: Mapped[int | None] = mapped_column(Integer)
    street: Mapped[str | None] = mapped_column(String(512))
    city: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str | None] = mapped_column(String(64))
    zip: Mapped[str | None] = mapped_column(String(16))
    profile: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, doc="typed source attributes: OEMs, dealer tier, capabilities, rating"
    )
    raw: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, doc="unknown columns, kept")
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    duplicate_reason: Mapped[str | None] = mapped_column(String(255))
    duplicate_rule: Mapped[str | None] = mapped_column(
        String(32),
        doc="the rule that flagged it: email, domain, url, phone, name_state, name_area_code, "
        "name_city or fuzzy_name (api/intake/dedupe.py)",
    )
    duplicate_confidence: Mapped[float | None] = mapped_column(
        Float, doc="how sure that rule is that the lead repeats another, 0-1"
    )
    page_key: Mapped[str | None] = mapped_column(
        String(1024),
        Computed(PAGE_KEY_SQL, persisted=True),
        doc="the website as host/path, lowercase, no scheme, www. or trailing slash",
    )

    status: Mapped[str] = mapped_column(String(20), default=LeadStatus.pending)
    dispatched: Mapped[bool] = mapped_column(Boolean, default=False)
    current_stage: Mapped[str | None] = mapped_column(String(32))
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    error_stage: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    score: Mapped[int | None] = mapped_column(Integer)
    tier: Mapped[str | None] = mapped_column(String(1))
    growth_score: Mapped[int | None] = mapped_column(Integer)
    do_not_contact: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=text("false"),
        doc="the prospect unsubscribed: no stage may reach out to this lead again",
    )
    crm_id: Mapped[str | None] = mapped_column(String(64), doc="the lead's id in the CRM (Close)")
    stage_outputs: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    batch: Mapped[Batch | None] = relationship(back_populates="leads", lazy="raise")


class AgentExecution(Base):
    """One stage run for one lead; the unique key makes a redelivered stage a no-op."""

    __tablename__ = "agent_executions"
    __table_args__ = (
        UniqueConstraint("lead_id", "stage"),
        Index("ix_agent_executions_batch_id_stage", "batch_id", "stage", "success"),
        Index("ix_agent_executions_task_id", "task_id"),
        Index("ix_agent_executions_created_at", "created_at"),  # GET /api/agents/status
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    batch_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    stage: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[str | None] = mapped_column(String(64))
    engine: Mapped[str] = mapped_column(String(20), default="rules")
    input: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    output: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    success: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[Decimal] = mapped_column(Numeric(12, 6), default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class EnrichmentCache(Base):
    __tablename__ = "enrichment_cache"
    __table_args__ = (
        UniqueConstraint("provider", "cache_key"),
        Index("ix_enrichment_cache_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(32))
    cache_key: Mapped[str] = mapped_column(String(512))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    cost_usd: Mapped[Decimal] = mapped_column(Numeric(12, 6), default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PipelineTestExecution(Base):
    """One single-lead run through every stage, kept with its per-stage timeline."""

    __tablename__ = "pipeline_test_executions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    lead_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    lead_name: Mapped[str] = mapped_column(String(512))
    csv_index: Mapped[int | None] = mapped_column(Integer)
    success: Mapped[bool] = mapped_column(Boolean, default=False)
    error_stage: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    total_latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    total_cost_usd: Mapped[Decimal] = mapped_column(Numeric(12, 6), default=Decimal(0))
    stages: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    timeline: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    stop_on_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    skip_enrichment: Mapped[bool] = mapped_column(Boolean, default=False)
    create_in_crm: Mapped[bool] = mapped_column(Boolean, default=False)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class CrmSyncStatus(enum.StrEnum):
    claimed = "claimed"  # a task holds the right to write this lead to the CRM
    synced = "synced"  # the CRM has the lead; crm_id is set
    failed = "failed"  # the last attempt failed; the next run may claim it again


class CrmSyncRecord(Base):
    """The claim that makes CRM writes idempotent: one row per lead and CRM provider."""

    __tablename__ = "crm_sync_records"
    __table_args__ = (
        CheckConstraint(_check_in("status", CrmSyncStatus), name="status"),
        UniqueConstraint("lead_id", "provider"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=CrmSyncStatus.claimed)
    action: Mapped[str | None] = mapped_column(String(16), doc="created / updated")
    crm_id: Mapped[str | None] = mapped_column(String(64))
    claim_token: Mapped[str] = mapped_column(String(64), doc="who holds the claim")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Job(Base):
    """A task id the API handed out, with its state from our own records."""

    __tablename__ = "jobs"
    __table_args__ = (CheckConstraint(_check_in("state", JobState), name="state"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, doc="the Celery task id")
    kind: Mapped[str] = mapped_column(String(64), doc="task name, e.g. pipeline.dispatch_batch")
    batch_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    lead_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    state: Mapped[str] = mapped_column(String(16), default=JobState.queued)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConversationStatus(enum.StrEnum):
    open = "open"  # the agent answers the prospect's turns
    handed_off = "handed_off"  # the prospect asked for a person; the agent still answers
    unsubscribed = "unsubscribed"  # closed: the lead is do-not-contact


class Conversation(Base):
    """A chat session with a prospect; its dialogue memory is checkpoint thread ``id``."""

    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint(_check_in("status", ConversationStatus), name="status"),
        Index("ix_conversations_lead_id", "lead_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=ConversationStatus.open)
    turn_count: Mapped[int] = mapped_column(Integer, default=0, doc="turns sent so far")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ConversationTurn(Base):
    """One prospect message and the agent's reply; ``id`` is the turn's task id."""

    __tablename__ = "conversation_turns"
    __table_args__ = (
        CheckConstraint(_check_in("state", JobState), name="state"),
        UniqueConstraint("conversation_id", "seq"),
        Index("ix_conversation_turns_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer, doc="1-based position in the session")
    state: Mapped[str] = mapped_column(String(16), default=JobState.queued)
    input_mode: Mapped[str] = mapped_column(String(8), default="text", doc="text or audio")
    prospect_text: Mapped[str] = mapped_column(Text)
    reply_text: Mapped[str | None] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(32))
    output: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    engine: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


from db.bdr_models import BdrDecision, FollowUp, Meeting  # noqa: E402,F401  (BDR approval tables)
