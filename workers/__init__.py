"""The Celery app, queue/route topology and worker lifecycle."""
