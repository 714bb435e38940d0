"""Local HTTP servers that speak Hunter, Apollo and Close, scripted per test.

One aiohttp server on 127.0.0.1 (its own thread and loop) plays all three providers under
path prefixes, each with the provider's real paths, auth style and JSON shapes:

    /hunter/v2/domain-search, /hunter/v2/email-finder        X-API-KEY header or ?api_key=
    /apollo/api/v1/organizations/enrich, /people/match        x-api-key header
    /close/api/v1/data/search/, /lead/, /lead/{id}/           basic auth, key as user name
    /site/<domain>/                                           a company's home page (HTML)

Answers come from a small world of companies (``ProviderWorld``) unless a test scripts the
next answers of a route (429 with reset headers, 5xx), makes a provider slow, or takes it
down. Every request is logged, so tests can say how many paid calls were made.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import threading
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

HUNTER_KEY = "test-hunter-key"
APOLLO_KEY = "test-apollo-key"
CLOSE_KEY = "test-close-key"


@dataclass
class Reply:
    """One scripted answer: status, JSON body, headers, and a delay before it is sent."""

    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Company:
    domain: str
    name: str
    phone: str | None = None
    industry: str | None = "electrical"
    employees: int | None = 25
    linkedin_url: str | None = None
    city: str | None = None
    state: str | None = None
    people: list[dict[str, Any]] = field(default_factory=list)  # Hunter "emails" items
    home_page: str | None = None  # HTML served at /site/<domain>/


@dataclass
class ProviderWorld:
    """What the fake providers know; tests add companies and read the request log."""

    companies: dict[str, Company] = field(default_factory=dict)
    close_leads: dict[str, dict[str, Any]] = field(default_factory=dict)
    scripts: dict[str, deque[Reply]] = field(default_factory=dict)
    down: set[str] = field(default_factory=set)  # providers answering 503
    delay_s: dict[str, float] = field(default_factory=dict)  # provider -> latency
    requests: list[dict[str, Any]] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)  # "provider route" -> count
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, company: Company) -> Company:
        self.companies[company.domain] = company
        return company

    def script(self, route: str, *replies: Reply) -> None:
        """The next answers of ``route`` (e.g. "hunter domain-search"), before the world's."""
        self.scripts.setdefault(route, deque()).extend(replies)

    def reset(self) -> None:
        self.companies.clear()
        self.close_leads.clear()
        self.scripts.clear()
        self.down.clear()
        self.delay_s.clear()
        self.requests.clear()
        self.hits.clear()


@dataclass
class ProviderServers:
    port: int
    world: ProviderWorld

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings_env(self) -> dict[str, str]:
        """Settings that point every provider at this server, with keys."""
        return {
            "hunter_api_key": HUNTER_KEY,
            "apollo_api_key": APOLLO_KEY,
            "close_api_key": CLOSE_KEY,
            "hunter_base_url": f"{self.base}/hunter/v2",
            "apollo_base_url": f"{self.base}/apollo/api/v1",
            "close_base_url": f"{self.base}/close/api/v1",
        }

    def site_url(self, domain: str) -> str:
        return f"{self.base}/site/{domain}/"


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


