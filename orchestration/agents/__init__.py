"""The pipeline's agents, one package each; :mod:`orchestration.agents.registry` finds them."""
