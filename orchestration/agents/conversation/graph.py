"""The conversation graph: receive -> ground -> understand -> (reply | opt out | hand off)
-> speak. Compiled with a checkpointer, so a session's dialogue and memory survive the
worker that ran its last turn.
"""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from orchestration.agents.conversation import nodes
from orchestration.agents.conversation.nodes import ConversationRuntime
from orchestration.agents.conversation.state import ConversationState

ConversationGraph = CompiledStateGraph[
    ConversationState, ConversationRuntime, ConversationState, ConversationState
]


def build_graph(checkpointer: BaseCheckpointSaver[str] | None = None) -> ConversationGraph:
    """Build and compile the conversation graph (thread id = conversation session id)."""
    builder = StateGraph(ConversationState, context_schema=ConversationRuntime)
    builder.add_node("receive", nodes.receive)
    builder.add_node("ground", nodes.ground)
    builder.add_node("understand", nodes.understand)
    builder.add_node("compose_reply", nodes.compose_reply)
    builder.add_node("opt_out", nodes.opt_out)
    builder.add_node("hand_off", nodes.hand_off)
    builder.add_node("speak", nodes.speak)
    builder.add_edge(START, "receive")
    builder.add_edge("receive", "ground")
    builder.add_edge("ground", "understand")
    builder.add_conditional_edges("understand", nodes.route_intent)
    for composer in ("compose_reply", "opt_out", "hand_off"):
        builder.add_edge(composer, "speak")
    builder.add_edge("speak", END)
    return builder.compile(name="conversation", checkpointer=checkpointer)
