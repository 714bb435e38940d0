"""Which provider and model an agent uses, resolved from settings.

``SALES_AGENT_LLM_PROVIDER``/``SALES_AGENT_LLM_MODEL`` set the default; an entry of
``SALES_AGENT_LLM_MODELS`` (``{"qualification": "cerebras:llama-3.3-70b"}``) overrides it for
one agent. Only the first colon separates provider from model, so ``openai:llama3:8b``
names the Ollama model ``llama3:8b``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from settings import Settings

Provider = Literal["openai", "cerebras"]
PROVIDERS: tuple[Provider, ...] = ("openai", "cerebras")


class ModelConfigError(ValueError):
    """A per-agent override names no known provider, or no model."""


@dataclass(frozen=True)
class ModelChoice:
    """Everything needed to build a client for one agent's calls.

    api_key is kept out of ``repr`` so a logged choice never carries the secret.
    """

    provider: Provider
    model: str
    base_url: str | None
    timeout_s: float
    max_retries: int
    max_output_tokens: int
    temperature: float
    api_key: str = field(default="", repr=False)


def model_choice(agent: str, settings: Settings) -> ModelChoice:
    """The provider and model ``agent`` calls, with its endpoint, key and limits."""
    provider, model = _provider_and_model(agent, settings)
    if provider == "openai":
        key, base_url = settings.openai_api_key, settings.llm_base_url
    else:
        key, base_url = settings.cerebras_api_key, settings.cerebras_base_url
    return ModelChoice(
        provider=provider,
        model=model,
        base_url=base_url or None,
        timeout_s=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        max_output_tokens=settings.llm_max_output_tokens,
        temperature=settings.llm_temperature,
        api_key=key.get_secret_value(),
    )


def _provider_and_model(agent: str, settings: Settings) -> tuple[Provider, str]:
    override = settings.llm_models.get(agent)
    if override is None:
        return settings.llm_provider, settings.llm_model
    provider, _, model = override.partition(":")
    if provider not in PROVIDERS or not model:
        raise ModelConfigError(
            f"SALES_AGENT_LLM_MODELS[{agent!r}] must be '<provider>:<model>' with provider "
            f"one of {', '.join(PROVIDERS)}; got {override!r}"
        )
    return provider, model
