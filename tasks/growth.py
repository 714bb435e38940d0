"""The ``growth``-queue task: ``growth.run``."""

from tasks.stage import stage_task

run = stage_task("growth")
