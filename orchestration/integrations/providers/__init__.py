"""Clients of the paid data providers (Hunter, Apollo), the CRM (Close) and LinkedIn links."""
