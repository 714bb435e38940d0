"""Growth analysis: market opportunity, competition and a growth-potential score."""
