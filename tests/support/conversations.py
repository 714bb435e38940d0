"""Leads to talk to, and reading Server-Sent Events, for the conversation tests."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from db.models import Lead
from db.session import read_only, unit_of_work
from workers.celery_app import app as celery_app

BDR_SLOTS = [
    {
        "start": "2025-06-12T10:00:00-05:00",
        "end": "2025-06-12T10:20:00-05:00",
        "label": "Thu 12 Jun, 10:00 AM CDT",
    },
    {
        "start": "2025-06-13T14:00:00-05:00",
        "end": "2025-06-13T14:20:00-05:00",
        "label": "Fri 13 Jun, 2:00 PM CDT",
    },
    {
        "start": "2025-06-16T11:00:00-05:00",
        "end": "2025-06-16T11:20:00-05:00",
        "label": "Mon 16 Jun, 11:00 AM CDT",
    },
]


def stored_lead(**fields: Any) -> uuid.UUID:
    """A stored dealer lead the pipeline has been through (tier A, BDR slots proposed)."""
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "company_name": "Sunrise Power Solutions",
        "name_key": "sunrise power solutions",
        "website": "https://sunrisepower.com/",
        "domain": "sunrisepower.com",
        "email": "dana@sunrisepower.com",
        "phone": "+15125550100",
        "city": "Austin",
        "state": "TX",
        "profile": {
            "source_format": "dealer",
            "oem_source": "Generac",
            "oems": ["Generac", "Kohler", "Cummins"],
            "oem_count": 3,
            "dealer_tier": "Elite",
            "certifications": [],
            "rating": 4.8,
            "review_count": 212,
            "capabilities": {
                "solar": True,
                "battery": True,
                "generator": True,
                "commercial": True,
                "residential": True,
            },
        },
        "raw": {},
        "status": "awaiting_approval",
        "score": 86,
        "tier": "A",
        "stage_outputs": {
            "qualification": {"score": 86, "tier": "A"},
            "growth": {"opportunities": ["Austin's storage market is growing fast."]},
            "bdr": {"slots": BDR_SLOTS, "approval_status": "awaiting_approval"},
        },
    }
    values.update(fields)
    with unit_of_work() as session:
        session.add(Lead(**values))
    lead_id: uuid.UUID = values["id"]
    return lead_id


def lead_do_not_contact(lead_id: uuid.UUID) -> bool:
    with read_only() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead.do_not_contact


def sse_events(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Parse a ``text/event-stream`` body line by line into its JSON events."""
    kind: str | None = None
    for line in lines:
        if line.startswith("event: "):
            kind = line[len("event: ") :]
        elif line.startswith("data: "):
            event = json.loads(line[len("data: ") :])
            assert event.get("type") == kind
            yield event


@contextmanager
def queue_served_only_by_new_workers(queue: str) -> Iterator[None]:
    """While inside, workers already running stop taking ``queue`` (tests start their own)."""
    replies = celery_app.control.inspect(timeout=1.0).active_queues() or {}
    serving = [name for name, queues in replies.items() if any(q["name"] == queue for q in queues)]
    if serving:
        celery_app.control.cancel_consumer(queue, destination=serving, reply=True)
    try:
        yield
    finally:
        if serving:
            celery_app.control.add_consumer(queue, destination=serving, reply=True)
