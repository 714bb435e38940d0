"""Per-model token prices: USD per 1M input tokens and per 1M output tokens.

List prices as published by the providers when this table was written; edit here when they
change. A model missing from the table costs 0 and its usage is recorded with
``priced=False``, so a report can show which executions were not priced.
"""

from __future__ import annotations

from typing import NamedTuple


class Price(NamedTuple):
    input_per_million: float
    output_per_million: float


PRICES: dict[str, Price] = {
    # OpenAI
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-5-mini": Price(0.25, 2.00),
    "gpt-5-nano": Price(0.05, 0.40),
    # Cerebras
    "llama3.1-8b": Price(0.10, 0.10),
    "llama-3.3-70b": Price(0.85, 1.20),
    "qwen-3-32b": Price(0.40, 0.80),
    "gpt-oss-120b": Price(0.25, 0.69),
}


def price_of(model: str) -> Price | None:
    """The model's price; a dated snapshot (``gpt-4o-mini-2024-07-18``) uses its family's."""
    if model in PRICES:
        return PRICES[model]
    family = max((name for name in PRICES if model.startswith(f"{name}-")), key=len, default=None)
    return PRICES[family] if family else None


def cost_usd(model: str, input_tokens: int, output_tokens: int) -> tuple[float, bool]:
    """(cost, priced): what the tokens cost, and whether the model was in the table."""
    price = price_of(model)
    if price is None:
        return 0.0, False
    cost = input_tokens * price.input_per_million + output_tokens * price.output_per_million
    return round(cost / 1_000_000, 8), True
