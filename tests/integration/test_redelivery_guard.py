"""A message that keeps killing workers is given up on, with its lead failed, not looped."""

from __future__ import annotations

import time
import uuid

from api.intake import parse_leads
from db.models import Lead, LeadStatus
from db.repositories.batches import BatchOptions, NewBatch, create_batch
from db.session import read_only, unit_of_work
from settings import get_settings
from workers.celery_app import app
from workers.lifecycle import get_redis
from workers.queues import STAGE_TASKS


def test_a_message_delivered_too_often_fails_its_lead(servers, worker, examples_dir):
    # Given a stored lead whose qualification message was already delivered the maximum
    # number of times (each delivery lost its worker)
    parsed = parse_leads((examples_dir / "generic.csv").read_bytes(), source="generic.csv")
    with unit_of_work() as session:
        batch_id = create_batch(
            session,
            NewBatch(name="guard", source="generic.csv", engine="rules", options=BatchOptions(),
                     total_rows=1, leads=parsed.leads[:1]),
            dispatch_task_id=str(uuid.uuid4()),
        )
    with read_only() as session:
        lead = session.query(Lead).filter(Lead.batch_id == batch_id).one()
    task_id = str(uuid.uuid4())
    get_redis().set(f"delivery:{task_id}:0", get_settings().max_deliveries)

    # When the transport restores that message once more
    app.send_task(
        STAGE_TASKS["qualification"],
        args=({"lead_id": str(lead.id), "batch_id": str(batch_id)},),
        task_id=task_id,
        headers={"redelivered": True},
    )

    # Then the lead is failed at qualification with the reason, and no agent ran
    current = wait_for_lead_status(lead.id, LeadStatus.failed)
    assert current.status == LeadStatus.failed
    assert current.error_stage == "qualification"
    assert "deliveries" in (current.error_message or "")
    assert current.stage_outputs == {}


def wait_for_lead_status(lead_id: uuid.UUID, status: str, timeout: float = 30) -> Lead:
    deadline = time.monotonic() + timeout
    while True:
        with read_only() as session:
            current = session.get(Lead, lead_id)
        assert current is not None
        if current.status == status or time.monotonic() > deadline:
            return current
        time.sleep(0.2)
