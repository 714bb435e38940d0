"""Flower on this Celery app, without the endpoints that run tasks.

Flower's API can start any registered task with caller-chosen arguments
(``/api/task/apply``, ``/api/task/async-apply``, ``/api/task/send-task``); Flower has no
option to turn them off, and nothing an operator watches the cluster for needs them
(batches start through the REST API, which validates what it enqueues). They are taken
out of Flower's route table before it starts, so they answer 404 like any unknown path.
The worker controls and revoke stay: they are what operators use Flower for.

Credentials come from the environment (``FLOWER_BASIC_AUTH``, which Flower reads itself),
never from the command line, where ``ps`` would show them to every user of the host.

Run as ``python -m api.flower [flower options]``; `sales-agent flower` does.
"""

from __future__ import annotations

import sys
from typing import Any

BLOCKED_PREFIXES = ("/api/task/apply/", "/api/task/async-apply/", "/api/task/send-task/")


def _pattern(handler: Any) -> str:
    regex = getattr(handler, "regex", None)
    return str(regex.pattern if regex is not None else handler[0])


def remove_task_apply_routes() -> list[str]:
    """Drop the task-running routes from Flower's table; the removed patterns."""
    from flower import urls

    removed = [_pattern(h) for h in urls.handlers if _pattern(h).startswith(BLOCKED_PREFIXES)]
    # In place: flower.app took a reference to this very list at import.
    urls.handlers[:] = [h for h in urls.handlers if not _pattern(h).startswith(BLOCKED_PREFIXES)]
    return removed


def main() -> None:
    from celery.bin.celery import main as celery_main

    remove_task_apply_routes()
    sys.argv = ["celery", "-A", "workers.celery_app", "flower", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
