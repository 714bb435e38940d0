"""How fast the pipeline could go: the full chain against the same run with its agents
swapped for stand-ins, each against the bare five-task chain, in one run.

Run: `make bench-ceiling` (or `python -m bench.pipeline_ceiling --leads 1000`).

Four measurements, one worker each, the same flags (see bench/pipeline_vs_bare.py):
- bare: five no-op tasks chained on five queues;
- constant agents: every stage real (queues, chain, idempotent Postgres read and write,
  events) except the agent, which returns a fixed outcome at once;
- empty graphs: as above, the agent invoking a LangGraph graph of three nodes that do nothing;
- pipeline: the real agents.
The ratios of the middle two bound what any agent code can reach on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable

from bench.pipeline_vs_bare import bench_bare, bench_pipeline, paired_rounds
from bench.servers import bench_servers

CEILING_APP = "bench.ceiling_app"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1, help="see bench/pipeline_vs_bare.py")
    args = parser.parse_args()
    leads, concurrency = args.leads, args.concurrency

    def stand_in(kind: str) -> Callable[[], dict[str, float]]:
        return lambda: bench_pipeline(
            leads, concurrency, full_chain=True, app_module=CEILING_APP,
            worker_env={"SALES_AGENT_BENCH_AGENTS": kind},
        )

    with bench_servers():
        report = paired_rounds(args.rounds, {
            "bare_chain": lambda: bench_bare(leads, concurrency),
            "constant_agents": stand_in("constant"),
            "empty_three_node_graphs": stand_in("graphs"),
            "pipeline": lambda: bench_pipeline(leads, concurrency, full_chain=True),
        })
    print(json.dumps({"cpu": os.cpu_count(), **report}, indent=2))


if __name__ == "__main__":
    main()
