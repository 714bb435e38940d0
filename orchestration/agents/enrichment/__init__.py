"""Enrichment: what is known about the lead's contacts, checked, with a confidence."""
