"""BDR approval end to end: a real batch, real workers (restarted), the REST API over HTTP.

The module runs on a broker of its own (a Redis db the session worker does not read), so
"restart every worker" means exactly that: the worker that paused the drafts is stopped,
and a new one, which never saw them, takes the decisions.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select, text, update

from api.intake import parse_leads
from api.serving import serving_api
from db.bdr_models import BdrDecision, FollowUp, Meeting
from db.models import Lead, LeadStatus
from db.repositories.batches import BatchOptions, NewBatch, create_batch
from db.session import read_only, unit_of_work
from orchestration.engines.rules import schedule
from settings import PROJECT_ROOT
from tests.integration.helpers import wait_for_batch
from tests.integration.test_pipeline import submit_file
from tests.support.servers import API_KEY_HEADER, apply_env, claim_redis_db
from tests.support.worker import WorkerProcess, start_worker_process
from workers.celery_app import app

KEY = API_KEY_HEADER
EXAMPLES = PROJECT_ROOT / "examples"
HOP_SECONDS = 2  # follow-up messages wake at least this often (production: 30 min)


@dataclass
class Workers:
    env: dict[str, str]
    current: WorkerProcess
    started: int = 1

    def restart(self) -> None:
        """Stop the running worker (warm shutdown) and start a new process."""
        self.current.stop()
        self.started += 1
        self.current = start_worker_process(self.env, name=f"bdr-{self.started}")


@pytest.fixture(scope="module")
def workers(servers) -> Iterator[Workers]:
    cleanups: list[Callable[[], None]] = []
    broker = claim_redis_db(servers.redis_url, cleanups)
    env = {
        **servers.env,
        "SALES_AGENT_BROKER_URL": broker,
        "SALES_AGENT_FOLLOW_UP_HOP_SECONDS": str(HOP_SECONDS),
    }
    apply_env(env)
    running = Workers(env, start_worker_process(env, name="bdr-1"))
    try:
        yield running
    finally:
        running.current.stop()
        apply_env(servers.env)
        for cleanup in cleanups:
            cleanup()  # flushes the follow-up messages still hopping


@pytest.fixture(scope="module")
def api(workers) -> Iterator[httpx.Client]:
    with serving_api() as url, httpx.Client(base_url=url, headers=KEY, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def waiting(workers) -> list[uuid.UUID]:
    """A finished batch's leads, all paused at BDR approval."""
    batch_id = submit_file(EXAMPLES / "generic.csv")
    wait_for_batch(batch_id, timeout=120)
    with read_only() as session:
        return list(
            session.scalars(
                select(Lead.id)
                .where(Lead.batch_id == batch_id, Lead.status == LeadStatus.awaiting_approval)
                .order_by(Lead.csv_index)
            )
        )


def take(waiting: list[uuid.UUID]) -> uuid.UUID:
    """A waiting lead no other test has used."""
    return waiting.pop()


def wait_job(api: httpx.Client, job_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = api.get(f"/api/jobs/{job_id}").json()
        if job.get("state") in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} not finished: {job}")


def lead_row(lead_id: uuid.UUID) -> Lead:
    with read_only() as session:
        lead = session.get(Lead, lead_id)
    assert lead is not None
    return lead


def follow_up(follow_up_id: int) -> FollowUp:
    with read_only() as session:
        row = session.get(FollowUp, follow_up_id)
    assert row is not None
    return row


def count(model: type[Any], lead_id: uuid.UUID) -> int:
    with read_only() as session:
        return int(
            session.scalar(select(func.count()).select_from(model).where(model.lead_id == lead_id))
            or 0
        )


def processed(task_name: str) -> int:
    stats = app.control.inspect(timeout=1.0).stats() or {}
    return sum(s.get("total", {}).get(task_name, 0) for s in stats.values())


