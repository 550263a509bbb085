"""Staff pages: the patient's message log, the opt-out switch, the failed-messages panel."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from needlechart.audit.models import AuditEvent
from needlechart.notifications import services
from needlechart.notifications.models import (
    Message,
    MessageKind,
    MessagePreference,
    MessageStatus,
)
from needlechart.patients.models import Patient

pytestmark = pytest.mark.django_db


def log(patient: Patient, n: int, kind: str = MessageKind.SESSION_REMINDER) -> Message:
    message, _ = services.message_log(
        patient=patient,
        kind=kind,
        subject="Reminder: your appointment at the clinic",
        body="b",
        dedupe_key=f"test:{patient.pk}:{n}",
    )
    return message


def fail(message: Message) -> None:
    with mock.patch(
        "needlechart.notifications.services.send_mail", side_effect=OSError("SMTP down")
    ):
        for _ in range(services.MAX_ATTEMPTS):
            Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
            services.message_deliver(message_id=message.pk, now=timezone.now())
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED


def test_log_lists_messages_for_every_staff_role(
    patient: Patient, front_desk_client: Client, clinician_client: Client
) -> None:
    log(patient, 1)
    url = reverse("notifications:patient_messages", args=[patient.pk])
    for client in (front_desk_client, clinician_client):
        response = client.get(url)
        assert response.status_code == 200
        assert b"Reminder: your appointment at the clinic" in response.content
        assert b"Session reminder" in response.content


def test_log_needs_sign_in(patient: Patient, client: Client) -> None:
    response = client.get(reverse("notifications:patient_messages", args=[patient.pk]))
    assert response.status_code == 302


def test_log_query_count_does_not_grow(patient: Patient, front_desk_client: Client) -> None:
    url = reverse("notifications:patient_messages", args=[patient.pk])
    log(patient, 0)
    with CaptureQueriesContext(connection) as few:
        front_desk_client.get(url)
    for n in range(1, 30):
        log(patient, n)
    with CaptureQueriesContext(connection) as many:
        response = front_desk_client.get(url)
    assert len(many) == len(few)
    assert b"Page 1 of 2" in response.content
    assert front_desk_client.get(url + "?page=zzz").status_code == 200


def test_front_desk_sets_opt_out_and_it_is_audited(
    patient: Patient, front_desk_client: Client
) -> None:
    url = reverse("notifications:patient_preference", args=[patient.pk])
    response = front_desk_client.post(url, {"non_essential_opt_out": "on"})
    assert response.status_code == 302
    assert MessagePreference.objects.get(patient=patient).non_essential_opt_out
    front_desk_client.post(url, {})
    assert not MessagePreference.objects.get(patient=patient).non_essential_opt_out
    events = AuditEvent.objects.filter(action="message_preference.update", patient_id=patient.pk)
    assert events.count() == 2
    assert front_desk_client.get(url).status_code == 405


def test_failed_message_on_dashboard_and_sent_again(
    patient: Patient, front_desk_client: Client
) -> None:
    assert b"Messages that failed to send" not in front_desk_client.get("/").content
    message = log(patient, 1)
    fail(message)
    assert "SMTP down" in message.last_error and message.attempts == services.MAX_ATTEMPTS
    home = front_desk_client.get("/")
    assert b"Messages that failed to send" in home.content
    assert patient.full_name.encode() in home.content
    response = front_desk_client.post(reverse("notifications:message_retry", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 0
    assert AuditEvent.objects.filter(action="message.retry").count() == 1
    services.message_deliver(message_id=message.pk)
    assert len(mail.outbox) == 1
    assert b"Messages that failed to send" not in front_desk_client.get("/").content


def test_chart_links_to_messages(patient: Patient, clinician_client: Client) -> None:
    response = clinician_client.get(reverse("patients:detail", args=[patient.pk]))
    assert reverse("notifications:patient_messages", args=[patient.pk]).encode() in response.content
