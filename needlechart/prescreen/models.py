"""Leads from the public pre-screen: a prospective patient's answers and contact request.

Created by the public (so no `created_by`). The raw IP address is never stored, only a salted
hash used for rate limiting and abuse review.
"""

from django.conf import settings
from django.db import models

from needlechart.core.models import ProtocolStamped, TimeStampedModel
from needlechart.protocol import Verdict


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    CONVERTED = "converted", "Converted"
    CLOSED = "closed", "Closed"


VERDICT_CHOICES = [(v.value, v.label) for v in Verdict]


class Lead(TimeStampedModel, ProtocolStamped):
    name = models.CharField(max_length=200)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField(max_length=32, blank=True)
    preferred_times = models.TextField("preferred times", blank=True)
    consent_to_contact = models.BooleanField(default=False)
    # The questionnaire as answered (the form's own keys), and the engine intake built from it.
    answers = models.JSONField(default=dict, blank=True)
    intake = models.JSONField(default=dict, blank=True)
    # The engine's Screening dump; rebuild with protocol.results.Screening.model_validate.
    screening = models.JSONField(default=dict, blank=True)
    verdict = models.CharField(max_length=30, choices=VERDICT_CHOICES)
    status = models.CharField(
        max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW, db_index=True
    )
    staff_notes = models.TextField("staff notes", blank=True)
    converted_patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    converted_appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    converted_consultation = models.ForeignKey(
        "consultations.Consultation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    # sha256(IP + SECRET_KEY) hex; never the raw address.
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="lead_status_created_idx")]

    def __str__(self) -> str:
        return f"Pre-screen request #{self.pk}"
