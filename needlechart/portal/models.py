"""Models of the patient portal: sign-in tokens, check-ins after a session and reschedule
requests."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from needlechart.core.models import TimeStampedModel
from needlechart.imaging.storage import get_photo_storage

# Security policy: a sign-in link is valid for this long, once.
TOKEN_LIFETIME = timedelta(minutes=30)


class TokenPurpose(models.TextChoices):
    SIGN_IN = "sign_in", "Sign in"


class PortalToken(models.Model):
    """A one-time sign-in link. Only the sha256 of the secret is stored; the secret itself
    appears only in the e-mailed link."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="portal_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(
        max_length=20, choices=TokenPurpose.choices, default=TokenPurpose.SIGN_IN
    )
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"Portal token for patient {self.patient_id}"


class TriageLevelChoice(models.TextChoices):
    EXPECTED = "expected", "Expected"
    CONTACT_CLINIC = "contact_clinic", "Contact the clinic"
    URGENT = "urgent", "Urgent"


class CheckIn(TimeStampedModel):
    """The patient's report on a check-in day after a signed session, triaged by the engine."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="check_ins"
    )
    session = models.ForeignKey(
        "treatments.SessionRecord", on_delete=models.PROTECT, related_name="check_ins"
    )
    day = models.PositiveSmallIntegerField()
    answers = models.JSONField(default=dict)
    triage = models.JSONField(default=list)
    worst_level = models.CharField(max_length=20, choices=TriageLevelChoice.choices)
    # Unused: a patient's upload lives in CheckInPhoto, because imaging.Photo rows are
    # clinical records authored by a staff user (`created_by`).
    photo = models.ForeignKey(
        "imaging.Photo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="check_ins",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=("session", "day"), name="portal_checkin_session_day")
        ]

    def __str__(self) -> str:
        return f"Check-in day {self.day} for session {self.session_id}"

    @property
    def needs_review(self) -> bool:
        return self.worst_level != TriageLevelChoice.EXPECTED and self.reviewed_at is None


class CheckInPhoto(models.Model):
    """The photo a patient attached to a check-in: re-encoded without metadata (upright),
    plus a JPEG thumbnail, both in the "photos" storage under random names and served only
    by the portal views that check ownership (patient) or a clinical role (staff)."""

    check_in = models.OneToOneField(
        CheckIn, on_delete=models.PROTECT, related_name="patient_photo", editable=False
    )
    original = models.FileField(storage=get_photo_storage, max_length=255, editable=False)
    thumbnail = models.FileField(storage=get_photo_storage, max_length=255, editable=False)
    content_type = models.CharField(max_length=50, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    size_bytes = models.PositiveIntegerField("size (bytes)", editable=False)
    sha256 = models.CharField("sha256", max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"Photo for check-in {self.check_in_id}"


class RescheduleRequest(TimeStampedModel):
    """A patient's request to move an appointment; front desk handles it by hand."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="reschedule_requests"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.PROTECT,
        related_name="reschedule_requests",
    )
    message = models.TextField(blank=True)
    preferred_times = models.TextField()
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at",)

    def __str__(self) -> str:
        return f"Reschedule request for appointment {self.appointment_id}"
