"""Housekeeping that `sales-agent beat` schedules, run through a real worker."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select

from db.models import EnrichmentCache
from db.session import read_only, unit_of_work
from workers.celery_app import app
from workers.queues import PURGE_ENRICHMENT_CACHE


def test_expired_provider_answers_are_purged_and_fresh_ones_kept(servers, worker):
    # Given one provider answer past its TTL and one still fresh
    now = datetime.now(UTC)
    with unit_of_work() as session:
        session.execute(delete(EnrichmentCache))
        session.execute(insert(EnrichmentCache), [
            {"provider": "hunter", "cache_key": "stale.example", "payload": {"emails": []},
             "expires_at": now - timedelta(days=1)},
            {"provider": "hunter", "cache_key": "fresh.example", "payload": {"emails": []},
             "expires_at": now + timedelta(days=1)},
        ])

    # When the scheduled purge runs on the worker
    app.send_task(PURGE_ENRICHMENT_CACHE)

    # Then only the fresh answer is left
    deadline = time.monotonic() + 30
    while True:
        with read_only() as session:
            keys = set(session.scalars(select(EnrichmentCache.cache_key)))
        if keys == {"fresh.example"} or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert keys == {"fresh.example"}


def test_every_scheduled_task_is_a_registered_task():
    # Given the beat schedule, then each entry names a task some worker can run
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    app.loader.import_default_modules()
    assert scheduled <= set(app.tasks)
