"""Email discovery: qualification reads the website of a lead that arrived without an email.

Most dealer rows have a website but no address. Before the lead is scored, the
EmailExtractor reads its home, contact and about pages (in parallel, on the process's
integration loop) and ranks what it finds; the best address becomes the lead's email, so
qualification scores a reachable contact and enrichment starts from it. Discovery is a
bonus: a site that is down, slow or refused (private address, robots) leaves the lead as it
was, recorded, and never fails the stage.

Off unless ``SALES_AGENT_FETCH_WEBSITES`` is set: nothing leaves the machine by default.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from orchestration.agents.qualification.state import QualificationState
from orchestration.integrations.hub import get_integrations
from orchestration.integrations.loop import run_sync
from orchestration.integrations.web import EmailExtractor
from settings import get_settings

log = logging.getLogger(__name__)

# How many of the ranked addresses are kept on the output for a person to pick from.
KEPT_ADDRESSES = 5


def wants_discovery(lead: dict[str, Any]) -> bool:
    """A lead with a website and no email, in a deployment that reads websites."""
    return bool(
        get_settings().fetch_websites and lead.get("website") and not lead.get("email")
    )


def discover_email(state: QualificationState) -> QualificationState:
    """Look for the lead's email on its website; the best one found becomes its email."""
    lead = state["lead"]
    started = time.perf_counter()
    try:
        found = run_sync(_extract(str(lead["website"])), get_settings().email_discovery_timeout_s)
        status = "found" if found else "none found"
    except TimeoutError:
        found, status = [], "timed out"
    except Exception as exc:  # the integrations could not start (no Redis, say)
        log.warning("lead %s: email discovery unavailable: %s", lead.get("id"), exc)
        found, status = [], f"unavailable: {type(exc).__name__}"
    discovery: dict[str, Any] = {
        "status": status,
        "emails": found[:KEPT_ADDRESSES],
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if not found:
        return {"email_discovery": discovery}
    return {"email_discovery": discovery, "lead": {**lead, "email": found[0]}}


async def _extract(website: str) -> list[str]:
    integrations = get_integrations()
    await integrations.open()  # the process's one fetcher, shared by every lead
    return await EmailExtractor(integrations.fetcher).extract_emails(website)
