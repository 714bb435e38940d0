"""Liveness and readiness of the pieces a batch needs."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.schemas import HealthOut
from db.session import read_only
from workers.celery_app import app as celery_app
from workers.lifecycle import get_redis

router = APIRouter(tags=["health"])


def _check() -> HealthOut:
    detail: dict[str, str] = {}
    postgres = redis_ok = False
    try:
        with read_only() as session:
            session.execute(text("SELECT 1"))
        postgres = True
    except Exception as exc:  # report, never raise: this is the health page
        detail["postgres"] = type(exc).__name__
    try:
        redis_ok = bool(get_redis().ping())
    except Exception as exc:
        detail["redis"] = type(exc).__name__
    workers: dict[str, list[str]] = {}
    if redis_ok:
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


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def health() -> JSONResponse:
    """200 when Postgres and Redis answer (with the live workers and their queues), else 503."""
    report = await run_in_threadpool(_check)
    return JSONResponse(report.model_dump(), status_code=200 if report.status == "ok" else 503)
