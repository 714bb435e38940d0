"""The Celery app: created here once, with every task module listed explicitly."""

from __future__ import annotations

from celery import Celery
from kombu import Queue as KombuQueue
from kombu import pools as kombu_pools

from settings import Settings, get_settings
from workers.queues import PURGE_ENRICHMENT_CACHE, REQUEUE_STALLED_LEADS, Queue, route_task

TASK_MODULES = [
    "tasks.pipeline",
    "tasks.qualification",
    "tasks.enrichment",
    "tasks.growth",
    "tasks.marketing",
    "tasks.bdr",
    "tasks.conversation",
    "tasks.invoke",
]


def celery_config(settings: Settings) -> dict[str, object]:
    """The delivery contract: at-least-once, one message in hand per process, JSON only."""
    transport = {"visibility_timeout": settings.visibility_timeout}
    return {
        "broker_url": settings.effective_broker_url,
        "broker_transport_options": transport,
        "result_backend_transport_options": transport,
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        # Status lives in Postgres; storing results would cost a round trip per task.
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,  # bounded by the delivery guard in tasks/stage.py
        "worker_prefetch_multiplier": 1,
        # The default pool when `celery worker` gets no -P (threads for model-bound queues).
        "worker_pool": settings.worker_pool,
        "task_soft_time_limit": settings.task_soft_time_limit,
        "task_time_limit": settings.task_time_limit,
        "task_queues": [KombuQueue(q.value, routing_key=q.value) for q in Queue],
        "task_default_queue": Queue.pipeline.value,
        "task_routes": (route_task,),
        # Flower: see sent/started states and live workers.
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        "task_track_started": True,
        "worker_hijack_root_logger": False,
        # Housekeeping for `sales-agent beat` (one beat process per deployment).
        "beat_schedule": {
            "sweep-follow-ups": {
                "task": "bdr.sweep_follow_ups",
                "schedule": float(settings.follow_up_sweep_seconds),
            },
            "requeue-stalled-leads": {"task": REQUEUE_STALLED_LEADS, "schedule": 60.0},
            "purge-enrichment-cache": {
                "task": PURGE_ENRICHMENT_CACHE,
                "schedule": 3600.0,
            },
        },
    }


def create_app(settings: Settings | None = None) -> Celery:
    app = Celery("sales_agent", include=TASK_MODULES)
    app.conf.update(celery_config(settings or get_settings()))
    return app


app = create_app()

import workers.lifecycle  # noqa: E402,F401  (connects worker signals)


def reconfigure(settings: Settings | None = None) -> None:
    """Re-read settings into the app (tests and the CLI call this after setting URLs)."""
    app.conf.update(celery_config(settings or get_settings()))
    # Drop pooled broker connections (and the producers bound to them) to the old URL.
    # kombu keeps its pools in a process-wide registry keyed by connection: closing a pool
    # without removing it there would hand the closed pool back when a later reconfigure
    # returns to the same URL ("Acquire on closed pool"), so reset the registry itself.
    kombu_pools.reset()
    setattr(app, "_pool", None)  # noqa: B010  (private cache, no public reset)
    setattr(app.amqp, "_producer_pool", None)  # noqa: B010
