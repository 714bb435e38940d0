"""Turn parsed leads into a stored batch and send its dispatch: shared by REST and CLI.

Order matters: rows are committed first, and only then is the dispatch task sent, with a
task id chosen up front so the job row exists before the message does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kombu.exceptions import OperationalError as BrokerOperationalError

from api.intake import ParseResult, mark_in_batch_duplicates
from db.repositories.batches import BatchOptions, NewBatch, create_batch
from db.session import unit_of_work
from settings import get_settings
from workers.celery_app import app
from workers.queues import DISPATCH_BATCH


class DispatchNotSentError(RuntimeError):
    """The batch is stored, but the broker could not take its dispatch message."""

    def __init__(self, batch_id: uuid.UUID, job_id: str) -> None:
        super().__init__(
            f"batch {batch_id} is stored but the broker is unreachable; "
            f"POST /api/batches/{batch_id}/dispatch once it is back"
        )
        self.batch_id = batch_id
        self.job_id = job_id


def send_dispatch(batch_id: uuid.UUID, job_id: str) -> None:
    """Send (or send again: the dispatcher is idempotent) a stored batch's dispatch task."""
    app.send_task(DISPATCH_BATCH, args=(str(batch_id),), kwargs={"job_id": job_id}, task_id=job_id)


@dataclass(frozen=True)
class SubmittedBatch:
    batch_id: uuid.UUID
    job_id: str
    total_rows: int
    accepted: int
    duplicates: int
    rejections: list[dict[str, Any]]


def submit_batch(
    parsed: ParseResult, *, name: str | None, source: str, options: BatchOptions
) -> SubmittedBatch:
    leads = parsed.leads
    mark_in_batch_duplicates(leads)
    rejections = [{"row": r.row, "reason": r.reason} for r in parsed.rejections]
    job_id = str(uuid.uuid4())
    for lead in leads:
        lead["id"] = uuid.uuid4()
    by_row = {lead["csv_index"]: lead["id"] for lead in leads}
    for lead in leads:
        first_row = lead.get("duplicate_of_row")
        if first_row is not None:
            lead["duplicate_of"] = by_row.get(first_row)
    # Repeats of leads stored earlier are flagged by the dispatcher, inside Postgres.
    with unit_of_work() as session:
        batch_id = create_batch(
            session,
            NewBatch(
                name=name,
                source=source,
                engine=get_settings().engine,
                options=options,
                total_rows=parsed.total_rows,
                leads=leads,
                rejections=rejections,
            ),
            dispatch_task_id=job_id,
        )
    # Committed: now, and only now, the dispatcher may look for these rows.
    try:
        send_dispatch(batch_id, job_id)
    except BrokerOperationalError as exc:
        raise DispatchNotSentError(batch_id, job_id) from exc
    return SubmittedBatch(
        batch_id=batch_id,
        job_id=job_id,
        total_rows=parsed.total_rows,
        accepted=len(leads),
        duplicates=sum(1 for lead in leads if lead.get("duplicate_reason")),
        rejections=rejections,
    )
