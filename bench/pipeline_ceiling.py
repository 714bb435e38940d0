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

from bench.pipeline_vs_bare import bench_bare, bench_pipeline
from bench.servers import bench_servers

CEILING_APP = "bench.ceiling_app"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    with bench_servers():
        bare = bench_bare(args.leads, args.concurrency)
        runs = {
            "constant_agents": bench_pipeline(
                args.leads, args.concurrency, full_chain=True, app_module=CEILING_APP,
                worker_env={"SALES_AGENT_BENCH_AGENTS": "constant"},
            ),
            "empty_three_node_graphs": bench_pipeline(
                args.leads, args.concurrency, full_chain=True, app_module=CEILING_APP,
                worker_env={"SALES_AGENT_BENCH_AGENTS": "graphs"},
            ),
            "pipeline": bench_pipeline(args.leads, args.concurrency, full_chain=True),
        }
    report: dict[str, object] = {"cpu": os.cpu_count(), "bare_chain": bare}
    for name, run in runs.items():
        report[name] = run
        report[f"ratio_{name}_over_bare"] = run["leads_per_s"] / bare["leads_per_s"]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
