"""Editable configuration of the agents: the rule tables in ``scoring.toml`` and their loader."""
