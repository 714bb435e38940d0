"""Hunter.io API v2: who works at a domain (domain-search) and one person's email (email-finder).

Requests: ``GET {base}/domain-search?domain=&type=personal&seniority=senior,executive``
and ``GET {base}/email-finder?domain=&full_name=``, the key in the ``X-API-KEY`` header.
Answers: ``{"data": {...}, "meta": {...}}``; errors ``{"errors": [{"id", "code", "details"}]}``.
"""

from __future__ import annotations

from typing import Any

from orchestration.integrations.cache import Fetched
from orchestration.integrations.http import ProviderHttp, RequestSpec
from orchestration.integrations.pricing import price
from orchestration.integrations.providers.base import CachedProviderClient, Lookup

PROVIDER = "hunter"
SENIORITY = "senior,executive"  # owners and managers decide on a dealer's purchases
_SOCIAL = ("linkedin", "facebook", "twitter", "instagram", "youtube")


class HunterClient(CachedProviderClient):
    """Hunter lookups, cached; without a key every lookup is recorded as skipped."""

    provider = PROVIDER

    async def domain_search(self, domain: str) -> Lookup:
        """Named people (personal addresses, senior and executive) at ``domain``."""
        operation = "domain_search"

        async def fetch(http: ProviderHttp) -> Fetched:
            answer = await http.request(
                RequestSpec(
                    "GET",
                    "domain-search",
                    params={
                        "domain": domain,
                        "type": "personal",
                        "seniority": SENIORITY,
                        "limit": "10",
                    },
                )
            )
            data = answer.data.get("data") or {}
            people = [_person(item) for item in data.get("emails") or [] if item.get("value")]
            payload: dict[str, Any] = {
                "found": bool(people) or bool(data.get("organization")),
                "organization": data.get("organization"),
                "pattern": data.get("pattern"),
                "industry": data.get("industry"),
                "headcount": data.get("headcount"),
                "technologies": list(data.get("technologies") or []),
                "social": {name: data[name] for name in _SOCIAL if data.get(name)},
                "accept_all": data.get("accept_all"),
                "people": people,
                "_attempts": answer.attempts,
            }
            # Hunter counts a search only when it returns at least one address.
            return Fetched(payload, price(PROVIDER, operation, billable=bool(people)))

        return await self._lookup(operation, domain.lower(), fetch)

    async def email_finder(self, domain: str, full_name: str) -> Lookup:
        """The most likely address of ``full_name`` at ``domain``."""
        operation = "email_finder"

        async def fetch(http: ProviderHttp) -> Fetched:
            answer = await http.request(
                RequestSpec(
                    "GET",
                    "email-finder",
                    params={"domain": domain, "full_name": full_name},
                    not_found_ok=True,
                )
            )
            data = answer.data.get("data") or {}
            email = data.get("email")
            payload: dict[str, Any] = {
                "found": bool(email),
                "person": {
                    "first_name": data.get("first_name"),
                    "last_name": data.get("last_name"),
                    "email": email,
                    "confidence": data.get("score"),
                    "position": data.get("position"),
                    "linkedin": data.get("linkedin_url"),
                    "phone_number": data.get("phone_number"),
                    "verification": (data.get("verification") or {}).get("status"),
                }
                if email
                else None,
                "_attempts": answer.attempts,
            }
            return Fetched(payload, price(PROVIDER, operation, billable=bool(email)))

        key = f"{domain.lower()}:{' '.join(full_name.lower().split())}"
        return await self._lookup(operation, key, fetch)


def _person(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "first_name": item.get("first_name"),
        "last_name": item.get("last_name"),
        "email": item.get("value"),
        "confidence": item.get("confidence"),
        "position": item.get("position"),
        "seniority": item.get("seniority"),
        "department": item.get("department"),
        "linkedin": item.get("linkedin"),
        "phone_number": item.get("phone_number"),
        "verification": (item.get("verification") or {}).get("status"),
    }
