"""The BDR graph's pause and resume: approve, edit, reject, and running anything twice.

The checkpointer here is LangGraph's in-memory saver; the same flows on the project's Redis
saver, across processes, are in tests/integration/test_bdr_graph.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver

from orchestration.agents.base import RunContext
from orchestration.agents.bdr.agent import ApprovalNotResumableError, BdrAgent, thread_id
from orchestration.agents.bdr.graph import build_graph
from orchestration.agents.bdr.nodes import InvalidDecisionError
from orchestration.agents.bdr.state import BdrState, Decision
from tests.support.leads import FIXED_NOW, strong_dealer

DECIDED_AT = FIXED_NOW.isoformat()  # Wednesday 11 June 2025, 3 PM in Austin


@pytest.fixture
def saver() -> InMemorySaver:
    return InMemorySaver()


@pytest.fixture
def agent(saver: InMemorySaver) -> BdrAgent:
    return BdrAgent(clock=lambda: FIXED_NOW, checkpointer=lambda: saver)


@pytest.fixture
def lead() -> dict[str, Any]:
    # Without earlier stage outputs: the pause and resume do not depend on them (and the
    # agents that would add them read the database in their own unit tests).
    return strong_dealer(email="maria@sunrisepower.com", contact_name="Maria Lopez")


def decision(action: str, **fields: Any) -> Decision:
    return {"action": action, "decided_at": DECIDED_AT, **fields}  # type: ignore[typeddict-item]


def checkpoints(saver: InMemorySaver, lead_id: str) -> int:
    return len(list(saver.list({"configurable": {"thread_id": thread_id(lead_id)}})))


def test_the_draft_pauses_with_the_output_results_export_reads(agent, lead) -> None:
    output = agent.run(lead, RunContext()).output

    assert output["approval_status"] == "awaiting_approval"
    assert set(output) == {"talking_points", "draft", "slots", "timezone", "approval_status"}
    assert output["draft"]["subject"]
    assert len(output["slots"]) == 3


def test_running_the_stage_again_returns_the_same_pause(agent, saver, lead) -> None:
    # Given a lead paused at approval
    first = agent.run(lead, RunContext()).output
    written = checkpoints(saver, lead["id"])

    # When the stage runs again (a redelivered message) later that day
    later = BdrAgent(
        clock=lambda: datetime(2025, 6, 11, 22, 30, tzinfo=UTC), checkpointer=lambda: saver
    )
    second = later.run(lead, RunContext()).output

    # Then it returns the pending draft and slots, and writes no second pause
    assert second == first
    assert checkpoints(saver, lead["id"]) == written


def test_changed_lead_data_replaces_the_pause(agent, saver, lead) -> None:
    # Given a lead paused at approval
    agent.run(lead, RunContext())

    # When its record changed before the stage ran again (a new contact was found)
    changed = {**lead, "contact_name": "Ana Ruiz"}
    again = agent.run(changed, RunContext()).output

    # Then the new draft is the one waiting, and a decision resumes that one
    assert again["draft"]["body"].startswith("Hi Ana,")
    result = agent.decide(lead["id"], decision("approve"))
    assert result.final_draft is not None
    assert result.final_draft["body"].startswith("Hi Ana,")


def test_dry_run_finishes_without_a_checkpoint(agent, saver, lead) -> None:
    output = agent.run(lead, RunContext(dry_run=True)).output

    assert output["approval_status"] == "completed (dry run)"
    assert checkpoints(saver, lead["id"]) == 0


def test_approve_books_the_first_proposed_slot(agent, lead) -> None:
    slots = agent.run(lead, RunContext()).output["slots"]

    result = agent.decide(lead["id"], decision("approve", by="dana"))

    assert result.approval_status == "approved"
    assert result.meeting is not None
    assert result.meeting["start"] == slots[0]["start"] == "2025-06-12T10:00:00-05:00"
    assert result.meeting["uid"] == f"bdr-meeting-{lead['id']}@sales-agent.local"
    assert result.meeting["attendee_email"] == "maria@sunrisepower.com"
    assert result.meeting["stamp"] == DECIDED_AT
    assert result.outcome_reason == "meeting booked for Thu 12 Jun, 10:00 AM CDT (approved by dana)"
    assert result.final_draft is not None
    assert result.final_draft["subject"] == agent.run(lead, RunContext()).output["draft"]["subject"]


def test_follow_ups_surround_the_meeting(agent, lead) -> None:
    agent.run(lead, RunContext())

    result = agent.decide(lead["id"], decision("approve"))

    due = {f["kind"]: f["due_at"] for f in result.follow_ups}
    # The call is tomorrow at 10 AM CDT, less than a day away: the reminder goes 2 h before
    assert due == {
        "reminder": "2025-06-12T13:00:00+00:00",
        "recap": "2025-06-12T17:20:00+00:00",  # two hours after the 20-minute call
        "check_in": "2025-06-17T15:00:00+00:00",  # 3 business days on, 10 AM CDT
    }
    reminder = result.follow_ups[0]
    assert reminder["subject"] == "Our call today: Thu 12 Jun, 10:00 AM CDT"
    assert reminder["body"].startswith("Hi Maria,")
    assert all(f["channel"] == "email" for f in result.follow_ups)


def test_approve_another_proposed_slot_reminds_a_day_ahead(agent, lead) -> None:
    slots = agent.run(lead, RunContext()).output["slots"]

    result = agent.decide(lead["id"], decision("approve", slot=slots[2]["start"]))

    assert result.meeting is not None
    assert result.meeting["label"] == "Mon 16 Jun, 11:00 AM CDT"
    assert result.follow_ups[0]["kind"] == "reminder"
    assert result.follow_ups[0]["due_at"] == "2025-06-15T16:00:00+00:00"


def test_edit_changes_the_text_and_may_pick_a_new_time(agent, lead) -> None:
    drafted = agent.run(lead, RunContext()).output["draft"]

    result = agent.decide(
        lead["id"],
        decision(
            "edit",
            draft={"subject": "Quick call about your installs?"},
            slot="2025-06-18T15:30:00-05:00",
        ),
    )

    assert result.approval_status == "approved"
    assert result.final_draft == {**drafted, "subject": "Quick call about your installs?"}
    assert result.meeting is not None
    assert result.meeting["start"] == "2025-06-18T15:30:00-05:00"
    assert result.meeting["end"] == "2025-06-18T15:50:00-05:00"
    assert result.meeting["label"] == "Wed 18 Jun, 3:30 PM CDT"


@pytest.mark.parametrize(
    ("action", "slot", "message"),
    [
        ("approve", "2025-06-18T15:30:00-05:00", "not one of the proposed times"),
        ("edit", "2025-06-18T20:00:00-05:00", "not a future time in the lead's business hours"),
        ("edit", "2025-06-21T10:00:00-05:00", "not a future time"),  # a Saturday
        ("edit", "2025-06-10T10:00:00-05:00", "not a future time"),  # before the decision
    ],
)
def test_times_the_lead_cannot_take_are_refused(agent, lead, action, slot, message) -> None:
    agent.run(lead, RunContext())

    with pytest.raises(InvalidDecisionError, match=message):
        agent.decide(lead["id"], decision(action, slot=slot))


def test_reject_ends_without_meeting_or_follow_ups(agent, lead) -> None:
    agent.run(lead, RunContext())

    result = agent.decide(lead["id"], decision("reject", by="dana", reason="already a customer"))

    assert result.approval_status == "rejected"
    assert result.outcome_reason == "rejected by dana: already a customer"
    assert result.meeting is None
    assert result.follow_ups == []


def test_a_second_decision_returns_the_first_result(agent, lead) -> None:
    agent.run(lead, RunContext())
    first = agent.decide(lead["id"], decision("approve", by="dana"))

    again = agent.decide(lead["id"], decision("reject", by="sam"))

    assert again == first


def test_a_new_process_resumes_the_pause(saver, lead) -> None:
    # Given a pause written by one agent instance (one worker process)
    BdrAgent(clock=lambda: FIXED_NOW, checkpointer=lambda: saver).run(lead, RunContext())

    # When a fresh instance (a restarted worker) takes the decision
    fresh = BdrAgent(checkpointer=lambda: saver)
    result = fresh.decide(lead["id"], decision("approve"))

    # Then it books from the saved draft and slots
    assert result.meeting is not None
    assert result.meeting["start"] == "2025-06-12T10:00:00-05:00"


def test_nothing_to_resume_is_an_error(agent) -> None:
    with pytest.raises(ApprovalNotResumableError, match="has no paused BDR run"):
        agent.decide("7d9e2f44-0000-4000-8000-00000000ffff", decision("approve"))


def test_a_decision_without_an_action_is_refused(agent, lead) -> None:
    agent.run(lead, RunContext())

    with pytest.raises(InvalidDecisionError, match="needs an action"):
        agent.decide(lead["id"], {"decided_at": DECIDED_AT})


def test_without_a_checkpointer_the_draft_still_pauses_but_cannot_resume(lead) -> None:
    agent = BdrAgent(clock=lambda: FIXED_NOW, checkpointer=lambda: None)

    assert agent.run(lead, RunContext()).output["approval_status"] == "awaiting_approval"
    with pytest.raises(ApprovalNotResumableError, match="no Redis checkpointer"):
        agent.decide(lead["id"], decision("approve"))


@pytest.mark.parametrize("died_before", ["propose_slots", "draft_outreach", "await_decision"])
def test_a_run_that_died_part_way_is_drafted_again_and_pauses(
    agent: BdrAgent, saver: InMemorySaver, lead: dict[str, Any], died_before: str
) -> None:
    # Given a thread a killed worker left part-way through (its last checkpoint before a node)
    graph = build_graph(saver)
    graph.interrupt_before_nodes = [died_before]
    config: RunnableConfig = {"configurable": {"thread_id": thread_id(lead["id"])}}
    initial = cast(BdrState, agent.initial_state(lead, RunContext()))
    graph.invoke(initial, config, context=agent.runtime_context())

    # When the stage runs again for the lead
    outcome = agent.run(lead, RunContext())

    # Then it ends paused for approval, with a draft and slots, like a clean run
    assert outcome.output["approval_status"] == "awaiting_approval"
    assert outcome.output["draft"]["body"]
    assert len(outcome.output["slots"]) == 3
    assert build_graph(saver).get_state(config).interrupts
