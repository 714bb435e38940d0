"""One prompt module per agent: its PromptSpec and its pydantic output schema."""
