"""``<agent>.invoke``: run one pipeline agent on one lead, on that agent's own queue.

Serves ``POST /api/langgraph/invoke``. Nothing is persisted as a stage (the lead's
pipeline history is untouched); the job row records the state, and the progress (one
event per graph node) and the result are published on the job's event stream.
Invocations run as dry runs: a BDR invocation drafts but never pauses for approval.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any, cast

from celery import Task
from langchain_core.runnables import RunnableConfig

from db.models import JobState
from db.repositories.batches import update_job
from db.repositories.conversations import load_lead
from db.session import read_only, unit_of_work
from orchestration.agents.base import Agent, RunContext, StageOutcome
from orchestration.agents.registry import AGENT_NAMES, get_agent
from orchestration.agents.runtime import RulesAgent
from settings import get_settings
from workers.celery_app import app
from workers.lifecycle import get_redis
from workers.streams import EventPublisher, invoke_topic

log = logging.getLogger(__name__)

INVOKE_TASKS: dict[str, str] = {name: f"{name}.invoke" for name in AGENT_NAMES}


class LeadUnavailableError(LookupError):
    """The lead named by id does not exist, or may not be contacted."""


def _lead_for(agent_name: str, lead: dict[str, Any] | None, lead_id: str | None) -> dict[str, Any]:
    if lead is not None:
        # A lead given inline (already normalised by the API's intake): no history yet.
        record: dict[str, Any] = {
            "id": None,
            "batch_id": None,
            "duplicate_of": None,
            "duplicate_reason": None,
            "stage_outputs": {},
        }
        record.update(lead)
        return record
    if lead_id is None:
        raise LeadUnavailableError("neither a lead nor a lead_id was given")
    with read_only() as session:
        found = load_lead(session, uuid.UUID(lead_id))
    if found is None:
        raise LeadUnavailableError(f"no lead {lead_id}")
    record, do_not_contact = found
    if do_not_contact:
        raise LeadUnavailableError(f"lead {lead_id} unsubscribed (do not contact)")
    return record


def _stream_run(
    agent: Agent, lead: dict[str, Any], context: RunContext, job_id: str, publisher: EventPublisher
) -> StageOutcome:
    """Run the agent's graph node by node, publishing each node as it finishes."""
    state = agent.initial_state(lead, context)
    runtime = agent.runtime_context() if isinstance(agent, RulesAgent) else None
    graph = agent.graph
    thread = f"invoke-{job_id}"
    config: RunnableConfig = {"configurable": {"thread_id": thread}}
    final: dict[str, Any] = {}
    try:
        for mode, chunk in graph.stream(
            state, config, context=runtime, stream_mode=["updates", "values"]
        ):
            if mode == "updates":
                for node in cast(dict[str, Any], chunk):
                    publisher.publish("node", node=node)
            else:
                final = cast(dict[str, Any], chunk)
    finally:
        if graph.checkpointer is not None and not isinstance(graph.checkpointer, bool):
            graph.checkpointer.delete_thread(thread)  # a one-off run leaves no thread behind
    return agent.outcome(final, context)


def invoke_task(agent_name: str) -> Task[Any, Any]:
    """Register ``<agent>.invoke``; its queue is the agent's (routing by name prefix)."""

    @app.task(name=INVOKE_TASKS[agent_name], bind=True, max_retries=0)
    def invoke(
        self: Task[Any, Any],
        job_id: str,
        lead: dict[str, Any] | None = None,
        lead_id: str | None = None,
    ) -> dict[str, Any] | None:
        publisher = EventPublisher(
            get_redis(), invoke_topic(job_id), get_settings().stream_ttl_seconds
        )
        with unit_of_work() as session:
            update_job(session, job_id, JobState.started)
        publisher.publish("started", agent=agent_name)
        started = time.perf_counter()
        try:
            record = _lead_for(agent_name, lead, lead_id)
            context = RunContext(dry_run=True, engine=get_settings().engine)
            outcome = _stream_run(get_agent(agent_name), record, context, job_id, publisher)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            if not isinstance(exc, LeadUnavailableError):
                log.exception("invoke %s (job %s) failed", agent_name, job_id)
            with unit_of_work() as session:
                update_job(session, job_id, JobState.failed, error)
            publisher.publish("error", agent=agent_name, message=error)
            return None
        result = {
            "agent": agent_name,
            "output": outcome.output,
            "lead_updates": outcome.lead_updates,
            "stop_reason": outcome.stop_reason,
            "engine": outcome.engine,
            "cost_usd": outcome.cost_usd,
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        with unit_of_work() as session:
            update_job(session, job_id, JobState.succeeded)
        publisher.publish("done", **result)
        return result

    invoke.__doc__ = f"Run the {agent_name} agent on one lead and publish its progress."
    return invoke


INVOKE = {name: invoke_task(name) for name in AGENT_NAMES}
