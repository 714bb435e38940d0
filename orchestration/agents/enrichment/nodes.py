"""Enrichment nodes: each reads the state and returns only what it adds.

The three lookup nodes (company, people, website) run in parallel branches; inside each,
provider calls run concurrently on the process's integration loop. None of them raises
for a provider that is down: the failure is a record in ``provider_calls``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from langgraph.runtime import Runtime

from orchestration.agents.enrichment.context import EnrichmentRuntime
from orchestration.agents.enrichment.lookups import failed_calls, integrations_of, run_lookups
from orchestration.agents.enrichment.state import EnrichmentState
from orchestration.agents.runtime import rules_of
from orchestration.engines.rules import enrichment as rules_engine
from orchestration.engines.rules.contacts import EmailCheck, check_email, check_phone
from orchestration.engines.rules.text import masked_email
from orchestration.integrations import sitefacts
from orchestration.integrations.calls import SKIPPED_NO_KEY, ProviderCall, call_record
from orchestration.integrations.hub import Integrations
from orchestration.integrations.providers import linkedin
from orchestration.integrations.providers.base import Lookup

COMPANY_OPERATION = ("apollo", "organization_enrich")
WEBSITE_OPERATION = (sitefacts.PROVIDER, sitefacts.OPERATION)
# Contact fields a sales person needs before outreach; reported when still missing.
CONTACT_FIELDS: tuple[str, ...] = ("website", "email", "phone", "contact_name", "contact_title")
# Statuses of a lookup that was wanted but gave nothing: the lead is enriched "degraded".
FAILED_STATUSES = frozenset(
    {
        "unavailable",
        "circuit_open",
        "rate_limited",
        "timeout",
        "rejected",
        "error",
        "skipped: no redis",
    }
)


def collect_known_fields(
    state: EnrichmentState, runtime: Runtime[EnrichmentRuntime] | None = None
) -> EnrichmentState:
    """Gather every non-empty field the lead arrived with, marked with its source, and plan
    the lookups: those with something to ask run next; the others (no key, no domain, no
    website, the answer already known) are recorded as skipped here and never scheduled."""
    integrations = integrations_of(runtime)
    lead = state["lead"]
    planned = {name: plan(lead, integrations) for name, plan in _LOOKUP_PLANS.items()}
    return {
        "known": rules_engine.known_fields(lead),
        "lookups": [name for name, plan in planned.items() if plan.has_work],
        "provider_calls": [
            call for plan in planned.values() if not plan.has_work for call in plan.skipped
        ],
    }


# --- lookups (parallel branches) --------------------------------------------------------------


@dataclass(frozen=True)
class LookupPlan:
    """What one lookup node would do for a lead: the calls it skips (with the reason as
    their status) and whether anything is left to ask a provider."""

    skipped: list[ProviderCall]
    has_work: bool


def _company_skip(lead: dict[str, Any], integrations: Integrations) -> str | None:
    if not integrations.has_key("apollo"):
        return SKIPPED_NO_KEY
    return None if lead.get("domain") else "skipped: no domain"


def _one_call_plan(operation: tuple[str, str], skip_reason: str | None) -> LookupPlan:
    """The plan of a lookup that makes one call: it, or its record as skipped."""
    if skip_reason is None:
        return LookupPlan([], has_work=True)
    return LookupPlan([call_record(*operation, skip_reason)], has_work=False)


def plan_company_data(lead: dict[str, Any], integrations: Integrations) -> LookupPlan:
    return _one_call_plan(COMPANY_OPERATION, _company_skip(lead, integrations))


def company_data(state: EnrichmentState, runtime: Runtime[EnrichmentRuntime]) -> EnrichmentState:
    """Apollo's organization record for the lead's domain."""
    integrations = integrations_of(runtime)
    domain = state["lead"].get("domain")
    operation = COMPANY_OPERATION
    reason = _company_skip(state["lead"], integrations)
    if reason is not None or not domain:
        return {"company": None, "provider_calls": [call_record(*operation, str(reason))]}

    async def work() -> list[Lookup]:
        return [await integrations.apollo.organization_enrich(domain)]

    lookups = run_lookups(integrations, work, _failed_lookups(operation))
    return {"company": lookups[0].data or None, "provider_calls": [lookups[0].call]}


def people_data(state: EnrichmentState, runtime: Runtime[EnrichmentRuntime]) -> EnrichmentState:
    """Named people at the company, paying only for what is still unknown: nothing when
    the lead has a personal address already; Hunter's email finder and Apollo's people
    match when the lead names its contact; otherwise Hunter's domain search for the
    company's senior people."""
    integrations = integrations_of(runtime)
    lead = state["lead"]
    calls, work_items = _people_lookups(lead, integrations)
    if not work_items:
        return {"people": [], "hunter_company": None, "provider_calls": calls}

    async def work() -> list[Lookup]:
        return list(await asyncio.gather(*(factory() for _, _, factory in work_items)))

    lookups = run_lookups(integrations, work, _failed_lookups(*((p, o) for p, o, _ in work_items)))
    people: list[dict[str, Any]] = []
    hunter_company = None
    for (provider, operation, _), lookup in zip(work_items, lookups, strict=True):
        calls.append(lookup.call)
        data = lookup.data or {}
        if operation == "domain_search" and data:
            hunter_company = {k: v for k, v in data.items() if k != "people"}
            people += [_person(p, "hunter") for p in data.get("people") or []]
        elif data.get("person"):
            people.append(_person(data["person"], provider))
    return {
        "people": _unique_people(people),
        "hunter_company": hunter_company,
        "provider_calls": calls,
    }


