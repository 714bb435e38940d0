"""Batches: create from CSV or JSON, follow progress, export results."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from kombu.exceptions import OperationalError as BrokerOperationalError
from sqlalchemy.orm import Session

from api.body_limits import FORM_ALLOWANCE
from api.deps import ReadSession
from api.exports import export_results
from api.intake import IntakeError, LeadStream, ParseResult, parse_records, stream_leads
from api.progress import StatusReads
from api.schemas import (
    BatchAccepted,
    BatchOptionsIn,
    BatchStatusOut,
    JobOut,
    JsonBatchIn,
    RowRejection,
)
from api.submit import DispatchNotSentError, SubmittedBatch, send_dispatch, submit_batch
from db.models import BatchStatus
from db.repositories.batches import BatchOptions, NoValidLeadError, get_batch
from orchestration.config.rules import load_rules
from settings import get_settings
from workers.queues import DISPATCH_BATCH

router = APIRouter(prefix="/api/batches", tags=["batches"])

_TRUE = {"1", "true", "yes", "on"}
# Column sizes of db.models.Batch (the JSON schema has the same limit on `name`).
_MAX_NAME = 255
_MAX_SOURCE = 512


def _form_flag(form: Any, name: str) -> bool:
    value = form.get(name)
    return isinstance(value, str) and value.strip().lower() in _TRUE


def _form_options(form: Any) -> BatchOptions:
    """The option fields of a multipart upload: flags, and the profile by name."""
    flags = {f: _form_flag(form, f) for f in BatchOptionsIn.model_fields if f != "profile"}
    profile = form.get("profile")
    chosen = profile.strip() if isinstance(profile, str) and profile.strip() else None
    return _checked(BatchOptions(**flags, profile=chosen))


def _checked(options: BatchOptions) -> BatchOptions:
    """Refuse an unknown qualification profile with a 422 naming the ones there are."""
    if options.profile is not None:
        profiles = load_rules().qualification.profiles
        if options.profile not in profiles:
            raise HTTPException(
                422,
                detail=f"unknown profile {options.profile!r}; "
                f"choose one of: {', '.join(sorted(profiles))}",
            )
    return options


def _accepted(submitted: SubmittedBatch) -> BatchAccepted:
    return BatchAccepted(
        batch_id=submitted.batch_id,
        job_id=submitted.job_id,
        status="queued",
        total_rows=submitted.total_rows,
        accepted=submitted.accepted,
        rejected=len(submitted.rejections),
        duplicates=submitted.duplicates,
        rejections=[RowRejection(**r) for r in submitted.rejections],
        status_url=f"/api/batches/{submitted.batch_id}",
    )


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BatchAccepted,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "name": {"type": "string"},
                            **{
                                flag: {"type": "boolean"}
                                for flag in BatchOptionsIn.model_fields
                                if flag != "profile"
                            },
                            "profile": {"type": "string"},
                        },
                    }
                },
                "application/json": {"schema": JsonBatchIn.model_json_schema()},
            }
        }
    },
)
async def create_batch(request: Request) -> BatchAccepted:
    """Store a batch of leads and queue it for the five-stage pipeline.

    Send either `multipart/form-data` with a CSV `file` (dealer-scraper export or the
    generic columns; UTF-8, UTF-8 with BOM or cp1252; `,` `;` or tab delimited) plus option
    fields, or `application/json` with `leads` and `options`. Bad rows are returned in
    `rejections` with their row number and reason; good rows go on. The answer comes at
    once with `202`, whatever the batch size; poll `status_url` for progress.
    """
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        # The body as a whole is bounded while it arrives (api/body_limits.py); the fields
        # beside the file are flags and a name, and get only the form allowance.
        form = await request.form(max_part_size=FORM_ALLOWANCE)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(422, detail="multipart body needs a CSV file in the 'file' field")
        data = await upload.read()
        name = form.get("name")
        options = _form_options(form)
        source = (upload.filename or "upload.csv")[:_MAX_SOURCE]
        try:
            # Rows are stored as they are parsed (see submit_batch): Postgres ingests the
            # first rows while the rest of the file is still being read.
            parsed: ParseResult | LeadStream = stream_leads(data, source=source)
        except IntakeError as exc:
            raise HTTPException(422, detail=str(exc)) from exc
        batch_name = name if isinstance(name, str) and name else None
        if batch_name is not None and len(batch_name) > _MAX_NAME:
            raise HTTPException(422, detail=f"name longer than {_MAX_NAME} characters")
    elif content_type.startswith("application/json"):
        try:
            body = JsonBatchIn.model_validate_json(await request.body())
        except ValueError as exc:
            raise HTTPException(422, detail=f"invalid JSON batch: {exc}") from exc
        try:
            parsed = await run_in_threadpool(parse_records, body.leads, source="json")
        except IntakeError as exc:
            raise HTTPException(422, detail=str(exc)) from exc
        options = _checked(BatchOptions(**body.options.model_dump()))
        source, batch_name = "json", body.name
    else:
        raise HTTPException(
            415, detail="send multipart/form-data with a CSV 'file', or application/json"
        )
    try:
        submitted = await run_in_threadpool(
            submit_batch, parsed, name=batch_name, source=source, options=options
        )
    except IntakeError as exc:  # broken quoting further down a streamed file: nothing stored
        raise HTTPException(422, detail=str(exc)) from exc
    except NoValidLeadError as exc:
        raise HTTPException(
            422,
            detail={
                "message": str(exc),
                "rejections": [r.to_dict() for r in parsed.rejections][:100],
            },
        ) from exc
    except DispatchNotSentError as exc:
        raise HTTPException(503, detail=str(exc)) from exc
    return _accepted(submitted)


@router.post("/{batch_id}/dispatch", status_code=status.HTTP_202_ACCEPTED, response_model=JobOut)
def redispatch_batch(batch_id: uuid.UUID, session: Session = ReadSession) -> JobOut:
    """Send a stored batch's dispatch again (after a broker outage at upload, say).

    Safe to repeat: chains already published are not published twice, and stages never run
    twice for a lead. A batch that is already running or finished is refused with 409.
    """
    batch = _load_batch_or_404(session, batch_id)
    if batch.status not in (BatchStatus.queued, BatchStatus.dispatching):
        raise HTTPException(409, detail=f"batch {batch_id} is {batch.status}; nothing to dispatch")
    job_id = batch.dispatch_task_id or str(uuid.uuid4())
    try:
        send_dispatch(batch_id, job_id)
    except BrokerOperationalError as exc:
        raise HTTPException(503, detail=f"the broker is unreachable: {exc}") from exc
    return JobOut(job_id=job_id, kind=DISPATCH_BATCH, state="queued", batch_id=batch_id)


def _load_batch_or_404(session: Session, batch_id: uuid.UUID) -> Any:
    batch = get_batch(session, batch_id)
    if batch is None:
        raise HTTPException(404, detail=f"no batch {batch_id}")
    return batch


@router.get(
    "/{batch_id}",
    response_model=BatchStatusOut,
    responses={503: {"description": "the database is busy; retry after `Retry-After` s"}},
)
async def batch_status(batch_id: uuid.UUID) -> Response:
    """Progress of a batch: counts per stage and per outcome, throughput and ETA.

    Read from counters kept on the batch row, and shared by pollers of the same batch for
    `SALES_AGENT_API_STATUS_MAX_AGE_MS`, so polling is cheap at any rate and batch size.
    """
    body = await _status_reads().get(batch_id)
    if body is None:
        raise HTTPException(404, detail=f"no batch {batch_id}")
    return Response(body, media_type="application/json")


@lru_cache(maxsize=1)
def _status_reads() -> StatusReads:
    return StatusReads(max_age=get_settings().api_status_max_age_ms / 1000)


@router.get(
    "/{batch_id}/results",
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def batch_results_export(
    batch_id: uuid.UUID,
    format: str = Query("json", pattern="^(json|csv)$", description="json or csv"),
    session: Session = ReadSession,
) -> Response:
    """Every lead of the batch with its outcome, score, tier and the agents' key decisions."""
    text = export_results(session, batch_id, format)
    if text is None:
        raise HTTPException(404, detail=f"no batch {batch_id}")
    if format == "csv":
        return Response(
            text,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.csv"'},
        )
    return Response(text, media_type="application/json")
