"""State changes of the notifications app: log a message, claim it, send it, record the result.

Delivery is idempotent by construction:
- a message is created once: `dedupe_key` is unique and rows are made with get_or_create;
- a message is sent by one worker: a worker proceeds only after it moved the row from
  PENDING to SENDING with a conditional UPDATE that changed exactly one row;
- a failed send goes back to PENDING with a backoff, and after `MAX_ATTEMPTS` becomes FAILED
  (shown to staff on the dashboard).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from needlechart.audit.services import audit_record
from needlechart.notifications.models import (
    ESSENTIAL_KINDS,
    Message,
    MessageKind,
    MessagePreference,
    MessageStatus,
)
from needlechart.patients.models import Patient
from needlechart.scheduling.models import AppointmentStatus

# Delivery policy (engineering, not clinical): how often a send is tried and how long a
# worker may hold a claim before the row is considered abandoned (worker died mid-send).
MAX_ATTEMPTS = 3
BACKOFF = (timedelta(minutes=5), timedelta(minutes=30))
STALE_CLAIM = timedelta(minutes=15)

SKIP_OPTED_OUT = "The patient opted out of non-essential messages."
SKIP_NO_EMAIL = "The patient has no e-mail address."
SKIP_ARCHIVED = "The patient's record is archived."
SKIP_APPOINTMENT_ATTENDED = "The appointment was attended (its session is charted)."
SKIP_APPOINTMENT_CANCELLED = "The appointment was cancelled."
SKIP_APPOINTMENT_NO_SHOW = "The appointment was missed."


def message_log(
    *,
    patient: Patient,
    kind: str,
    subject: str,
    body: str,
    dedupe_key: str,
    due_at: datetime | None = None,
    appointment_id: int | None = None,
) -> tuple[Message, bool]:
    """Create the message once (by `dedupe_key`); return (message, created)."""
    defaults = {
        "appointment_id": appointment_id,
        "patient": patient,
        "kind": kind,
        "essential": kind in ESSENTIAL_KINDS,
        "subject": subject,
        "body": body,
        "to_address": patient.email,
        "due_at": due_at or timezone.now(),
    }
    try:
        with transaction.atomic():
            return Message.objects.get_or_create(dedupe_key=dedupe_key, defaults=defaults)
    except IntegrityError:  # another worker created it between our get and our insert
        return Message.objects.get(dedupe_key=dedupe_key), False


_SETTLED_SKIP = {
    AppointmentStatus.ATTENDED: SKIP_APPOINTMENT_ATTENDED,
    AppointmentStatus.CANCELLED: SKIP_APPOINTMENT_CANCELLED,
    AppointmentStatus.NO_SHOW: SKIP_APPOINTMENT_NO_SHOW,
}


def messages_withdraw_settled() -> int:
    """Skip the messages still waiting about a visit that is no longer ahead (attended —
    its session charted —, cancelled or missed): no reminder or "prepare for" a visit
    that has happened. Reads each message's appointment, not its date. One update per
    status; returns how many were withdrawn."""
    withdrawn = 0
    for status, reason in _SETTLED_SKIP.items():
        withdrawn += Message.objects.filter(
            status=MessageStatus.PENDING, appointment__status=status
        ).update(status=MessageStatus.SKIPPED, skip_reason=reason, updated_at=timezone.now())
    return withdrawn


def message_claim(*, message_id: int, now: datetime | None = None) -> bool:
    """Move one PENDING row to SENDING. True only for the one caller whose update won."""
    now = now or timezone.now()
    claimed = Message.objects.filter(pk=message_id, status=MessageStatus.PENDING).update(
        status=MessageStatus.SENDING, claimed_at=now
    )
    return claimed == 1


def _opted_out(patient_id: int) -> bool:
    return MessagePreference.objects.filter(
        patient_id=patient_id, non_essential_opt_out=True
    ).exists()


def message_deliver(*, message_id: int, now: datetime | None = None) -> Message | None:
    """Claim and send one message; returns it, or None when another worker has it."""
    now = now or timezone.now()
    if not message_claim(message_id=message_id, now=now):
        return None
    message = Message.objects.select_related("patient", "appointment").get(pk=message_id)
    to_address = message.patient.email or message.to_address
    skip = ""
    # Logged before the record was archived: an archived patient receives nothing.
    if message.patient.is_archived:
        skip = SKIP_ARCHIVED
    elif message.appointment is not None and message.appointment.status in _SETTLED_SKIP:
        skip = _SETTLED_SKIP[AppointmentStatus(message.appointment.status)]
    elif not message.essential and _opted_out(message.patient_id):
        skip = SKIP_OPTED_OUT
    elif not to_address:
        skip = SKIP_NO_EMAIL
    if skip:
        message.status = MessageStatus.SKIPPED
        message.skip_reason = skip
        message.save(update_fields=["status", "skip_reason", "updated_at"])
        return message
    try:
        send_mail(
            message.subject,
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [to_address],
            fail_silently=False,
        )
    except Exception as exc:
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = MessageStatus.FAILED
            message.next_attempt_at = None
        else:
            message.status = MessageStatus.PENDING
            message.next_attempt_at = now + BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
        message.save(
            update_fields=["attempts", "last_error", "status", "next_attempt_at", "updated_at"]
        )
        return message
    message.attempts += 1
    message.status = MessageStatus.SENT
    message.to_address = to_address
    message.sent_at = timezone.now()
    message.save(update_fields=["attempts", "status", "to_address", "sent_at", "updated_at"])
    return message


def message_send_now(
    *, patient: Patient, kind: str, subject: str, body: str, dedupe_key: str
) -> Message:
    """Log an essential message and send it at once (idempotent by `dedupe_key`).

    Used by the portal for sign-in links. A failed send stays PENDING with a backoff and
    the worker retries it; the returned row tells the caller what happened. It sends at
    once, so a service calls it from `transaction.on_commit`, never inside its transaction.
    """
    message, _created = message_log(
        patient=patient, kind=kind, subject=subject, body=body, dedupe_key=dedupe_key
    )
    if message.status == MessageStatus.PENDING and not message.essential:
        message.essential = True
        message.save(update_fields=["essential", "updated_at"])
    if message.status == MessageStatus.PENDING:
        return message_deliver(message_id=message.pk) or message
    return message


def messages_ready(*, now: datetime) -> list[int]:
    """Ids of PENDING messages whose time has come (due and past any backoff)."""
    return list(
        Message.objects.filter(status=MessageStatus.PENDING, due_at__lte=now)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )


def messages_release_stale(*, now: datetime) -> int:
    """Put claims abandoned by a dead worker back to PENDING (counted as an attempt)."""
    stale = Message.objects.filter(
        status=MessageStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).values_list("pk", "attempts")
    released = 0
    for pk, attempts in stale:
        status = MessageStatus.FAILED if attempts + 1 >= MAX_ATTEMPTS else MessageStatus.PENDING
        released += Message.objects.filter(pk=pk, status=MessageStatus.SENDING).update(
            status=status,
            attempts=attempts + 1,
            last_error="The worker stopped while sending; the message may or may not have gone.",
        )
    return released


@transaction.atomic
def message_preference_set(
    *, patient: Patient, non_essential_opt_out: bool, by: AbstractBaseUser
) -> MessagePreference:
    pref, _ = MessagePreference.objects.select_for_update().get_or_create(patient=patient)
    old = pref.non_essential_opt_out
    pref.non_essential_opt_out = non_essential_opt_out
    pref.updated_by = by  # type: ignore[assignment]
    pref.save()
    audit_record(
        actor=by,
        action="message_preference.update",
        obj=pref,
        patient_id=patient.pk,
        detail={"non_essential_opt_out": {"old": old, "new": non_essential_opt_out}},
    )
    return pref


@transaction.atomic
def message_retry(*, message: Message, by: AbstractBaseUser) -> Message:
    """Staff send a FAILED message again: back to PENDING with fresh attempts."""
    updated = Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING, attempts=0, next_attempt_at=None
    )
    if updated:
        audit_record(actor=by, action="message.retry", obj=message, patient_id=message.patient_id)
    message.refresh_from_db()
    return message


__all__ = [
    "MessageKind",
    "message_claim",
    "message_deliver",
    "message_log",
    "message_preference_set",
    "message_retry",
    "message_send_now",
    "messages_ready",
    "messages_release_stale",
]
