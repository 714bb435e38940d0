"""Conversation: chat turns with a prospect, intent by rules, memory in the checkpointer."""
