"""A dealer CSV through real queues, a real worker, real Redis and Postgres."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from celery import chain
from sqlalchemy import func, select

from api.intake import parse_leads
from api.submit import submit_batch
from db.models import TERMINAL_LEAD_STATUSES, AgentExecution, Lead, LeadStatus
from db.repositories.batches import BatchOptions
from db.session import read_only
from tests.integration.helpers import executions_per_lead, leads_by_status, wait_for_batch
from workers.celery_app import app
from workers.queues import PIPELINE_STAGES, STAGE_TASKS


def submit_file(path: Path, **options: Any) -> uuid.UUID:
    parsed = parse_leads(path.read_bytes(), source=path.name)
    submitted = submit_batch(
        parsed, name=path.stem, source=path.name, options=BatchOptions(**options)
    )
    return submitted.batch_id


def test_dealer_csv_runs_every_lead_through_five_stages(servers, worker, examples_dir):
    # Given the 200+ row dealer export
    dealers = examples_dir / "dealers.csv"

    # When it is enqueued and the worker drains it
    batch_id = submit_file(dealers)
    batch = wait_for_batch(batch_id)

    # Then every accepted lead has exactly one outcome
    statuses = leads_by_status(batch_id)
    assert sum(statuses.values()) == batch.accepted_count >= 200
    assert set(statuses) <= {s.value for s in TERMINAL_LEAD_STATUSES}
    assert batch.done_count == batch.accepted_count
    # And leads that went the whole way have one execution row per stage, in order
    runs = executions_per_lead(batch_id)
    with read_only() as session:
        finished = session.scalars(
            select(Lead.id).where(
                Lead.batch_id == batch_id, Lead.status == LeadStatus.awaiting_approval
            )
        ).all()
    assert finished, "some dealers should reach the BDR approval step"
    for lead_id in finished:
        assert runs[lead_id] == list(PIPELINE_STAGES)
    # And the tier decided each path: A/B wait for a person, C is nurtured, D stops early
    with read_only() as session:
        leads = session.scalars(select(Lead).where(Lead.batch_id == batch_id)).all()
    by_tier: dict[str | None, set[str]] = {}
    for lead in leads:
        by_tier.setdefault(lead.tier, set()).add(lead.status)
    assert by_tier.get("A", set()) | by_tier["B"] <= {LeadStatus.awaiting_approval}
    assert by_tier["C"] == {LeadStatus.completed}
    assert by_tier.get("D", set()) <= {LeadStatus.disqualified}
    for lead in leads:
        if lead.tier == "C":
            assert runs[lead.id] == list(PIPELINE_STAGES[:4])  # no BDR draft, no approval
            assert (lead.outcome_reason or "").startswith("tier C: nurture sequence")
        if lead.status == LeadStatus.disqualified and lead.tier == "D":
            assert runs[lead.id] == ["qualification"]
            assert (lead.outcome_reason or "").startswith("tier D")


def test_a_redelivered_stage_writes_nothing_twice(servers, worker, examples_dir):
    # Given a finished batch
    batch_id = submit_file(examples_dir / "generic.csv")
    wait_for_batch(batch_id)
    with read_only() as session:
        lead = session.scalars(
            select(Lead).where(
                Lead.batch_id == batch_id, Lead.status == LeadStatus.awaiting_approval
            )
        ).first()
        assert lead is not None
        rows_before = session.scalar(
            select(func.count()).select_from(AgentExecution).where(
                AgentExecution.lead_id == lead.id
            )
        )
    processed_before = _processed_count(STAGE_TASKS["enrichment"])

    # When its chain from enrichment on arrives again (as after a lost ack)
    payload = {"lead_id": str(lead.id), "batch_id": str(batch_id)}
    chain(
        app.signature(STAGE_TASKS["enrichment"], args=(payload,)),
        *(app.signature(STAGE_TASKS[stage]) for stage in PIPELINE_STAGES[2:]),
    ).apply_async()
    _wait_processed(STAGE_TASKS["enrichment"], processed_before + 1)

    # Then no second row exists and the lead is unchanged
    with read_only() as session:
        rows_after = session.scalar(
            select(func.count()).select_from(AgentExecution).where(
                AgentExecution.lead_id == lead.id
            )
        )
        again = session.get(Lead, lead.id)
    assert rows_after == rows_before == len(PIPELINE_STAGES)
    assert again is not None
    assert again.updated_at == lead.updated_at
    assert again.status == LeadStatus.awaiting_approval


def _processed_count(task_name: str) -> int:
    stats = app.control.inspect(timeout=1.0).stats() or {}
    return sum(s.get("total", {}).get(task_name, 0) for s in stats.values())


def _wait_processed(task_name: str, at_least: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _processed_count(task_name) >= at_least:
            return
        time.sleep(0.2)
    raise AssertionError(f"{task_name} was not processed {at_least} times")


def test_a_lead_that_breaks_an_agent_fails_at_that_stage_and_the_batch_goes_on(
    servers, worker, examples_dir
):
    # Given a batch where one stored lead carries data the agent cannot read
    # (as a row written by an older intake might)
    parsed = parse_leads((examples_dir / "generic.csv").read_bytes(), source="generic.csv")
    broken = parsed.leads[0]
    broken["profile"] = {"oems": 5}

    # When the batch runs
    submitted = submit_batch(parsed, name="broken", source="generic.csv", options=BatchOptions())
    batch = wait_for_batch(submitted.batch_id)

    # Then that lead failed at qualification with the error, and every other lead finished
    with read_only() as session:
        leads = session.scalars(select(Lead).where(Lead.batch_id == batch.id)).all()
    failed = [lead for lead in leads if lead.status == LeadStatus.failed]
    assert [lead.csv_index for lead in failed] == [broken["csv_index"]]
    assert failed[0].error_stage == "qualification"
    assert "TypeError" in (failed[0].error_message or "")
    assert batch.done_count == len(leads)
    assert all(lead.status in TERMINAL_LEAD_STATUSES for lead in leads)


def test_a_second_upload_is_flagged_as_duplicates_and_stops_when_asked(
    servers, worker, examples_dir
):
    # Given the generic sample already loaded once
    first = submit_file(examples_dir / "generic.csv")
    wait_for_batch(first)

    # When the same file is loaded again with stop_on_duplicate
    second = submit_file(examples_dir / "generic.csv", stop_on_duplicate=True)
    batch = wait_for_batch(second)

    # Then every lead of the second batch names the stored lead it repeats
    with read_only() as session:
        repeats = session.scalars(select(Lead).where(Lead.batch_id == second)).all()
        stored_batch = {
            lead.id: session.scalar(select(Lead.batch_id).where(Lead.id == lead.duplicate_of))
            for lead in repeats
        }
    assert batch.duplicate_count == len(repeats)
    for lead in repeats:
        # (the oldest stored copy: this first upload, or an earlier test's)
        assert stored_batch[lead.id] not in (None, second)
        assert "as existing lead" in (lead.duplicate_reason or "")
        # And, as asked, each ended at qualification as a duplicate
        assert lead.status == LeadStatus.disqualified
        assert (lead.outcome_reason or "").startswith("duplicate of lead")
    assert all(stages == ["qualification"] for stages in executions_per_lead(second).values())
