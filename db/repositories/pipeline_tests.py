"""Pipeline-test runs: the stored-duplicate check of one lead, and the run's record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from db.models import Lead, LeadStatus, PipelineTestExecution

# Columns of a LeadDraft that are columns of ``leads``.
_DRAFT_COLUMNS = (
    "csv_index",
    "company_name",
    "name_key",
    "website",
    "domain",
    "email",
    "phone",
    "contact_name",
    "contact_title",
    "industry",
    "company_size",
    "employee_count",
    "street",
    "city",
    "state",
    "zip",
    "profile",
    "raw",
)


@dataclass
class PipelineTestRecord:
    lead_id: uuid.UUID | None
    lead_name: str
    csv_index: int | None
    success: bool
    error_stage: str | None
    error_message: str | None
    total_latency_ms: float
    total_cost_usd: Decimal
    stages: dict[str, Any]
    timeline: list[dict[str, Any]]
    options: dict[str, bool] = field(default_factory=dict)


def stored_duplicate(session: Session, draft: dict[str, Any]) -> tuple[uuid.UUID, str] | None:
    """The oldest stored lead with the same email, domain, phone, or name in the same state."""
    checks = [
        ("email", Lead.email == draft.get("email")),
        ("domain", Lead.domain == draft.get("domain")),
        ("phone", Lead.phone == draft.get("phone")),
        (
            "name and state",
            and_(
                Lead.name_key == draft.get("name_key"),
                func.coalesce(Lead.state, "") == (draft.get("state") or ""),
            ),
        ),
    ]
    usable = [
        (what, condition)
        for what, condition in checks
        if what == "name and state" or draft.get(what)
    ]
    for what, condition in usable:
        found = session.execute(
            select(Lead.id, Lead.duplicate_of)
            .where(condition)
            .order_by(Lead.created_at, Lead.id)
            .limit(1)
        ).first()
        if found is not None:
            root = found.duplicate_of or found.id
            return root, f"same {what} as existing lead {found.id}"
    return None


def store_lead(session: Session, draft: dict[str, Any]) -> uuid.UUID:
    """Keep the tested lead as a lead without a batch (a CRM write needs a stored lead)."""
    lead = Lead(
        **{column: draft.get(column) for column in _DRAFT_COLUMNS},
        status=LeadStatus.in_progress,
        dispatched=True,
    )
    lead.profile = draft.get("profile") or {}
    lead.raw = draft.get("raw") or {}
    session.add(lead)
    session.flush()
    return lead.id


def finish_lead(session: Session, lead_id: uuid.UUID, values: dict[str, Any]) -> None:
    session.execute(update(Lead).where(Lead.id == lead_id).values(**values, finished_at=func.now()))


def record_run(session: Session, record: PipelineTestRecord) -> uuid.UUID:
    row = PipelineTestExecution(
        lead_id=record.lead_id,
        lead_name=record.lead_name,
        csv_index=record.csv_index,
        success=record.success,
        error_stage=record.error_stage,
        error_message=record.error_message,
        total_latency_ms=record.total_latency_ms,
        total_cost_usd=record.total_cost_usd,
        stages=record.stages,
        timeline=record.timeline,
        **record.options,
    )
    session.add(row)
    session.flush()
    return row.id


def get_run(session: Session, run_id: uuid.UUID) -> PipelineTestExecution | None:
    return session.get(PipelineTestExecution, run_id)
