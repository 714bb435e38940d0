"""The ``llm`` engine: model decisions with validated structured output, priced usage and a
rules fallback.

An agent's graph node calls :func:`decide` with its prompt module's ``PromptSpec`` and
schema; on :class:`LlmResult` it uses ``result.output``, on :class:`Fallback` it runs its
rules path, and either way it records ``result.engine``, ``result.cost_usd`` and
``result.record()`` on the stage outcome. Settings: ``SALES_AGENT_LLM_*`` in the README.
"""

from orchestration.llm.decide import decide
from orchestration.llm.prompting import PromptSpec
from orchestration.llm.results import (
    ENGINE_FALLBACK,
    ENGINE_LLM,
    ENGINE_RULES,
    Fallback,
    FallbackReason,
    LlmResult,
    Usage,
)
from orchestration.llm.stream import ReplyStream, stream_reply

__all__ = [
    "ENGINE_FALLBACK",
    "ENGINE_LLM",
    "ENGINE_RULES",
    "Fallback",
    "FallbackReason",
    "LlmResult",
    "PromptSpec",
    "ReplyStream",
    "Usage",
    "decide",
    "stream_reply",
]
