"""Agents: live status per agent queue, and resetting an agent's checkpoints and caches."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import redis
from fastapi import APIRouter, Body, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import Float, cast, func, literal, select
from sqlalchemy.orm import Session

from db.models import AgentExecution, ConversationTurn, EnrichmentCache, JobState
from db.repositories import conversations as conversation_repository
from db.session import read_only, unit_of_work
from orchestration.checkpoint.runtime import get_checkpointer
from settings import get_settings
from workers.agent_threads import forget_thread, threads_of
from workers.celery_app import app as celery_app
from workers.lifecycle import get_redis
from workers.queues import PIPELINE_STAGES, Queue
from workers.streams import log_key

router = APIRouter(prefix="/api/agents", tags=["agents"])

CONVERSATION = Queue.conversation.value
# Every agent, in pipeline order, then the conversation agent; each has a queue of its name.
AGENTS: tuple[str, ...] = (*PIPELINE_STAGES, CONVERSATION)
# kombu's Redis transport keeps a queue's priority messages in lists named
# "<queue>\x06\x16<priority>" next to the plain "<queue>" list (priority steps 0, 3, 6, 9).
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


def queue_keys(queue: str) -> list[str]:
    return [queue, *(f"{queue}{_PRIORITY_SEPARATOR}{step}" for step in _PRIORITY_STEPS)]


def queue_lengths(client: redis.Redis, queues: tuple[str, ...]) -> dict[str, int]:
    """Messages waiting per queue (prefetched and running messages are not counted)."""
    pipe = client.pipeline(transaction=False)
    for queue in queues:
        for key in queue_keys(queue):
            pipe.llen(key)
    counts = iter(pipe.execute())
    return {queue: sum(int(next(counts)) for _ in queue_keys(queue)) for queue in queues}


class _WorkersCache:
    """``inspect active_queues`` answers for a few seconds: a broadcast costs its timeout."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at = 0.0
        self._by_queue: dict[str, list[str]] = {}
        self._error: str | None = None

    def by_queue(self) -> tuple[dict[str, list[str]], str | None]:
        ttl = get_settings().agent_status_workers_cache_s
        with self._lock:
            if time.monotonic() - self._at >= ttl:
                self._refresh()
            return self._by_queue, self._error

    def _refresh(self) -> None:
        by_queue: dict[str, list[str]] = {}
        try:
            replies = celery_app.control.inspect(timeout=0.5).active_queues() or {}
            for worker, queues in replies.items():
                for queue in queues:
                    by_queue.setdefault(queue["name"], []).append(worker)
            self._error = None
        except Exception as exc:  # a status page reports, never fails
            self._error = f"workers unknown: {type(exc).__name__}"
        self._by_queue = {queue: sorted(workers) for queue, workers in by_queue.items()}
        self._at = time.monotonic()

    def clear(self) -> None:
        with self._lock:
            self._at = 0.0


workers_cache = _WorkersCache()


class AgentStatus(BaseModel):
    agent: str
    queue: str
    queue_length: int = Field(..., description="Messages waiting on the broker.")
    workers: list[str] = Field(..., description="Workers consuming the queue.")
    runs: int = Field(..., description="Runs finished in the window.")
    failures: int
    error_rate: float | None = Field(..., description="failures / runs; null without runs.")
    latency_ms_p50: float | None
    latency_ms_p95: float | None
    latency_ms_avg: float | None


class AgentsStatusOut(BaseModel):
    window_minutes: int
    agents: list[AgentStatus]
    detail: dict[str, str] = Field(default_factory=dict)


def _latency_stats(session: Session, since: datetime) -> dict[str, dict[str, Any]]:
    def stats(latency: Any, failed: Any) -> tuple[Any, ...]:
        return (
            func.count(),
            func.count().filter(failed),
            func.percentile_cont(0.5).within_group(cast(latency, Float)),
            func.percentile_cont(0.95).within_group(cast(latency, Float)),
            func.avg(latency),
        )

    rows = list(
        session.execute(
            select(
                AgentExecution.stage,
                *stats(AgentExecution.latency_ms, AgentExecution.success.is_(False)),
            )
            .where(AgentExecution.created_at >= since)
            .group_by(AgentExecution.stage)
        )
    )
    rows += list(
        session.execute(
            select(
                literal(CONVERSATION),
                *stats(ConversationTurn.latency_ms, ConversationTurn.state == JobState.failed),
            )
            .where(
                ConversationTurn.finished_at >= since,
                ConversationTurn.state.in_([JobState.succeeded, JobState.failed]),
            )
            .having(func.count() > 0)
        )
    )
    return {
        str(name): {"runs": runs, "failures": failures, "p50": p50, "p95": p95, "avg": avg}
        for name, runs, failures, p50, p95, avg in rows
    }


