"""The BDR agent: prepares the first conversation and waits for a person's decision.

The pause is durable: the graph runs with the process's Redis checkpointer on the thread
``bdr:<lead id>``, so any worker, started any time before the checkpoint expires, can
resume it with the decision. Running the stage again for the same lead finds the pending
pause and returns it instead of drafting (and pausing) a second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command

from orchestration.agents.base import RunContext, StageOutcome
from orchestration.agents.bdr.graph import BdrGraph, build_graph
from orchestration.agents.bdr.state import BdrState, Decision
from orchestration.agents.runtime import RulesAgent
from orchestration.checkpoint.redis_saver import RedisCheckpointSaver
from orchestration.checkpoint.runtime import get_checkpointer
from orchestration.config.rules import RulesConfig
from orchestration.engines.rules import schedule
from orchestration.engines.rules.bdr import Draft, FollowUp
from orchestration.integrations.calendar.meeting import Meeting
from settings import get_settings
from workers.agent_threads import remember_thread

Saver = BaseCheckpointSaver[str]
# Two copies of one stage message (a redelivery racing the original) must not both draft
# and pause: the second waits for the first and then finds its pause.
_LOCK_SECONDS = 30


def _utc_now() -> datetime:
    return datetime.now(UTC)


def configured_checkpointer() -> Saver | None:
    """The process's Redis saver; None when no Redis is configured (unit tests, bare use)."""
    return get_checkpointer() if get_settings().redis_url else None


def thread_id(lead_id: str) -> str:
    """The checkpoint thread of one lead's BDR run."""
    return f"bdr:{lead_id}"


class ApprovalNotResumableError(LookupError):
    """No paused BDR run to resume: never paused, or its checkpoint expired."""


@dataclass(frozen=True)
class BdrResult:
    """What a decision produced; the ``bdr.resume`` task books and records it."""

    approval_status: str  # "approved" or "rejected"
    outcome_reason: str
    decision: Decision
    final_draft: Draft | None = None
    meeting: Meeting | None = None
    follow_ups: list[FollowUp] = field(default_factory=list)


