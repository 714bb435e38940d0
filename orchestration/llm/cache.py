"""A Redis cache of validated model decisions, so a repeat company is not decided twice.

Keys name the agent, the prompt version, the provider and the model, then a hash of the
caller's key (for qualification: the normalised company name plus domain or state). A
changed prompt or model therefore never serves an old answer. Redis trouble only costs the
cache: the call is made as if nothing were cached.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from typing import Any

import redis

log = logging.getLogger(__name__)

_lock = threading.Lock()
_clients: dict[tuple[int, str], redis.Redis] = {}


def cache_key(agent: str, version: str, provider: str, model: str, subject: str) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"llm:decision:{agent}:{version}:{provider}:{model}:{digest}"


def load(redis_url: str, key: str) -> dict[str, Any] | None:
    """The cached entry, or None (absent, unreadable, or Redis unavailable)."""
    client = _client(redis_url)
    if client is None:
        return None
    try:
        raw = client.get(key)
    except redis.RedisError as exc:
        log.warning("decision cache read failed: %s", exc)
        return None
    if raw is None:
        return None
    try:
        found = json.loads(raw)
    except (TypeError, json.JSONDecodeError):
        return None
    return found if isinstance(found, dict) else None


def store(redis_url: str, key: str, entry: dict[str, Any], ttl_s: int) -> None:
    client = _client(redis_url)
    if client is None or ttl_s <= 0:
        return
    try:
        client.set(key, json.dumps(entry), ex=ttl_s)
    except redis.RedisError as exc:
        log.warning("decision cache write failed: %s", exc)


def _client(url: str) -> redis.Redis | None:
    """This process's client for ``url`` (thread-safe; rebuilt after fork); None: no Redis."""
    if not url:
        return None
    key = (os.getpid(), url)
    found = _clients.get(key)
    if found is None:
        with _lock:
            found = _clients.get(key)
            if found is None:
                found = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
                _clients[key] = found
    return found