PeopleWork = list[tuple[str, str, Callable[[], Awaitable[Lookup]]]]


def _people_lookups(
    lead: dict[str, Any], integrations: Integrations
) -> tuple[list[ProviderCall], PeopleWork]:
    """The people calls worth paying for (see :func:`people_data`), and records of the rest."""
    domain: str = lead.get("domain") or ""
    name: str = (lead.get("contact_name") or "").strip()
    email: str = lead.get("email") or ""
    has_personal_email = bool(email) and check_email(email, domain)["kind"] == "personal"

    def skip_reason(needs_name: bool) -> str | None:
        if not domain:
            return "skipped: no domain"
        if has_personal_email:
            return "skipped: email known"
        if needs_name and not name:
            return "skipped: no contact name"
        if not needs_name and name:
            return "skipped: contact named"
        return None

    planned: list[tuple[str, str, str | None, Callable[[], Awaitable[Lookup]]]] = [
        (
            "hunter",
            "domain_search",
            skip_reason(False),
            lambda: integrations.hunter.domain_search(domain),
        ),
        (
            "hunter",
            "email_finder",
            skip_reason(True),
            lambda: integrations.hunter.email_finder(domain, name),
        ),
        (
            "apollo",
            "people_match",
            skip_reason(True),
            lambda: integrations.apollo.people_match(name, domain, lead.get("company_name")),
        ),
    ]
    calls: list[ProviderCall] = []
    work_items: PeopleWork = []
    for provider, operation, reason, factory in planned:
        if not integrations.has_key(provider):
            calls.append(call_record(provider, operation, SKIPPED_NO_KEY))
        elif reason is not None:
            calls.append(call_record(provider, operation, reason))
        else:
            work_items.append((provider, operation, factory))
    return calls, work_items


def plan_people_data(lead: dict[str, Any], integrations: Integrations) -> LookupPlan:
    calls, work_items = _people_lookups(lead, integrations)
    return LookupPlan(calls, has_work=bool(work_items))


def _website_skip(lead: dict[str, Any], integrations: Integrations) -> str | None:
    if not integrations.reads_websites:
        return "skipped: disabled"
    return None if lead.get("website") else "skipped: no website"


def plan_website_facts(lead: dict[str, Any], integrations: Integrations) -> LookupPlan:
    return _one_call_plan(WEBSITE_OPERATION, _website_skip(lead, integrations))


def website_facts(state: EnrichmentState, runtime: Runtime[EnrichmentRuntime]) -> EnrichmentState:
    """Social links, technologies, service words and phones from the lead's home page."""
    integrations = integrations_of(runtime)
    lead = state["lead"]
    operation = WEBSITE_OPERATION
    website = lead.get("website")
    reason = _website_skip(lead, integrations)
    if reason is not None or not website:
        return {"site": None, "provider_calls": [call_record(*operation, str(reason))]}

    async def work() -> list[Lookup]:
        return [
            await sitefacts.home_page_facts(
                integrations.fetcher, integrations.cache, website, lead.get("domain")
            )
        ]

    lookups = run_lookups(integrations, work, _failed_lookups(operation))
    return {"site": lookups[0].data or None, "provider_calls": [lookups[0].call]}


