"""Request dependencies: the API key check and database sessions."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from fastapi import Depends, HTTPException, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from api.security import warn_dev_key_used
from db.session import api_read_session, new_session
from settings import get_settings

T = TypeVar("T")

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)

RETRY_AFTER_SECONDS = 1


def require_api_key(key: str | None = Security(api_key_header)) -> None:
    settings = get_settings()
    expected = settings.api_key.get_secret_value()
    # A blank configured key must not let a blank header in.
    if not expected or key is None or not hmac.compare_digest(key.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing or wrong X-API-Key header",
            headers={"WWW-Authenticate": "APIKey"},
        )
    if settings.uses_dev_api_key:
        warn_dev_key_used()


def database_busy() -> HTTPException:
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        detail="the database is busy or unreachable; retry shortly",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def reader() -> AsyncIterator[Session]:
    """A session for a route's reads, closed on the event loop.

    Closing it in a worker thread (what a sync generator dependency does) deadlocks under
    load: every thread waits for a pooled connection, and the connections are only given
    back by closes queued behind those same threads. Closing here needs no thread.
    """
    session = new_session()
    try:
        yield session
    except PoolTimeoutError as exc:
        raise database_busy() from exc
    finally:
        session.close()


ReadSession = Depends(reader)


def _with_api_session(read: Callable[[Session], T]) -> T:
    with api_read_session() as session:
        return read(session)


async def read_now(read: Callable[[Session], T]) -> T:
    """Run ``read`` with a fresh session in one worker-thread call, and close it there.

    No connection is held across an await, so a client that disconnects or a request that
    is cancelled cannot strand one. A pool that stays exhausted past
    SALES_AGENT_DB_POOL_TIMEOUT_S, a statement past SALES_AGENT_DB_STATEMENT_TIMEOUT_MS or
    an unreachable database answers 503 with Retry-After, never a hang.
    """
    try:
        return await run_in_threadpool(_with_api_session, read)
    except (PoolTimeoutError, OperationalError) as exc:
        raise database_busy() from exc
