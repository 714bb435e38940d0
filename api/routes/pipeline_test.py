"""Pipeline tests: one lead through all five agents now, timed per stage, kept as a record.

Unlike batches, the agents run in this process (in the threadpool, off the event loop)
so the answer carries every stage's output, latency and cost at once. Each run is stored
in ``pipeline_test_executions``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from api.intake import IntakeError, parse_leads, parse_records
from api.intake.result import ParseResult
from db.repositories import pipeline_tests as repository
from db.session import read_only, unit_of_work
from orchestration.config.rules import load_rules
from settings import get_settings

router = APIRouter(prefix="/api/leads/test-pipeline", tags=["pipeline tests"])

# A dealer-locator row as the seed's scraper exports it: the built-in quick test.
SAMPLE_DEALER: dict[str, Any] = {
    "name": "Sunrise Power Solutions LLC",
    "phone": "(512) 555-0100",
    "website": "https://sunrisepower.example/",
    "domain": "sunrisepower.example",
    "email": "",
    "street": "1200 Main St",
    "city": "Austin",
    "state": "TX",
    "zip": "78701",
    "rating": "4.8",
    "review_count": "212",
    "tier": "Elite",
    "oem_source": "Generac",
    "OEMs_Certified": "Generac, Kohler, Cummins",
    "OEM_Count": "3",
    "certifications": "NABCEP",
    "has_generator": "True",
    "has_solar": "True",
    "has_battery": "True",
    "has_electrical": "True",
    "is_commercial": "True",
    "is_residential": "True",
}


class PipelineTestOptions(BaseModel):
    """The batch options the run behaves under."""

    stop_on_duplicate: bool = Field(
        False, description="Stop at qualification when the lead repeats a stored lead."
    )
    skip_enrichment: bool = Field(False, description="Run enrichment without provider lookups.")
    create_in_crm: bool = Field(
        False, description="Create or update the lead in the CRM (needs dry_run false)."
    )
    dry_run: bool = Field(True, description="Send nothing: no CRM write, BDR ends completed.")
    profile: str | None = Field(
        None, max_length=64, description="Qualification profile (`icp`, `generic`, ...); "
        "empty: by the row's format."
    )

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, profile: str | None) -> str | None:
        profiles = load_rules().qualification.profiles
        if profile is not None and profile not in profiles:
            raise ValueError(
                f"unknown profile {profile!r}; choose one of: {', '.join(sorted(profiles))}"
            )
        return profile


class PipelineTestRequest(BaseModel):
    """One lead (generic or dealer-scraper column names) and the options."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "lead": {
                        "company_name": "Lone Star Power LLC",
                        "website": "lonestarpower.com",
                        "phone": "512-555-0101",
                        "city": "Austin",
                        "state": "TX",
                        "industry": "Generators",
                    },
                    "options": {"dry_run": True},
                }
            ]
        }
    )

    lead: dict[str, Any]
    options: PipelineTestOptions = Field(default_factory=PipelineTestOptions)


class StageResult(BaseModel):
    status: Literal["success", "stopped", "failed", "not_run"]
    latency_ms: float
    cost_usd: float
    engine: str | None
    output: dict[str, Any]
    error: str | None


class TimelineEvent(BaseModel):
    at_ms: float = Field(description="milliseconds since the run started")
    stage: str | None
    event: str  # started, finished, stopped, failed
    detail: str | None


class PipelineTestResponse(BaseModel):
    """The run: overall outcome, per-stage results, the timeline, and the stored record."""

    execution_id: uuid.UUID
    lead_id: uuid.UUID | None = Field(description="set when the lead was stored (CRM writes)")
    lead_name: str
    csv_index: int | None
    success: bool
    final_status: str  # completed, awaiting_approval, disqualified, failed
    outcome_reason: str | None
    error_stage: str | None
    error_message: str | None
    total_latency_ms: float
    total_cost_usd: float
    score: int | None
    tier: str | None
    growth_score: int | None
    stages: dict[str, StageResult]
    timeline: list[TimelineEvent]
    options: PipelineTestOptions
    created_at: datetime | None = None


