"""The ``conversation``-queue task: ``conversation.reply`` answers one prospect turn.

Load the turn and its lead from Postgres, run the conversation graph on the session's
checkpoint thread, publish the reply token by token (see workers/streams.py), then store
it. Safe to run twice: a turn already stored is republished, not recomputed, and a turn
the checkpoint already answered is replayed from there (see ConversationAgent.reply).

Turns of one session run one at a time and in the order they were sent: two messages
sent at once would otherwise both extend the same checkpoint, and one would be forgotten.

    conversation:lock:<session id>   held (SET NX PX) by the turn being answered
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import Task

from db.repositories.conversations import (
    TurnInput,
    TurnOutcome,
    earlier_turns_pending,
    fail_turn,
    finish_turn,
    load_turn_input,
)
from db.session import read_only, unit_of_work
from orchestration.agents.conversation.agent import AGENT_NAME, get_conversation_agent
from orchestration.engines.rules.conversation import tokens
from settings import get_settings
from tasks.stage import TRANSIENT_ERRORS, TransientError, retry_countdown
from workers.agent_threads import remember_thread
from workers.celery_app import app
from workers.lifecycle import get_redis
from workers.queues import Queue
from workers.streams import EventPublisher, conversation_topic

log = logging.getLogger(__name__)

REPLY = f"{Queue.conversation.value}.reply"
# Said instead of running the agent when the lead unsubscribed after this turn was sent.
OPTED_OUT_REPLY = (
    "You're unsubscribed: we won't contact {company} again. "
    "If that was a mistake, please contact us directly."
)


@app.task(name=REPLY, bind=True, max_retries=None)
def reply(self: Task[Any, Any], conversation_id: str, turn_id: str) -> dict[str, Any] | None:
    """Answer one turn of a conversation and stream the reply."""
    started = time.perf_counter()
    with read_only() as session:
        turn = load_turn_input(session, turn_id)
    if turn is None:
        log.warning("conversation %s: turn %s is gone; nothing to answer", conversation_id, turn_id)
        return None
    publisher = EventPublisher(
        get_redis(), conversation_topic(conversation_id, turn_id), get_settings().stream_ttl_seconds
    )
    if turn.state == "succeeded":
        # A redelivered message: say again what was said, for anyone still listening.
        _publish_whole(publisher, turn.output)
        return turn.output
    try:
        with _session_turn(conversation_id, turn_id, turn) as current:
            outcome = _answer(current, turn_id, publisher, started)
            with unit_of_work() as session:
                finish_turn(session, outcome)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries < get_settings().max_retries:
            log.warning("conversation %s turn %s: %s; retrying", conversation_id, turn_id, exc)
            raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
        _fail(turn_id, publisher, exc)
        return None
    except Exception as exc:  # an agent bug: retrying will not help; tell the caller
        log.exception("conversation %s turn %s failed", conversation_id, turn_id)
        _fail(turn_id, publisher, exc)
        return None
    publisher.publish("done", **outcome.output)
    return outcome.output


_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_POLL_S = 0.02


@contextmanager
def _session_turn(conversation_id: str, turn_id: str, turn: TurnInput) -> Iterator[TurnInput]:
    """Hold the session's lock, once every earlier turn is answered, for this turn.

    Waits at most ``conversation_reply_timeout_s`` for earlier turns (a turn whose worker
    died is only redelivered after the visibility timeout: this one goes ahead rather
    than wait that long), and raises TransientError if the lock itself stays taken.
    Yields the turn as it stands once the wait is over (an earlier turn may have
    unsubscribed the lead meanwhile).
    """
    client = get_redis()
    key = f"conversation:lock:{conversation_id}"
    settings = get_settings()
    deadline = time.monotonic() + settings.conversation_reply_timeout_s
    earlier_pending = turn.earlier_pending
    waited = False
    while True:
        if client.set(key, turn_id, nx=True, px=settings.task_time_limit * 1000):
            if not earlier_pending or time.monotonic() >= deadline:
                break
            client.eval(_RELEASE, 1, key, turn_id)  # let the earlier turn take it
        elif time.monotonic() >= deadline:
            raise TransientError(f"conversation {conversation_id} is busy with another turn")
        waited = True
        time.sleep(_POLL_S)
        with read_only() as session:
            earlier_pending = earlier_turns_pending(session, turn.conversation_id, turn.seq)
    try:
        if waited:
            with read_only() as session:
                turn = load_turn_input(session, turn_id) or turn
        yield turn
    finally:
        client.eval(_RELEASE, 1, key, turn_id)


def _answer(
    turn: TurnInput, turn_id: str, publisher: EventPublisher, started: float
) -> TurnOutcome:
    conversation_id = str(turn.conversation_id)

    def on_token(piece: str) -> None:
        publisher.publish("token", text=piece)

    if turn.do_not_contact:
        # The lead unsubscribed (in another turn or elsewhere) after this one was queued:
        # answer with the confirmation only, never with sales content.
        text = OPTED_OUT_REPLY.format(company=turn.lead.get("company_name") or "you")
        for piece in tokens(text):
            on_token(piece)
        output: dict[str, Any] = {
            "turn_id": turn_id,
            "intent": None,
            "reply": text,
            "do_not_contact": True,
            "suppressed": "do_not_contact",
        }
        return _outcome(turn, turn_id, output, "rules", started)
    remember_thread(get_redis(), AGENT_NAME, conversation_id)
    agent = get_conversation_agent()
    result = agent.reply(conversation_id, turn_id, turn.text, turn.lead, on_token)
    return _outcome(turn, turn_id, result.output(), result.engine, started)


def _outcome(
    turn: TurnInput, turn_id: str, output: dict[str, Any], engine: str, started: float
) -> TurnOutcome:
    latency_ms = (time.perf_counter() - started) * 1000
    output = {**output, "latency_ms": round(latency_ms, 2)}
    return TurnOutcome(
        turn_id=turn_id,
        conversation_id=turn.conversation_id,
        lead_id=turn.lead_id,
        reply=output["reply"],
        intent=output.get("intent"),
        output=output,
        engine=engine,
        latency_ms=latency_ms,
        do_not_contact=bool(output.get("do_not_contact")),
        handoff=bool(output.get("handoff")),
    )


def _publish_whole(publisher: EventPublisher, output: dict[str, Any]) -> None:
    for piece in tokens(str(output.get("reply") or "")):
        publisher.publish("token", text=piece)
    publisher.publish("done", **output)


def _fail(turn_id: str, publisher: EventPublisher, exc: BaseException) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    with unit_of_work() as session:
        fail_turn(session, turn_id, error)
    # The detail stays on the turn row (GET /api/conversations/{id}); callers get the gist.
    publisher.publish(
        "error", turn_id=turn_id, message="the reply failed; please send the message again"
    )
