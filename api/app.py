"""The FastAPI application: thin, it validates, writes rows and enqueues by task name."""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.deps import require_api_key
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
from settings import get_settings


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="sales-agent",
        version="0.1.0",
        description=(
            "Multi-agent sales-lead pipeline: load CSV or JSON batches, follow them through "
            "qualification → enrichment → growth → marketing → BDR, export the results. "
            "Every /api route needs the `X-API-Key` header."
        ),
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Content-Type"],
        )
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
