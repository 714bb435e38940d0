"""Apollo.io API v1: a company by domain (organization enrich) and a person (people match).

Requests: ``GET {base}/organizations/enrich?domain=`` and ``POST {base}/people/match`` with
its parameters in the query string (``name``, ``domain``, ``organization_name``), the key
in the ``x-api-key`` header. Answers: ``{"organization": {...}}`` and ``{"person": {...}}``
(``null`` or absent when nothing matched).
"""

from __future__ import annotations

from typing import Any

from orchestration.integrations.cache import Fetched
from orchestration.integrations.http import ProviderHttp, RequestSpec
from orchestration.integrations.pricing import price
from orchestration.integrations.providers.base import CachedProviderClient, Lookup

PROVIDER = "apollo"
_ORG_FIELDS = (
    "name",
    "website_url",
    "linkedin_url",
    "twitter_url",
    "facebook_url",
    "industry",
    "keywords",
    "estimated_num_employees",
    "annual_revenue",
    "annual_revenue_printed",
    "founded_year",
    "street_address",
    "city",
    "state",
    "postal_code",
    "country",
    "short_description",
    "technology_names",
)


class ApolloClient(CachedProviderClient):
    """Apollo lookups, cached; without a key every lookup is recorded as skipped."""

    provider = PROVIDER

    async def organization_enrich(self, domain: str) -> Lookup:
        """Firmographics of the company at ``domain``."""
        operation = "organization_enrich"

        async def fetch(http: ProviderHttp) -> Fetched:
            answer = await http.request(
                RequestSpec(
                    "GET",
                    "organizations/enrich",
                    params={"domain": domain},
                    not_found_ok=True,
                )
            )
            organization = answer.data.get("organization") or {}
            payload: dict[str, Any] = {name: organization.get(name) for name in _ORG_FIELDS}
            phone = organization.get("primary_phone") or {}
            payload["phone"] = (
                phone.get("sanitized_number")
                or organization.get("sanitized_phone")
                or organization.get("phone")
            )
            payload["found"] = bool(organization)
            payload["_attempts"] = answer.attempts
            return Fetched(payload, price(PROVIDER, operation, billable=bool(organization)))

        return await self._lookup(operation, domain.lower(), fetch)

    async def people_match(
        self, full_name: str, domain: str, organization_name: str | None
    ) -> Lookup:
        """The person called ``full_name`` at the company of ``domain``."""
        operation = "people_match"
        params = {"name": full_name, "domain": domain}
        if organization_name:
            params["organization_name"] = organization_name

        async def fetch(http: ProviderHttp) -> Fetched:
            answer = await http.request(
                RequestSpec(
                    "POST",
                    "people/match",
                    params=params,
                    not_found_ok=True,
                )
            )
            person = answer.data.get("person") or {}
            phones = [
                p.get("sanitized_number") or p.get("raw_number")
                for p in person.get("phone_numbers") or []
                if isinstance(p, dict)
            ]
            payload: dict[str, Any] = {
                "found": bool(person),
                "person": {
                    "first_name": person.get("first_name"),
                    "last_name": person.get("last_name"),
                    "name": person.get("name"),
                    "title": person.get("title"),
                    "email": person.get("email"),
                    "email_status": person.get("email_status"),
                    "linkedin": person.get("linkedin_url"),
                    "seniority": person.get("seniority"),
                    "phone_numbers": [p for p in phones if p],
                }
                if person
                else None,
                "_attempts": answer.attempts,
            }
            return Fetched(payload, price(PROVIDER, operation, billable=bool(person)))

        key = f"{domain.lower()}:{' '.join(full_name.lower().split())}"
        return await self._lookup(operation, key, fetch)
