"""The decision cache on real Redis: a repeat company is not sent to the model again."""

from __future__ import annotations

import pytest
import redis

from orchestration.llm import LlmResult, decide
from orchestration.llm.prompts.qualification import QUALIFICATION, QualificationDecision
from settings import Settings
from tests.support.model_server import ModelServer, Reply

ANSWER = {
    "score": 77,
    "tier": "B",
    "reasoning": "Acme Solar in Austin sells solar and storage.",
    "fit_assessment": "Good fit.",
    "contact_quality": "Owner email.",
    "sales_potential": "medium",
    "recommendations": ["Email the owner."],
}


@pytest.fixture
def server():
    with ModelServer() as started:
        yield started


@pytest.fixture
def settings(servers, server):
    client = redis.Redis.from_url(servers.redis_url)
    for key in client.scan_iter("llm:decision:*"):  # decisions of earlier tests
        client.delete(key)
    return Settings(
        redis_url=servers.redis_url,
        llm_base_url=server.openai_base_url,
        openai_api_key="sk-test",
        llm_max_retries=0,
        llm_timeout_s=2,
        llm_cache_ttl_s=600,
    )


def qualify(settings: Settings, subject: str):
    return decide(
        "qualification",
        QUALIFICATION,
        QualificationDecision,
        {"company": "Acme Solar"},
        cache_subject=subject,
        settings=settings,
    )


def test_a_repeat_company_is_answered_from_the_cache(server, settings, servers):
    # Given one model answer, decided and cached for a company
    server.script(Reply.json(ANSWER, usage=(900, 120)))
    first = qualify(settings, "acme solar|acme.com")
    assert isinstance(first, LlmResult)
    assert not first.cached
    assert first.cost_usd > 0

    # When the same company is qualified again
    second = qualify(settings, "acme solar|acme.com")

    # Then no call is made: the same decision comes back, marked cached, at no cost
    assert isinstance(second, LlmResult)
    assert second.cached
    assert second.cost_usd == 0.0
    assert second.output == first.output
    assert second.usage.input_tokens == 900  # what the original decision used
    assert len(server.requests) == 1
    # And the entry expires by the configured TTL
    key = next(iter(redis.Redis.from_url(servers.redis_url).keys("llm:decision:qualification:*")))
    assert 0 < redis.Redis.from_url(servers.redis_url).ttl(key) <= 600


def test_a_different_domain_or_model_is_decided_afresh(server, settings):
    server.respond_with(lambda request: Reply.json(ANSWER))
    qualify(settings, "acme solar|acme.com")
    qualify(settings, "acme solar|acme-solar.net")
    qualify(settings.model_copy(update={"llm_model": "gpt-4o"}), "acme solar|acme.com")
    assert len(server.requests) == 3


def test_failed_answers_are_not_cached(server, settings):
    server.script(Reply("not json"), Reply.json(ANSWER))
    assert not isinstance(qualify(settings, "beta|beta.com"), LlmResult)
    assert isinstance(qualify(settings, "beta|beta.com"), LlmResult)
    assert len(server.requests) == 2


def test_an_unreachable_redis_only_costs_the_cache(server, settings):
    server.respond_with(lambda request: Reply.json(ANSWER))
    offline = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    assert isinstance(qualify(offline, "gamma|gamma.com"), LlmResult)
    assert isinstance(qualify(offline, "gamma|gamma.com"), LlmResult)
    assert len(server.requests) == 2
