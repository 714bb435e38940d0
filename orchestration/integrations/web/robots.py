"""robots.txt rules per site, read once and kept for a while (RFC 9309).

A site answers its robots.txt once per hour at most, however many of its pages are asked
for at the same moment: parallel fetches of one site wait on the same load.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from urllib.robotparser import RobotFileParser

# RFC 9309: parse at least 500 KiB; more than that is not a robots file anyone meant.
ROBOTS_MAX_BYTES = 512 * 1024
_DISALLOW_ALL = ("User-agent: *", "Disallow: /")

RobotsLoader = Callable[[str], Awaitable[RobotFileParser]]


def rules_from_answer(status: int | None, body: bytes) -> RobotFileParser:
    """The rules a site's answer to ``/robots.txt`` means (``status`` None: unreachable).

    As RFC 9309 says: a 4xx answer means no rules; a 5xx or no answer means "keep out",
    because the site may be struggling.
    """
    rules = RobotFileParser()
    if status is not None and 200 <= status < 300:
        rules.parse(body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace").splitlines())
    elif status is not None and 400 <= status < 500:
        rules.parse([])
    else:
        rules.parse(_DISALLOW_ALL)
    return rules


class RobotsCache:
    """Per-origin robots rules with a time to live and a bounded size (least recent out)."""

    def __init__(self, *, ttl_s: float = 3600.0, max_sites: int = 1024) -> None:
        self._ttl_s = ttl_s
        self._max_sites = max_sites
        self._rules: OrderedDict[str, tuple[float, RobotFileParser]] = OrderedDict()
        self._loading: dict[str, asyncio.Task[RobotFileParser]] = {}

    async def rules_for(self, origin: str, load: RobotsLoader) -> RobotFileParser:
        """The rules of ``origin`` (``https://host:port``), loading them when not fresh."""
        cached = self._rules.get(origin)
        if cached is not None and cached[0] > time.monotonic():
            self._rules.move_to_end(origin)
            return cached[1]
        task = self._loading.get(origin)
        if task is None:
            task = asyncio.create_task(self._load_and_keep(origin, load))
            self._loading[origin] = task
            task.add_done_callback(lambda _: self._loading.pop(origin, None))
        # One caller giving up (its own timeout) must not cancel the load others wait on.
        return await asyncio.shield(task)

    async def _load_and_keep(self, origin: str, load: RobotsLoader) -> RobotFileParser:
        rules = await load(origin)
        self._rules[origin] = (time.monotonic() + self._ttl_s, rules)
        self._rules.move_to_end(origin)
        while len(self._rules) > self._max_sites:
            self._rules.popitem(last=False)
        return rules
