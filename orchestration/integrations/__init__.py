"""Calls to the world outside the pipeline: websites and data providers.

Every integration is async (aiohttp), bounded in time and size, and degrades to "nothing
found" rather than failing the lead.
"""
