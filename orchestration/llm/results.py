"""What one model decision returns: the parsed answer with its usage, or a fallback marker.

A stage records ``engine`` as :data:`ENGINE_LLM` when the model's answer was used and
:data:`ENGINE_FALLBACK` when the rules engine decided instead; the reason goes in the
stage output (``record()``), since the execution row's engine column is short.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

ENGINE_LLM = "llm"
ENGINE_FALLBACK = "rules-fallback"
ENGINE_RULES = "rules"

OutputT = TypeVar("OutputT", bound=BaseModel)


class FallbackReason(enum.StrEnum):
    """Why the rules engine decided instead of the model."""

    no_key = "no_key"  # the agent's provider has no API key configured
    timeout = "timeout"  # the model did not answer within SALES_AGENT_LLM_TIMEOUT_S
    rate_limited = "rate_limited"  # 429 after the SDK's retries
    provider_error = "provider_error"  # 5xx, connection refused, an unreadable response
    invalid_output = "invalid_output"  # not JSON, or JSON that fails the output schema
    prompt_leak = "prompt_leak"  # the answer repeats the system prompt


@dataclass(frozen=True)
class Usage:
    """Tokens one call used and what they cost by the price table."""

    provider: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    priced: bool = True  # False: the model is not in the price table, cost recorded as 0

    def record(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": self.cost_usd,
            "priced": self.priced,
        }


@dataclass(frozen=True)
class LlmResult(Generic[OutputT]):
    """The model's validated answer.

    cached: True when the answer came from the decision cache (no call, no cost).
    suspicious_fields: lead fields whose text looked like instructions (kept as data).
    """

    output: OutputT
    usage: Usage
    latency_ms: float
    cached: bool = False
    suspicious_fields: tuple[str, ...] = ()

    engine = ENGINE_LLM

    @property
    def cost_usd(self) -> float:
        return 0.0 if self.cached else self.usage.cost_usd

    def record(self) -> dict[str, Any]:
        """What the stage stores under ``output["llm"]``."""
        return {
            **self.usage.record(),
            "cost_usd": self.cost_usd,
            "latency_ms": round(self.latency_ms, 1),
            "cached": self.cached,
            "suspicious_fields": list(self.suspicious_fields),
        }


@dataclass(frozen=True)
class Fallback:
    """The model could not decide; the caller runs its rules path and records this.

    usage: set when a call was made and paid for (an invalid answer still costs tokens).
    """

    reason: FallbackReason
    detail: str
    usage: Usage | None = None
    suspicious_fields: tuple[str, ...] = field(default=())

    engine = ENGINE_FALLBACK

    @property
    def cost_usd(self) -> float:
        return self.usage.cost_usd if self.usage is not None else 0.0

    def record(self) -> dict[str, Any]:
        """What the stage stores under ``output["llm_fallback"]``."""
        found: dict[str, Any] = {
            "reason": self.reason.value,
            "detail": self.detail,
            "cost_usd": self.cost_usd,
            "suspicious_fields": list(self.suspicious_fields),
        }
        if self.usage is not None:
            found["usage"] = self.usage.record()
        return found
