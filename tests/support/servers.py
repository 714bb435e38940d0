"""Servers for the test session: configured ones (in a database of their own) or a local stack."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from db.scratch import create_database, drop_database
from db.session import reset_engine
from settings import PROJECT_ROOT, get_settings
from workers.celery_app import reconfigure

# Test sessions take a Redis db of their own among these (away from db 0, where a
# developer's own stack may live), so sessions running side by side on one Redis never
# consume each other's Celery messages.
TEST_REDIS_DBS = range(4, 16)
_CLAIM_KEY = "sales-agent:test-claim"
# Outside development the API refuses the well-known development key, so the test
# environment has a key of its own.
TEST_API_KEY = "test-suite-api-key"
API_KEY_HEADER = {"X-API-Key": TEST_API_KEY}
_CLAIM_SECONDS = 3 * 3600


def claim_redis_db(redis_url: str, cleanups: list[Callable[[], None]]) -> str:
    """The URL of a free, flushed Redis db on ``redis_url``'s server, released at cleanup."""
    base = redis_url.rsplit("/", 1)[0]
    token = uuid.uuid4().hex
    for db in TEST_REDIS_DBS:
        url = f"{base}/{db}"
        client = redis.Redis.from_url(url)
        if client.set(_CLAIM_KEY, token, nx=True, ex=_CLAIM_SECONDS):
            client.flushdb()
            client.set(_CLAIM_KEY, token, ex=_CLAIM_SECONDS)

            def release(client: redis.Redis = client) -> None:
                client.flushdb()

            cleanups.append(release)
            return url
    raise RuntimeError(f"every Redis db in {list(TEST_REDIS_DBS)} is taken by a test session")


@dataclass
class TestServers:
    database_url: str
    redis_url: str
    env: dict[str, str]
    local_stack: bool
    _cleanups: list[Callable[[], None]] = field(default_factory=list)

    def stop(self) -> None:
        for cleanup in reversed(self._cleanups):
            cleanup()


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def apply_env(env: dict[str, str]) -> None:
    """Point this process (settings, engine, Celery app) at the test servers."""
    os.environ.update(env)
    get_settings.cache_clear()
    reset_engine()
    reconfigure()


def start_test_servers(tmp: Path) -> TestServers:
    db_url = os.environ.get("SALES_AGENT_DATABASE_URL", "")
    redis_url = os.environ.get("SALES_AGENT_REDIS_URL", "")
    cleanups: list[Callable[[], None]] = []
    local = not (db_url and redis_url)
    if local:
        from api.local_stack import LocalStack

        stack = LocalStack(tmp, fast=True)
        urls = stack.start()
        cleanups.append(stack.stop)
        db_url, redis_url = urls.database_url, urls.redis_url
    test_db_url = make_url(db_url).set(database=f"sales_agent_test_{uuid.uuid4().hex[:8]}")
    database_url = test_db_url.render_as_string(hide_password=False)
    create_database(database_url)
    cleanups.append(lambda: drop_database(database_url))
    redis_test_url = claim_redis_db(redis_url, cleanups)
    env = {
        "SALES_AGENT_ENVIRONMENT": "test",
        "SALES_AGENT_API_KEY": TEST_API_KEY,
        # Starlette's TestClient sends `Host: testserver`.
        "SALES_AGENT_TRUSTED_HOSTS": '["localhost", "127.0.0.1", "testserver"]',
        "SALES_AGENT_DATABASE_URL": database_url,
        "SALES_AGENT_REDIS_URL": redis_test_url,
        "SALES_AGENT_BROKER_URL": redis_test_url,
    }
    apply_env(env)
    command.upgrade(alembic_config(database_url), "head")
    return TestServers(database_url, redis_test_url, env, local, cleanups)
