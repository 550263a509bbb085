"""Models of the notifications app: the message log and each patient's preference."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from needlechart.core.models import TimeStampedModel


class MessageKind(models.TextChoices):
    BOOKING_CONFIRMATION = "booking_confirmation", "Booking confirmation"
    SESSION_REMINDER = "session_reminder", "Session reminder"
    PREPARATION_REMINDER = "preparation_reminder", "Preparation reminder"
    CHECK_IN_INVITATION = "check_in_invitation", "Check-in invitation"
    FOLLOW_UP_REMINDER = "follow_up_reminder", "Follow-up reminder"
    MAINTENANCE_REMINDER = "maintenance_reminder", "Maintenance reminder"
    RESCREEN_REMINDER = "rescreen_reminder", "Re-screen reminder"
    PORTAL_SIGN_IN = "portal_sign_in", "Portal sign-in link"


# Booking confirmations and sign-in links are always sent; the rest can be opted out of.
ESSENTIAL_KINDS = frozenset({MessageKind.BOOKING_CONFIRMATION, MessageKind.PORTAL_SIGN_IN})


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Message(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="messages"
    )
    kind = models.CharField(max_length=40, choices=MessageKind.choices)
    essential = models.BooleanField(default=False)
    dedupe_key = models.CharField(max_length=200, unique=True)
    # The visit the message is about (confirmation, reminder, preparation): a message still
    # waiting when the visit is attended (charted), cancelled or missed is not sent.
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    to_address = models.EmailField(blank=True)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    skip_reason = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["patient", "-due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class MessagePreference(models.Model):
    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="message_preference"
    )
    non_essential_opt_out = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Message preference of patient {self.patient_id}"
