"""The baseline: a bare Celery chain of five no-op tasks on five queues, same delivery flags.

The last task bumps a Redis counter so the bench can tell when every chain is through.
"""

from __future__ import annotations

from typing import Any

import redis
from celery import Celery
from kombu import Queue

from settings import get_settings
from workers.celery_app import celery_config

BARE_QUEUES = [f"bare{i}" for i in range(1, 6)]
DONE_KEY = "bench:bare:done"

settings = get_settings()
app = Celery("bench_bare")
config = celery_config(settings)
config.update(
    task_queues=[Queue(q, routing_key=q) for q in BARE_QUEUES],
    task_default_queue=BARE_QUEUES[0],
    task_routes={f"bare.step{i}": {"queue": q} for i, q in enumerate(BARE_QUEUES, 1)},
)
app.conf.update(config)
_redis: redis.Redis | None = None


def _client() -> redis.Redis:
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(settings.redis_url)
    return _redis


def _noop(payload: dict[str, Any]) -> dict[str, Any]:
    return payload


for _i in range(1, 5):
    app.task(name=f"bare.step{_i}")(_noop)


@app.task(name="bare.step5")
def last_step(payload: dict[str, Any]) -> None:
    _client().incr(DONE_KEY)
