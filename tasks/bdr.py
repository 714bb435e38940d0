"""The ``bdr``-queue task: ``bdr.run``."""

from tasks.stage import stage_task

run = stage_task("bdr")