def wait_processed(task_name: str, at_least: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if processed(task_name) >= at_least:
            return
        time.sleep(0.2)
    raise AssertionError(f"{task_name} not processed {at_least} times")


def test_a_batch_ends_with_its_drafts_listed_as_pending(api, waiting) -> None:
    # Given a finished batch whose leads went through BDR
    assert len(waiting) >= 6

    # When a person lists what waits for them
    pending = api.get("/api/bdr/pending", params={"limit": 1000}).json()

    # Then every waiting lead is there with its draft subject, three slots and since when
    listed = {item["lead_id"]: item for item in pending["leads"]}
    assert {str(lead_id) for lead_id in waiting} <= set(listed)
    item = listed[str(waiting[0])]
    assert item["subject"]
    assert item["subject"] == item["draft"]["subject"]
    assert len(item["slots"]) == 3
    assert all(slot["label"] for slot in item["slots"])
    assert item["timezone"]
    assert item["since"]


def test_approval_after_a_worker_restart_books_one_meeting(api, workers, waiting) -> None:
    # Given a lead paused by the first worker, and that worker replaced by a new process
    lead_id = take(waiting)
    slots = lead_row(lead_id).stage_outputs["bdr"]["slots"]
    workers.restart()

    # When a person approves it for the second proposed time
    response = api.post(
        f"/api/leads/{lead_id}/bdr/decision",
        json={"action": "approve", "slot": slots[1]["start"], "by": "dana"},
    )

    # Then the decision is accepted, and the new worker resumes the paused graph
    assert response.status_code == 202, response.text
    job = wait_job(api, response.json()["job_id"])
    assert job["state"] == "succeeded", job
    lead = lead_row(lead_id)
    assert lead.status == LeadStatus.completed
    assert lead.outcome_reason == f"meeting booked for {slots[1]['label']} (approved by dana)"
    bdr = lead.stage_outputs["bdr"]
    assert bdr["approval_status"] == "approved"
    assert bdr["meeting"]["start"] == slots[1]["start"]
    # And exactly one meeting is booked, with its invitation downloadable
    assert count(Meeting, lead_id) == 1
    with read_only() as session:
        meeting = session.scalars(select(Meeting).where(Meeting.lead_id == lead_id)).one()
    assert meeting.status == "booked"
    assert meeting.external_id == meeting.uid == f"bdr-meeting-{lead_id}@sales-agent.local"
    ics = api.get(f"/api/leads/{lead_id}/meeting.ics")
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    start_utc = datetime.fromisoformat(slots[1]["start"]).astimezone(UTC)
    assert f"UID:bdr-meeting-{lead_id}@sales-agent.local\r\n" in ics.text
    assert f"DTSTART:{start_utc:%Y%m%dT%H%M%SZ}\r\n" in ics.text
    # And its follow-ups are scheduled once, each with its first message sent
    with read_only() as session:
        follow_ups = session.scalars(select(FollowUp).where(FollowUp.lead_id == lead_id)).all()
    assert sorted(f.kind for f in follow_ups) in (
        ["check_in", "recap", "reminder"],
        ["check_in", "recap"],
    )
    assert all(f.status == "scheduled" and f.enqueued_at is not None for f in follow_ups)

    # When the resume message arrives twice more (a redelivery, a duplicate)
    before = processed("bdr.resume")
    for _ in range(2):
        app.send_task("bdr.resume", args=(str(lead_id),))
    wait_processed("bdr.resume", before + 2)

    # Then nothing is booked or scheduled again, and the lead is untouched
    assert count(Meeting, lead_id) == 1
    assert count(FollowUp, lead_id) == len(follow_ups)
    assert api.get(f"/api/leads/{lead_id}/meeting.ics").text == ics.text
    assert lead_row(lead_id).updated_at == lead.updated_at

    # And a second decision on it is refused
    again = api.post(f"/api/leads/{lead_id}/bdr/decision", json={"action": "reject"})
    assert again.status_code == 409
    assert "already has a decision: approve by dana" in again.json()["detail"]


def test_an_edit_sends_the_changed_text_at_the_new_time(api, waiting) -> None:
    lead_id = take(waiting)
    bdr = lead_row(lead_id).stage_outputs["bdr"]
    # The business day after the last proposed slot, mid-afternoon in the lead's zone
    last = datetime.fromisoformat(bdr["slots"][-1]["start"])
    new_start = schedule.business_day_at(last.date(), 1, "15:30", bdr["timezone"])

    response = api.post(
        f"/api/leads/{lead_id}/bdr/decision",
        json={
            "action": "edit",
            "draft": {"subject": "Twenty minutes on your installs?"},
            "slot": new_start.isoformat(),
            "by": "sam",
        },
    )

    assert response.status_code == 202, response.text
    assert wait_job(api, response.json()["job_id"])["state"] == "succeeded"
    lead = lead_row(lead_id)
    assert lead.stage_outputs["bdr"]["draft"]["subject"] == "Twenty minutes on your installs?"
    assert lead.stage_outputs["bdr"]["draft"]["body"] == bdr["draft"]["body"]
    assert lead.stage_outputs["bdr"]["meeting"]["start"] == new_start.isoformat()
    # And the results export shows the subject that was approved
    export = api.get(f"/api/batches/{lead.batch_id}/results", params={"format": "json"})
    rows = {row["lead_id"]: row for row in export.json()["leads"]}
    assert rows[str(lead_id)]["outreach_subject"] == "Twenty minutes on your installs?"


def test_reject_ends_the_lead_without_a_meeting(api, waiting) -> None:
    lead_id = take(waiting)

    response = api.post(
        f"/api/leads/{lead_id}/bdr/decision",
        json={"action": "reject", "by": "dana", "reason": "already a customer"},
    )

    assert response.status_code == 202
    assert wait_job(api, response.json()["job_id"])["state"] == "succeeded"
    lead = lead_row(lead_id)
    assert lead.status == LeadStatus.completed
    assert lead.outcome_reason == "rejected by dana: already a customer"
    assert lead.stage_outputs["bdr"]["approval_status"] == "rejected"
    assert count(Meeting, lead_id) == count(FollowUp, lead_id) == 0
    assert api.get(f"/api/leads/{lead_id}/meeting.ics").status_code == 404
    pending = api.get("/api/bdr/pending", params={"limit": 1000}).json()
    assert str(lead_id) not in {item["lead_id"] for item in pending["leads"]}


def test_two_decisions_at_once_only_one_wins(api, waiting) -> None:
    lead_id = take(waiting)
    answers: list[httpx.Response] = []

    def decide(action: str) -> None:
        with httpx.Client(base_url=str(api.base_url), headers=KEY, timeout=30) as client:
            answers.append(
                client.post(
                    f"/api/leads/{lead_id}/bdr/decision", json={"action": action, "by": action}
                )
            )

    threads = [threading.Thread(target=decide, args=(a,)) for a in ("approve", "reject")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(a.status_code for a in answers) == [202, 409]
    assert count(BdrDecision, lead_id) == 1
    winner = next(a for a in answers if a.status_code == 202)
    assert wait_job(api, winner.json()["job_id"])["state"] == "succeeded"


def test_decisions_on_leads_not_waiting_are_refused(api, examples_dir) -> None:
    # Given a lead still on its way through the pipeline
    parsed = parse_leads((examples_dir / "generic.csv").read_bytes(), source="g.csv")
    with unit_of_work() as session:
        batch_id = create_batch(
            session,
            NewBatch(
                name="not yet",
                source="g.csv",
                engine="rules",
                options=BatchOptions(),
                total_rows=1,
                leads=parsed.leads[:1],
            ),
            dispatch_task_id=str(uuid.uuid4()),
        )
    with read_only() as session:
        queued = session.scalars(select(Lead.id).where(Lead.batch_id == batch_id)).one()

    refused = api.post(f"/api/leads/{queued}/bdr/decision", json={"action": "approve"})
    unknown = api.post(f"/api/leads/{uuid.uuid4()}/bdr/decision", json={"action": "approve"})

    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"lead {queued} is pending, not awaiting approval: there is no draft to decide on"
    )
    assert unknown.status_code == 404
    assert count(BdrDecision, queued) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"action": "maybe"}, "action"),
        ({"action": "reject", "draft": {"subject": "x"}}, "a rejection takes no draft or slot"),
        ({"action": "approve", "draft": {"subject": "x"}}, "use action 'edit'"),
        ({"action": "edit"}, "an edit needs a changed draft or slot"),
        ({"action": "approve", "slot": "2030-01-07T10:00:00"}, "timezone"),
        (
            {"action": "approve", "slot": "2030-01-07T10:00:00-06:00"},
            "slot is not one of the proposed times",
        ),
        ({"action": "edit", "slot": "2030-01-05T10:00:00-06:00"}, "within business hours"),
    ],
)
def test_bad_decisions_are_refused_before_anything_is_recorded(api, waiting, body, message):
    lead_id = waiting[0]

    response = api.post(f"/api/leads/{lead_id}/bdr/decision", json=body)

    assert response.status_code == 422
    assert message in str(response.json()["detail"])
    assert count(BdrDecision, lead_id) == 0