@router.post("", response_model=PipelineTestResponse)
async def run_pipeline_test(body: PipelineTestRequest) -> PipelineTestResponse:
    """Run one lead through qualification, enrichment, growth, marketing and BDR now.

    The lead is validated and normalised like a batch row; a lead that repeats a stored
    one is flagged (and stopped with `stop_on_duplicate`). Answers with every stage's
    output, latency and cost, and stores the run.
    """
    parsed = await run_in_threadpool(_parse_json, body.lead)
    return await run_in_threadpool(_execute, _only_lead(parsed, 1), body.options)


@router.get("/quick", response_model=PipelineTestResponse)
async def run_quick_test() -> PipelineTestResponse:
    """Run the built-in sample dealer (an Elite Generac dealer in Austin) as a dry run."""
    parsed = await run_in_threadpool(_parse_json, SAMPLE_DEALER)
    return await run_in_threadpool(_execute, _only_lead(parsed, 1), PipelineTestOptions())


@router.post("/csv", response_model=PipelineTestResponse)
async def run_csv_row_test(
    request: Request,
    row: int = Query(..., ge=1, description="1-based data row (header not counted)"),
) -> PipelineTestResponse:
    """Run row `row` of an uploaded CSV (multipart `file`, plus option fields)."""
    limit = get_settings().max_upload_mb * 1024 * 1024
    form = await request.form(max_part_size=limit)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise HTTPException(422, detail="multipart body needs a CSV file in the 'file' field")
    data = await upload.read()
    fields: dict[str, Any] = {
        name: str(form[name]).strip().lower() in {"1", "true", "yes", "on"}
        for name in PipelineTestOptions.model_fields
        if name in form and name != "profile"
    }
    if str(form.get("profile") or "").strip():
        fields["profile"] = str(form["profile"]).strip()
    try:
        options = PipelineTestOptions(**fields)
    except ValidationError as exc:
        raise HTTPException(422, detail=exc.errors(include_url=False)[0]["msg"]) from exc
    try:
        parsed = await run_in_threadpool(parse_leads, data, source=upload.filename or "upload")
    except IntakeError as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    return await run_in_threadpool(_execute, _only_lead(parsed, row), options)


@router.get("/{execution_id}", response_model=PipelineTestResponse)
def get_test_run(execution_id: uuid.UUID) -> PipelineTestResponse:
    """A stored pipeline-test run."""
    with read_only() as session:
        found = repository.get_run(session, execution_id)
        if found is None:
            raise HTTPException(404, detail=f"no pipeline test {execution_id}")
        stages = {name: StageResult(**stage) for name, stage in found.stages.items()}
        summary = (found.stages.get("qualification") or {}).get("output") or {}
        growth = (found.stages.get("growth") or {}).get("output") or {}
        return PipelineTestResponse(
            execution_id=found.id,
            lead_id=found.lead_id,
            lead_name=found.lead_name,
            csv_index=found.csv_index,
            success=found.success,
            final_status=_final_status(found.stages, found.dry_run),
            outcome_reason=None,
            error_stage=found.error_stage,
            error_message=found.error_message,
            total_latency_ms=found.total_latency_ms,
            total_cost_usd=float(found.total_cost_usd),
            score=summary.get("score"),
            tier=summary.get("tier"),
            growth_score=growth.get("growth_score"),
            stages=stages,
            timeline=[TimelineEvent(**e) for e in found.timeline],
            options=PipelineTestOptions(
                stop_on_duplicate=found.stop_on_duplicate,
                skip_enrichment=found.skip_enrichment,
                create_in_crm=found.create_in_crm,
                dry_run=found.dry_run,
            ),
            created_at=found.created_at,
        )


def _parse_json(lead: dict[str, Any]) -> ParseResult:
    try:
        return parse_records([lead], source="pipeline-test")
    except IntakeError as exc:
        raise HTTPException(422, detail=str(exc)) from exc


