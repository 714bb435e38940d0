"""Enrichment nodes: each reads the state and returns only what it adds."""

from __future__ import annotations

from langgraph.runtime import Runtime

from orchestration.agents.enrichment.state import EnrichmentState
from orchestration.agents.runtime import RulesRuntime, rules_of
from orchestration.engines.rules import enrichment as rules_engine
from orchestration.engines.rules.contacts import check_email, check_phone
from orchestration.engines.rules.enrichment import KnownField

# Contact fields a sales person needs before outreach; reported when still missing.
CONTACT_FIELDS: tuple[str, ...] = ("website", "email", "phone", "contact_name", "contact_title")


def collect_known_fields(state: EnrichmentState) -> EnrichmentState:
    """Gather every non-empty field the lead arrived with, marked with its source."""
    return {"known": rules_engine.known_fields(state["lead"])}


def validate_contacts(state: EnrichmentState) -> EnrichmentState:
    """Check the email (syntax, role inbox, free-mail, company domain) and the phone."""
    lead = state["lead"]
    email, phone = lead.get("email"), lead.get("phone")
    return {
        "email_check": check_email(email, lead.get("domain")) if email else None,
        "phone_check": check_phone(phone) if phone else None,
    }


def derive_facts(state: EnrichmentState) -> EnrichmentState:
    """Work out social profile links and service keywords from the lead's data."""
    lead = state["lead"]
    social = rules_engine.social_profiles(lead)
    return {
        "derived": {
            "linkedin_url": social.get("linkedin"),
            "social_profiles": social,
            "service_keywords": rules_engine.service_keywords(lead),
        }
    }


def merge(state: EnrichmentState, runtime: Runtime[RulesRuntime]) -> EnrichmentState:
    """One record: each field with its source, the overall confidence, what is missing."""
    fields = dict(state["known"])
    derived = state["derived"]
    if derived["linkedin_url"] and "linkedin_url" not in fields:
        fields["linkedin_url"] = KnownField(value=derived["linkedin_url"], source="derived")
    if derived["service_keywords"]:
        fields["service_keywords"] = KnownField(value=derived["service_keywords"],
                                                source="derived")
    email_check = state.get("email_check")
    phone_check = state.get("phone_check")
    unusable = {
        "email": email_check is not None and email_check["kind"] in ("role", "invalid"),
        "phone": phone_check is not None and not phone_check["valid"],
    }
    missing = [name for name in CONTACT_FIELDS if name not in fields or unusable.get(name)]
    return {
        "fields": fields,
        "confidence": rules_engine.confidence(
            fields, email_check, phone_check, bool(derived["service_keywords"]),
            rules_of(runtime).enrichment,
        ),
        "missing": missing,
    }
