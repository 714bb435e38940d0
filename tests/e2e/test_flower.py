"""Flower, started the way users start it, shows the workers, agent tasks and queues."""

from __future__ import annotations

import time
from typing import Any

import httpx
import psutil
import pytest

from tests.support.flower import flower_process

AUTH = ("ops", "flower-test-pass")


@pytest.fixture
def flower_url(servers, worker):
    with flower_process(servers.env, AUTH) as (url, process):
        yield url
        # The processes this test started: `sales-agent flower` and the Flower under it
        children = psutil.Process(process.pid).children(recursive=True)
        assert children
    # Like a supervisor stopping the service: SIGTERM to `sales-agent flower` alone
    # must take its Flower child with it.
    assert not [child.pid for child in children if _alive(child)]


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def test_flower_lists_workers_agent_tasks_and_queues(flower_url, worker):
    # Given Flower running beside a live worker
    # When its API is read without credentials, then it refuses
    assert httpx.get(f"{flower_url}/api/workers", timeout=5).status_code == 401

    # When read with the configured credentials
    workers: dict[str, Any] = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not workers:
        workers = httpx.get(
            f"{flower_url}/api/workers", params={"refresh": "true"}, auth=AUTH, timeout=10
        ).json()
        time.sleep(0.5)

    # Then it shows our worker, the five agent tasks and every queue it consumes
    name = next(n for n in workers if n.startswith(worker.name))
    info = workers[name]
    registered = set(info["registered"])
    assert {"qualification.run", "enrichment.run", "growth.run", "marketing.run", "bdr.run",
            "pipeline.dispatch_batch"} <= registered
    queues = {q["name"] for q in info["active_queues"]}
    assert {"qualification", "enrichment", "growth", "marketing", "bdr", "pipeline"} <= queues


def test_flower_shows_each_agent_stage_of_a_running_batch(flower_url, worker, examples_dir):
    from api.intake import parse_leads
    from api.submit import submit_batch
    from db.repositories.batches import BatchOptions
    from tests.integration.helpers import wait_for_batch

    # Given Flower watching the cluster
    # When a batch runs through the pipeline
    parsed = parse_leads((examples_dir / "generic.csv").read_bytes(), source="generic.csv")
    submitted = submit_batch(parsed, name="flower", source="generic.csv", options=BatchOptions())
    wait_for_batch(submitted.batch_id)

    # Then Flower's task list holds every stage's task, each seen on its own queue
    seen: dict[str, set[str]] = {}
    deadline = time.monotonic() + 20
    stages = {"qualification", "enrichment", "growth", "marketing", "bdr"}
    while time.monotonic() < deadline and not all(seen.get(stage) for stage in stages):
        tasks = httpx.get(f"{flower_url}/api/tasks", params={"limit": 2000}, auth=AUTH,
                          timeout=10).json()
        seen = {}
        for task in tasks.values():
            name = task.get("name") or ""
            area = name.split(".", 1)[0]
            # (the queue comes with the task-sent event; a task whose sent event is still on
            # its way shows none yet)
            routing_key = task.get("routing_key")
            seen.setdefault(area, set()).update({routing_key} if routing_key else set())
        time.sleep(0.5)
    for stage in stages:
        assert seen.get(stage) == {stage}
