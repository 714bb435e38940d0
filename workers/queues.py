"""Queue names and routing: the one place that says which task runs where."""

from __future__ import annotations

import enum


class Queue(enum.StrEnum):
    qualification = "qualification"
    enrichment = "enrichment"
    growth = "growth"
    marketing = "marketing"
    bdr = "bdr"
    conversation = "conversation"
    pipeline = "pipeline"


# The per-lead chain, in order. Stage names equal their agent names and queue names.
PIPELINE_STAGES: tuple[str, ...] = ("qualification", "enrichment", "growth", "marketing", "bdr")

# Stable task names (``area.verb``). The API and the dispatcher send by these names only.
STAGE_TASKS: dict[str, str] = {stage: f"{stage}.run" for stage in PIPELINE_STAGES}
DISPATCH_BATCH = "pipeline.dispatch_batch"
FINALIZE_BATCH = "pipeline.finalize_batch"
PURGE_ENRICHMENT_CACHE = "pipeline.purge_enrichment_cache"
REQUEUE_STALLED_LEADS = "pipeline.requeue_stalled_leads"


def route_for(task_name: str) -> str:
    """The queue of a task: the part of its name before the dot."""
    area = task_name.split(".", 1)[0]
    return Queue(area).value


def route_task(name: str, args: object, kwargs: object, options: object, task: object = None,
               **kw: object) -> dict[str, str]:
    """Celery ``task_routes`` callable: every task goes to the queue named by its area."""
    return {"queue": route_for(name)}
