"""/api/langgraph/invoke, /api/agents/status and /api/agents/{agent}/reset, with a real
worker behind the API."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.agents import workers_cache
from tests.support.conversations import sse_events, stored_lead
from tests.support.servers import API_KEY_HEADER
from workers.agent_threads import index_key
from workers.celery_app import app as celery_app
from workers.lifecycle import get_redis

KEY = API_KEY_HEADER
AGENTS = ["qualification", "enrichment", "growth", "marketing", "bdr", "conversation"]
DEALER = {
    "name": "Lone Star Power LLC",
    "website": "lonestarpower.com",
    "city": "Austin",
    "state": "TX",
    "phone": "(512) 555-0142",
    "oem_source": "Generac",
    "OEMs_Certified": "Generac, Kohler",
    "tier": "Premier",
    "has_generator": "True",
    "has_solar": "True",
    "is_residential": "True",
    "rating": "4.7",
    "review_count": "120",
}


@pytest.fixture(scope="module")
def client(servers, worker):
    with TestClient(create_app(), headers=KEY) as test_client:
        yield test_client


@contextmanager
def queue_paused(queue: str) -> Iterator[None]:
    """No worker takes ``queue`` while inside (messages wait on the broker)."""
    replies = celery_app.control.inspect(timeout=1.0).active_queues() or {}
    serving = [name for name, queues in replies.items() if any(q["name"] == queue for q in queues)]
    celery_app.control.cancel_consumer(queue, destination=serving, reply=True)
    workers_cache.clear()
    try:
        yield
    finally:
        celery_app.control.add_consumer(queue, destination=serving, reply=True)
        workers_cache.clear()


def test_invoke_waits_for_the_agent_and_returns_its_decision(client):
    # When qualification is invoked on an inline dealer lead
    response = client.post(
        "/api/langgraph/invoke", json={"agent": "qualification", "input": DEALER, "timeout_s": 20}
    )

    # Then the agent's score, tier and reasons come back, through its own queue's job
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["agent"] == "qualification"
    assert body["state"] == "succeeded"
    output = body["result"]["output"]
    assert 0 <= output["score"] <= 100
    assert output["tier"] in "ABCD"
    assert "Generac" in output["reasoning"]
    job = client.get(f"/api/jobs/{body['job_id']}").json()
    assert (job["kind"], job["state"]) == ("qualification.invoke", "succeeded")


def test_invoke_on_a_stored_lead_reads_its_earlier_stage_outputs(client):
    lead_id = stored_lead()
    response = client.post(
        "/api/langgraph/invoke", json={"agent": "marketing", "input": {"lead_id": str(lead_id)}}
    )
    assert response.status_code == 200, response.text
    output = response.json()["result"]["output"]
    # The stored qualification said tier A: marketing plans the high-touch strategy
    assert output["based_on"]["tier"] == "A"
    assert output["channels"]


def test_invoke_streams_one_event_per_graph_node_then_the_result(client):
    with client.stream(
        "POST",
        "/api/langgraph/invoke",
        json={"agent": "growth", "input": DEALER, "stream": True, "timeout_s": 20},
    ) as response:
        assert response.status_code == 200
        events = list(sse_events(response.iter_lines()))
    kinds = [e["type"] for e in events]
    assert kinds[0] == "job"
    assert kinds[1] == "started"
    assert kinds[-1] == "done"
    # The growth graph's nodes, each reported once, in the order they ran
    nodes = [e["node"] for e in events if e["type"] == "node"]
    assert nodes[:3] == ["assess_market", "assess_competition", "score_growth"]
    assert len(set(nodes)) == len(nodes)
    assert 0 <= events[-1]["output"]["growth_score"] <= 100


def test_invoke_times_out_with_504_naming_the_idle_queue(client):
    # Given no worker consuming the growth queue
    with queue_paused("growth"):
        started = time.monotonic()
        response = client.post(
            "/api/langgraph/invoke", json={"agent": "growth", "input": DEALER, "timeout_s": 0.5}
        )
        waited = time.monotonic() - started

    # Then the caller hears back after about the timeout, with a reason and the job to poll
    assert response.status_code == 504
    detail = response.json()["detail"]
    assert "did not answer within 0.5 s" in detail
    assert "no worker is consuming the 'growth' queue" in detail
    assert "/api/jobs/" in detail
    assert waited < 5


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"agent": "closer", "input": DEALER}, 422),
        ({"agent": "growth"}, 422),
        ({"agent": "growth", "input": DEALER, "timeout_s": 0}, 422),
        ({"agent": "growth", "input": {"website": "no-name.com"}}, 422),
        ({"agent": "growth", "input": {"lead_id": "not-a-uuid"}}, 422),
        ({"agent": "growth", "input": {"lead_id": str(uuid.uuid4())}}, 404),
    ],
)
def test_invoke_refuses_bad_input_with_a_reason(client, body, status):
    response = client.post("/api/langgraph/invoke", json=body)
    assert response.status_code == status, response.text
    assert response.json()["detail"]


def test_invoke_refuses_a_lead_that_unsubscribed(client):
    lead_id = stored_lead(do_not_contact=True)
    response = client.post(
        "/api/langgraph/invoke", json={"agent": "bdr", "input": {"lead_id": str(lead_id)}}
    )
    assert response.status_code == 409
    assert "do not contact" in response.json()["detail"]


def test_status_shows_waiting_messages_workers_and_recent_runs(client):
    # Given a conversation turn answered, and three invocations waiting on an idle queue
    conversation = client.post("/api/conversations", json={"lead_id": str(stored_lead())}).json()
    client.post(
        f"/api/conversations/{conversation['conversation_id']}/messages",
        params={"stream": "false"},
        json={"text": "How much?"},
    )
    with queue_paused("marketing"):
        for _ in range(3):
            client.post(
                "/api/langgraph/invoke",
                json={"agent": "marketing", "input": DEALER, "timeout_s": 0.1},
            )

        # When the status is read
        status = client.get("/api/agents/status")

    # Then every agent is listed with its queue, and the idle queue shows its backlog
    assert status.status_code == 200
    by_agent = {a["agent"]: a for a in status.json()["agents"]}
    assert list(by_agent) == AGENTS
    assert by_agent["marketing"]["queue_length"] == 3
    assert by_agent["marketing"]["workers"] == []
    assert by_agent["growth"]["workers"]
    # And the conversation's answered turn counts as a run with a latency
    talk = by_agent["conversation"]
    assert talk["runs"] >= 1
    assert talk["error_rate"] is not None
    assert talk["latency_ms_p50"] > 0
    assert status.json()["window_minutes"] == 15


def _talk(client: TestClient, text: str, conversation_id: str | None = None) -> tuple[str, str]:
    if conversation_id is None:
        conversation_id = client.post(
            "/api/conversations", json={"lead_id": str(stored_lead(contact_name=None))}
        ).json()["conversation_id"]
    reply = client.post(
        f"/api/conversations/{conversation_id}/messages",
        params={"stream": "false"},
        json={"text": text},
    )
    assert reply.status_code == 200, reply.text
    return conversation_id, reply.json()["reply"]


def test_reset_of_one_thread_makes_that_conversation_forget(client):
    # Given two conversations in which the prospect said their name
    first, _ = _talk(client, "This is Dana, tell me more")
    second, _ = _talk(client, "This is Sam, tell me more")

    # When the conversation agent is reset for the first thread only
    reset = client.post("/api/agents/conversation/reset", json={"thread_id": first})
    assert reset.status_code == 200, reset.text
    assert reset.json()["threads_cleared"] == 1

    # Then the first conversation no longer knows the name; the second still does
    _, forgot = _talk(client, "How much does it cost?", first)
    _, remembered = _talk(client, "How much does it cost?", second)
    assert forgot.startswith("Hi there")
    assert remembered.startswith("Hi Sam")
    # And the history in Postgres is kept
    assert client.get(f"/api/conversations/{first}").json()["turn_count"] == 2


def test_reset_of_all_threads_clears_every_conversation_the_agent_wrote(client):
    conversation_id, _ = _talk(client, "This is Dana, tell me more")
    redis = get_redis()
    assert redis.sismember(index_key("conversation"), conversation_id)

    reset = client.post("/api/agents/conversation/reset")

    assert reset.status_code == 200
    assert reset.json()["threads_cleared"] >= 1
    assert redis.scard(index_key("conversation")) == 0
    assert not redis.exists(f"agent:checkpoint:thread:{conversation_id}")
    _, forgot = _talk(client, "How much does it cost?", conversation_id)
    assert forgot.startswith("Hi there")


def test_reset_of_an_unknown_agent_is_404(client):
    response = client.post("/api/agents/closer/reset")
    assert response.status_code == 404
    assert "conversation" in response.json()["detail"]