def test_a_due_follow_up_is_delivered_once(api, workers, waiting) -> None:
    # Given an approved lead whose recap is made due in a few seconds
    lead_id = take(waiting)
    response = api.post(f"/api/leads/{lead_id}/bdr/decision", json={"action": "approve"})
    assert wait_job(api, response.json()["job_id"])["state"] == "succeeded"
    with unit_of_work() as session:
        recap_id = session.execute(
            update(FollowUp)
            .where(FollowUp.lead_id == lead_id, FollowUp.kind == "recap")
            .values(due_at=text("now() + interval '3 seconds'"))
            .returning(FollowUp.id)
        ).scalar_one()

    # When its message chain wakes (every HOP_SECONDS) and two duplicate messages arrive
    for _ in range(2):
        app.send_task("bdr.follow_up", args=(recap_id,))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and follow_up(recap_id).status != "delivered":
        time.sleep(0.2)
    time.sleep(HOP_SECONDS + 1)  # let every copy of the message run
    recap = follow_up(recap_id)

    # Then it was delivered once, not before it was due, and the others still wait
    assert recap.status == "delivered"
    assert recap.delivered_at is not None
    assert recap.delivered_at >= recap.due_at
    assert workers.current.log().count(f"follow-up {recap_id} (recap") == 1
    with read_only() as session:
        others = session.scalars(
            select(FollowUp.status).where(FollowUp.lead_id == lead_id, FollowUp.id != recap_id)
        ).all()
    assert others
    assert set(others) == {"scheduled"}


