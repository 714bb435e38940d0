"""Conversations over the REST API, answered by a real worker on the conversation queue."""

from __future__ import annotations

import time
import uuid

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.support.conversations import BDR_SLOTS, lead_do_not_contact, sse_events, stored_lead
from tests.support.servers import API_KEY_HEADER
from workers.lifecycle import get_redis
from workers.streams import conversation_topic, log_key

KEY = API_KEY_HEADER


@pytest.fixture(scope="module")
def client(servers, worker):
    with TestClient(create_app(), headers=KEY) as test_client:
        yield test_client


def start(client: TestClient, **lead_fields) -> tuple[str, uuid.UUID]:
    lead_id = stored_lead(**lead_fields)
    response = client.post("/api/conversations", json={"lead_id": str(lead_id)})
    assert response.status_code == 201, response.text
    return response.json()["conversation_id"], lead_id


def test_a_waited_reply_comes_back_whole_and_is_in_the_history(client):
    # Given a conversation with a qualified lead
    conversation_id, _ = start(client)

    # When the prospect asks about price and waits for the answer
    response = client.post(
        f"/api/conversations/{conversation_id}/messages",
        params={"stream": "false"},
        json={"text": "How much does it cost?"},
    )

    # Then the whole reply is there, recognised as pricing and grounded in the lead
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["intent"] == "pricing"
    assert "Sunrise Power Solutions" in reply["reply"]
    assert BDR_SLOTS[0]["label"] in reply["reply"]
    assert reply["seq"] == 1
    assert reply["engine"] == "rules"

    # And the history shows the turn, and the job is known as succeeded
    history = client.get(f"/api/conversations/{conversation_id}").json()
    assert history["turn_count"] == 1
    assert history["turns"][0]["prospect_text"] == "How much does it cost?"
    assert history["turns"][0]["reply"] == reply["reply"]
    job = client.get(f"/api/jobs/{reply['turn_id']}").json()
    assert (job["kind"], job["state"]) == ("conversation.reply", "succeeded")


