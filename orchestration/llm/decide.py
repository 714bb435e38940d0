"""The one call an agent's graph node makes to let a model decide: :func:`decide`.

It never raises for anything the model or provider does: every failure becomes a
:class:`Fallback` carrying the reason (and the usage, when a call was paid for), and the
node runs its rules path instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from orchestration.llm import cache
from orchestration.llm.config import ModelChoice, ModelConfigError, model_choice
from orchestration.llm.guard import guard_data, leaks_prompt
from orchestration.llm.pricing import cost_usd
from orchestration.llm.prompting import CANARY, PromptSpec
from orchestration.llm.providers import (
    Completion,
    ProviderError,
    ProviderRateLimitedError,
    ProviderTimeoutError,
    provider_for,
)
from orchestration.llm.results import Fallback, FallbackReason, LlmResult, Usage
from orchestration.llm.structured import InvalidOutputError, parse_output
from settings import Settings, get_settings

log = logging.getLogger(__name__)

OutputT = TypeVar("OutputT", bound=BaseModel)


def decide(
    agent: str,
    prompt: PromptSpec,
    schema: type[OutputT],
    lead_data: Mapping[str, Any],
    *,
    cache_subject: str | None = None,
    settings: Settings | None = None,
) -> LlmResult[OutputT] | Fallback:
    """Ask ``agent``'s configured model for a ``schema`` answer about ``lead_data``.

    lead_data: the (untrusted) facts the model may use; JSON-serialisable.
    cache_subject: when given, a validated answer is kept in Redis under this subject
        (e.g. the normalised company) for SALES_AGENT_LLM_CACHE_TTL_S and reused.
    """
    settings = settings or get_settings()
    try:
        choice = model_choice(agent, settings)
    except ModelConfigError as exc:
        return _fallback(agent, FallbackReason.provider_error, f"configuration: {exc}")
    if not choice.api_key:
        return _fallback(
            agent, FallbackReason.no_key, f"no API key configured for provider {choice.provider}"
        )
    guarded = guard_data(lead_data)
    suspicious = guarded.suspicious_fields
    key = cache_subject and cache.cache_key(
        agent, prompt.version, choice.provider, choice.model, cache_subject
    )
    if key:
        hit = _from_cache(settings.redis_url, key, schema, choice, suspicious)
        if hit is not None:
            return hit

    messages = prompt.messages(schema, guarded)
    started = time.perf_counter()
    try:
        completion = provider_for(choice).complete(messages, json_output=True)
    except ProviderTimeoutError as exc:
        return _fallback(agent, FallbackReason.timeout, str(exc), suspicious=suspicious)
    except ProviderRateLimitedError as exc:
        return _fallback(agent, FallbackReason.rate_limited, str(exc), suspicious=suspicious)
    except ProviderError as exc:
        return _fallback(agent, FallbackReason.provider_error, str(exc), suspicious=suspicious)
    latency_ms = (time.perf_counter() - started) * 1000
    usage = _usage(choice, completion)

    try:
        output = parse_output(completion.text, schema)
    except InvalidOutputError as exc:
        return _fallback(agent, FallbackReason.invalid_output, str(exc), usage, suspicious)
    if leaks_prompt(output, messages[0].content, CANARY):
        return _fallback(
            agent,
            FallbackReason.prompt_leak,
            "the answer repeats the system prompt",
            usage,
            suspicious,
        )
    if key:
        cache.store(
            settings.redis_url,
            key,
            {"output": output.model_dump(mode="json"), "usage": usage.record()},
            settings.llm_cache_ttl_s,
        )
    return LlmResult(output, usage, latency_ms, suspicious_fields=suspicious)


def _usage(choice: ModelChoice, completion: Completion) -> Usage:
    cost, priced = cost_usd(choice.model, completion.input_tokens, completion.output_tokens)
    return Usage(
        provider=choice.provider,
        model=choice.model,
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        cost_usd=cost,
        priced=priced,
    )


def _from_cache(
    redis_url: str,
    key: str,
    schema: type[OutputT],
    choice: ModelChoice,
    suspicious: tuple[str, ...],
) -> LlmResult[OutputT] | None:
    entry = cache.load(redis_url, key)
    if entry is None:
        return None
    try:
        output = schema.model_validate(entry.get("output"))
    except ValidationError:
        return None  # written by an older schema: decide afresh
    recorded = entry.get("usage") or {}
    usage = Usage(
        provider=choice.provider,
        model=choice.model,
        input_tokens=int(recorded.get("input_tokens", 0)),
        output_tokens=int(recorded.get("output_tokens", 0)),
        cost_usd=float(recorded.get("cost_usd", 0.0)),
        priced=bool(recorded.get("priced", True)),
    )
    return LlmResult(output, usage, 0.0, cached=True, suspicious_fields=suspicious)


def _fallback(
    agent: str,
    reason: FallbackReason,
    detail: str,
    usage: Usage | None = None,
    suspicious: tuple[str, ...] = (),
) -> Fallback:
    detail = detail[:500]
    # A missing key or a bad override is the same for every lead: say it once per process.
    once = reason is FallbackReason.no_key or detail.startswith("configuration:")
    if not once or (agent, reason) not in _said_once:
        _said_once.add((agent, reason))
        log.warning("%s: model decision fell back to rules (%s): %s", agent, reason.value, detail)
    return Fallback(reason, detail, usage, suspicious)


_said_once: set[tuple[str, FallbackReason]] = set()
