"""Marketing: campaign strategy, channel plan and personalised content."""
