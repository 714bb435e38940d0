"""BDR workflow: talking points, outreach draft and meeting slots awaiting approval."""
