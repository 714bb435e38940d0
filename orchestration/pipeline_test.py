"""One lead through the five agents in-process, in order, timed: the pipeline-test system.

It mirrors the stage task (``tasks/stage.py``): each agent gets the lead with every earlier
stage's output in ``stage_outputs``, its lead updates are applied as the stage write
applies them (a value only where the agent gave one), a stop reason ends the run as
disqualified, and an agent error ends it as failed at that stage. Nothing is queued.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from orchestration.agents.base import RunContext
from orchestration.agents.registry import AGENT_NAMES, get_agent

# The lead columns a stage may set (as in db/repositories/stages.UPDATABLE_LEAD_COLUMNS).
_UPDATABLE = ("score", "tier", "growth_score", "email")


@dataclass
class StageRun:
    status: str  # success, stopped, failed, not_run
    latency_ms: float = 0.0
    cost_usd: float = 0.0
    engine: str | None = None
    output: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "latency_ms": round(self.latency_ms, 2),
            "cost_usd": round(self.cost_usd, 6),
            "engine": self.engine,
            "output": self.output,
            "error": self.error,
        }


@dataclass
class PipelineRun:
    lead: dict[str, Any]  # the lead after every stage that ran
    stages: dict[str, StageRun]
    timeline: list[dict[str, Any]]
    final_status: str  # completed, awaiting_approval, disqualified, failed
    error_stage: str | None = None
    error_message: str | None = None
    outcome_reason: str | None = None

    @property
    def success(self) -> bool:
        return self.final_status != "failed"

    @property
    def total_latency_ms(self) -> float:
        return round(sum(stage.latency_ms for stage in self.stages.values()), 2)

    @property
    def total_cost_usd(self) -> Decimal:
        return sum((Decimal(str(s.cost_usd)) for s in self.stages.values()), Decimal(0))


def run_pipeline(lead: dict[str, Any], context: RunContext) -> PipelineRun:
    """Run every agent on ``lead`` (a LeadRecord) in pipeline order under ``context``."""
    lead = copy.deepcopy(lead)
    lead.setdefault("stage_outputs", {})
    stages: dict[str, StageRun] = {name: StageRun("not_run") for name in AGENT_NAMES}
    started = time.perf_counter()
    timeline: list[dict[str, Any]] = []

    def event(stage: str | None, what: str, detail: str | None = None) -> None:
        timeline.append(
            {
                "at_ms": round((time.perf_counter() - started) * 1000, 2),
                "stage": stage,
                "event": what,
                "detail": detail,
            }
        )

    event(None, "started")
    for name in AGENT_NAMES:
        event(name, "started")
        stage_started = time.perf_counter()
        try:
            outcome = get_agent(name).run(lead, context)
        except Exception as exc:  # an agent bug or bad data: the run ends here, recorded
            error = f"{type(exc).__name__}: {exc}"[:2000]
            stages[name] = StageRun(
                "failed", (time.perf_counter() - stage_started) * 1000, error=error
            )
            event(name, "failed", error)
            return PipelineRun(lead, stages, timeline, "failed", name, error, f"failed at {name}")
        latency = (time.perf_counter() - stage_started) * 1000
        output = dict(outcome.output)
        if outcome.stop_reason:
            output["stopped"] = outcome.stop_reason
        for column, value in outcome.lead_updates.items():
            if column in _UPDATABLE and value is not None:
                lead[column] = value
        lead["stage_outputs"][name] = output
        stages[name] = StageRun(
            "stopped" if outcome.stop_reason else "success",
            latency,
            outcome.cost_usd,
            outcome.engine,
            output,
        )
        event(name, "finished", f"{latency:.1f} ms, ${outcome.cost_usd:.4f}")
        if outcome.stop_reason:
            event(name, "stopped", outcome.stop_reason)
            return PipelineRun(
                lead, stages, timeline, "disqualified", outcome_reason=outcome.stop_reason
            )
        if outcome.complete_reason:
            event(name, "finished", outcome.complete_reason)
            return PipelineRun(
                lead, stages, timeline, "completed", outcome_reason=outcome.complete_reason
            )
    final = "completed" if context.dry_run else "awaiting_approval"
    event(None, "finished", final)
    return PipelineRun(lead, stages, timeline, final)
