"""The ``qualification``-queue task: ``qualification.run``."""

from tasks.stage import stage_task

run = stage_task("qualification")
