"""Liveness and readiness of the pieces a batch needs.

`/health/live` touches nothing: it answers as long as the event loop runs, so an
orchestrator restarts only a process that is truly stuck, never one whose database is
slow. `/health/ready` (and `/health`, kept for existing probes) checks Postgres and Redis,
each with a bounded wait, and lists the live workers only to callers with the API key.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import api_key_header
from api.schemas import HealthOut, LiveOut
from db.session import api_read_session
from settings import get_settings
from workers.celery_app import app as celery_app
from workers.lifecycle import get_redis

router = APIRouter(tags=["health"])


def _check(with_workers: bool) -> HealthOut:
    detail: dict[str, str] = {}
    postgres = redis_ok = False
    try:
        # The API's read pool: a bounded wait for a connection and a statement timeout.
        with api_read_session() as session:
            session.execute(text("SELECT 1"))
        postgres = True
    except Exception as exc:  # report, never raise: this is the health page
        detail["postgres"] = type(exc).__name__
    try:
        redis_ok = bool(get_redis().ping())
    except Exception as exc:
        detail["redis"] = type(exc).__name__
    workers: dict[str, list[str]] = {}
    if redis_ok and with_workers:
        try:
            replies = celery_app.control.inspect(timeout=0.5).active_queues() or {}
            workers = {name: sorted(q["name"] for q in queues) for name, queues in replies.items()}
        except Exception as exc:
            detail["workers"] = type(exc).__name__
    ok = postgres and redis_ok
    return HealthOut(
        status="ok" if ok else "degraded",
        postgres=postgres,
        redis=redis_ok,
        workers=workers,
        detail=detail,
    )


def _has_key(key: str | None) -> bool:
    expected = get_settings().api_key.get_secret_value()
    # As require_api_key: a blank configured key lets no one in.
    return bool(expected) and key is not None and hmac.compare_digest(
        key.encode(), expected.encode()
    )


@router.get("/health/live", response_model=LiveOut)
async def live() -> LiveOut:
    """200 while the process serves requests; checks no dependency and never waits."""
    return LiveOut(status="ok")


@router.get("/health/ready", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def ready(key: str | None = Security(api_key_header)) -> JSONResponse:
    """200 when Postgres and Redis answer, else 503.

    With a valid `X-API-Key`, `workers` lists the live workers and the queues they consume;
    without it the list is empty (worker names say which hosts run the pipeline).
    """
    report = await run_in_threadpool(_check, _has_key(key))
    return JSONResponse(report.model_dump(), status_code=200 if report.status == "ok" else 503)


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def health(key: str | None = Security(api_key_header)) -> JSONResponse:
    """The same as `/health/ready` (kept for probes configured before it existed)."""
    return await ready(key)
