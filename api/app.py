"""The FastAPI application: thin, it validates, writes rows and enqueues by task name."""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from api.body_limits import BodyLimitMiddleware
from api.deps import require_api_key
from api.rate_limit import RateLimitMiddleware
from api.routes import (
    agents,
    batches,
    bdr,
    conversations,
    health,
    jobs,
    langgraph,
    leads,
    pipeline_test,
)
from api.security import check_key_settings
from settings import get_settings


def create_app() -> FastAPI:
    settings = get_settings()
    check_key_settings(settings)
    app = FastAPI(
        title="sales-agent",
        version="0.1.0",
        description=(
            "Multi-agent sales-lead pipeline: load CSV or JSON batches, follow them through "
            "qualification → enrichment → growth → marketing → BDR, export the results. "
            "Every /api route needs the `X-API-Key` header."
        ),
    )
    # Innermost, so its 401 and 413 answers still get CORS headers: it checks the key and
    # counts the body before any route reads it.
    app.add_middleware(BodyLimitMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Content-Type"],
        )
    app.add_middleware(RateLimitMiddleware)
    # Added last, so outermost: a request for a foreign Host (DNS rebinding) gets 400
    # before anything else runs.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)
    protected = [Depends(require_api_key)]
    app.include_router(batches.router, dependencies=protected)
    app.include_router(pipeline_test.router, dependencies=protected)  # before /{lead_id}
    app.include_router(leads.router, dependencies=protected)
    app.include_router(jobs.router, dependencies=protected)
    app.include_router(bdr.router, dependencies=protected)
    app.include_router(conversations.router, dependencies=protected)
    app.include_router(langgraph.router, dependencies=protected)
    app.include_router(agents.router, dependencies=protected)
    app.include_router(health.router)
    return app
