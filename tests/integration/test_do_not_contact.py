"""A lead marked do-not-contact (the prospect unsubscribed) is worked on by no later stage."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from api.intake import parse_leads
from api.submit import send_dispatch
from db.models import Lead, LeadStatus
from db.repositories.batches import BatchOptions, NewBatch, create_batch
from db.session import read_only, unit_of_work
from tasks.stage import DO_NOT_CONTACT_REASON
from tests.integration.helpers import executions_per_lead, wait_for_batch


def test_an_unsubscribed_lead_is_not_worked_on(servers, worker, examples_dir):
    # Given a stored batch of three leads, one of which has since unsubscribed
    parsed = parse_leads((examples_dir / "generic.csv").read_bytes(), source="generic.csv")
    job_id = str(uuid.uuid4())
    with unit_of_work() as session:
        batch_id = create_batch(
            session,
            NewBatch(name="dnc", source="generic.csv", engine="rules",
                     options=BatchOptions(dry_run=True), total_rows=3, leads=parsed.leads[:3]),
            dispatch_task_id=job_id,
        )
        unsubscribed = session.scalars(
            select(Lead.id).where(Lead.batch_id == batch_id).order_by(Lead.csv_index).limit(1)
        ).one()
        session.execute(update(Lead).where(Lead.id == unsubscribed).values(do_not_contact=True))

    # When the batch runs
    send_dispatch(batch_id, job_id)
    batch = wait_for_batch(batch_id)

    # Then that lead ends disqualified with the reason, no agent ran for it, and the
    # other leads went through as usual
    assert batch.done_count == 3
    with read_only() as session:
        leads = {lead.id: lead for lead in session.query(Lead).filter(Lead.batch_id == batch_id)}
    assert leads[unsubscribed].status == LeadStatus.disqualified
    assert leads[unsubscribed].outcome_reason == DO_NOT_CONTACT_REASON
    executions = executions_per_lead(batch_id)
    assert unsubscribed not in executions
    others = [lead for lead_id, lead in leads.items() if lead_id != unsubscribed]
    assert all(lead.status != LeadStatus.failed for lead in others)
    assert all(executions.get(lead.id) for lead in others)