def _rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def agents_status() -> AgentsStatusOut:
    settings = get_settings()
    window = settings.agent_status_window_minutes
    detail: dict[str, str] = {}
    try:
        lengths = queue_lengths(get_redis(), AGENTS)
    except redis.RedisError as exc:
        detail["redis"] = type(exc).__name__
        lengths = dict.fromkeys(AGENTS, 0)
    by_queue, workers_error = workers_cache.by_queue()
    if workers_error:
        detail["workers"] = workers_error
    with read_only() as session:
        stats = _latency_stats(session, datetime.now(UTC) - timedelta(minutes=window))
    agents = []
    for agent in AGENTS:
        found = stats.get(agent, {})
        runs = int(found.get("runs") or 0)
        failures = int(found.get("failures") or 0)
        agents.append(
            AgentStatus(
                agent=agent,
                queue=agent,
                queue_length=lengths[agent],
                workers=by_queue.get(agent, []),
                runs=runs,
                failures=failures,
                error_rate=round(failures / runs, 4) if runs else None,
                latency_ms_p50=_rounded(found.get("p50")),
                latency_ms_p95=_rounded(found.get("p95")),
                latency_ms_avg=_rounded(found.get("avg")),
            )
        )
    return AgentsStatusOut(window_minutes=window, agents=agents, detail=detail)


@router.get("/status", response_model=AgentsStatusOut)
def get_status() -> AgentsStatusOut:
    """Per agent: messages waiting on its queue, the workers consuming it, and its runs,
    error rate and latency over the last ``SALES_AGENT_AGENT_STATUS_WINDOW_MINUTES``."""
    return agents_status()


class ResetIn(BaseModel):
    thread_id: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description=(
            "Only this checkpoint thread, as the agent names it (a conversation id; for bdr "
            "'bdr:<lead id>'); every thread the agent wrote when omitted."
        ),
    )


class ResetOut(BaseModel):
    agent: str
    thread_id: str | None
    threads_cleared: int = Field(..., description="Checkpoint threads deleted.")
    cache_entries_cleared: int = Field(..., description="Cached answers and replay logs.")


# Redis key patterns of each agent's caches (SCAN, never KEYS: reset is rare, not hot).
_CACHE_PATTERNS: dict[str, tuple[str, ...]] = {
    agent: (f"llm:decision:{agent}:*",) for agent in AGENTS
}
_CACHE_PATTERNS["enrichment"] += ("enrich:hot:*",)


def _delete_matching(client: redis.Redis, pattern: str) -> int:
    deleted = 0
    batch: list[str] = []
    for key in client.scan_iter(match=pattern, count=1000):
        batch.append(key)
        if len(batch) >= 500:
            deleted += int(client.unlink(*batch))
            batch.clear()
    if batch:
        deleted += int(client.unlink(*batch))
    return deleted


def _conversation_replay_logs(client: redis.Redis, session_id: str) -> int:
    """A conversation's replayable reply streams go with its memory."""
    try:
        session_uuid = uuid.UUID(session_id)
    except ValueError:
        return 0
    with read_only() as session:
        turns = conversation_repository.list_turns(session, session_uuid)
    keys = [log_key(f"conversation:{session_id}:{turn.id}") for turn in turns]
    return int(client.unlink(*keys)) if keys else 0


def reset_agent(agent: str, thread_id: str | None) -> ResetOut:
    client = get_redis()
    saver = get_checkpointer()
    threads = [thread_id] if thread_id else list(threads_of(client, agent))
    for thread in threads:
        saver.delete_thread(thread)
        forget_thread(client, agent, thread)
    cleared = 0
    if agent == CONVERSATION:
        for thread in threads:
            cleared += _conversation_replay_logs(client, thread)
    if thread_id is None:
        # Cached answers are keyed by company, not by thread: only a full reset drops them.
        for pattern in _CACHE_PATTERNS[agent]:
            cleared += _delete_matching(client, pattern)
        if agent == "enrichment":
            with unit_of_work() as session:
                cleared += session.query(EnrichmentCache).delete()
    return ResetOut(
        agent=agent,
        thread_id=thread_id,
        threads_cleared=len(threads),
        cache_entries_cleared=cleared,
    )


@router.post(
    "/{agent_type}/reset",
    response_model=ResetOut,
    responses={404: {"description": "no such agent"}},
)
def reset(agent_type: str, body: Annotated[ResetIn | None, Body()] = None) -> ResetOut:
    """Clear an agent's checkpoints (one thread, or every thread it wrote) and caches.

    For the conversation agent a thread is a conversation id: the session forgets its
    dialogue (the turns stay in Postgres). A full reset also drops the agent's cached
    answers (model decisions; for enrichment, provider answers in Redis and Postgres).
    """
    if agent_type not in AGENTS:
        raise HTTPException(404, detail=f"no agent {agent_type!r}; agents: {', '.join(AGENTS)}")
    return reset_agent(agent_type, body.thread_id if body else None)