def _app(world: ProviderWorld) -> web.Application:
    async def gate(request: web.Request, provider: str, route: str) -> web.Response | None:
        """Log, delay, script, down and auth checks shared by every provider route."""
        body: Any = None
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                body = None
        world.requests.append(
            {
                "provider": provider,
                "route": route,
                "method": request.method,
                "path": request.path,
                "query": dict(request.query),
                "json": body,
                "headers": dict(request.headers),
            }
        )
        world.hits[f"{provider} {route}"] += 1
        if world.delay_s.get(provider):
            await asyncio.sleep(world.delay_s[provider])
        scripted = world.scripts.get(f"{provider} {route}")
        if scripted:
            reply = scripted.popleft()
            if reply.delay_s:
                await asyncio.sleep(reply.delay_s)
            return _json(reply.status, reply.body or {}, reply.headers)
        if provider in world.down:
            return _json(503, {"error": "service unavailable"})
        if not _authorised(request, provider):
            return _unauthorised(provider)
        return None

    async def hunter_domain_search(request: web.Request) -> web.Response:
        if (early := await gate(request, "hunter", "domain-search")) is not None:
            return early
        domain = request.query.get("domain", "")
        company = world.companies.get(domain)
        emails = []
        if company is not None:
            wanted_type = request.query.get("type")
            seniority = set(filter(None, request.query.get("seniority", "").split(",")))
            for person in company.people:
                if wanted_type and person.get("type", "personal") != wanted_type:
                    continue
                if seniority and person.get("seniority") not in seniority:
                    continue
                emails.append(person)
        data = {
            "domain": domain,
            "disposable": False,
            "webmail": False,
            "accept_all": False,
            "pattern": "{first}" if emails else None,
            "organization": company.name if company else None,
            "description": None,
            "industry": company.industry if company else None,
            "twitter": None,
            "facebook": None,
            "linkedin": company.linkedin_url if company else None,
            "instagram": None,
            "youtube": None,
            "technologies": ["wordpress"] if company else [],
            "country": "US",
            "state": company.state if company else None,
            "city": company.city if company else None,
            "postal_code": None,
            "street": None,
            "headcount": "11-50" if company else None,
            "company_type": "privately held",
            "emails": emails,
            "linked_domains": [],
        }
        return _json(
            200,
            {
                "data": data,
                "meta": {
                    "results": len(emails),
                    "limit": 10,
                    "offset": 0,
                    "params": {
                        "domain": domain,
                        "company": None,
                        "type": request.query.get("type"),
                        "seniority": request.query.get("seniority"),
                        "department": None,
                    },
                },
            },
        )

    async def hunter_email_finder(request: web.Request) -> web.Response:
        if (early := await gate(request, "hunter", "email-finder")) is not None:
            return early
        domain = request.query.get("domain", "")
        full_name = " ".join(request.query.get("full_name", "").lower().split())
        company = world.companies.get(domain)
        for person in company.people if company is not None else []:
            name = f"{person.get('first_name', '')} {person.get('last_name', '')}".lower()
            if " ".join(name.split()) == full_name:
                return _json(
                    200,
                    {
                        "data": {
                            "first_name": person.get("first_name"),
                            "last_name": person.get("last_name"),
                            "email": person["value"],
                            "score": person.get("confidence", 90),
                            "domain": domain,
                            "accept_all": False,
                            "position": person.get("position"),
                            "twitter": None,
                            "linkedin_url": person.get("linkedin"),
                            "phone_number": person.get("phone_number"),
                            "company": company.name if company is not None else None,
                            "sources": [],
                            "verification": {"date": "2026-11-01", "status": "valid"},
                        },
                        "meta": {"params": dict(request.query)},
                    },
                )
        return _json(
            404,
            {
                "errors": [
                    {
                        "id": "email_not_found",
                        "code": 404,
                        "details": "No email address found for this person",
                    }
                ]
            },
        )

    async def apollo_org_enrich(request: web.Request) -> web.Response:
        if (early := await gate(request, "apollo", "organizations/enrich")) is not None:
            return early
        company = world.companies.get(request.query.get("domain", ""))
        if company is None:
            return _json(200, {})
        return _json(
            200,
            {
                "organization": {
                    "id": f"org_{company.domain}",
                    "name": company.name,
                    "website_url": f"http://www.{company.domain}",
                    "linkedin_url": company.linkedin_url,
                    "twitter_url": None,
                    "facebook_url": None,
                    "primary_phone": {
                        "number": company.phone,
                        "source": "Account",
                        "sanitized_number": company.phone,
                    }
                    if company.phone
                    else {},
                    "phone": company.phone,
                    "sanitized_phone": company.phone,
                    "founded_year": 2004,
                    "primary_domain": company.domain,
                    "industry": company.industry,
                    "keywords": ["generators", "solar"],
                    "estimated_num_employees": company.employees,
                    "annual_revenue_printed": "4.2M",
                    "annual_revenue": 4200000.0,
                    "street_address": "1200 Main St",
                    "city": company.city,
                    "state": company.state,
                    "postal_code": "78701",
                    "country": "United States",
                    "short_description": f"{company.name} installs standby power.",
                    "technology_names": ["Google Analytics", "WordPress.org"],
                    "current_technologies": [],
                }
            },
        )

    async def apollo_people_match(request: web.Request) -> web.Response:
        if (early := await gate(request, "apollo", "people/match")) is not None:
            return early
        params = {**request.query, **(world.requests[-1]["json"] or {})}
        company = world.companies.get(str(params.get("domain", "")))
        wanted = " ".join(str(params.get("name", "")).lower().split())
        for person in company.people if company else []:
            name = f"{person.get('first_name', '')} {person.get('last_name', '')}"
            if " ".join(name.lower().split()) == wanted:
                return _json(
                    200,
                    {
                        "person": {
                            "id": f"p_{person['value']}",
                            "first_name": person.get("first_name"),
                            "last_name": person.get("last_name"),
                            "name": name,
                            "title": person.get("position"),
                            "email": person["value"],
                            "email_status": "verified",
                            "linkedin_url": person.get("linkedin"),
                            "seniority": person.get("seniority"),
                            "phone_numbers": [],
                            "organization": {"name": company.name if company else None},
                        }
                    },
                )
        return _json(200, {"person": None})

    async def close_search(request: web.Request) -> web.Response:
        if (early := await gate(request, "close", "data/search")) is not None:
            return early
        body = world.requests[-1]["json"] or {}
        condition = next(
            (
                q
                for q in body.get("query", {}).get("queries", [])
                if q.get("type") == "field_condition"
            ),
            None,
        )
        if condition is None:
            return _json(400, {"error": "query must contain a field condition"})
        field_name = condition["field"]["field_name"]
        value = str(condition["condition"]["value"]).lower()
        matches = []
        for lead in world.close_leads.values():
            by_url = field_name == "url" and value in str(lead.get("url") or "").lower()
            by_name = field_name in {"name", "display_name"} and (
                value == str(lead.get("name") or "").lower()
            )
            if by_url or by_name:
                matches.append(lead)
        fields = body.get("_fields", {}).get("lead") or ["id"]
        data = [
            {"__object_type": "lead", **{f: lead.get(f) for f in fields}}
            for lead in matches[: body.get("_limit", 10)]
        ]
        return _json(200, {"data": data, "cursor": None})

    async def close_create(request: web.Request) -> web.Response:
        if (early := await gate(request, "close", "lead create")) is not None:
            return early
        body = world.requests[-1]["json"] or {}
        if not body.get("name"):
            return _json(400, {"field-errors": {"name": "This field is required."}})
        lead_id = f"lead_{next(world._ids):06d}"
        contacts = [
            {"id": f"cont_{lead_id}_{i}", **c} for i, c in enumerate(body.get("contacts") or [])
        ]
        world.close_leads[lead_id] = {
            **body,
            "id": lead_id,
            "display_name": body["name"],
            "contacts": contacts,
        }
        return _json(200, world.close_leads[lead_id])

    async def close_update(request: web.Request) -> web.Response:
        if (early := await gate(request, "close", "lead update")) is not None:
            return early
        lead_id = request.match_info["lead_id"]
        if lead_id not in world.close_leads:
            return _json(404, {"error": "Lead not found"})
        world.close_leads[lead_id].update(world.requests[-1]["json"] or {})
        return _json(200, world.close_leads[lead_id])

    async def site(request: web.Request) -> web.Response:
        company = world.companies.get(request.match_info["domain"])
        world.hits[f"site {request.match_info['domain']}"] += 1
        if company is None or company.home_page is None:
            return web.Response(status=404, text="not found")
        return web.Response(text=company.home_page, content_type="text/html")

    app = web.Application()
    app.router.add_get("/hunter/v2/domain-search", hunter_domain_search)
    app.router.add_get("/hunter/v2/email-finder", hunter_email_finder)
    app.router.add_get("/apollo/api/v1/organizations/enrich", apollo_org_enrich)
    app.router.add_post("/apollo/api/v1/people/match", apollo_people_match)
    app.router.add_post("/close/api/v1/data/search/", close_search)
    app.router.add_post("/close/api/v1/lead/", close_create)
    app.router.add_put("/close/api/v1/lead/{lead_id}/", close_update)
    app.router.add_get("/site/{domain}/", site)
    return app


