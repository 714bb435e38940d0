"""The agents' LangGraph graphs, engines, the batch canvas and integrations."""