def test_a_streamed_reply_arrives_token_by_token_then_done(client):
    conversation_id, _ = start(client)
    with client.stream(
        "POST",
        f"/api/conversations/{conversation_id}/messages",
        params={"stream": "true"},
        json={"text": "Tell me more"},
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = list(sse_events(response.iter_lines()))
    assert events[0]["type"] == "turn"
    tokens = [e["text"] for e in events if e["type"] == "token"]
    done = events[-1]
    assert done["type"] == "done"
    assert len(tokens) > 20
    assert "".join(tokens).strip() == done["reply"]
    assert [e["seq"] for e in events[1:]] == list(range(1, len(events)))


def test_a_late_listener_replays_the_whole_reply(client):
    # Given a turn sent without waiting, and answered before anyone listens
    conversation_id, _ = start(client)
    accepted = client.post(
        f"/api/conversations/{conversation_id}/messages", json={"text": "Can we book a call?"}
    )
    assert accepted.status_code == 202
    turn_id = accepted.json()["turn_id"]
    deadline = time.monotonic() + 20
    while client.get(f"/api/jobs/{turn_id}").json()["state"] != "succeeded":
        assert time.monotonic() < deadline, "the turn was not answered"
        time.sleep(0.05)

    # When a listener connects afterwards
    with client.stream("GET", accepted.json()["stream_url"]) as response:
        events = list(sse_events(response.iter_lines()))

    # Then it still gets every token from the first, and the final event
    tokens = [e["text"] for e in events if e["type"] == "token"]
    assert events[-1]["type"] == "done"
    assert "".join(tokens).strip() == events[-1]["reply"]
    assert events[-1]["intent"] == "scheduling"


def test_an_unsubscribe_closes_the_conversation_and_marks_the_lead(client):
    # Given a conversation
    conversation_id, lead_id = start(client)

    # When the prospect unsubscribes
    reply = client.post(
        f"/api/conversations/{conversation_id}/messages",
        params={"stream": "false"},
        json={"text": "Please remove me"},
    ).json()

    # Then the lead is do-not-contact and the conversation is closed
    assert reply["intent"] == "unsubscribe"
    assert reply["do_not_contact"]
    assert lead_do_not_contact(lead_id)
    assert client.get(f"/api/conversations/{conversation_id}").json()["status"] == "unsubscribed"
    # And no further message, nor a new conversation, reaches the lead
    again = client.post(
        f"/api/conversations/{conversation_id}/messages", json={"text": "Actually, how much is it?"}
    )
    assert again.status_code == 409
    assert "unsubscribed" in again.json()["detail"]
    fresh = client.post("/api/conversations", json={"lead_id": str(lead_id)})
    assert fresh.status_code == 409


def test_a_hand_off_marks_the_conversation_for_a_person(client):
    conversation_id, _ = start(client)
    reply = client.post(
        f"/api/conversations/{conversation_id}/messages",
        params={"stream": "false"},
        json={"text": "I want a real person"},
    ).json()
    assert reply["intent"] == "human_handoff"
    assert reply["handoff"]
    assert client.get(f"/api/conversations/{conversation_id}").json()["status"] == "handed_off"


@pytest.mark.parametrize(
    "path",
    [
        "/api/conversations/{unknown}",
        "/api/conversations/not-a-uuid",
        "/api/conversations/{unknown}/stream",
    ],
)
def test_unknown_conversations_are_404(client, path):
    response = client.get(path.format(unknown=uuid.uuid4()))
    assert response.status_code == 404
    assert "no conversation" in response.json()["detail"]


def test_bad_requests_are_refused_with_reasons(client):
    assert client.post("/api/conversations", json={"lead_id": str(uuid.uuid4())}).status_code == 404
    assert client.post("/api/conversations", json={"lead_id": "nope"}).status_code == 422
    assert client.post("/api/conversations", json={}).status_code == 422
    conversation_id, _ = start(client)
    url = f"/api/conversations/{conversation_id}/messages"
    assert client.post(url, json={"text": "   "}).status_code == 422
    assert client.post(url, json={"words": "hi"}).status_code == 422
    assert (
        client.post(f"/api/conversations/{uuid.uuid4()}/messages", json={"text": "hi"}).status_code
        == 404
    )
    no_turns = client.get(f"/api/conversations/{conversation_id}/stream")
    assert no_turns.status_code == 404
    assert "no turns" in no_turns.json()["detail"]


def test_messages_sent_at_once_are_answered_one_by_one_in_order(client):
    # Given a lead with no contact name on file
    conversation_id, _ = start(client, contact_name=None)
    url = f"/api/conversations/{conversation_id}/messages"

    # When three messages are sent without waiting (the worker runs two processes)
    texts = ["This is Dana, tell me more", "How much does it cost?", "The second one works"]
    turn_ids = [client.post(url, json={"text": text}).json()["turn_id"] for text in texts]
    deadline = time.monotonic() + 30
    while any(client.get(f"/api/jobs/{t}").json()["state"] != "succeeded" for t in turn_ids):
        assert time.monotonic() < deadline, "the turns were not all answered"
        time.sleep(0.05)

    # Then each reply knew what the turns before it said: the name, then the offered times
    turns = client.get(f"/api/conversations/{conversation_id}").json()["turns"]
    assert [t["intent"] for t in turns] == ["interest", "pricing", "scheduling"]
    assert turns[1]["reply"].startswith("Hi Dana")
    assert f"{BDR_SLOTS[1]['label']} it is" in turns[2]["reply"]
    finished = [t["finished_at"] for t in turns]
    assert finished == sorted(finished)


def test_after_the_replay_expires_a_finished_reply_is_served_from_postgres(client):
    # Given a reply whose replay log has expired from Redis
    conversation_id, _ = start(client)
    reply = client.post(
        f"/api/conversations/{conversation_id}/messages",
        params={"stream": "false"},
        json={"text": "How much does it cost?"},
    ).json()
    get_redis().delete(log_key(conversation_topic(conversation_id, reply["turn_id"])))

    # When a listener asks for the stream of that turn
    started = time.monotonic()
    with client.stream(
        "GET", f"/api/conversations/{conversation_id}/stream", params={"turn_id": reply["turn_id"]}
    ) as response:
        events = list(sse_events(response.iter_lines()))

    # Then it gets the stored reply at once instead of waiting for tokens that will not come
    assert time.monotonic() - started < 2
    assert [e["type"] for e in events] == ["turn", "done"]
    assert events[-1]["reply"] == reply["reply"]
