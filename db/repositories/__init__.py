"""Queries and writes, grouped by what they serve. Repositories never commit."""
