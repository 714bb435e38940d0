"""Request and response models of the REST API (they become the OpenAPI schema)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class BatchOptionsIn(BaseModel):
    """Per-batch behaviour switches."""

    stop_on_duplicate: bool = Field(
        False, description="End a duplicate lead's chain at qualification instead of scoring it."
    )
    skip_enrichment: bool = Field(False, description="Run enrichment without provider lookups.")
    create_in_crm: bool = Field(False, description="Create or update the lead in the CRM.")
    dry_run: bool = Field(
        False, description="Run every stage but send nothing: BDR drafts end as completed."
    )
    profile: str | None = Field(
        None,
        max_length=64,
        description="Qualification profile of scoring.toml (`icp`, `generic`, ...); empty: "
        "dealer rows use SALES_AGENT_QUALIFICATION_PROFILE, generic rows the generic profile.",
    )


class JsonBatchIn(BaseModel):
    """A batch given as JSON: one object per lead, generic or dealer column names."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "Texas generator dealers",
        "leads": [{"company_name": "Lone Star Power LLC", "website": "lonestarpower.com",
                   "phone": "(512) 555-0142", "city": "Austin", "state": "TX"}],
        "options": {"dry_run": False},
    }]})

    name: str | None = Field(None, max_length=255)
    leads: list[dict[str, Any]] = Field(..., min_length=1, max_length=200_000)
    options: BatchOptionsIn = Field(default_factory=BatchOptionsIn)


class RowRejection(BaseModel):
    row: int = Field(..., description="1-based data row (header excluded) or list position")
    reason: str


class BatchAccepted(BaseModel):
    batch_id: uuid.UUID
    job_id: str = Field(..., description="The dispatch task id; poll /api/jobs/{job_id}")
    status: str
    total_rows: int
    accepted: int
    rejected: int
    duplicates: int = Field(
        ..., description="repeats inside the batch; repeats of stored leads show in the status"
    )
    rejections: list[RowRejection]
    status_url: str


class StageCounts(BaseModel):
    succeeded: int = 0
    failed: int = 0
    cost_usd: float = Field(0.0, description="model and provider spend of this stage's runs")


class TierCount(BaseModel):
    leads: int = Field(..., description="leads of the batch in this tier so far")
    band: str = Field(..., description="the ICP band the tier stands for (PLATINUM ... BRONZE)")
    scores: str = Field(..., description="score range of the tier under the current thresholds")
    path: str = Field(..., description="what happens to a lead of this tier")


class UpstreamAgreementOut(BaseModel):
    leads: int = Field(..., description="scored leads whose row carried its own ICP score")
    same_tier: float = Field(..., description="share whose upstream score falls in our tier")
    gold_or_better: int = Field(..., description="leads the file bands GOLD or PLATINUM")
    gold_or_better_in_a_or_b: int = Field(..., description="of those, leads in tier A or B")


class BatchStatusOut(BaseModel):
    batch_id: uuid.UUID
    name: str | None
    source: str | None
    status: str
    engine: str
    options: BatchOptionsIn
    total_rows: int
    accepted: int
    rejected: int
    duplicates: int
    done: int = Field(..., description="leads with an outcome")
    by_outcome: dict[str, int] = Field(..., description="lead count per lead status")
    by_stage: dict[str, StageCounts] = Field(..., description="execution count per stage")
    tiers: dict[str, TierCount] = Field(
        default_factory=dict, description="per tier A-D: leads so far, meaning and path"
    )
    upstream: UpstreamAgreementOut | None = Field(
        None, description="agreement with the ICP score the file carried (when it had one)"
    )
    cost_usd: float = Field(..., description="model and provider spend of the whole batch")
    leads_per_second: float | None
    eta_seconds: float | None
    created_at: datetime
    dispatched_at: datetime | None
    finished_at: datetime | None
    rejections: list[RowRejection] = Field(..., description="the first 100 rejected rows")


class ExecutionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    stage: str
    success: bool
    engine: str
    error: str | None
    attempts: int
    latency_ms: float
    cost_usd: float
    task_id: str | None
    output: dict[str, Any]
    created_at: datetime


class LeadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    batch_id: uuid.UUID | None
    csv_index: int | None
    company_name: str
    website: str | None
    domain: str | None
    email: str | None
    phone: str | None
    contact_name: str | None
    contact_title: str | None
    industry: str | None
    city: str | None
    state: str | None
    zip: str | None
    status: str
    current_stage: str | None
    outcome_reason: str | None
    error_stage: str | None
    error_message: str | None
    score: int | None
    tier: str | None
    growth_score: int | None
    duplicate_of: uuid.UUID | None
    duplicate_reason: str | None
    duplicate_rule: str | None = Field(
        None, description="the rule that flagged the duplicate: email, domain, url, phone, "
        "name_state, name_area_code, name_city or fuzzy_name"
    )
    duplicate_confidence: float | None = Field(
        None, description="how sure that rule is that the lead repeats another, 0-1"
    )
    profile: dict[str, Any]
    stage_outputs: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None


class LeadWithHistory(LeadOut):
    executions: list[ExecutionOut]


class JobOut(BaseModel):
    job_id: str
    kind: str
    state: Literal["queued", "started", "succeeded", "failed"]
    batch_id: uuid.UUID | None = None
    lead_id: uuid.UUID | None = None
    error: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


class LiveOut(BaseModel):
    status: Literal["ok"]


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    postgres: bool
    redis: bool
    workers: dict[str, list[str]] = Field(
        ..., description="live worker name -> queues it consumes (only with the API key)"
    )
    detail: dict[str, str]