class BdrAgent(RulesAgent):
    """Talking points, a personal draft and three meeting slots, awaiting approval.

    Output keys: talking_points, draft {kind, channel, to, subject, body, script, voicemail}
    (an email; for a lead reached only by phone, a call script and voicemail), slots
    [{start, end, label}], timezone, approval_status ("awaiting_approval" or
    "completed (dry run)").
    No lead updates. ``clock`` gives "now" for the slots (fixed in tests); ``checkpointer``
    gives the saver paused runs live in.
    """

    name = "bdr"
    queue = "bdr"

    def __init__(
        self,
        rules: RulesConfig | None = None,
        clock: Callable[[], datetime] = _utc_now,
        checkpointer: Callable[[], Saver | None] = configured_checkpointer,
    ) -> None:
        super().__init__(rules)
        self._clock = clock
        self._checkpointer = checkpointer
        self._durable: tuple[Saver, BdrGraph] | None = None

    def build_graph(self) -> BdrGraph:
        """The graph without a checkpointer: dry runs, which never pause."""
        return build_graph()

    def durable_graph(self) -> BdrGraph | None:
        """The graph on this process's checkpointer (compiled once per saver)."""
        saver = self._checkpointer()
        if saver is None:
            return None
        if self._durable is None or self._durable[0] is not saver:
            self._durable = (saver, build_graph(saver))
        return self._durable[1]

    def initial_state(self, lead: dict[str, Any], context: RunContext) -> dict[str, Any]:
        state: BdrState = {
            "lead": lead,
            "now": self._clock().isoformat(),
            "dry_run": context.dry_run,
            "engine": context.engine,
        }
        return dict(state)

    def outcome(self, final_state: dict[str, Any], context: RunContext) -> StageOutcome:
        output = {
            "talking_points": final_state["talking_points"],
            "draft": final_state["draft"],
            "slots": final_state["slots"],
            "timezone": final_state["timezone"],
            "approval_status": final_state["approval_status"],
        }
        for key in ("llm", "llm_fallback"):
            if key in final_state:  # the llm engine's record; the rules path adds nothing
                output[key] = final_state[key]
        return StageOutcome(
            output=output,
            engine=final_state.get("decided_by", "rules"),
            cost_usd=final_state.get("cost_usd", 0.0),
        )

    def run(self, lead: dict[str, Any], context: RunContext) -> StageOutcome:
        """Draft and pause; running again for the same lead returns the pending pause."""
        runtime = self.runtime_context()
        graph = None if context.dry_run or not lead.get("id") else self.durable_graph()
        initial = cast(BdrState, self.initial_state(lead, context))
        if graph is None:
            return self.outcome(self.graph.invoke(initial, context=runtime), context)
        config = _config(str(lead["id"]))
        with self._lock(str(lead["id"])):
            snapshot = graph.get_state(config)
            settled = bool(snapshot.interrupts) or not snapshot.next  # paused, or decided
            if (
                _same_preparation(snapshot.values, initial)
                and settled
                and "draft" in snapshot.values
            ):
                state = dict(snapshot.values)  # a redelivery: the pause stands, nothing new
            else:
                # New data, or a run that died part-way (a killed worker): draft again from
                # the start. The nodes only compute; every side effect waits for the decision,
                # so running them twice is safe. That is also why the run is checkpointed only
                # at its end, the pause (durability "exit"): one Redis write per lead instead
                # of one per step, which halved the stage's CPU.
                state = graph.invoke(initial, config, context=runtime, durability="exit")
                self._remember_thread(str(lead["id"]))
        return self.outcome(state, context)

    def decide(self, lead_id: str, decision: Decision) -> BdrResult:
        """Resume the lead's paused run with ``Command(resume=decision)``.

        Idempotent: once a decision has resumed the thread, calling again returns the same
        result from the checkpoint, whatever ``decision`` says.
        """
        graph = self.durable_graph()
        if graph is None:
            raise ApprovalNotResumableError(
                "no Redis checkpointer configured (SALES_AGENT_REDIS_URL)"
            )
        runtime = self.runtime_context()
        config = _config(lead_id)
        with self._lock(lead_id):
            snapshot = graph.get_state(config)
            if not snapshot.values or snapshot.values.get("dry_run"):
                raise ApprovalNotResumableError(
                    f"lead {lead_id} has no paused BDR run (never paused, or its checkpoint "
                    "expired: see SALES_AGENT_CHECKPOINT_TTL_SECONDS)"
                )
            if snapshot.interrupts:
                state = graph.invoke(Command(resume=dict(decision)), config, context=runtime)
            elif snapshot.next:
                state = graph.invoke(None, config, context=runtime)  # a crash mid-resume
            else:
                state = dict(snapshot.values)
        if "decision" not in state:
            raise ApprovalNotResumableError(f"lead {lead_id}: the BDR run did not take a decision")
        return BdrResult(
            approval_status=state["approval_status"],
            outcome_reason=state["outcome_reason"],
            decision=state["decision"],
            final_draft=state.get("final_draft"),
            meeting=state.get("meeting"),
            follow_ups=list(state.get("follow_ups") or []),
        )

    def _remember_thread(self, lead_id: str) -> None:
        """Index the thread so `POST /api/agents/bdr/reset` can find it without KEYS."""
        saver = self._checkpointer()
        if isinstance(saver, RedisCheckpointSaver):
            remember_thread(saver.client, self.name, thread_id(lead_id))

    @contextmanager
    def _lock(self, lead_id: str) -> Iterator[None]:
        saver = self._checkpointer()
        if not isinstance(saver, RedisCheckpointSaver):
            yield  # an in-process saver (tests): no other process to race with
            return
        with saver.client.lock(
            f"agent:lock:{thread_id(lead_id)}",
            timeout=_LOCK_SECONDS,
            blocking_timeout=_LOCK_SECONDS,
        ):
            yield


def _same_preparation(saved: dict[str, Any], initial: BdrState) -> bool:
    """Whether the thread's saved run prepared this very input: the same lead record, on
    the same local day (slots depend on nothing else). A redelivered stage message matches
    and gets the saved pause back; changed lead data starts a new run on the thread, whose
    pause replaces the old one (a thread has one pending pause: its latest)."""
    if not saved or saved.get("lead") != initial["lead"] or "timezone" not in saved:
        return False
    zone = schedule.zone(saved["timezone"])
    saved_day = schedule.parse_now(saved["now"]).astimezone(zone).date()
    return saved_day == schedule.parse_now(initial["now"]).astimezone(zone).date()


def _config(lead_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id(lead_id)}}
