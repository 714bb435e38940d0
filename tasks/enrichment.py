"""The ``enrichment``-queue task: ``enrichment.run``."""

from tasks.stage import stage_task

run = stage_task("enrichment")
