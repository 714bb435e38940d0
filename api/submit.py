"""Turn parsed leads into a stored batch and send its dispatch: shared by REST and CLI.

Order matters: rows are committed first, and only then is the dispatch task sent, with a
task id chosen up front so the job row exists before the message does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kombu.exceptions import OperationalError as BrokerOperationalError

from api.intake import LeadStream, ParseResult
from api.intake.dedupe import InBatchDuplicates
from api.intake.gcpause import paused_gc
from db.repositories.batches import BatchOptions, NewBatch, store_batch
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
    parsed: ParseResult | LeadStream, *, name: str | None, source: str, options: BatchOptions
) -> SubmittedBatch:
    """Store the leads (a parsed file, or a stream still being parsed) and send the dispatch.

    Raises NoValidLeadError when every row was rejected (nothing is stored), IntakeError
    when a streamed file turns out broken further down (nothing is stored either).
    """
    new = NewBatch(
        name=name,
        source=source,
        engine=get_settings().engine,
        options=options,
        total_rows=0,
        leads=(),
    )
    new.leads = _identified(parsed, new)
    job_id = str(uuid.uuid4())
    # Repeats of leads stored earlier are flagged by the dispatcher, inside Postgres.
    with paused_gc(), unit_of_work() as session:
        stored = store_batch(session, new, dispatch_task_id=job_id)
    # Committed: now, and only now, the dispatcher may look for these rows.
    try:
        send_dispatch(stored.batch_id, job_id)
    except BrokerOperationalError as exc:
        raise DispatchNotSentError(stored.batch_id, job_id) from exc
    return SubmittedBatch(
        batch_id=stored.batch_id,
        job_id=job_id,
        total_rows=new.total_rows,
        accepted=stored.accepted,
        duplicates=stored.duplicates,
        rejections=new.rejections,
    )


def _identified(parsed: ParseResult | LeadStream, new: NewBatch) -> Iterator[dict[str, Any]]:
    """Each lead with its id and in-batch duplicate marks, as it comes; at the end, the
    row counts and rejections (complete only once a stream is exhausted) go into ``new``."""
    drafts: Iterable[dict[str, Any]] = parsed.leads if isinstance(parsed, ParseResult) else parsed
    duplicates = InBatchDuplicates()
    ids_by_row: dict[int, uuid.UUID] = {}
    for lead in drafts:
        duplicates.mark(lead)
        lead["id"] = ids_by_row[lead["csv_index"]] = uuid.uuid4()
        first_row = lead.get("duplicate_of_row")
        if first_row is not None:
            lead["duplicate_of"] = ids_by_row.get(first_row)
        yield lead
    new.total_rows = parsed.total_rows
    new.rejections = [rejection.to_dict() for rejection in parsed.rejections]
