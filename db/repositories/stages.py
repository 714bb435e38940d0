"""Reads and writes of one pipeline stage for one lead.

The write is a single statement (insert execution → update lead → bump batch), so a
stage's effects are all-or-nothing and a second run of the same stage changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Row, Table, func, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from db.models import TERMINAL_LEAD_STATUSES, AgentExecution, Batch, Lead

LEAD_RECORD_COLUMNS = (
    "csv_index", "company_name", "name_key", "website", "domain", "email", "phone",
    "contact_name", "contact_title", "industry", "company_size", "employee_count",
    "street", "city", "state", "zip", "profile", "raw", "duplicate_reason", "stage_outputs",
)


@dataclass(frozen=True)
class StageInput:
    """Everything a stage needs, read in one query."""

    lead: dict[str, Any]  # the LeadRecord handed to the agent
    status: str
    batch_options: dict[str, Any]
    existing: Row[Any] | None  # this stage's execution row, when it already ran


@dataclass(frozen=True)
class StageWrite:
    stage: str
    task_id: str | None
    engine: str
    input: dict[str, Any]
    output: dict[str, Any]
    success: bool
    error: str | None
    attempts: int
    latency_ms: float
    cost_usd: float
    lead_values: dict[str, Any]  # columns to set on the lead
    terminal: bool  # the lead gets its outcome with this write


@dataclass(frozen=True)
class StageWritten:
    inserted: bool  # False: another delivery already wrote this stage
    done_count: int | None
    accepted_count: int | None


def load_stage_input(session: Session, lead_id: uuid.UUID, stage: str) -> StageInput | None:
    execution = (
        select(AgentExecution.success, AgentExecution.output, AgentExecution.error)
        .where(AgentExecution.lead_id == lead_id, AgentExecution.stage == stage)
        .lateral()
    )
    columns = [getattr(Lead, c) for c in LEAD_RECORD_COLUMNS]
    query = (
        select(
            Lead.id, Lead.batch_id, Lead.duplicate_of, Lead.status, *columns,
            Batch.stop_on_duplicate, Batch.skip_enrichment, Batch.create_in_crm, Batch.dry_run,
            Batch.engine, execution.c.success, execution.c.output, execution.c.error,
        )
        .outerjoin(Batch, Batch.id == Lead.batch_id)
        .outerjoin(execution, literal(True))
        .where(Lead.id == lead_id)
    )
    row = session.execute(query).one_or_none()
    if row is None:
        return None
    m = row._mapping
    lead = {c: m[c] for c in LEAD_RECORD_COLUMNS}
    lead["id"] = str(m["id"])
    lead["batch_id"] = str(m["batch_id"]) if m["batch_id"] else None
    lead["duplicate_of"] = str(m["duplicate_of"]) if m["duplicate_of"] else None
    options = {
        "stop_on_duplicate": bool(m["stop_on_duplicate"]),
        "skip_enrichment": bool(m["skip_enrichment"]),
        "create_in_crm": bool(m["create_in_crm"]),
        "dry_run": bool(m["dry_run"]),
        "engine": m["engine"] or "rules",
    }
    existing = row if m["success"] is not None else None
    return StageInput(lead=lead, status=m["status"], batch_options=options, existing=existing)


def write_stage(
    session: Session, lead_id: uuid.UUID, batch_id: uuid.UUID | None, write: StageWrite
) -> StageWritten:
    """Insert the execution row; only if it is new, update the lead and the batch counter."""
    inserted = (
        pg_insert(AgentExecution)
        .values(
            lead_id=lead_id,
            batch_id=batch_id,
            stage=write.stage,
            task_id=write.task_id,
            engine=write.engine,
            input=write.input,
            output=write.output,
            success=write.success,
            error=write.error,
            attempts=write.attempts,
            latency_ms=write.latency_ms,
            cost_usd=Decimal(str(round(write.cost_usd, 6))),
        )
        .on_conflict_do_nothing(index_elements=["lead_id", "stage"])
        .returning(AgentExecution.lead_id)
        .cte("inserted")
    )
    lead_values: dict[str, Any] = dict(write.lead_values)
    lead_values["stage_outputs"] = Lead.stage_outputs.op("||", return_type=JSONB)(
        func.jsonb_build_object(write.stage, literal(write.output, type_=JSONB))
    )
    lead_values["current_stage"] = write.stage
    lead_values["updated_at"] = func.now()
    if write.terminal:
        lead_values["finished_at"] = func.now()
    updated_lead = (
        update(Lead)
        .where(Lead.id.in_(select(inserted.c.lead_id)))
        .values(**lead_values)
        .returning(Lead.batch_id)
        .cte("updated_lead")
    )
    if batch_id is None or not write.terminal:
        count = session.execute(select(func.count()).select_from(updated_lead)).scalar_one()
        return StageWritten(inserted=bool(count), done_count=None, accepted_count=None)
    # Core table, not the ORM entity: ORM-enabled UPDATE..RETURNING cannot carry DML CTEs.
    batches = cast(Table, Batch.__table__)
    bumped = session.execute(
        update(batches)
        .where(batches.c.id.in_(select(updated_lead.c.batch_id)))
        .values(done_count=batches.c.done_count + 1)
        .returning(batches.c.done_count, batches.c.accepted_count)
    ).one_or_none()
    if bumped is None:
        return StageWritten(inserted=False, done_count=None, accepted_count=None)
    return StageWritten(inserted=True, done_count=bumped[0], accepted_count=bumped[1])


def mark_lead_terminal_without_stage(
    session: Session, lead_id: uuid.UUID, status: str, reason: str, error_stage: str | None = None
) -> StageWritten:
    """Give a lead its outcome outside a stage write (e.g. the delivery guard gave up)."""
    result = session.execute(
        update(Lead)
        .where(Lead.id == lead_id, Lead.status.not_in([s.value for s in TERMINAL_LEAD_STATUSES]))
        .values(
            status=status,
            outcome_reason=reason,
            error_stage=error_stage,
            error_message=reason if status == "failed" else None,
            finished_at=func.now(),
            updated_at=func.now(),
        )
        .returning(Lead.batch_id)
    ).one_or_none()
    if result is None or result[0] is None:
        return StageWritten(inserted=result is not None, done_count=None, accepted_count=None)
    bumped = session.execute(
        update(Batch)
        .where(Batch.id == result[0])
        .values(done_count=Batch.done_count + 1)
        .returning(Batch.done_count, Batch.accepted_count)
    ).one()
    return StageWritten(inserted=True, done_count=bumped[0], accepted_count=bumped[1])

