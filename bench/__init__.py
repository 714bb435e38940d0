"""Benchmarks: scripts that measure, never timed assertions in tests."""
