"""Sending one message: idempotency, claims, retries, opt-out and missing addresses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.notifications import services
from needlechart.notifications.models import Message, MessageKind, MessageStatus
from needlechart.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_send_now_sends_once_and_logs(patient: Patient) -> None:
    for _ in range(2):
        message = services.message_send_now(
            patient=patient,
            kind=MessageKind.PORTAL_SIGN_IN,
            subject="Your sign-in link",
            body="Open https://example.org/portal/x",
            dedupe_key="portal_sign_in:token:1",
        )
    assert message.status == MessageStatus.SENT
    assert message.essential
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [patient.email]
    assert Message.objects.filter(patient=patient).count() == 1


def test_second_claim_of_the_same_row_gets_nothing(patient: Patient) -> None:
    message, created = services.message_log(
        patient=patient,
        kind=MessageKind.SESSION_REMINDER,
        subject="s",
        body="b",
        dedupe_key="k:1",
    )
    assert created
    assert services.message_claim(message_id=message.pk) is True
    assert services.message_claim(message_id=message.pk) is False
    assert services.message_deliver(message_id=message.pk) is None
    assert mail.outbox == []


def test_log_twice_creates_one_row(patient: Patient) -> None:
    first, c1 = services.message_log(
        patient=patient, kind=MessageKind.SESSION_REMINDER, subject="s", body="b", dedupe_key="k"
    )
    second, c2 = services.message_log(
        patient=patient, kind=MessageKind.SESSION_REMINDER, subject="x", body="y", dedupe_key="k"
    )
    assert (c1, c2) == (True, False)
    assert first.pk == second.pk


def test_failure_is_retried_with_backoff_then_failed(patient: Patient) -> None:
    message, _ = services.message_log(
        patient=patient, kind=MessageKind.SESSION_REMINDER, subject="s", body="b", dedupe_key="k"
    )
    now = timezone.now()
    with mock.patch(
        "needlechart.notifications.services.send_mail", side_effect=OSError("SMTP down")
    ):
        for attempt in range(1, services.MAX_ATTEMPTS + 1):
            done = services.message_deliver(message_id=message.pk, now=now)
            assert done is not None
            assert done.attempts == attempt
            assert "SMTP down" in done.last_error
            if attempt < services.MAX_ATTEMPTS:
                assert done.status == MessageStatus.PENDING
                assert done.next_attempt_at is not None and done.next_attempt_at > now
                assert services.messages_ready(now=now) == []
                now = done.next_attempt_at
                assert services.messages_ready(now=now) == [message.pk]
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert services.messages_ready(now=now + timedelta(days=1)) == []


def test_opted_out_patient_non_essential_skipped_essential_sent(
    patient: Patient, front_desk: User
) -> None:
    services.message_preference_set(patient=patient, non_essential_opt_out=True, by=front_desk)
    assert AuditEvent.objects.filter(action="message_preference.update").count() == 1
    reminder, _ = services.message_log(
        patient=patient, kind=MessageKind.SESSION_REMINDER, subject="s", body="b", dedupe_key="r"
    )
    done = services.message_deliver(message_id=reminder.pk)
    assert done is not None and done.status == MessageStatus.SKIPPED
    assert done.skip_reason == services.SKIP_OPTED_OUT
    booking, _ = services.message_log(
        patient=patient,
        kind=MessageKind.BOOKING_CONFIRMATION,
        subject="s",
        body="b",
        dedupe_key="b",
    )
    done = services.message_deliver(message_id=booking.pk)
    assert done is not None and done.status == MessageStatus.SENT
    assert len(mail.outbox) == 1


def test_patient_without_email_skipped(make_patient: Callable[..., Patient]) -> None:
    no_email = make_patient(email="")
    message, _ = services.message_log(
        patient=no_email,
        kind=MessageKind.BOOKING_CONFIRMATION,
        subject="s",
        body="b",
        dedupe_key="n",
    )
    done = services.message_deliver(message_id=message.pk)
    assert done is not None and done.status == MessageStatus.SKIPPED
    assert done.skip_reason == services.SKIP_NO_EMAIL
    assert mail.outbox == []


def test_stale_claim_released(patient: Patient) -> None:
    message, _ = services.message_log(
        patient=patient, kind=MessageKind.SESSION_REMINDER, subject="s", body="b", dedupe_key="z"
    )
    long_ago = timezone.now() - timedelta(hours=1)
    assert services.message_claim(message_id=message.pk, now=long_ago)
    assert services.messages_release_stale(now=timezone.now()) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 1
