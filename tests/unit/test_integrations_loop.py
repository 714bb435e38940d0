"""The per-process integration loop: shared by threads, rebuilt in a forked child."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from orchestration.integrations.loop import get_loop, run_sync


async def _sleep_and_name(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return threading.current_thread().name


def test_calls_from_many_threads_run_concurrently_on_one_loop() -> None:
    # When eight threads each wait 0.2 s on the loop
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        names = list(pool.map(lambda _: run_sync(_sleep_and_name(0.2), 5), range(8)))

    # Then they overlapped, all on the one loop thread
    assert time.monotonic() - started < 1.0
    assert set(names) == {"integrations-loop"}


def test_a_late_coroutine_is_cancelled_and_reported_as_a_timeout() -> None:
    cancelled = threading.Event()

    async def stuck() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    with pytest.raises(TimeoutError):
        run_sync(stuck(), 0.1)
    assert cancelled.wait(2)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_builds_its_own_loop() -> None:
    # Given the parent's loop is running
    parent_loop = get_loop()
    read, write = os.pipe()

    # When a prefork child uses the integrations
    pid = os.fork()
    if pid == 0:  # the child: report and leave without running pytest's clean-up
        try:
            child_loop = get_loop()
            name = run_sync(_sleep_and_name(0.01), 5)
            ok = child_loop is not parent_loop and name == "integrations-loop"
            os.write(write, b"ok" if ok else b"shared")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 16)
    os.waitpid(pid, 0)
    os.close(read)

    # Then it ran its coroutines on a loop of its own
    assert answer == b"ok"
