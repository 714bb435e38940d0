"""Conversations: a prospect's chat with the conversation agent, by text or by voice.

A turn is stored, then sent to the ``conversation`` queue; the worker streams the reply
token by token through Redis. Callers choose per message: ``stream=true`` answers with
Server-Sent Events, ``stream=false`` waits and returns the whole reply, neither answers
202 at once with the turn id (stream it later from ``GET …/stream``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from kombu.exceptions import OperationalError as BrokerOperationalError
from pydantic import BaseModel, Field, StringConstraints

from api.body_limits import MIB
from api.event_streams import (
    SSE_HEADERS,
    StreamUnavailableError,
    replay_exists,
    sse_response,
    wait_for_final,
)
from db.models import ConversationTurn, JobState
from db.repositories import conversations as repository
from db.session import read_only, unit_of_work
from orchestration.integrations.voice import (
    VoiceError,
    VoiceInputError,
    VoiceNotConfiguredError,
    voice_provider,
)
from settings import get_settings
from workers.celery_app import app as celery_app
from workers.streams import StreamTimeoutError, conversation_topic, sse

router = APIRouter(prefix="/api/conversations", tags=["conversations"])

REPLY_TASK = repository.REPLY_TASK
ProspectText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
]


class ConversationIn(BaseModel):
    lead_id: uuid.UUID = Field(..., description="The lead the prospect belongs to.")


class ConversationCreated(BaseModel):
    conversation_id: uuid.UUID
    lead_id: uuid.UUID
    status: str
    messages_url: str
    stream_url: str


class MessageIn(BaseModel):
    text: ProspectText = Field(..., description="What the prospect said.")


class TurnAccepted(BaseModel):
    conversation_id: uuid.UUID
    turn_id: str = Field(..., description="Also the job id: GET /api/jobs/{turn_id}.")
    seq: int
    stream_url: str
    transcript: str | None = None


class ReplyOut(BaseModel):
    conversation_id: uuid.UUID
    turn_id: str
    seq: int
    reply: str
    intent: str | None
    do_not_contact: bool = False
    handoff: bool = False
    chosen_slot: dict[str, Any] | None = None
    engine: str | None = None
    latency_ms: float | None = None
    transcript: str | None = Field(None, description="What was heard, for an audio turn.")


class TurnOut(BaseModel):
    turn_id: str
    seq: int
    state: str
    input_mode: str
    prospect_text: str
    reply: str | None
    intent: str | None
    engine: str | None
    latency_ms: float | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None


class ConversationOut(BaseModel):
    conversation_id: uuid.UUID
    lead_id: uuid.UUID
    status: str
    turn_count: int
    created_at: datetime
    updated_at: datetime
    turns: list[TurnOut]


def _session_id(conversation_id: str) -> uuid.UUID:
    """Any id that is not a stored conversation is unknown: 404, malformed or not."""
    try:
        return uuid.UUID(conversation_id)
    except ValueError:
        raise HTTPException(404, detail=f"no conversation {conversation_id}") from None


def _stream_url(conversation_id: uuid.UUID, turn_id: str) -> str:
    return f"/api/conversations/{conversation_id}/stream?turn_id={turn_id}"


@router.post(
    "",
    status_code=201,
    response_model=ConversationCreated,
    responses={404: {"description": "no such lead"}, 409: {"description": "the lead unsubscribed"}},
)
def start_conversation(body: ConversationIn) -> ConversationCreated:
    """Start a chat session for a lead. Refused (409) for a lead that unsubscribed."""
    try:
        with unit_of_work() as session:
            conversation = repository.open_conversation(session, body.lead_id)
    except repository.LeadNotFoundError as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    except repository.DoNotContactError as exc:
        raise HTTPException(409, detail=str(exc)) from exc
    cid = conversation.id
    return ConversationCreated(
        conversation_id=cid,
        lead_id=body.lead_id,
        status=conversation.status,
        messages_url=f"/api/conversations/{cid}/messages",
        stream_url=f"/api/conversations/{cid}/stream",
    )


def _queue_turn(conversation_id: uuid.UUID, text: str, input_mode: str) -> tuple[str, int]:
    """Store the turn, then (committed) send it; a broker failure fails the turn: 503."""
    try:
        with unit_of_work() as session:
            turn = repository.add_turn(session, conversation_id, text, input_mode)
            turn_id, seq = turn.id, turn.seq
    except repository.ConversationNotFoundError as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    except repository.DoNotContactError as exc:
        raise HTTPException(409, detail=str(exc)) from exc
    try:
        celery_app.send_task(REPLY_TASK, args=(str(conversation_id), turn_id), task_id=turn_id)
    except BrokerOperationalError as exc:
        with unit_of_work() as session:
            repository.fail_turn(session, turn_id, "the broker was unreachable; not sent")
        raise HTTPException(503, detail="the queue is unreachable; send the message again") from exc
    return turn_id, seq


async def _answer(
    conversation_id: uuid.UUID,
    text: str,
    *,
    input_mode: str,
    stream: bool | None,
    voice: bool,
    transcript: str | None = None,
) -> Response:
    turn_id, seq = await run_in_threadpool(_queue_turn, conversation_id, text, input_mode)
    topic = conversation_topic(str(conversation_id), turn_id)
    timeout_s = get_settings().conversation_reply_timeout_s
    if stream and not voice:
        first = {
            "type": "turn",
            "conversation_id": str(conversation_id),
            "turn_id": turn_id,
            "seq": seq,
            "transcript": transcript,
        }
        return sse_response(topic, timeout_s, first=first)
    if stream is None and not voice:
        accepted = TurnAccepted(
            conversation_id=conversation_id,
            turn_id=turn_id,
            seq=seq,
            stream_url=_stream_url(conversation_id, turn_id),
            transcript=transcript,
        )
        return JSONResponse(accepted.model_dump(mode="json"), status_code=202)
    try:
        final = await wait_for_final(topic, timeout_s)
    except StreamUnavailableError as exc:
        raise HTTPException(503, detail=f"{exc}; the turn is queued as {turn_id}") from exc
    except StreamTimeoutError as exc:
        raise HTTPException(
            504,
            detail=(
                f"no reply within {timeout_s:g} s; the turn is still queued or running: "
                f"stream it from {_stream_url(conversation_id, turn_id)}"
            ),
        ) from exc
    if final["type"] == "error":
        raise HTTPException(502, detail=final.get("message", "the reply failed"))
    reply = ReplyOut(
        conversation_id=conversation_id,
        turn_id=turn_id,
        seq=seq,
        reply=final["reply"],
        intent=final.get("intent"),
        do_not_contact=bool(final.get("do_not_contact")),
        handoff=bool(final.get("handoff")),
        chosen_slot=final.get("chosen_slot"),
        engine=final.get("engine"),
        latency_ms=final.get("latency_ms"),
        transcript=transcript,
    )
    if voice:
        return await _spoken(reply.reply, turn_id, reply.intent)
    return JSONResponse(reply.model_dump(mode="json"))


async def _spoken(text: str, turn_id: str, intent: str | None) -> Response:
    try:
        speech = await voice_provider().synthesize(text)
    except VoiceNotConfiguredError as exc:
        raise HTTPException(503, detail=str(exc)) from exc
    except VoiceError as exc:
        raise HTTPException(502, detail=f"the reply could not be spoken: {exc}") from exc
    return Response(
        speech.audio,
        media_type=speech.content_type,
        headers={"X-Turn-Id": turn_id, "X-Intent": intent or ""},
    )


_STREAM_HELP = (
    "true: answer with Server-Sent Events (token, then done); false: wait and "
    "return the whole reply; omitted: 202 with the turn id at once."
)
_VOICE_HELP = "Return the reply as audio (text to speech); implies waiting for it."


@router.post(
    "/{conversation_id}/messages",
    status_code=202,
    responses={
        200: {"description": "the whole reply (stream=false), or its audio"},
        404: {"description": "no such conversation"},
        409: {"description": "the prospect unsubscribed"},
        504: {"description": "no reply in time"},
    },
)
async def send_message(
    conversation_id: str,
    body: MessageIn,
    stream: Annotated[bool | None, Query(description=_STREAM_HELP)] = None,
    voice: Annotated[bool, Query(description=_VOICE_HELP)] = False,
) -> Response:
    """Send the prospect's next message; the reply comes from the conversation queue."""
    return await _answer(
        _session_id(conversation_id), body.text, input_mode="text", stream=stream, voice=voice
    )