def linkedin_page(state: EnrichmentState) -> EnrichmentState:
    """The company's LinkedIn page from whoever names it (no LinkedIn request is made)."""
    lead = state["lead"]
    site = state.get("site") or {}
    company = state.get("company") or {}
    hunter_company = state.get("hunter_company") or {}
    profile = lead.get("profile") or {}
    page = linkedin.resolve(
        [
            ("website", (site.get("social") or {}).get("linkedin")),
            ("apollo", company.get("linkedin_url")),
            ("hunter", (hunter_company.get("social") or {}).get("linkedin")),
            ("csv", profile.get("linkedin_url")),
            *[("csv", str(value)) for value in (lead.get("raw") or {}).values()],
        ],
        lead.get("company_name"),
    )
    return {
        "linkedin": {"url": page.url, "source": page.source, "guess": page.guess},
        "provider_calls": [page.call],
    }


# --- checks and merge -------------------------------------------------------------------------


def validate_contacts(state: EnrichmentState) -> EnrichmentState:
    """Check every email found (syntax, role inbox, free-mail, company domain), pick the
    best one to write to, and check the best phone."""
    lead = state["lead"]
    domain = lead.get("domain")
    own_email = lead.get("email")
    candidates: list[tuple[str, str, dict[str, Any] | None]] = []
    if own_email:
        candidates.append((own_email, "csv", None))
    for person in state.get("people") or []:
        if person.get("email"):
            candidates.append((person["email"], person["source"], person))
    best: dict[str, Any] | None = None
    for email, source, found in candidates:
        person = found or {}
        check = check_email(email, domain)
        rank = rules_engine.email_rank(
            check["kind"],
            person.get("verification"),
            person.get("confidence"),
            check["matches_company_domain"],
        )
        # The lead's own address wins a tie: a person typed it.
        if best is None or rank > best["rank"]:
            best = {
                "email": email.strip().lower(),
                "source": source,
                "check": check,
                "rank": rank,
                "person": person,
            }
    phone = _best_phone(state)
    return {
        "email_check": check_email(own_email, domain) if own_email else None,
        "best_email": best,
        "phone_check": check_phone(phone) if phone else None,
    }


def derive_facts(state: EnrichmentState) -> EnrichmentState:
    """Social profile links, service keywords and technologies, from every source."""
    lead = state["lead"]
    site = state.get("site") or {}
    company = state.get("company") or {}
    hunter_company = state.get("hunter_company") or {}
    social = dict(site.get("social") or {})
    for network, url in rules_engine.social_profiles(lead).items():
        social.setdefault(network, url)
    for network, url in (hunter_company.get("social") or {}).items():
        social.setdefault("x" if network == "twitter" else network, url)
    linkedin_found = (state.get("linkedin") or {}).get("url")
    if linkedin_found:
        social["linkedin"] = linkedin_found
    keywords = rules_engine.service_keywords(lead) + list(site.get("service_keywords") or [])
    technologies = [
        *(site.get("technologies") or []),
        *(company.get("technology_names") or []),
        *(hunter_company.get("technologies") or []),
    ]
    return {
        "derived": {
            "linkedin_url": linkedin_found or social.get("linkedin"),
            "linkedin_guess": (state.get("linkedin") or {}).get("guess"),
            "social_profiles": social,
            "service_keywords": _unique(keywords),
            "technologies": _unique([str(t) for t in technologies]),
        }
    }


def merge(state: EnrichmentState, runtime: Runtime[EnrichmentRuntime]) -> EnrichmentState:
    """One record: each field from its best source, the overall confidence, what is missing."""
    derived = state["derived"]
    candidates: dict[str, dict[str, Any]] = {
        "csv": {
            name: known["value"]
            for name, known in state["known"].items()
            if known["source"] == "csv"
        },
        "apollo": _apollo_fields(state.get("company") or {}),
        "hunter": _hunter_fields(state.get("hunter_company") or {}),
        "website": _website_fields(state.get("site") or {}),
        "derived": {
            "service_keywords": derived["service_keywords"],
            "linkedin_url": derived["linkedin_url"],
        },
    }
    if derived["technologies"]:
        candidates["website"]["technologies"] = derived["technologies"]
    best = state.get("best_email")
    if best is not None and best["source"] != "csv":
        person = best.get("person") or {}
        found = candidates.setdefault(best["source"], {})
        found["email"] = best["email"]
        found.setdefault("contact_name", person.get("name"))
        found.setdefault("contact_title", person.get("title"))
    fields = rules_engine.merge_fields(candidates)

    email_check: EmailCheck | None = best["check"] if best else None
    phone_check = state.get("phone_check")
    unusable = {
        "email": email_check is not None and email_check["kind"] in ("role", "invalid"),
        "phone": phone_check is not None and not phone_check["valid"],
    }
    missing = [name for name in CONTACT_FIELDS if name not in fields or unusable.get(name)]
    completeness = rules_engine.confidence(
        fields,
        email_check,
        phone_check,
        bool(derived["service_keywords"]),
        rules_of(runtime).enrichment,  # type: ignore[arg-type]  # a RulesRuntime subclass
    )
    quality = rules_engine.source_quality(fields)
    share = rules_engine.answered_share([c["status"] for c in state.get("provider_calls", [])])
    return {
        "fields": fields,
        "confidence": rules_engine.overall_confidence(completeness, quality, share),
        "confidence_factors": {
            "completeness": completeness,
            "source_quality": quality,
            "answered_share": share,
        },
        "missing": missing,
    }


