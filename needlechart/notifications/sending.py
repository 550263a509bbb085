"""One run of the sender: log what is due, then deliver what is ready.

Safe to run from any number of workers at once (see services: unique dedupe keys and
claims by conditional update).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from django.utils import timezone

from needlechart.notifications import services
from needlechart.notifications.collect import collect_due
from needlechart.notifications.content import render
from needlechart.notifications.models import Message, MessageStatus
from needlechart.patients.models import Patient


@dataclass
class SendReport:
    created: int = 0
    sent: int = 0
    skipped: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def send_due_messages_once(*, now: datetime | None = None) -> SendReport:
    now = now or timezone.now()
    report = SendReport(released=services.messages_release_stale(now=now))
    report.skipped += services.messages_withdraw_settled()

    due_now = collect_due(now=now)
    existing = set(
        Message.objects.filter(dedupe_key__in=[m.dedupe_key for m in due_now]).values_list(
            "dedupe_key", flat=True
        )
    )
    missing = [m for m in due_now if m.dedupe_key not in existing]
    patients = Patient.objects.in_bulk({m.patient_id for m in missing})
    for item in missing:
        patient = patients.get(item.patient_id)
        if patient is None:
            continue
        subject, body = render(item, patient)
        _message, created = services.message_log(
            patient=patient,
            kind=item.kind,
            subject=subject,
            body=body,
            dedupe_key=item.dedupe_key,
            due_at=item.due_at,
            appointment_id=item.context.get("appointment_id"),
        )
        report.created += int(created)

    for message_id in services.messages_ready(now=now):
        done = services.message_deliver(message_id=message_id, now=now)
        if done is None:
            continue  # another worker claimed it
        if done.status == MessageStatus.SENT:
            report.sent += 1
        elif done.status == MessageStatus.SKIPPED:
            report.skipped += 1
        elif done.status == MessageStatus.FAILED:
            report.failed += 1
        else:
            report.retrying += 1
    return report
