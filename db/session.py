"""Engine and session scopes.

One engine per process, created on first use. Celery workers call :func:`reset_engine`
in ``worker_process_init`` so no pooled connection crosses a fork.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import orjson
import psycopg
from psycopg.types.json import set_json_dumps, set_json_loads
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from settings import get_settings

# orjson parses and writes the JSON columns several times faster than the stdlib.
set_json_loads(orjson.loads)
set_json_dumps(orjson.dumps)

_engine: Engine | None = None
_autocommit_engine: Engine | None = None
_api_read_engine: Engine | None = None
_session_factory: sessionmaker[Session] | None = None
_api_read_factory: sessionmaker[Session] | None = None


class DatabaseNotConfiguredError(RuntimeError):
    """No database URL: start the local stack or set SALES_AGENT_DATABASE_URL."""


def get_engine() -> Engine:
    global _engine, _session_factory
    if _engine is None:
        url = get_settings().database_url
        if not url:
            raise DatabaseNotConfiguredError(
                "SALES_AGENT_DATABASE_URL is not set; run through `sales-agent` "
                "(which starts a local stack) or set it"
            )
        # No pre-ping: it costs a round trip per checkout on the hot path; a dropped
        # connection surfaces as OperationalError, which tasks retry as transient.
        # A bounded pool wait: past it the caller gets sqlalchemy.exc.TimeoutError (the API
        # answers 503) rather than a queue that grows without end under a flood of requests.
        _engine = create_engine(
            url, pool_size=5, max_overflow=5, pool_recycle=1800,
            pool_timeout=get_settings().db_pool_timeout_s,
        )
        _session_factory = sessionmaker(_engine, expire_on_commit=False)
    return _engine


def reset_engine() -> None:
    """Forget the engines (after fork, or when settings change) without closing parent sockets."""
    global _engine, _autocommit_engine, _api_read_engine, _session_factory, _api_read_factory
    for engine in (_engine, _autocommit_engine, _api_read_engine):
        if engine is not None:
            engine.dispose(close=False)
    _engine = _autocommit_engine = _api_read_engine = None
    _session_factory = _api_read_factory = None


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A session that commits once at the end, or rolls back on error: the one commit point."""
    get_engine()
    assert _session_factory is not None
    with _session_factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _get_autocommit_engine() -> Engine:
    global _autocommit_engine
    if _autocommit_engine is None:
        # Its own pool of connections that stay in autocommit: switching a pooled connection
        # back and forth would cost round trips on every checkout and return.
        _autocommit_engine = create_engine(
            get_engine().url,
            isolation_level="AUTOCOMMIT",
            pool_size=2,
            max_overflow=5,
            pool_recycle=1800,
            pool_reset_on_return=None,
            pool_timeout=get_settings().db_pool_timeout_s,
        )
    return _autocommit_engine


@contextmanager
def autocommit() -> Iterator[Connection]:
    """A connection where each statement commits by itself: for single-statement units of
    work, saving BEGIN and COMMIT round trips."""
    with _get_autocommit_engine().connect() as conn:
        yield conn


@contextmanager
def autocommit_driver() -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """The same pooled autocommit connection, as the bare psycopg connection.

    For the fixed statements of the stage hot path (load and write, twice per stage per
    lead): skipping SQLAlchemy's execution context and result wrapping saves about a
    tenth of a millisecond per statement. A connection that broke is invalidated rather
    than returned, so the retry that follows gets a fresh one.
    """
    pooled = _get_autocommit_engine().raw_connection()
    driver = pooled.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        yield driver
    except BaseException:
        if driver.broken or driver.closed:
            pooled.invalidate()
        raise
    finally:
        pooled.close()


def new_session() -> Session:
    """A session on the main engine that the caller closes (it connects on first use)."""
    get_engine()
    assert _session_factory is not None
    return _session_factory()


@contextmanager
def read_only() -> Iterator[Session]:
    """A session for reads; nothing is committed."""
    get_engine()
    assert _session_factory is not None
    with _session_factory() as session:
        yield session


def _get_api_read_factory() -> sessionmaker[Session]:
    global _api_read_engine, _api_read_factory
    if _api_read_factory is None:
        settings = get_settings()
        timeout = settings.db_statement_timeout_ms
        # The API's request reads get a pool of their own with a server-side statement
        # timeout: a slow query or a client that stopped reading cannot keep a connection,
        # and uploads, exports and workers (other engines) never queue behind status polls.
        _api_read_engine = create_engine(
            get_engine().url,
            pool_size=5,
            max_overflow=5,
            pool_recycle=1800,
            pool_timeout=settings.db_pool_timeout_s,
            connect_args={
                "options": f"-c statement_timeout={timeout} "
                f"-c idle_in_transaction_session_timeout={timeout}"
            },
        )
        _api_read_factory = sessionmaker(_api_read_engine, expire_on_commit=False)
    return _api_read_factory


def api_read_session() -> Session:
    """A new session for an API request's reads (bounded pool wait and statement time).

    It connects on first use; the caller closes it (see api/deps.py).
    """
    return _get_api_read_factory()()