def _only_lead(parsed: ParseResult, row: int) -> dict[str, Any]:
    for draft in parsed.leads:
        if draft["csv_index"] == row:
            return draft
    for rejection in parsed.rejections:
        if rejection.row == row:
            raise HTTPException(422, detail=rejection.reason)
    raise HTTPException(404, detail=f"no row {row}: the file has {parsed.total_rows} data rows")


def _final_status(stages: dict[str, Any], dry_run: bool) -> str:
    statuses = [stage.get("status") for stage in stages.values()]
    if "failed" in statuses:
        return "failed"
    if "stopped" in statuses:
        return "disqualified"
    return "completed" if dry_run else "awaiting_approval"


def _execute(draft: dict[str, Any], options: PipelineTestOptions) -> PipelineTestResponse:
    # Agent code is imported here, not at module import: the API process only loads it
    # when a pipeline test actually runs.
    from orchestration.agents.base import RunContext
    from orchestration.pipeline_test import run_pipeline

    lead: dict[str, Any] = {
        **draft,
        "id": None,
        "batch_id": None,
        "duplicate_of": None,
        "duplicate_reason": None,
        "stage_outputs": {},
    }
    with read_only() as session:
        duplicate = repository.stored_duplicate(session, draft)
    if duplicate is not None:
        lead["duplicate_of"], lead["duplicate_reason"] = str(duplicate[0]), duplicate[1]
    lead_id: uuid.UUID | None = None
    if options.create_in_crm and not options.dry_run:
        with unit_of_work() as session:
            lead_id = repository.store_lead(session, draft)
        lead["id"] = str(lead_id)

    context = RunContext(engine=get_settings().engine, **options.model_dump())
    run = run_pipeline(lead, context)

    final = run.lead
    if lead_id is not None:
        with unit_of_work() as session:
            repository.finish_lead(
                session,
                lead_id,
                {
                    "status": run.final_status,
                    "stage_outputs": final["stage_outputs"],
                    "score": final.get("score"),
                    "tier": final.get("tier"),
                    "growth_score": final.get("growth_score"),
                    "email": final.get("email"),
                    "outcome_reason": run.outcome_reason,
                    "error_stage": run.error_stage,
                    "error_message": run.error_message,
                    "current_stage": _last_stage(run.stages),
                },
            )
    stages = {name: stage.as_dict() for name, stage in run.stages.items()}
    record = repository.PipelineTestRecord(
        lead_id=lead_id,
        lead_name=draft["company_name"],
        csv_index=draft.get("csv_index"),
        success=run.success,
        error_stage=run.error_stage,
        error_message=run.error_message,
        total_latency_ms=run.total_latency_ms,
        total_cost_usd=run.total_cost_usd,
        stages=stages,
        timeline=run.timeline,
        # The stored record keeps the switches; the profile used is in qualification's output.
        options=options.model_dump(exclude={"profile"}),
    )
    with unit_of_work() as session:
        execution_id = repository.record_run(session, record)
    return PipelineTestResponse(
        execution_id=execution_id,
        lead_id=lead_id,
        lead_name=draft["company_name"],
        csv_index=draft.get("csv_index"),
        success=run.success,
        final_status=run.final_status,
        outcome_reason=run.outcome_reason,
        error_stage=run.error_stage,
        error_message=run.error_message,
        total_latency_ms=run.total_latency_ms,
        total_cost_usd=float(run.total_cost_usd.quantize(Decimal("0.000001"))),
        score=final.get("score"),
        tier=final.get("tier"),
        growth_score=final.get("growth_score"),
        stages={name: StageResult(**stage) for name, stage in stages.items()},
        timeline=[TimelineEvent(**event) for event in run.timeline],
        options=options,
    )


def _last_stage(stages: dict[str, Any]) -> str | None:
    ran = [name for name, stage in stages.items() if stage.status != "not_run"]
    return ran[-1] if ran else None