def _authorised(request: web.Request, provider: str) -> bool:
    if provider == "hunter":
        given = request.headers.get("X-API-KEY") or request.query.get("api_key")
        return given == HUNTER_KEY
    if provider == "apollo":
        return request.headers.get("x-api-key") == APOLLO_KEY
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user == CLOSE_KEY and password == ""


def _unauthorised(provider: str) -> web.Response:
    if provider == "hunter":
        return _json(
            401,
            {
                "errors": [
                    {
                        "id": "authentication_failed",
                        "code": 401,
                        "details": "No user found for the API key supplied",
                    }
                ]
            },
        )
    if provider == "apollo":
        return _json(401, {"error": "Invalid access credentials.", "error_code": "UNAUTHORIZED"})
    return _json(401, {"error": "The API key is invalid."})


@contextmanager
def provider_servers() -> Iterator[ProviderServers]:
    """Start the server on a free port for the duration of the block."""
    world = ProviderWorld()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict[str, Any] = {}

    async def start() -> None:
        runner = web.AppRunner(_app(world), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        holder["runner"] = runner
        holder["port"] = runner.addresses[0][1]
        started.set()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=serve, name="provider-servers", daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("provider servers did not start")
    try:
        yield ProviderServers(port=int(holder["port"]), world=world)
    finally:
        asyncio.run_coroutine_threadsafe(holder["runner"].cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


# --- wiring the integrations to these servers, for tests ---------------------------------------

INTEGRATION_PREFIXES = ("ratelimit:*", "breaker:*", "enrich:*", "crm:*")


def clear_integration_state(redis_url: str) -> None:
    """Forget breaker states, rate-limit buckets and caches left by an earlier test (the
    broker's keys in the same Redis db are left alone), and the Postgres cache rows."""
    import redis as redis_sync
    from sqlalchemy import delete

    from db.models import CrmSyncRecord, EnrichmentCache
    from db.session import unit_of_work

    client = redis_sync.Redis.from_url(redis_url)
    try:
        for pattern in INTEGRATION_PREFIXES:
            names = list(client.scan_iter(match=pattern, count=500))
            if names:
                client.delete(*names)
    finally:
        client.close()
    with unit_of_work() as session:
        session.execute(delete(EnrichmentCache))
        session.execute(delete(CrmSyncRecord))


def integrations_for(servers: Any, providers: ProviderServers | None, **overrides: Any) -> Any:
    """An :class:`Integrations` on the test Redis/Postgres, providers at ``providers``."""
    from orchestration.integrations.hub import Integrations
    from settings import Settings

    values: dict[str, Any] = {
        "environment": "test",
        "database_url": servers.database_url,
        "redis_url": servers.redis_url,
        "provider_timeout_s": 2.0,
        "provider_max_retries": 2,
        "provider_max_wait_s": 5.0,
        "enrichment_timeout_s": 10.0,
        "fetch_allow_networks": ["127.0.0.1"],
        "provider_rate_limits": {"hunter": 1000.0, "apollo": 1000.0, "close": 1000.0},
    }
    if providers is not None:
        values.update(providers.settings_env())
    values.update(overrides)
    return Integrations(Settings(**values))


def run_on_loop(integrations: Any, make: Any, timeout: float = 30.0) -> Any:
    """``await make()`` on the process's integration loop, after opening ``integrations``."""
    from orchestration.integrations.loop import run_sync

    async def opened() -> Any:
        await integrations.open()
        return await make()

    return run_sync(opened(), timeout)


def close_integrations(integrations: Any) -> None:
    from orchestration.integrations.loop import run_sync

    run_sync(integrations.aclose(), 10)
