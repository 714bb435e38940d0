"""Find an agent by name: one instance per agent per process, graphs compiled once.

Stage tasks call :func:`get_agent` with their queue's name; nothing else constructs agents.
"""

from __future__ import annotations

from functools import cache

from orchestration.agents.base import Agent
from orchestration.agents.bdr.agent import BdrAgent
from orchestration.agents.enrichment.agent import EnrichmentAgent
from orchestration.agents.growth.agent import GrowthAgent
from orchestration.agents.marketing.agent import MarketingAgent
from orchestration.agents.qualification.agent import QualificationAgent

_AGENT_CLASSES: dict[str, type[Agent]] = {
    agent.name: agent
    for agent in (QualificationAgent, EnrichmentAgent, GrowthAgent, MarketingAgent, BdrAgent)
}
# In pipeline order; equal to the stage and queue names.
AGENT_NAMES: tuple[str, ...] = tuple(_AGENT_CLASSES)


@cache
def get_agent(name: str) -> Agent:
    """The process-wide agent called ``name``; KeyError naming the known agents otherwise."""
    try:
        agent_class = _AGENT_CLASSES[name]
    except KeyError:
        raise KeyError(
            f"unknown agent {name!r}; known agents: {', '.join(AGENT_NAMES)}"
        ) from None
    return agent_class()