def test_the_sweep_delivers_a_follow_up_whose_messages_were_lost(api, waiting) -> None:
    # Given an approved lead, and a follow-up of it long overdue whose message chain is gone
    # (as after a purged queue): stored directly, so no message for it exists
    lead_id = take(waiting)
    response = api.post(f"/api/leads/{lead_id}/bdr/decision", json={"action": "approve"})
    assert wait_job(api, response.json()["job_id"])["state"] == "succeeded"
    with unit_of_work() as session:
        lost_id = session.execute(
            insert(FollowUp)
            .values(
                lead_id=lead_id,
                kind="lost",
                channel="email",
                subject="s",
                body="b",
                status="scheduled",
                due_at=text("now() - interval '2 hours'"),
                enqueued_at=text("now() - interval '3 hours'"),
            )
            .returning(FollowUp.id)
        ).scalar_one()

    # When the sweep runs (from beat or cron in production)
    app.send_task("bdr.sweep_follow_ups")

    # Then that follow-up is delivered, and the ones still ahead are left alone
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and follow_up(lost_id).status != "delivered":
        time.sleep(0.2)
    assert follow_up(lost_id).status == "delivered"
    with read_only() as session:
        ahead = session.scalars(
            select(FollowUp.status).where(FollowUp.lead_id == lead_id, FollowUp.id != lost_id)
        ).all()
    assert ahead
    assert set(ahead) == {"scheduled"}
