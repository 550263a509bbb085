"""Background task: run the sender once in a worker (`manage.py db_worker`)."""

from __future__ import annotations

from django.tasks import task

from needlechart.notifications.sending import send_due_messages_once


@task
def send_due_messages() -> dict[str, int]:
    """Log every message now due and send those ready; returns the counts."""
    return send_due_messages_once().as_dict()
