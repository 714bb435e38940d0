"""Every Redis key the integrations write, in one place.

ratelimit:<provider>:tat          GCRA "theoretical arrival time" (ms), shared by workers
ratelimit:<provider>:paused       set while a provider asked us to back off (429 + reset)
breaker:<provider>:pybreaker:*    pybreaker's CircuitRedisStorage (state, counters, opened_at)
enrich:hot:<provider>:<key>       hot copy of an ``enrichment_cache`` row (JSON)
enrich:lock:<provider>:<key>      one worker at a time pays for the same lookup
crm:claim:<lead id>               short claim so two deliveries never write the CRM at once
"""

from __future__ import annotations


def rate_tat(provider: str) -> str:
    return f"ratelimit:{provider}:tat"


def rate_paused(provider: str) -> str:
    return f"ratelimit:{provider}:paused"


def breaker_namespace(provider: str) -> str:
    return f"breaker:{provider}"


def hot_cache(provider: str, key: str) -> str:
    return f"enrich:hot:{provider}:{key}"


def cache_lock(provider: str, key: str) -> str:
    return f"enrich:lock:{provider}:{key}"


def crm_claim(lead_id: str) -> str:
    return f"crm:claim:{lead_id}"
