"""The enrichment graph's runtime context: the rule tables plus the process's integrations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestration.agents.runtime import RulesRuntime

if TYPE_CHECKING:
    from orchestration.integrations.hub import Integrations


@dataclass(frozen=True)
class EnrichmentRuntime(RulesRuntime):
    """``integrations``: the provider clients, caches and website fetcher the lookup nodes
    use (None: the process's own, from settings). Tests pass their own, pointed at local
    servers; nothing in the graph constructs a client."""

    integrations: Integrations | None = None
