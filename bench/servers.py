"""Where a benchmark runs: the configured servers (or a local stack) and a scratch database.

Every bench script measures against real Postgres and Redis, in a database of its own that
is migrated first and dropped after, with the Celery app pointed at the same servers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from settings import PROJECT_ROOT, get_settings


@contextmanager
def bench_servers(redis_db: int | None = None, env: dict[str, str] | None = None) -> Iterator[str]:
    """Yield the scratch database's URL once everything points at it.

    ``redis_db`` gives the run a Redis db of its own (two benches on one db would take each
    other's messages); ``env`` sets more settings for this process (e.g. the engine).
    """
    from alembic import command
    from alembic.config import Config

    from api.local_stack import export_env, resolve_urls
    from db.scratch import scratch_database
    from db.session import reset_engine
    from workers.celery_app import app, reconfigure

    urls, stack = resolve_urls(get_settings())
    try:
        os.environ.update(export_env(urls))
        if redis_db is not None:
            redis_url = f"{urls.redis_url.rsplit('/', 1)[0]}/{redis_db}"
            os.environ["SALES_AGENT_REDIS_URL"] = os.environ["SALES_AGENT_BROKER_URL"] = redis_url
        os.environ.update(env or {})
        get_settings.cache_clear()
        with scratch_database(urls.database_url, prefix="sales_agent_bench") as db_url:
            os.environ["SALES_AGENT_DATABASE_URL"] = db_url
            get_settings.cache_clear()
            reconfigure()
            config = Config(str(PROJECT_ROOT / "migrations" / "alembic.ini"))
            config.set_main_option("sqlalchemy.url", db_url)
            command.upgrade(config, "head")
            try:
                yield db_url
            finally:
                app.control.purge()
                reset_engine()
    finally:
        if stack is not None:
            stack.stop()
