"""Writing a lead to Close at most once, however often its task runs.

Two guards, because a task can be delivered twice and a worker can die between the CRM's
answer and our commit:

1. A claim row in Postgres (``crm_sync_records``, unique per lead and CRM): only the run
   holding a fresh claim writes; a lead already synced returns its stored CRM id without a
   request; a claim left by a dead worker is taken over after ``STALE_CLAIM``.
2. Search before create: the run that writes first looks the company up in Close (by
   website, then by exact name) and updates the lead it finds instead of creating another.

The CRM id is stored on the claim and on ``leads.crm_id`` in one transaction.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError

from db.repositories import crm as repository
from db.session import unit_of_work
from orchestration.integrations.calls import SKIPPED_NO_KEY, ProviderCall, call_record
from orchestration.integrations.errors import ProviderError
from orchestration.integrations.hub import Integrations, IntegrationsNotConfiguredError
from orchestration.integrations.loop import run_sync
from orchestration.integrations.providers.close import PROVIDER, lead_body

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=5)  # longer than one sync can take, retries included


@dataclass
class CrmSyncResult:
    status: str  # created, updated, already_synced, busy, skipped: ..., failed: <why>
    crm_id: str | None = None
    calls: list[ProviderCall] = field(default_factory=list)
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "provider": PROVIDER,
            "status": self.status,
            "crm_id": self.crm_id,
            "error": self.error,
        }


def sync_lead(
    integrations: Integrations, lead: dict[str, Any], fields: dict[str, Any]
) -> CrmSyncResult:
    """Create or update ``lead`` in Close; safe to call any number of times."""
    if not integrations.has_key(PROVIDER):
        return CrmSyncResult(SKIPPED_NO_KEY, calls=[call_record(PROVIDER, "sync", SKIPPED_NO_KEY)])
    if not lead.get("id"):
        return CrmSyncResult("skipped: lead not stored")
    lead_id = uuid.UUID(str(lead["id"]))
    token = secrets.token_hex(16)
    try:
        with unit_of_work() as session:
            claim = repository.claim(session, lead_id, PROVIDER, token, STALE_CLAIM)
    except IntegrityError:  # the lead row is not there (an unsaved lead)
        return CrmSyncResult("skipped: lead not stored")
    if claim.kind == "synced":
        return CrmSyncResult("already_synced", claim.crm_id)
    if claim.kind == "busy":
        return CrmSyncResult("busy", error="another run is writing this lead to the CRM")

    body = lead_body(lead, {"fields": fields})
    calls: list[ProviderCall] = []

    async def write() -> tuple[str, str]:
        await integrations.open()
        close = integrations.close
        existing = await close.find_lead(body.get("url"), str(body["name"]), calls)
        if existing is not None:
            # Contacts already there are left alone: adding ours again would duplicate them.
            changes = {k: v for k, v in body.items() if k not in {"contacts", "name"}}
            return await close.update_lead(existing.id, changes, calls), "updated"
        return await close.create_lead(body, calls), "created"

    try:
        crm_id, action = run_sync(write(), integrations.settings.provider_max_wait_s * 3)
    except (
        ProviderError,
        RedisError,
        OSError,
        aiohttp.ClientError,
        TimeoutError,
        IntegrationsNotConfiguredError,
    ) as exc:
        status = exc.status if isinstance(exc, ProviderError) else type(exc).__name__
        reason = exc.detail if isinstance(exc, ProviderError) else type(exc).__name__
        calls.append(call_record(PROVIDER, "sync", status, error=reason))
        with unit_of_work() as session:
            repository.mark_failed(session, lead_id, PROVIDER, token, reason)
        log.warning("lead %s not synced to Close: %s", lead_id, reason)
        return CrmSyncResult(f"failed: {status}", calls=calls, error=reason)
    with unit_of_work() as session:
        repository.mark_synced(session, lead_id, PROVIDER, token, crm_id, action)
    return CrmSyncResult(action, crm_id, calls)
