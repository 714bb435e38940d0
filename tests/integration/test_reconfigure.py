"""Pointing the Celery app at another broker and back (tests and the CLI do) keeps it usable."""

from __future__ import annotations

from collections.abc import Callable

import redis

from tests.support.servers import apply_env, claim_redis_db
from workers.celery_app import app


def test_switching_brokers_back_and_forth_still_publishes(servers):
    # Given the app has published on the session's broker
    cleanups: list[Callable[[], None]] = []
    other = claim_redis_db(servers.redis_url, cleanups)
    try:
        app.send_task("pipeline.noop_probe", queue="probe")
        # When it is pointed at another broker and then back again
        apply_env({**servers.env, "SALES_AGENT_BROKER_URL": other})
        app.send_task("pipeline.noop_probe", queue="probe")
        apply_env(servers.env)
        # Then it publishes on the first broker again (no closed pool handed back)
        app.send_task("pipeline.noop_probe", queue="probe")
        assert redis.Redis.from_url(servers.redis_url).llen("probe") == 2
        assert redis.Redis.from_url(other).llen("probe") == 1
    finally:
        apply_env(servers.env)
        redis.Redis.from_url(servers.redis_url).delete("probe")
        for cleanup in cleanups:
            cleanup()
