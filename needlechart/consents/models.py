"""Consent to a course of microneedling, built from an approved plan and the protocol.

The exact text shown is stored with its sha256. The patient signs (typed name + drawn
signature, photo choices), then a clinician countersigns; with both signatures the consent
is SIGNED and frozen. A consent is never deleted: withdrawal records when and why.
"""

from django.conf import settings
from django.db import models

from needlechart.core.models import ClinicalRecord
from needlechart.plans.models import DeviceChoices

NAME_MAX_LENGTH = 200


class ConsentStatus(models.TextChoices):
    DRAFT = "draft", "Awaiting signatures"
    SIGNED = "signed", "Signed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Consent(ClinicalRecord):
    Status = ConsentStatus

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consents"
    )
    plan = models.ForeignKey(
        "plans.TreatmentPlan", on_delete=models.PROTECT, related_name="consents"
    )
    status = models.CharField(
        max_length=20, choices=ConsentStatus.choices, default=ConsentStatus.DRAFT
    )
    text = models.TextField(editable=False)  # the exact text shown and signed
    text_hash = models.CharField("text hash (sha256)", max_length=64, editable=False)
    device = models.CharField(max_length=32, editable=False)
    zones = models.JSONField(default=list, editable=False)  # sorted zone codes
    photo_clinical = models.BooleanField("photos kept in the clinical record", default=False)
    photo_marketing = models.BooleanField(
        "photos used without name for teaching or marketing", default=False
    )
    patient_name_signed = models.CharField(
        "patient's full name", max_length=NAME_MAX_LENGTH, blank=True
    )
    patient_signature = models.TextField(blank=True)  # PNG data URL
    patient_signed_at = models.DateTimeField(null=True, blank=True)
    patient_witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    clinician_signature = models.TextField(blank=True)  # PNG data URL
    clinician_signed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["plan", "status"], name="consent_plan_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=ConsentStatus.SIGNED)
                | models.Q(patient_signed_at__isnull=False, clinician_signed_at__isnull=False),
                name="consent_signed_has_both_signatures",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ConsentStatus.WITHDRAWN)
                | models.Q(withdrawn_at__isnull=False),
                name="consent_withdrawn_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk} ({self.get_status_display()})"

    @property
    def device_label(self) -> str:
        try:
            return str(DeviceChoices(self.device).label)
        except ValueError:
            return self.device.replace("_", " ")

    @property
    def zones_label(self) -> str:
        return ", ".join(str(z).replace("_", " ") for z in self.zones or [])

    @property
    def is_signed(self) -> bool:
        return self.status == ConsentStatus.SIGNED

    @property
    def is_in_force(self) -> bool:
        """Signed by the patient and a clinician, and not withdrawn."""
        return self.status == ConsentStatus.SIGNED and self.withdrawn_at is None

    @property
    def is_withdrawn(self) -> bool:
        return self.status == ConsentStatus.WITHDRAWN or self.withdrawn_at is not None

    @property
    def patient_has_signed(self) -> bool:
        return self.patient_signed_at is not None

    @property
    def awaiting_patient(self) -> bool:
        return self.status == ConsentStatus.DRAFT and self.patient_signed_at is None

    @property
    def awaiting_countersign(self) -> bool:
        return (
            self.status == ConsentStatus.DRAFT
            and self.patient_signed_at is not None
            and self.clinician_signed_at is None
        )
