"""Close CRM API v1: find a lead first, then create it (with contacts and address) or update it.

Requests use HTTP basic auth with the API key as user name and an empty password.
Search: ``POST {base}/data/search/`` (Advanced Filtering; the old ``?query=`` is
deprecated) on the lead's ``url``, then on its ``name``. Create: ``POST {base}/lead/``.
Update: ``PUT {base}/lead/{id}/``. Answers are the lead objects (``{"id": "lead_...", ...}``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from orchestration.integrations.calls import ProviderCall, call_record
from orchestration.integrations.http import ProviderHttp, RequestSpec

PROVIDER = "close"


@dataclass(frozen=True)
class CloseLead:
    id: str
    name: str | None
    url: str | None


class CloseClient:
    """Close requests; each returns its data and appends its record to ``calls``."""

    def __init__(self, http: ProviderHttp | None) -> None:
        self._http = http

    @property
    def enabled(self) -> bool:
        return self._http is not None

    def _require(self) -> ProviderHttp:
        if self._http is None:
            raise RuntimeError("Close is not configured (no SALES_AGENT_CLOSE_API_KEY)")
        return self._http

    async def find_lead(
        self, url: str | None, name: str, calls: list[ProviderCall]
    ) -> CloseLead | None:
        """The existing Close lead for this company: same website, else same name."""
        domain = _domain_of(url) if url else None
        if domain:
            for lead in await self._search("url", domain, "full_words", calls):
                if lead.url and _domain_of(lead.url) == domain:
                    return lead
        wanted = " ".join(name.lower().split())
        for lead in await self._search("name", name, "phrase", calls):
            if lead.name and " ".join(lead.name.lower().split()) == wanted:
                return lead
        return None

    async def create_lead(self, body: dict[str, Any], calls: list[ProviderCall]) -> str:
        answer = await self._timed(calls, "create_lead", RequestSpec("POST", "lead/", json=body))
        return str(answer["id"])

    async def update_lead(
        self, lead_id: str, body: dict[str, Any], calls: list[ProviderCall]
    ) -> str:
        answer = await self._timed(
            calls, "update_lead", RequestSpec("PUT", f"lead/{lead_id}/", json=body)
        )
        return str(answer.get("id") or lead_id)

    async def _search(
        self, field_name: str, value: str, mode: str, calls: list[ProviderCall]
    ) -> list[CloseLead]:
        body = {
            "query": {
                "type": "and",
                "queries": [
                    {"type": "object_type", "object_type": "lead"},
                    {
                        "type": "field_condition",
                        "field": {
                            "type": "regular_field",
                            "object_type": "lead",
                            "field_name": field_name,
                        },
                        "condition": {"type": "text", "mode": mode, "value": value},
                    },
                ],
            },
            "_fields": {"lead": ["id", "display_name", "name", "url"]},
            "_limit": 10,
        }
        answer = await self._timed(calls, "search", RequestSpec("POST", "data/search/", json=body))
        found = []
        for item in answer.get("data") or []:
            if isinstance(item, dict) and item.get("id"):
                found.append(
                    CloseLead(
                        id=str(item["id"]),
                        name=item.get("name") or item.get("display_name"),
                        url=item.get("url"),
                    )
                )
        return found

    async def _timed(
        self, calls: list[ProviderCall], operation: str, spec: RequestSpec
    ) -> dict[str, Any]:
        started = time.monotonic()
        answer = await self._require().request(spec)
        calls.append(
            call_record(
                PROVIDER,
                operation,
                "ok",
                attempts=answer.attempts,
                latency_ms=(time.monotonic() - started) * 1000,
            )
        )
        return answer.data


def lead_body(lead: dict[str, Any], enrichment: dict[str, Any]) -> dict[str, Any]:
    """The Close lead for one of ours: company, website, contacts (phone-only allowed), address."""
    fields = enrichment.get("fields") or {}

    def value(name: str) -> Any:
        known = fields.get(name)
        if isinstance(known, dict) and known.get("value") not in (None, ""):
            return known["value"]
        return lead.get(name) or None

    body: dict[str, Any] = {"name": value("company_name") or lead.get("company_name")}
    if value("website"):
        body["url"] = value("website")
    description = value("industry")
    if description:
        body["description"] = str(description)
    contact: dict[str, Any] = {}
    if value("contact_name"):
        contact["name"] = value("contact_name")
    if value("contact_title"):
        contact["title"] = value("contact_title")
    if value("email"):
        contact["emails"] = [{"type": "office", "email": value("email")}]
    if value("phone"):
        contact["phones"] = [{"type": "office", "phone": value("phone")}]
    # A contact with only a phone is still worth a call; one with nothing is noise.
    if contact.get("emails") or contact.get("phones"):
        body["contacts"] = [contact]
    address = {
        "label": "business",
        "address_1": value("street"),
        "city": value("city"),
        "state": value("state"),
        "zipcode": value("zip"),
        "country": "US",
    }
    if any(address[part] for part in ("address_1", "city", "state", "zipcode")):
        body["addresses"] = [{k: v for k, v in address.items() if v}]
    return body


def _domain_of(url: str) -> str | None:
    text = url.strip().lower()
    if "://" in text:
        text = text.split("://", 1)[1]
    host = text.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    host = host.removeprefix("www.")
    return host or None
