"""The ``marketing``-queue task: ``marketing.run``."""

from tasks.stage import stage_task

run = stage_task("marketing")
