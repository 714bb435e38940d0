"""Celery tasks: one module per agent queue, plus pipeline bookkeeping. Thin by design."""
