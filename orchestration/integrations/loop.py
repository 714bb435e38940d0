"""One asyncio event loop per process, on a thread of its own, for the sync agents.

Agents and Celery tasks are synchronous; provider clients are async (aiohttp, redis.asyncio).
Every coroutine of this process runs on this one loop, so pooled sessions always belong to
the loop that uses them ("attached to a different loop" cannot happen), and concurrent
callers (LangGraph's parallel branches, threads of a threaded worker, the API's threadpool)
share it safely through :func:`run_sync`.

Prefork: the loop is created lazily and remembered with the process id. A forked child
sees a different pid and builds its own loop and clients on first use; nothing made in the
parent is reused (the parent's loop thread does not exist in the child anyway).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def get_loop() -> asyncio.AbstractEventLoop:
    """This process's integration loop, started on first use."""
    global _loop, _loop_pid
    with _lock:
        if _loop is None or _loop_pid != os.getpid() or _loop.is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=loop.run_forever, name="integrations-loop", daemon=True
            )
            thread.start()
            _loop, _loop_pid = loop, os.getpid()
        return _loop


def run_sync(coro: Coroutine[Any, Any, T], timeout: float) -> T:
    """Run ``coro`` on the process loop and wait at most ``timeout`` seconds for it.

    On timeout the coroutine is cancelled (its clean-up runs on the loop) and
    :class:`TimeoutError` is raised. Must not be called from the loop's own thread.
    """
    loop = get_loop()
    if _running_on(loop):
        coro.close()
        raise RuntimeError("run_sync called from the integration loop itself; await instead")
    future = asyncio.run_coroutine_threadsafe(coro, loop)
    try:
        return future.result(timeout)
    except FutureTimeout as exc:
        future.cancel()
        raise TimeoutError(f"no result within {timeout:g} s") from exc
    except BaseException:
        # The caller is going away (a task's soft time limit, a KeyboardInterrupt): stop
        # the coroutine too rather than let it run on unobserved.
        future.cancel()
        raise


def _running_on(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
