"""`manage.py send_due_messages` — run the sender once (for cron), or enqueue it.

Cron, every few minutes:   */5 * * * *  manage.py send_due_messages
Through the task worker:   manage.py send_due_messages --enqueue   (db_worker runs it)
Without cron:              manage.py send_due_messages --every 300  (runs until stopped)
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from needlechart.notifications.sending import send_due_messages_once
from needlechart.notifications.tasks import send_due_messages


class Command(BaseCommand):
    help = "Log the reminders now due and send those ready (safe to run concurrently)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue the send_due_messages task for the worker instead of running here.",
        )
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, once every SECONDS (a companion process to the web server).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # With --every this keeps running whether it sends here or enqueues for the worker:
        # `make run` starts it beside the server, and a schedule that ran once would leave
        # every later booking without its confirmation.
        while True:
            if options["enqueue"]:
                result = send_due_messages.enqueue()
                self.stdout.write(f"Enqueued send_due_messages ({result.id}).")
            else:
                report = send_due_messages_once()
                counts = ", ".join(f"{k} {v}" for k, v in report.as_dict().items())
                self.stdout.write(f"Messages: {counts}.")
            if options["every"] <= 0:
                return
            self.stdout.flush()
            time.sleep(options["every"])