@router.post(
    "/{conversation_id}/audio",
    status_code=202,
    responses={
        200: {"description": "the whole reply, or its audio (voice=true)"},
        404: {"description": "no such conversation"},
        413: {"description": "audio too large"},
        422: {"description": "audio not understood"},
        503: {"description": "voice is not configured"},
    },
)
async def send_audio(
    conversation_id: str,
    file: Annotated[UploadFile, File(description="The prospect's speech.")],
    stream: Annotated[bool | None, Query(description=_STREAM_HELP)] = None,
    voice: Annotated[bool, Query(description=_VOICE_HELP)] = False,
) -> Response:
    """Send the prospect's next turn as audio: transcribed, then answered like a message."""
    session_id = _session_id(conversation_id)
    await run_in_threadpool(_require_conversation, session_id)
    # The body as a whole is bounded while it arrives (api/body_limits.py); the file
    # itself gets the exact limit here.
    limit_mb = get_settings().voice_max_audio_mb
    audio = await file.read(limit_mb * MIB + 1)
    if len(audio) > limit_mb * MIB:
        raise HTTPException(413, detail=f"audio too large: the limit is {limit_mb} MB")
    try:
        transcript = await voice_provider().transcribe(
            audio,
            filename=file.filename or "turn.wav",
            content_type=file.content_type or "application/octet-stream",
        )
    except VoiceNotConfiguredError as exc:
        raise HTTPException(503, detail=str(exc)) from exc
    except VoiceInputError as exc:
        raise HTTPException(422, detail=f"the audio could not be transcribed: {exc}") from exc
    except VoiceError as exc:
        raise HTTPException(502, detail=f"speech to text failed: {exc}") from exc
    text = transcript.text.strip()[:4000]
    if not text:
        raise HTTPException(422, detail="no speech was recognised in the audio")
    return await _answer(
        session_id, text, input_mode="audio", stream=stream, voice=voice, transcript=text
    )


