"""Engines the agents' graph nodes call. ``rules`` is deterministic and offline."""
