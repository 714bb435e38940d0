"""Provider clients against local servers speaking Hunter, Apollo and Close, on real Redis
and Postgres: wire format, retries honouring reset headers, the shared breaker and rate
limit, and the cache that keeps a company from being paid for twice."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from orchestration.integrations.pricing import PRICE_PER_CALL_USD
from orchestration.integrations.ratelimit import SharedRateLimiter
from settings import PROJECT_ROOT
from tests.support.provider_servers import (
    HUNTER_KEY,
    Company,
    Reply,
    clear_integration_state,
    close_integrations,
    integrations_for,
    run_on_loop,
)

OWNER = {
    "value": "maria.lopez@sunrisepower.com",
    "type": "personal",
    "confidence": 94,
    "first_name": "Maria",
    "last_name": "Lopez",
    "position": "Owner",
    "seniority": "executive",
    "department": "executive",
    "linkedin": None,
    "phone_number": None,
    "verification": {"date": "2026-11-01", "status": "valid"},
}
SUNRISE = Company(
    "sunrisepower.com",
    "Sunrise Power",
    phone="+15125550100",
    linkedin_url="https://www.linkedin.com/company/sunrise-power",
    city="Austin",
    state="TX",
    people=[OWNER],
)


@pytest.fixture
def world(providers, servers):
    clear_integration_state(servers.redis_url)
    providers.world.reset()
    providers.world.add(SUNRISE)
    return providers.world


@pytest.fixture
def integrations(servers, providers, world) -> Iterator[Any]:
    made = integrations_for(servers, providers)
    yield made
    close_integrations(made)


def test_hunter_domain_search_speaks_hunters_format_and_pays_one_credit(integrations, world):
    # When Hunter is asked who works at the dealer's domain
    lookup = run_on_loop(
        integrations, lambda: integrations.hunter.domain_search("sunrisepower.com")
    )

    # Then the request was Hunter's: key in the header, personal senior people only
    request = world.requests[-1]
    assert request["path"] == "/hunter/v2/domain-search"
    assert request["headers"]["X-API-KEY"] == HUNTER_KEY
    assert "api_key" not in request["query"]  # the key never travels in a URL
    assert request["query"]["type"] == "personal"
    assert request["query"]["seniority"] == "senior,executive"
    # And the owner came back, priced as one credit
    assert lookup.call["status"] == "ok"
    assert lookup.data["people"][0]["email"] == "maria.lopez@sunrisepower.com"
    assert lookup.data["people"][0]["position"] == "Owner"
    assert lookup.call["cost_usd"] == float(PRICE_PER_CALL_USD[("hunter", "domain_search")])


def test_a_429_is_retried_after_the_retry_after_header(integrations, world):
    # Given Apollo says "slow down" once, asking for 0.4 s
    world.script(
        "apollo organizations/enrich", Reply(429, {"error": "rate limited"}, {"Retry-After": "0.4"})
    )

    # When the company is enriched
    started = time.monotonic()
    lookup = run_on_loop(
        integrations, lambda: integrations.apollo.organization_enrich("sunrisepower.com")
    )
    elapsed = time.monotonic() - started

    # Then the second attempt, after the asked-for pause, brought the company
    assert lookup.call["status"] == "ok"
    assert lookup.call["attempts"] == 2
    assert elapsed >= 0.4
    assert lookup.data["name"] == "Sunrise Power"
    assert lookup.data["phone"] == "+15125550100"


def test_closes_rate_reset_body_and_5xx_are_retried(integrations, world):
    # Given Close answers 429 with its rate_reset body, then a 502, then normally
    world.script(
        "close data/search",
        Reply(
            429,
            {"error": {"rate_reset": 0.3, "message": "API call count exceeded"}},
            {"RateLimit": "limit=40, remaining=0, reset=0.3"},
        ),
        Reply(502, {"error": "bad gateway"}),
    )
    calls: list[dict[str, Any]] = []

    # When a lead is looked up
    started = time.monotonic()
    found = run_on_loop(
        integrations,
        lambda: integrations.close.find_lead("https://sunrisepower.com", "Sunrise Power", calls),
    )

    # Then it waited as told and got through on the third attempt
    assert found is None  # Close does not hold it yet
    assert calls[0]["attempts"] == 3
    assert time.monotonic() - started >= 0.3


def test_a_provider_that_stays_down_is_reported_not_raised(integrations, world):
    # Given Hunter answers 503 to everything
    world.down.add("hunter")

    # When asked
    lookup = run_on_loop(
        integrations, lambda: integrations.hunter.domain_search("sunrisepower.com")
    )

    # Then the lookup is recorded as unavailable after its retries, with no answer and no cost
    assert lookup.data is None
    assert lookup.call["status"] == "unavailable"
    assert lookup.call["attempts"] == 3
    assert lookup.call["cost_usd"] == 0
    assert world.hits["hunter domain-search"] == 3


def test_a_slow_provider_times_out(servers, providers, world):
    # Given Apollo takes longer than the request time limit
    world.delay_s["apollo"] = 1.0
    slow = integrations_for(servers, providers, provider_timeout_s=0.2, provider_max_retries=0)
    try:
        lookup = run_on_loop(slow, lambda: slow.apollo.organization_enrich("sunrisepower.com"))
    finally:
        close_integrations(slow)

    # Then it gave up after the time limit, recorded as unavailable
    assert lookup.call["status"] == "unavailable"
    assert "in time" in lookup.call["error"]


def test_breaker_opens_after_repeated_failures_and_every_process_sees_it(servers, providers, world):
    # Given Apollo is down and the breaker opens after 3 failures (no retries)
    world.down.add("apollo")
    fragile = integrations_for(servers, providers, breaker_fail_max=3, provider_max_retries=0)
    try:
        # When three different companies are looked up
        statuses = [
            run_on_loop(fragile, lambda d=domain: fragile.apollo.organization_enrich(d)).call[
                "status"
            ]
            for domain in ("a.example", "b.example", "c.example")
        ]
        # Then each failed, and the circuit is now open
        assert statuses == ["unavailable"] * 3
        assert fragile.breaker("apollo").state == "open"

        # And a fourth lookup is refused without a request reaching Apollo
        before = world.hits["apollo organizations/enrich"]
        refused = run_on_loop(fragile, lambda: fragile.apollo.organization_enrich("d.example"))
        assert refused.call["status"] == "circuit_open"
        assert world.hits["apollo organizations/enrich"] == before
    finally:
        close_integrations(fragile)

    # And another process, with its own Redis client, sees the same open circuit
    script = (
        "import redis, json\n"
        "from orchestration.integrations.breaker import ProviderBreaker\n"
        f"client = redis.Redis.from_url({servers.redis_url!r})\n"
        "b = ProviderBreaker('apollo', client, fail_max=3, reset_timeout_s=60)\n"
        "print(json.dumps({'state': b.state, 'failures': b.fail_counter}))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
        check=True,
    )
    seen = json.loads(answer.stdout)
    assert seen["state"] == "open"


def test_breaker_storage_refuses_a_decoding_client(servers):
    import redis

    from orchestration.integrations.breaker import ProviderBreaker

    client = redis.Redis.from_url(servers.redis_url, decode_responses=True)
    with pytest.raises(ValueError, match="decode_responses=False"):
        ProviderBreaker("hunter", client, fail_max=3, reset_timeout_s=60)


def test_rate_limit_is_shared_by_independent_clients(servers, world):
    import redis.asyncio as aredis

    # Given two workers' limiters (separate Redis connections) allowing 10 calls/s to Hunter
    async def twenty_calls() -> float:
        first = aredis.Redis.from_url(servers.redis_url)
        second = aredis.Redis.from_url(servers.redis_url)
        limiters = [SharedRateLimiter(c, {"hunter": 10.0}) for c in (first, second)]
        deadline = time.monotonic() + 10
        started = time.monotonic()
        try:
            # When they take 20 slots between them, at once
            await asyncio.gather(*(limiters[i % 2].acquire("hunter", deadline) for i in range(20)))
        finally:
            await first.aclose()
            await second.aclose()
        return time.monotonic() - started

    elapsed = asyncio.run(twenty_calls())

    # Then together they kept to the limit: one second's burst, then 10 per second
    assert elapsed >= 0.9


def test_a_providers_reset_pause_holds_every_worker(servers, world):
    import redis.asyncio as aredis

    # Given one worker got a 429 asking for a 0.5 s pause
    async def scenario() -> float:
        client = aredis.Redis.from_url(servers.redis_url)
        other = aredis.Redis.from_url(servers.redis_url)
        try:
            await SharedRateLimiter(client, {"close": 100.0}).pause("close", 0.5)
            started = time.monotonic()
            # When another worker wants to call Close
            await SharedRateLimiter(other, {"close": 100.0}).acquire("close", time.monotonic() + 5)
            return time.monotonic() - started
        finally:
            await client.aclose()
            await other.aclose()

    # Then it waited for the pause to end
    assert asyncio.run(scenario()) >= 0.4


def test_repeated_company_is_paid_for_once(servers, providers, world):
    import redis as redis_sync

    first_worker = integrations_for(servers, providers)
    second_worker = integrations_for(servers, providers)
    try:
        # When one worker enriches the company, and later another does too
        paid = run_on_loop(
            first_worker, lambda: first_worker.apollo.organization_enrich("sunrisepower.com")
        )
        hot = run_on_loop(
            second_worker, lambda: second_worker.apollo.organization_enrich("sunrisepower.com")
        )
        # And again once the hot Redis copy is gone (only Postgres remembers)
        client = redis_sync.Redis.from_url(servers.redis_url)
        client.delete(*client.keys("enrich:hot:*"))
        client.close()
        warm = run_on_loop(
            second_worker, lambda: second_worker.apollo.organization_enrich("sunrisepower.com")
        )
    finally:
        close_integrations(first_worker)
        close_integrations(second_worker)

    # Then Apollo was called once, and only the first lookup cost anything
    assert world.hits["apollo organizations/enrich"] == 1
    assert paid.call["status"] == "ok"
    assert paid.call["cost_usd"] > 0
    assert hot.call["status"] == warm.call["status"] == "cached"
    assert hot.call["cost_usd"] == warm.call["cost_usd"] == 0
    assert warm.data == paid.data


def test_concurrent_lookups_of_one_company_pay_once(servers, providers, world):
    # Given Hunter is a little slow, and two workers ask about the same domain at once
    world.delay_s["hunter"] = 0.3
    workers = [integrations_for(servers, providers) for _ in range(2)]

    async def both() -> list[Any]:
        for worker in workers:
            await worker.open()
        return list(
            await asyncio.gather(*(w.hunter.domain_search("sunrisepower.com") for w in workers))
        )

    from orchestration.integrations.loop import run_sync

    try:
        lookups = run_sync(both(), 20)
    finally:
        for worker in workers:
            close_integrations(worker)

    # Then one paid, the other waited for its answer
    assert world.hits["hunter domain-search"] == 1
    assert sorted(lookup.call["status"] for lookup in lookups) == ["cached", "ok"]


def test_an_answer_past_its_ttl_is_paid_for_again_and_purged(servers, providers, world):
    from datetime import UTC, datetime

    from db.repositories import enrichment_cache
    from db.session import unit_of_work

    # Given Apollo answers are kept for 0 days
    expiring = integrations_for(servers, providers, enrichment_cache_ttl_days={"apollo": 0})
    try:
        first = run_on_loop(
            expiring, lambda: expiring.apollo.organization_enrich("sunrisepower.com")
        )
        second = run_on_loop(
            expiring, lambda: expiring.apollo.organization_enrich("sunrisepower.com")
        )
    finally:
        close_integrations(expiring)

    # Then the second lookup paid again
    assert [first.call["status"], second.call["status"]] == ["ok", "ok"]
    assert world.hits["apollo organizations/enrich"] == 2
    # And the expired row goes with the purge
    with unit_of_work() as session:
        assert enrichment_cache.purge_expired(session, datetime.now(UTC)) == 1


def test_a_worker_going_away_closes_its_provider_sessions(servers) -> None:
    from celery.signals import worker_process_shutdown

    import workers.lifecycle  # noqa: F401  (connects the shutdown handlers)
    from orchestration.integrations import hub
    from orchestration.integrations.loop import run_sync

    # Given this process's provider sessions, opened by a lookup
    integrations = hub.get_integrations()
    run_sync(integrations.open(), 10)
    assert integrations.opened

    # When the worker process shuts down
    worker_process_shutdown.send(sender=None, pid=0, exitcode=0)

    # Then they are closed, and a later lookup in this process opens new ones
    assert not integrations.opened
    assert hub.get_integrations() is not integrations
    assert hub.close_integrations() is False  # nothing open: nothing to do