def _require_conversation(conversation_id: uuid.UUID) -> None:
    with read_only() as session:
        if repository.get_conversation(session, conversation_id) is None:
            raise HTTPException(404, detail=f"no conversation {conversation_id}")


def _turn_to_stream(conversation_id: uuid.UUID, turn_id: str | None) -> ConversationTurn:
    with read_only() as session:
        if repository.get_conversation(session, conversation_id) is None:
            raise HTTPException(404, detail=f"no conversation {conversation_id}")
        turn = (
            repository.get_turn(session, conversation_id, turn_id)
            if turn_id
            else repository.latest_turn(session, conversation_id)
        )
    if turn is None:
        raise HTTPException(
            404,
            detail=(
                f"no turn {turn_id} in conversation {conversation_id}"
                if turn_id
                else "the conversation has no turns yet"
            ),
        )
    return turn


@router.get(
    "/{conversation_id}/stream",
    responses={
        200: {"content": {"text/event-stream": {}}},
        404: {"description": "no such conversation or turn"},
    },
)
async def stream_reply(
    conversation_id: str,
    turn_id: Annotated[
        str | None, Query(description=("The turn to stream; the latest one when omitted."))
    ] = None,
) -> Response:
    """Server-Sent Events of one reply: ``token`` events, then ``done`` (or ``error``).

    A caller who connects late, even after the reply finished, gets every token from the
    first (replayed from Redis for ``SALES_AGENT_STREAM_TTL_SECONDS``; after that, a
    finished turn is answered from Postgres with its final event only).
    """
    session_id = _session_id(conversation_id)
    turn = await run_in_threadpool(_turn_to_stream, session_id, turn_id)
    topic = conversation_topic(str(session_id), turn.id)
    first = {
        "type": "turn",
        "conversation_id": str(session_id),
        "turn_id": turn.id,
        "seq": turn.seq,
    }
    if turn.state in (JobState.succeeded, JobState.failed) and not await replay_exists(topic):
        last = (
            {"type": "done", **turn.output}
            if turn.state == JobState.succeeded
            else {"type": "error", "turn_id": turn.id, "message": "the reply failed"}
        )
        return StreamingResponse(
            iter([sse(first), sse({"seq": 1, **last})]),
            media_type="text/event-stream",
            headers=SSE_HEADERS,
        )
    return sse_response(
        conversation_topic(str(session_id), turn.id),
        get_settings().conversation_reply_timeout_s,
        first=first,
    )


@router.get(
    "/{conversation_id}/turns/{turn_id}/audio",
    responses={
        200: {"content": {"audio/mpeg": {}}},
        404: {"description": "no such turn"},
        409: {"description": "the reply is not ready"},
    },
)
async def reply_audio(conversation_id: str, turn_id: str) -> Response:
    """A stored reply, spoken (text to speech)."""
    session_id = _session_id(conversation_id)
    turn = await run_in_threadpool(_turn_to_stream, session_id, turn_id)
    if not turn.reply_text:
        raise HTTPException(409, detail=f"turn {turn_id} has no reply yet ({turn.state})")
    return await _spoken(turn.reply_text, turn.id, turn.intent)


@router.get(
    "/{conversation_id}",
    response_model=ConversationOut,
    responses={404: {"description": "no such conversation"}},
)
def get_conversation(conversation_id: str) -> ConversationOut:
    """The session's status and every turn so far, oldest first."""
    session_id = _session_id(conversation_id)
    with read_only() as session:
        conversation = repository.get_conversation(session, session_id)
        if conversation is None:
            raise HTTPException(404, detail=f"no conversation {conversation_id}")
        turns = [
            TurnOut(
                turn_id=t.id,
                seq=t.seq,
                state=t.state,
                input_mode=t.input_mode,
                prospect_text=t.prospect_text,
                reply=t.reply_text,
                intent=t.intent,
                engine=t.engine,
                latency_ms=t.latency_ms,
                error=t.error,
                created_at=t.created_at,
                finished_at=t.finished_at,
            )
            for t in repository.list_turns(session, session_id)
        ]
        return ConversationOut(
            conversation_id=conversation.id,
            lead_id=conversation.lead_id,
            status=conversation.status,
            turn_count=conversation.turn_count,
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
            turns=turns,
        )
