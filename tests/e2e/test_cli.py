"""The `sales-agent` command as a user on a fresh machine runs it: no URLs configured."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from settings import PROJECT_ROOT

CLI = [sys.executable, "-m", "api.cli"]


def fresh_machine_env(data_dir: Path) -> dict[str, str]:
    """The user's environment with no server configured, and a data folder of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALES_AGENT_")}
    env["SALES_AGENT_DATA_DIR"] = str(data_dir)
    return env


def processes_using(data_dir: Path) -> list[psutil.Process]:
    """Servers and workers whose command line or working files point into data_dir."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        try:
            if process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if str(data_dir) in " ".join(process.info["cmdline"] or []):
                found.append(process)
        except psutil.Error:
            continue
    return found


def test_enqueue_on_a_fresh_machine_brings_up_everything_and_cleans_up(tmp_path, examples_dir):
    # Given no server URLs at all
    env = fresh_machine_env(tmp_path / "stack")

    # When a CSV is enqueued with --json
    result = subprocess.run(
        [*CLI, "enqueue", str(examples_dir / "generic.csv"), "--json"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=240,
    )

    # Then the batch ran to the end through a local stack and a worker started for the run
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["status"] == "finished"
    assert report["done"] == report["accepted"] >= 10
    assert report["rejected"] >= 1
    assert "rejected" in result.stderr  # the bad row is shown with its reason
    # And nothing it started is left running
    assert processes_using(tmp_path / "stack") == []


def test_ctrl_c_leaves_no_servers_or_workers(tmp_path, examples_dir):
    # Given `sales-agent enqueue` running a batch on a fresh machine
    data_dir = tmp_path / "stack"
    process = subprocess.Popen(
        [*CLI, "enqueue", str(examples_dir / "dealers.csv")],
        cwd=PROJECT_ROOT, env=fresh_machine_env(data_dir),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not cli_workers():
        time.sleep(0.2)
    assert cli_workers(), "the run should have started a worker"
    time.sleep(2)  # let the batch get going

    # When the user presses Ctrl-C (SIGINT to the terminal's process group)
    os.killpg(process.pid, signal.SIGINT)
    process.wait(60)

    # Then no server or worker of that run survives
    deadline = time.monotonic() + 20
    while processes_using(data_dir) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert processes_using(data_dir) == []
    assert cli_workers() == []


def cli_workers() -> list[psutil.Process]:
    """Workers the CLI starts for a run (their node names start with `cli-`)."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        try:
            line = " ".join(process.info["cmdline"] or [])
        except psutil.Error:
            continue
        if "celery" in line and " cli-" in line and process.info["status"] != "zombie":
            found.append(process)
    return found