def sync_crm(state: EnrichmentState, runtime: Runtime[EnrichmentRuntime]) -> EnrichmentState:
    """Create or update the lead in Close, at most once per lead (see integrations.crm_sync)."""
    from orchestration.integrations.crm_sync import sync_lead

    result = sync_lead(integrations_of(runtime), state["lead"], state["fields"])
    return {"crm": result.summary(), "provider_calls": result.calls}


# --- helpers --------------------------------------------------------------------------------

# The lookup nodes (graph order) and how each decides whether it has anything to ask.
_LOOKUP_PLANS: dict[str, Callable[[dict[str, Any], Integrations], LookupPlan]] = {
    "company_data": plan_company_data,
    "people_data": plan_people_data,
    "website_facts": plan_website_facts,
}



def _failed_lookups(*operations: tuple[str, str]) -> Callable[[str, str], list[Lookup]]:
    build = failed_calls(*operations)

    def failed(status: str, reason: str) -> list[Lookup]:
        return [Lookup(call, None) for call in build(status, reason)]

    return failed


def _person(found: dict[str, Any], source: str) -> dict[str, Any]:
    name = found.get("name") or " ".join(
        part for part in (found.get("first_name"), found.get("last_name")) if part
    )
    phones = found.get("phone_numbers") or (
        [found["phone_number"]] if found.get("phone_number") else []
    )
    return {
        "name": name or None,
        "title": found.get("position") or found.get("title"),
        "email": found.get("email"),
        "phone": phones[0] if phones else None,
        "linkedin": found.get("linkedin"),
        "seniority": found.get("seniority"),
        "confidence": found.get("confidence"),
        "verification": found.get("verification") or found.get("email_status"),
        "source": source,
    }


def _unique_people(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    unique = []
    for person in people:
        key = (person.get("email") or person.get("name") or "").lower()
        if key and key not in seen:
            seen.add(key)
            unique.append(person)
    return unique


def _unique(values: list[str]) -> list[str]:
    found: dict[str, str] = {}
    for value in values:
        if value and value.strip():
            found.setdefault(value.strip().lower(), value.strip())
    return list(found.values())


def _best_phone(state: EnrichmentState) -> str | None:
    """The phone merge will keep (same order as FIELD_PRECEDENCE["phone"])."""
    site_phones = (state.get("site") or {}).get("phones") or [None]
    for phone in (
        state["lead"].get("phone"),
        (state.get("company") or {}).get("phone"),
        site_phones[0],
    ):
        if phone:
            return str(phone)
    return None


def _apollo_fields(company: dict[str, Any]) -> dict[str, Any]:
    return {
        "company_name": company.get("name"),
        "website": company.get("website_url"),
        "phone": company.get("phone"),
        "industry": company.get("industry"),
        "employee_count": company.get("estimated_num_employees"),
        "annual_revenue": company.get("annual_revenue_printed") or company.get("annual_revenue"),
        "founded_year": company.get("founded_year"),
        "description": company.get("short_description"),
        "street": company.get("street_address"),
        "city": company.get("city"),
        "state": company.get("state"),
        "zip": company.get("postal_code"),
        "linkedin_url": company.get("linkedin_url"),
    }


def _hunter_fields(company: dict[str, Any]) -> dict[str, Any]:
    return {
        "company_name": company.get("organization"),
        "industry": company.get("industry"),
        "linkedin_url": (company.get("social") or {}).get("linkedin"),
    }


def _website_fields(site: dict[str, Any]) -> dict[str, Any]:
    phones = site.get("phones") or []
    return {
        "phone": phones[0] if phones else None,
        "description": site.get("description"),
        "linkedin_url": (site.get("social") or {}).get("linkedin"),
    }


def masked_people(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """People as stored in the output: emails masked (the chosen one goes on the lead)."""
    return [
        {
            **person,
            "email": masked_email(person["email"]) if person.get("email") else None,
            "phone": None if not person.get("phone") else "***" + str(person["phone"])[-4:],
        }
        for person in people
    ]
