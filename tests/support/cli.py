"""The `sales-agent` command run as a user on a fresh machine runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from settings import PROJECT_ROOT


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``sales-agent ARGS`` in a subprocess with no server URLs configured; a local stack,
    if the command started one, would live in ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALES_AGENT_")}
    env["SALES_AGENT_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
