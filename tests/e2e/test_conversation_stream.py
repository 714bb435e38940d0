"""A five-turn conversation over real HTTP (uvicorn) and SSE, answered by real workers,
with the worker replaced half-way through."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from api.serving import serving_api
from tests.support.conversations import (
    BDR_SLOTS,
    lead_do_not_contact,
    queue_served_only_by_new_workers,
    sse_events,
    stored_lead,
)
from tests.support.servers import API_KEY_HEADER
from tests.support.worker import start_worker_process

KEY = API_KEY_HEADER


@pytest.fixture(scope="module")
def api_url(servers):
    with serving_api() as url:
        yield url


def streamed_turn(client: httpx.Client, conversation_id: str, text: str) -> dict[str, Any]:
    """Send one message with stream=true; the tokens as they arrived and the final event."""
    started = time.perf_counter()
    arrivals: list[float] = []
    tokens: list[str] = []
    final: dict[str, Any] = {}
    with client.stream(
        "POST",
        f"/api/conversations/{conversation_id}/messages",
        params={"stream": "true"},
        json={"text": text},
    ) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for event in sse_events(response.iter_lines()):
            if event["type"] == "token":
                arrivals.append(time.perf_counter() - started)
                tokens.append(event["text"])
            elif event["type"] in ("done", "error"):
                final = event
    assert final.get("type") == "done", final
    return {"tokens": tokens, "arrivals": arrivals, **final}


def test_five_turns_survive_a_worker_restart_stream_and_honour_an_unsubscribe(api_url, servers):
    # Given a lead the pipeline qualified (no contact name on file) and a conversation
    lead_id = stored_lead(contact_name=None)
    client = httpx.Client(base_url=api_url, headers=KEY, timeout=30)
    created = client.post("/api/conversations", json={"lead_id": str(lead_id)})
    assert created.status_code == 201, created.text
    conversation_id = created.json()["conversation_id"]

    with queue_served_only_by_new_workers("conversation"):
        # When the prospect's first two turns are answered by one worker...
        first_worker = start_worker_process(
            servers.env, name=f"conv-a-{uuid.uuid4().hex[:6]}", queues="conversation", concurrency=1
        )
        try:
            first = streamed_turn(
                client, conversation_id, "Hi, this is Dana. Tell me more about what you do."
            )
            second = streamed_turn(client, conversation_id, "How much does it cost?")
        finally:
            first_worker.stop()
        # ...and the other three by a new worker process, started after the first stopped
        second_worker = start_worker_process(
            servers.env, name=f"conv-b-{uuid.uuid4().hex[:6]}", queues="conversation", concurrency=1
        )
        try:
            third = streamed_turn(client, conversation_id, "The second one works for me.")
            fourth = streamed_turn(client, conversation_id, "Can I talk to a real person?")
            fifth = streamed_turn(client, conversation_id, "Please unsubscribe me.")
        finally:
            second_worker.stop()
        assert "conversation.reply" in second_worker.log()

    turns = [first, second, third, fourth, fifth]
    # Then every reply streamed in many token events that add up to the reply
    for turn in turns:
        assert len(turn["tokens"]) > 5
        assert "".join(turn["tokens"]).strip() == turn["reply"]
        assert turn["arrivals"] == sorted(turn["arrivals"])
    assert [t["turn"] for t in turns] == [1, 2, 3, 4, 5]
    assert [t["intent"] for t in turns] == [
        "interest",
        "pricing",
        "scheduling",
        "human_handoff",
        "unsubscribe",
    ]

    # And the new worker remembered what the old one heard: the name from turn 1 and the
    # times offered in turns 1-2, so "the second one" is the BDR's second slot
    assert third["reply"].startswith("Hi Dana")
    assert f"{BDR_SLOTS[1]['label']} it is" in third["reply"]
    assert third["chosen_slot"] == BDR_SLOTS[1]
    assert fourth["handoff"]

    # And the unsubscribe marked the lead do-not-contact and closed the conversation
    assert fifth["do_not_contact"]
    assert lead_do_not_contact(lead_id)
    history = client.get(f"/api/conversations/{conversation_id}").json()
    assert history["status"] == "unsubscribed"
    assert [t["intent"] for t in history["turns"]] == [t["intent"] for t in turns]
    refused = client.post(
        f"/api/conversations/{conversation_id}/messages", json={"text": "hello again"}
    )
    assert refused.status_code == 409
